// node:events — EventEmitter, once and on, as Node.js documents them.
import { nodeError, invalidArgType, validateFunction } from "zerostack:node/errors";

const kCapture = Symbol("kCapture");
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
export const errorMonitor = Symbol("events.errorMonitor");
let defaultMaxListeners = 10;

export function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}
EventEmitter.prototype._events = undefined;
EventEmitter.prototype._eventsCount = 0;
EventEmitter.prototype._maxListeners = undefined;

Object.defineProperty(EventEmitter, "defaultMaxListeners", {
  enumerable: true,
  get() { return defaultMaxListeners; },
  set(n) {
    if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "defaultMaxListeners" is out of range. It must be a non-negative number. Received ${n}`);
    defaultMaxListeners = n;
  },
});

EventEmitter.init = function (opts) {
  if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
    this._events = Object.create(null);
    this._eventsCount = 0;
  }
  this._maxListeners = this._maxListeners || undefined;
  if (opts && opts.captureRejections) this[kCapture] = true;
};

const P = EventEmitter.prototype;

P.setMaxListeners = function setMaxListeners(n) {
  if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "n" is out of range. It must be a non-negative number. Received ${n}`);
  this._maxListeners = n;
  return this;
};
P.getMaxListeners = function getMaxListeners() {
  return this._maxListeners === undefined ? defaultMaxListeners : this._maxListeners;
};

P.emit = function emit(type, ...args) {
  const events = this._events;
  if (type === "error" && events !== undefined && events[errorMonitor] !== undefined) this.emit(errorMonitor, ...args);
  const handler = events === undefined ? undefined : events[type];
  if (handler === undefined) {
    if (type === "error") {
      const er = args[0];
      if (er instanceof Error) throw er;
      const err = nodeError(Error, "ERR_UNHANDLED_ERROR", `Unhandled error. (${typeof er === "string" ? `'${er}'` : String(er)})`);
      err.context = er;
      throw err;
    }
    return false;
  }
  if (typeof handler === "function") {
    callListener(this, handler, type, args);
  } else {
    const listeners = handler.slice();
    for (let i = 0; i < listeners.length; i++) callListener(this, listeners[i], type, args);
  }
  return true;
};

function callListener(emitter, fn, type, args) {
  const r = Reflect.apply(fn, emitter, args);
  if (emitter[kCapture] && r && typeof r.then === "function") {
    r.then(undefined, (err) => queueMicrotask(() => {
      if (typeof emitter[captureRejectionSymbol] === "function") emitter[captureRejectionSymbol](err, type, ...args);
      else emitter.emit("error", err);
    }));
  }
}

function addListener(target, type, listener, prepend) {
  validateFunction(listener, "listener");
  let events = target._events;
  if (events === undefined) {
    events = target._events = Object.create(null);
    target._eventsCount = 0;
  } else if (events.newListener !== undefined) {
    target.emit("newListener", type, listener.listener ? listener.listener : listener);
    events = target._events;
  }
  const existing = events[type];
  if (existing === undefined) {
    events[type] = listener;
    target._eventsCount++;
  } else {
    const list = typeof existing === "function" ? (events[type] = prepend ? [listener, existing] : [existing, listener]) : existing;
    if (typeof existing !== "function") {
      if (prepend) list.unshift(listener); else list.push(listener);
    }
    const m = target.getMaxListeners();
    if (m > 0 && list.length > m && !list.warned) {
      list.warned = true;
      console.warn(`MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ${list.length} ${String(type)} listeners added to ${target.constructor.name}. MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`);
    }
  }
  return target;
}

P.addListener = function (type, listener) { return addListener(this, type, listener, false); };
P.on = P.addListener;
P.prependListener = function (type, listener) { return addListener(this, type, listener, true); };

function onceWrapper(target, type, listener) {
  const state = { fired: false, target, type, listener };
  const wrapped = function (...args) {
    if (!state.fired) {
      state.target.removeListener(state.type, wrapped);
      state.fired = true;
      return Reflect.apply(state.listener, state.target, args);
    }
  };
  wrapped.listener = listener;
  return wrapped;
}

P.once = function (type, listener) {
  validateFunction(listener, "listener");
  return this.on(type, onceWrapper(this, type, listener));
};
P.prependOnceListener = function (type, listener) {
  validateFunction(listener, "listener");
  return this.prependListener(type, onceWrapper(this, type, listener));
};

P.removeListener = function removeListener(type, listener) {
  validateFunction(listener, "listener");
  const events = this._events;
  if (events === undefined) return this;
  const list = events[type];
  if (list === undefined) return this;
  if (list === listener || list.listener === listener) {
    if (--this._eventsCount === 0) this._events = Object.create(null);
    else delete events[type];
    if (events.removeListener !== undefined) this.emit("removeListener", type, list.listener || listener);
  } else if (typeof list !== "function") {
    let pos = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) { pos = i; break; }
    }
    if (pos < 0) return this;
    const removed = list.splice(pos, 1)[0];
    if (list.length === 1) events[type] = list[0];
    if (events.removeListener !== undefined) this.emit("removeListener", type, removed.listener || removed);
  }
  return this;
};
P.off = P.removeListener;

P.removeAllListeners = function removeAllListeners(type) {
  const events = this._events;
  if (events === undefined) return this;
  if (events.removeListener === undefined) {
    if (arguments.length === 0) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    } else if (events[type] !== undefined) {
      if (--this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
    }
    return this;
  }
  if (arguments.length === 0) {
    for (const key of Reflect.ownKeys(events)) {
      if (key !== "removeListener") this.removeAllListeners(key);
    }
    this.removeAllListeners("removeListener");
    this._events = Object.create(null);
    this._eventsCount = 0;
    return this;
  }
  const listeners = events[type];
  if (typeof listeners === "function") this.removeListener(type, listeners);
  else if (listeners !== undefined) for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
  return this;
};

function listenersOf(target, type, unwrap) {
  const events = target._events;
  if (events === undefined || events[type] === undefined) return [];
  const l = events[type];
  if (typeof l === "function") return unwrap ? [l.listener || l] : [l];
  return unwrap ? l.map((f) => f.listener || f) : l.slice();
}
P.listeners = function (type) { return listenersOf(this, type, true); };
P.rawListeners = function (type) { return listenersOf(this, type, false); };
P.listenerCount = function (type, listener) {
  const l = listenersOf(this, type, true);
  return listener === undefined ? l.length : l.filter((f) => f === listener).length;
};
P.eventNames = function () { return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : []; };

EventEmitter.EventEmitter = EventEmitter;
EventEmitter.captureRejectionSymbol = captureRejectionSymbol;
EventEmitter.errorMonitor = errorMonitor;
Object.defineProperty(EventEmitter, "captureRejections", { get() { return false; }, set() {}, enumerable: true });

export function listenerCount(emitter, type) { return emitter.listenerCount(type); }

export function once(emitter, name, options = {}) {
  const signal = options && options.signal;
  if (signal && signal.aborted) return Promise.reject(abortError(signal.reason));
  return new Promise((resolve, reject) => {
    if (typeof emitter.addEventListener === "function" && typeof emitter.on !== "function") {
      emitter.addEventListener(name, (...args) => resolve(args), { once: true, signal });
      return;
    }
    const onError = (err) => { emitter.removeListener(name, onEvent); cleanup(); reject(err); };
    const onEvent = (...args) => { if (name !== "error") emitter.removeListener("error", onError); cleanup(); resolve(args); };
    const onAbort = () => { emitter.removeListener(name, onEvent); emitter.removeListener("error", onError); reject(abortError(signal.reason)); };
    const cleanup = () => { if (signal) signal.removeEventListener("abort", onAbort); };
    emitter.once(name, onEvent);
    if (name !== "error") emitter.once("error", onError);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(cause) {
  const e = nodeError(Error, "ABORT_ERR", "The operation was aborted");
  e.name = "AbortError";
  if (cause !== undefined) e.cause = cause;
  return e;
}

// on returns an async iterator of the events' argument arrays.
export function on(emitter, event, options = {}) {
  const queue = [], waiting = [];
  let error = null, done = false;
  const push = (...args) => { if (waiting.length) waiting.shift().resolve({ value: args, done: false }); else queue.push(args); };
  const fail = (err) => { done = true; if (waiting.length) waiting.shift().reject(err); else error = err; it.return(); };
  emitter.on(event, push);
  if (event !== "error") emitter.on("error", fail);
  const it = {
    next() {
      if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
      if (error) { const e = error; error = null; return Promise.reject(e); }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      done = true;
      emitter.removeListener(event, push);
      emitter.removeListener("error", fail);
      for (const w of waiting.splice(0)) w.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) { error = err; return it.return(); },
    [Symbol.asyncIterator]() { return this; },
  };
  if (options.signal) options.signal.addEventListener("abort", () => fail(abortError(options.signal.reason)), { once: true });
  return it;
}

export function getEventListeners(emitter, name) {
  if (typeof emitter.listeners === "function") return emitter.listeners(name);
  return [];
}
export function setMaxListeners(n = defaultMaxListeners, ...targets) {
  if (targets.length === 0) { EventEmitter.defaultMaxListeners = n; return; }
  for (const t of targets) if (typeof t.setMaxListeners === "function") t.setMaxListeners(n);
}
export const usingDomains = false;

EventEmitter.once = once;
EventEmitter.on = on;
EventEmitter.listenerCount = listenerCount;
EventEmitter.getEventListeners = getEventListeners;
EventEmitter.setMaxListeners = setMaxListeners;
EventEmitter.usingDomains = usingDomains;
EventEmitter.EventEmitterAsyncResource = EventEmitter;

export { EventEmitter as EventEmitterAsyncResource };
export default EventEmitter;
