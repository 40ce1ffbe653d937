// node:timers — the timer functions as Node.js documents them: setTimeout
// and setInterval return Timeout objects (ref/unref/hasRef/refresh/close,
// and the timer id as their primitive value), setImmediate an Immediate,
// as workerd does; the clear functions take those or ids. The globals keep
// the Workers behaviour (numbers). unref() does not let a Worker end
// earlier: there is no process to keep alive; it only changes hasRef().
import * as promises from "node:timers/promises";

const kId = Symbol("timerId");

export class Timeout {
  #callback; #after; #args; #repeat; #ref = true;
  constructor(callback, after, args, repeat) {
    this.#callback = callback;
    this.#after = after;
    this.#args = args;
    this.#repeat = repeat;
    this.#start();
  }
  #start() {
    const set = this.#repeat ? globalThis.setInterval : globalThis.setTimeout;
    this[kId] = set(this.#callback, this.#after, ...this.#args);
  }
  ref() { this.#ref = true; return this; }
  unref() { this.#ref = false; return this; }
  hasRef() { return this.#ref; }
  refresh() {
    if (this[kId] !== undefined) {
      globalThis.clearTimeout(this[kId]);
      this.#start();
    }
    return this;
  }
  close() {
    globalThis.clearTimeout(this[kId]);
    this[kId] = undefined;
    return this;
  }
  [Symbol.toPrimitive]() { return this[kId]; }
  [Symbol.dispose]() { this.close(); }
}

export class Immediate {
  #ref = true;
  constructor(callback, args) {
    this[kId] = globalThis.setTimeout(callback, 0, ...args);
  }
  ref() { this.#ref = true; return this; }
  unref() { this.#ref = false; return this; }
  hasRef() { return this.#ref; }
  [Symbol.dispose]() { clearImmediate(this); }
}

function checkCallback(callback) {
  if (typeof callback !== "function") {
    const e = new TypeError(`The "callback" argument must be of type function. Received ${callback === null ? "null" : typeof callback}`);
    e.code = "ERR_INVALID_ARG_TYPE";
    throw e;
  }
}

function idOf(t) {
  if (t !== null && typeof t === "object") return t[kId];
  return t;
}

export function setTimeout(callback, after, ...args) {
  checkCallback(callback);
  return new Timeout(callback, after, args, false);
}
export function setInterval(callback, repeat, ...args) {
  checkCallback(callback);
  return new Timeout(callback, repeat, args, true);
}
export function setImmediate(callback, ...args) {
  checkCallback(callback);
  return new Immediate(callback, args);
}
export function clearTimeout(timer) {
  if (timer instanceof Timeout) timer.close();
  else globalThis.clearTimeout(idOf(timer));
}
export const clearInterval = clearTimeout;
export function clearImmediate(immediate) { globalThis.clearTimeout(idOf(immediate)); }

export { promises };

export default { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises, Timeout, Immediate };
