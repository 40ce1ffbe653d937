// node:process — the process object of Workers' Node.js compatibility.
// Decisions (as workerd): process.env holds the Worker's text and JSON
// bindings (vars and secrets; JSON values that are not strings as their
// JSON text); values written to it are coerced to strings and stay in it.
// Unlike workerd, the bindings appear only once the Worker is set up, not
// while its modules are first evaluated. nextTick queues a microtask. version/versions report the
// Node.js release workerd reports; platform is "linux"; cwd() is "/" and
// exit() throws, since a Worker cannot end its process.

import { EventEmitter } from "node:events";
import { nodeError, validateFunction } from "zerostack:node/errors";

const cf = globalThis.__zs_cloudflare;
const own = Object.create(null);
const deleted = new Set();

// isData reports whether v is plain JSON data (a [vars] value), as opposed
// to a binding object.
function isData(v, depth = 0) {
  if (v === null || typeof v === "number" || typeof v === "boolean" || typeof v === "string") return true;
  if (typeof v !== "object" || depth > 32) return false;
  const p = Object.getPrototypeOf(v);
  if (Array.isArray(v)) return p === Array.prototype && v.every((x) => isData(x, depth + 1));
  if (p !== Object.prototype && p !== null) return false;
  return Object.values(v).every((x) => isData(x, depth + 1));
}

// bound returns the Worker's text and JSON bindings as process.env shows
// them: text as is, other JSON values as their JSON text (as workerd).
function bound() {
  const env = cf ? cf.env : undefined;
  const out = Object.create(null);
  if (!env) return out;
  for (const k of Object.keys(env)) {
    if (deleted.has(k)) continue;
    const v = env[k];
    if (typeof v === "string") out[k] = v;
    else if (isData(v)) out[k] = JSON.stringify(v);
  }
  return out;
}

export const env = new Proxy(own, {
  get(t, k) { if (typeof k !== "string") return undefined; return k in own ? own[k] : bound()[k]; },
  set(t, k, v) { own[k] = String(v); deleted.delete(k); return true; },
  has(t, k) { return k in own || k in bound(); },
  deleteProperty(t, k) { delete own[k]; deleted.add(k); return true; },
  ownKeys() { return [...new Set([...Object.keys(bound()), ...Object.keys(own)])]; },
  getOwnPropertyDescriptor(t, k) {
    const v = k in own ? own[k] : bound()[k];
    if (v === undefined) return undefined;
    return { value: v, writable: true, enumerable: true, configurable: true };
  },
  defineProperty(t, k, d) { own[k] = String(d.value); return true; },
});

export function nextTick(callback, ...args) {
  validateFunction(callback, "callback");
  queueMicrotask(() => callback(...args));
}

export const version = "v22.14.0";
export const versions = { node: "22.14.0" };
export const platform = "linux";
export const arch = "x64";
export const release = { name: "node" };
export const argv = [];
export const argv0 = "";
export const execArgv = [];
export const execPath = "";
export const pid = 1;
export const ppid = 0;
export const title = "workerd";
export const exitCode = undefined;
export const features = {};
export const config = {};

export function cwd() { return "/"; }
export function chdir() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The chdir() method is not implemented"); }
export function umask() { return 0o22; }
export function uptime() { return performance.now() / 1000; }
export function exit(code) { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "process.exit() is not supported in Workers"); }
export const abort = exit;
export function memoryUsage() { return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }; }
memoryUsage.rss = () => 0;
export function cpuUsage() { return { user: 0, system: 0 }; }
export function emitWarning(warning, type) {
  const msg = typeof warning === "string" ? warning : warning && warning.message;
  console.warn(`(node) ${type && typeof type === "string" ? type : "Warning"}: ${msg}`);
}

export function hrtime(prev) {
  const ns = BigInt(Math.round(performance.now() * 1e6));
  let s = Number(ns / 1000000000n), n = Number(ns % 1000000000n);
  if (prev) {
    s -= prev[0]; n -= prev[1];
    if (n < 0) { s--; n += 1e9; }
  }
  return [s, n];
}
hrtime.bigint = () => BigInt(Math.round(performance.now() * 1e6));

const emitter = new EventEmitter();
const process = Object.assign(emitter, {
  env, nextTick, version, versions, platform, arch, release, argv, argv0, execArgv, execPath, pid, ppid, title,
  exitCode, features, config, cwd, chdir, umask, uptime, exit, abort, memoryUsage, cpuUsage, emitWarning, hrtime,
  getBuiltinModule: undefined,
});
Object.defineProperty(process, Symbol.toStringTag, { value: "process", configurable: true });

export const on = (...a) => process.on(...a);
export const off = (...a) => process.off(...a);
export const once = (...a) => process.once(...a);
export const emit = (...a) => process.emit(...a);
export default process;
