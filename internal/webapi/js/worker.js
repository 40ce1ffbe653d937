// worker.js: the glue between Go's event dispatch and the user's worker.
//
// Go runs the user's bundle (which leaves its module exports in
// globalThis.__zs_exports), then calls __zs_setup(envJSON) once, then
// __zs_dispatch(...) for every request. Responses go back through
// host.respond / host.fail; host.done(id) reports that a request's
// waitUntil work has finished too.
import { host, toHost, defineGlobal } from "./host.js";
import { Response, requestFromHost, kBody, kHeaders, kStatus, kStatusText, kWebSocket } from "./request.js";
import { headersToWire } from "./headers.js";
import { kUsed } from "./body.js";
import { pumpToHost } from "./fetch.js";

let exportsObj = null;
let defaultHandler = null;
let env = {};
const listeners = new Map();

// The service-worker form: addEventListener("fetch", fn) at top level.
defineGlobal("addEventListener", function addEventListener(type, fn) {
  if (typeof fn !== "function" && !(fn && typeof fn.handleEvent === "function")) return;
  let l = listeners.get(type);
  if (l === undefined) listeners.set(type, (l = []));
  if (!l.includes(fn)) l.push(fn);
});
defineGlobal("removeEventListener", function removeEventListener(type, fn) {
  const l = listeners.get(type);
  if (l) {
    const i = l.indexOf(fn);
    if (i >= 0) l.splice(i, 1);
  }
});

const kCtxId = Symbol("ctx.id");
const kPass = Symbol("ctx.passThrough");
const kWaits = Symbol("ctx.waits");
const kResponded = Symbol("ctx.responded");

// ExecutionContext is the third argument of a module worker's handlers.
export class ExecutionContext {
  constructor(id) {
    this[kCtxId] = id;
    this[kPass] = false;
    this[kWaits] = 0;
    this[kResponded] = false;
  }
  waitUntil(promise) {
    if (this[kResponded] && this[kWaits] === 0) {
      // The request is over; workerd still runs the work but nothing waits.
    }
    this[kWaits]++;
    const settle = () => {
      this[kWaits]--;
      maybeDone(this);
    };
    Promise.resolve(promise).then(settle, (e) => {
      host.log("error", "Uncaught (in promise) " + (e && e.stack || e));
      settle();
    });
  }
  passThroughOnException() {
    this[kPass] = true;
  }
  get props() {
    return {};
  }
}

function maybeDone(ctx) {
  if (ctx[kResponded] && ctx[kWaits] === 0) {
    host.done(ctx[kCtxId]);
  }
}

// FetchEvent for the service-worker form.
class FetchEvent {
  constructor(type, init) {
    this.type = type;
    this.request = init.request;
    this._ctx = init.ctx;
    this._response = undefined;
  }
  respondWith(r) {
    if (this._response !== undefined) throw new DOMExceptionLike("FetchEvent.respondWith() has already been called; it can only be called once.", "InvalidStateError");
    this._response = r;
  }
  waitUntil(p) { this._ctx.waitUntil(p); }
  passThroughOnException() { this._ctx.passThroughOnException(); }
}

function DOMExceptionLike(msg, name) {
  const D = globalThis.DOMException;
  if (D) return new D(msg, name);
  const e = new Error(msg);
  e.name = name;
  return e;
}

function errText(e) {
  if (e instanceof Error) return e.stack || `${e.name}: ${e.message}`;
  try {
    return "Uncaught " + (typeof e === "object" ? JSON.stringify(e) : String(e));
  } catch {
    return "Uncaught " + String(e);
  }
}

function fail(ctx, e) {
  ctx[kResponded] = true;
  host.fail(ctx[kCtxId], errText(e), ctx[kPass]);
  maybeDone(ctx);
}

function respond(ctx, r) {
  const id = ctx[kCtxId];
  if (!(r instanceof Response)) {
    fail(ctx, new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'."));
    return;
  }
  ctx[kResponded] = true;
  const body = r[kBody];
  const wire = headersToWire(r[kHeaders]) || "";
  const status = r[kStatus];
  if (r[kWebSocket] !== null) {
    host.respondWebSocket?.(id, r[kWebSocket], wire);
    maybeDone(ctx);
    return;
  }
  const head = id + "\n" + status + "\n" + r[kStatusText] + "\n" + wire;
  if (body === null) {
    host.respond(head, 0);
  } else if (r[kUsed]) {
    fail(ctx, new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice."));
    return;
  } else {
    r[kUsed] = true;
    if (body.s !== undefined) {
      host.respond(head, 1, body.s);
    } else if (body.b !== undefined) {
      host.respond(head, 2, toHost(body.b), body.b.byteLength);
    } else if (body.host !== undefined) {
      host.respond(head, 4, body.host);
    } else {
      const wid = host.respond(head, 3);
      ctx[kWaits]++;
      pumpToHost(body.stream, wid).then(
        () => { ctx[kWaits]--; maybeDone(ctx); },
        (e) => {
          host.log("error", errText(e));
          ctx[kWaits]--;
          maybeDone(ctx);
        },
      );
      return;
    }
  }
  maybeDone(ctx);
}

// cfFor returns a maker of request.cf for development: a plausible object
// whose country comes from the client's CF-IPCountry header or the
// configuration.
function cfFor(country, proto) {
  return () => ({
    colo: "DEV", country, city: "Local", continent: "NA",
    latitude: "0.00000", longitude: "0.00000", postalCode: "00000",
    region: "Local", regionCode: "LO", timezone: "UTC",
    asn: 0, asOrganization: "zerostack", httpProtocol: proto,
    tlsVersion: "", tlsCipher: "", clientTcpRtt: 0, requestPriority: "",
    edgeRequestKeepAliveBufferSize: 0, clientAcceptEncoding: "gzip, deflate, br",
    verifiedBotCategory: "",
    botManagement: { score: 99, verifiedBot: false, staticResource: false },
  });
}

// dispatch starts a request. Go packs its head into one string to cross the
// boundary once: "id\nbodyId\nmethod\nurl\ncountry\nproto\n" followed by
// the headers' wire form.
function dispatch(packed) {
  let a = 0, b = packed.indexOf("\n");
  const id = +packed.slice(a, b);
  a = b + 1; b = packed.indexOf("\n", a);
  const bodyId = +packed.slice(a, b);
  a = b + 1; b = packed.indexOf("\n", a);
  const method = packed.slice(a, b);
  a = b + 1; b = packed.indexOf("\n", a);
  const url = packed.slice(a, b);
  a = b + 1; b = packed.indexOf("\n", a);
  const country = packed.slice(a, b);
  a = b + 1; b = packed.indexOf("\n", a);
  const proto = packed.slice(a, b);
  const req = requestFromHost(method, url, packed.slice(b + 1), bodyId, cfFor(country, proto));
  const ctx = new ExecutionContext(id);
  let p;
  try {
    if (defaultHandler !== null) {
      p = defaultHandler.fetch(req, env, ctx);
    } else {
      const l = listeners.get("fetch");
      if (!l || l.length === 0) {
        throw new Error("Handler does not export a fetch() function.");
      }
      const ev = new FetchEvent("fetch", { request: req, ctx });
      for (const fn of l) {
        if (typeof fn === "function") fn.call(globalThis, ev);
        else fn.handleEvent(ev);
      }
      p = ev._response;
      if (p === undefined) {
        throw new Error("No response! Did you call event.respondWith()?");
      }
    }
  } catch (e) {
    fail(ctx, e);
    return;
  }
  if (p !== null && typeof p === "object" && typeof p.then === "function") {
    p.then((r) => respond(ctx, r), (e) => fail(ctx, e));
  } else {
    respond(ctx, p);
  }
}

// setup reads the user's exports and builds env. envJSON holds vars and
// secrets; bindings (added by later layers) come from the bindings map.
const bindingFactories = new Map();

// registerBinding makes type available to env: for each binding of that type
// in the worker's configuration, env[name] = factory(name, config).
export function registerBinding(type, factory) {
  bindingFactories.set(type, factory);
}

function setup(envJSON, pendingJSON, bindingsJSON) {
  exportsObj = globalThis.__zs_exports ?? null;
  delete globalThis.__zs_exports;
  env = Object.assign({}, JSON.parse(envJSON));
  // Bindings declared in wrangler.toml that zerostack cannot serve yet:
  // any use throws an error that names the binding.
  for (const [name, kind] of JSON.parse(pendingJSON || "[]")) {
    const fail = () => {
      throw new Error(`env.${name}: ${kind} bindings are not supported by zerostack yet.`);
    };
    env[name] = new Proxy(Object.create(null), { get: fail, has: fail, set: fail, apply: fail });
  }
  for (const { name, type, config } of JSON.parse(bindingsJSON || "[]")) {
    const f = bindingFactories.get(type);
    if (f === undefined) throw new Error(`env.${name}: no binding of type ${type} is installed`);
    env[name] = f(name, config);
  }
  const def = exportsObj && exportsObj.default;
  if (def !== undefined && def !== null) {
    if (typeof def === "function" && def.prototype instanceof WorkerEntrypoint) {
      defaultHandler = {
        fetch(req, env, ctx) {
          const inst = new def(ctx, env);
          if (typeof inst.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
          return inst.fetch(req);
        },
      };
    } else if (typeof def.fetch === "function") {
      defaultHandler = def;
    } else if (typeof def === "object" || typeof def === "function") {
      defaultHandler = {
        fetch() {
          throw new Error("Handler does not export a fetch() function.");
        },
      };
    }
  }
  cfEnv.env = env;
  if (defaultHandler === null) {
    // Service-worker syntax: bindings, vars and secrets are globals.
    for (const k of Object.keys(env)) {
      if (!(k in globalThis)) globalThis[k] = env[k];
    }
  }
  return defaultHandler !== null ? "module" : listeners.has("fetch") ? "service-worker" : "none";
}

// cloudflare:workers classes.
export class WorkerEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
export class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
export class RpcTarget {}
export class WorkflowEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
const cfEnv = { env: {} };

// The bundler's virtual module "cloudflare:workers" reads these.
Object.defineProperty(globalThis, "__zs_cloudflare", {
  value: Object.freeze({
    WorkerEntrypoint,
    DurableObject,
    RpcTarget,
    WorkflowEntrypoint,
    get env() { return cfEnv.env; },
  }),
  enumerable: false,
});

globalThis.__zs_setup = setup;
globalThis.__zs_dispatch = dispatch;

// ScheduledController is the first argument of a module worker's
// scheduled() handler.
class ScheduledController {
  #noRetry = false;
  constructor(cron, scheduledTime) {
    this.cron = cron;
    this.scheduledTime = scheduledTime;
    this.type = "scheduled";
  }
  noRetry() {
    this.#noRetry = true;
  }
}

// dispatchScheduled runs a Cron Trigger: packed is "id\nscheduledTime\ncron".
// The outcome goes back with host.eventResult(id, ok, error), then
// host.done(id) once waitUntil work is over too.
function dispatchScheduled(packed) {
  const a = packed.indexOf("\n"), b = packed.indexOf("\n", a + 1);
  const id = +packed.slice(0, a);
  const scheduledTime = +packed.slice(a + 1, b);
  const cron = packed.slice(b + 1);
  const ctx = new ExecutionContext(id);
  const finish = (ok, e) => {
    ctx[kResponded] = true;
    host.eventResult(id, ok, ok ? "" : errText(e));
    maybeDone(ctx);
  };
  let p;
  try {
    const def = exportsObj && exportsObj.default;
    if (def && typeof def.scheduled === "function") {
      p = def.scheduled(new ScheduledController(cron, scheduledTime), env, ctx);
    } else if (typeof def === "function" && def.prototype instanceof WorkerEntrypoint && typeof def.prototype.scheduled === "function") {
      p = new def(ctx, env).scheduled(new ScheduledController(cron, scheduledTime));
    } else if (listeners.has("scheduled")) {
      const ev = {
        type: "scheduled", cron, scheduledTime,
        waitUntil: (q) => ctx.waitUntil(q),
        noRetry() {},
      };
      for (const fn of listeners.get("scheduled")) {
        if (typeof fn === "function") fn.call(globalThis, ev);
        else fn.handleEvent(ev);
      }
    } else {
      throw new Error("Handler does not export a scheduled() function.");
    }
  } catch (e) {
    finish(false, e);
    return;
  }
  Promise.resolve(p).then(() => finish(true), (e) => finish(false, e));
}
globalThis.__zs_scheduled = dispatchScheduled;

// Other events (queue batches, Durable Object calls, …) are served by
// handlers that extensions register under a kind. A handler is called as
// handler(payload, ctx, exports, env, listeners) (listeners: the
// service-worker form's addEventListener registrations) and returns (a promise of) a string,
// the result Go receives; a throw or rejection fails the event with the
// error's stack. See worker.Worker.Event.
const eventHandlers = new Map();

// registerEvent installs the handler of one event kind.
export function registerEvent(kind, handler) {
  eventHandlers.set(kind, handler);
}

// workerExports and workerEnv give extensions the user's module exports
// and env once setup ran (Durable Object classes are constructed with them).
export function workerExports() {
  return exportsObj;
}
export function workerEnv() {
  return env;
}

// dispatchEvent runs an event: packed is "id\nkind\npayload". The outcome
// goes back with host.eventResult(id, ok, text), then host.done(id) once
// waitUntil work is over.
function dispatchEvent(packed) {
  const a = packed.indexOf("\n"), b = packed.indexOf("\n", a + 1);
  const id = +packed.slice(0, a);
  const kind = packed.slice(a + 1, b);
  const payload = packed.slice(b + 1);
  const ctx = new ExecutionContext(id);
  const finish = (ok, v) => {
    ctx[kResponded] = true;
    host.eventResult(id, ok, ok ? (v === undefined || v === null ? "" : String(v)) : errText(v));
    maybeDone(ctx);
  };
  let p;
  try {
    const h = eventHandlers.get(kind);
    if (h === undefined) throw new Error(`zerostack: no handler for ${kind} events`);
    p = h(payload, ctx, exportsObj, env, listeners);
  } catch (e) {
    finish(false, e);
    return;
  }
  Promise.resolve(p).then((v) => finish(true, v), (e) => finish(false, e));
}
globalThis.__zs_event = dispatchEvent;
