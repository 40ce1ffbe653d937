// globals.js (injected when nodejs_compat is on): Buffer and process as
// globals, installed before the Worker's own modules run, as workerd does.
import { Buffer } from "node:buffer";
import process from "node:process";

for (const [name, value] of [["Buffer", Buffer], ["process", process]]) {
  if (!Object.prototype.hasOwnProperty.call(globalThis, name)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
  }
}
