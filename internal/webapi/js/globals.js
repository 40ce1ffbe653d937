// globals.js: navigator and performance as Workers expose them.
import { defineGlobal } from "./host.js";

class Navigator {
  get userAgent() { return "Cloudflare-Workers"; }
  get hardwareConcurrency() { return 1; }
  get language() { return "en"; }
  get languages() { return ["en"]; }
  get [Symbol.toStringTag]() { return "Navigator"; }
}
defineGlobal("navigator", new Navigator());
// workerd's global scope is reachable as self (a ServiceWorkerGlobalScope).
defineGlobal("self", globalThis);

const timeOrigin = Date.now();
class Performance {
  get timeOrigin() { return timeOrigin; }
  now() { return Date.now() - timeOrigin; }
  toJSON() { return { timeOrigin }; }
  get [Symbol.toStringTag]() { return "Performance"; }
}
defineGlobal("performance", new Performance());
