// host.js: the prelude's view of Go. Every other module imports from here;
// nothing else touches globalThis.__zs_host.
//
// Protocol (see internal/webapi/doc.go for the Go side):
//   - host.NAME(...)            synchronous host functions defined by Go.
//   - callAsync(NAME, ...args)  asynchronous host functions: Go receives a
//                               fresh id as first argument and later settles
//                               the promise through complete(id, kind, value).
//   - bytes cross as (SharedArrayBuffer, length) pairs: toHost(u8) picks the
//     shared scratch area when it fits, else a fresh SharedArrayBuffer.

export const host = globalThis.__zs_host;
delete globalThis.__zs_host;
delete globalThis.__zs_mkerr;

export const scratch = host.scratch;
export const scratchU8 = new Uint8Array(scratch);
export const SCRATCH_SIZE = scratch.byteLength;

// defineGlobal installs a global as WebIDL does: writable, configurable,
// not enumerable.
export function defineGlobal(name, value) {
  Object.defineProperty(globalThis, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

// toHost copies bytes (a Uint8Array or ArrayBuffer view) into a
// SharedArrayBuffer Go can read: the scratch area when it fits. Use the
// result immediately in a host call; the scratch area is reused.
export function toHost(u8) {
  if (!(u8 instanceof Uint8Array)) {
    if (ArrayBuffer.isView(u8)) u8 = new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength);
    else u8 = new Uint8Array(u8);
  }
  if (u8.byteLength <= SCRATCH_SIZE) {
    scratchU8.set(u8);
    return scratch;
  }
  const sab = new SharedArrayBuffer(u8.byteLength);
  new Uint8Array(sab).set(u8);
  return sab;
}

// fromScratch returns a fresh Uint8Array with the first n bytes of scratch.
export function fromScratch(n) {
  return scratchU8.slice(0, n);
}

// Completion kinds, mirrored in Go (internal/webapi/host.go).
const K_UNDEFINED = 0, K_VALUE = 1, K_SCRATCH = 2, K_BIG = 3, K_JSON = 4, K_ERROR = 5;

const pending = new Map();
let nextId = 1;

// callAsync calls the asynchronous host function name and returns a promise
// for its result.
export function callAsync(name, ...args) {
  return startAsync(name, args)[1];
}

// startAsync is callAsync that also returns the call's id, for host
// functions that can cancel a call in flight: [id, promise].
export function startAsync(name, args) {
  const id = nextId++;
  const p = new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    try {
      host[name](id, ...args);
    } catch (e) {
      pending.delete(id);
      reject(e);
    }
  });
  return [id, p];
}

// makeError builds the exception for an error Go reported: name is an error
// class (TypeError, RangeError, ...) or a DOMException name.
export function makeError(name, message) {
  return host.mkerr(name, message);
}

// complete is called by Go (through __zs_complete) to settle an async call.
function complete(id, kind, value, extra) {
  const p = pending.get(id);
  if (p === undefined) return;
  pending.delete(id);
  switch (kind) {
    case K_UNDEFINED: p.resolve(undefined); break;
    case K_VALUE: p.resolve(value); break;
    case K_SCRATCH: p.resolve(fromScratch(value)); break;
    case K_BIG: {
      const sab = new SharedArrayBuffer(value);
      host.take(extra, sab);
      p.resolve(new Uint8Array(sab).slice());
      break;
    }
    case K_JSON: p.resolve(JSON.parse(value)); break;
    case K_ERROR: p.reject(makeError(extra || "Error", value)); break;
  }
}

// Entry points that Go looks up after the prelude ran; Go removes the
// globals once it holds them.
export const entry = { complete };
globalThis.__zs_complete = complete;
