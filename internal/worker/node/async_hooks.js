// node:async_hooks — AsyncLocalStorage and AsyncResource.
//
// The runtime has no async-context hook (V8's continuation-preserved
// embedder data is not reachable through v8go), so the context travels in
// JavaScript: loading this module wraps Promise.prototype.then,
// setTimeout, setInterval and queueMicrotask so that a callback registered
// while a store is active runs with that store. Native `await` does not call
// then(), so when a Worker imports this module the bundler lowers async
// functions and async generators to generators driven through then() (see
// internal/worker/bundle.go, node.go). Known gap: a callback the runtime
// itself stores and calls later (an EventTarget listener, a stream source)
// runs with the store that is active when it is called, not registered.

const kEmpty = new Map();
let current = kEmpty;

function bind(fn, ctx) {
  if (typeof fn !== "function" || ctx === kEmpty) return fn;
  return function (...args) {
    const prev = current;
    current = ctx;
    try {
      return Reflect.apply(fn, this, args);
    } finally {
      current = prev;
    }
  };
}

// Install the wrappers once per isolate, even if the module were bundled
// twice.
const kInstalled = Symbol.for("zerostack.asyncContext");
if (!globalThis[kInstalled]) {
  Object.defineProperty(globalThis, kInstalled, { value: true });
  const then = Promise.prototype.then;
  Object.defineProperty(Promise.prototype, "then", {
    value: function then_(onFulfilled, onRejected) {
      return Reflect.apply(then, this, [bind(onFulfilled, current), bind(onRejected, current)]);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  for (const name of ["setTimeout", "setInterval", "queueMicrotask"]) {
    const orig = globalThis[name];
    if (typeof orig !== "function") continue;
    const wrapped = { [name](fn, ...rest) { return Reflect.apply(orig, globalThis, [bind(fn, current), ...rest]); } }[name];
    Object.defineProperty(globalThis, name, { value: wrapped, writable: true, configurable: true, enumerable: true });
  }
}

export class AsyncLocalStorage {
  #enabled = true;

  static bind(fn) { return bind(fn, current); }
  static snapshot() {
    const ctx = current;
    return (fn, ...args) => bind(fn, ctx)(...args);
  }

  getStore() {
    return current.get(this);
  }

  run(store, callback, ...args) {
    const next = new Map(current);
    next.set(this, store);
    const prev = current;
    current = next;
    try {
      return callback(...args);
    } finally {
      current = prev;
    }
  }

  exit(callback, ...args) {
    if (!current.has(this)) return callback(...args);
    const next = new Map(current);
    next.delete(this);
    const prev = current;
    current = next.size ? next : kEmpty;
    try {
      return callback(...args);
    } finally {
      current = prev;
    }
  }

  enterWith(store) {
    const next = new Map(current);
    next.set(this, store);
    current = next;
  }

  disable() {
    if (current.has(this)) {
      const next = new Map(current);
      next.delete(this);
      current = next.size ? next : kEmpty;
    }
  }
}

export class AsyncResource {
  #ctx;
  constructor(type, options) {
    this.type = type;
    this.#ctx = current;
  }
  runInAsyncScope(fn, thisArg, ...args) {
    const prev = current;
    current = this.#ctx;
    try {
      return Reflect.apply(fn, thisArg, args);
    } finally {
      current = prev;
    }
  }
  bind(fn, thisArg) {
    const f = (...args) => this.runInAsyncScope(fn, thisArg, ...args);
    return f;
  }
  static bind(fn, type, thisArg) { return new AsyncResource(type ?? "bound-anonymous-fn").bind(fn, thisArg); }
  emitDestroy() { return this; }
  asyncId() { return 0; }
  triggerAsyncId() { return 0; }
}

export function executionAsyncId() { return 0; }
export function triggerAsyncId() { return 0; }
export function executionAsyncResource() { return {}; }
export function createHook() { return { enable() { return this; }, disable() { return this; } }; }
export const asyncWrapProviders = {};

export default { AsyncLocalStorage, AsyncResource, executionAsyncId, triggerAsyncId, executionAsyncResource, createHook, asyncWrapProviders };
