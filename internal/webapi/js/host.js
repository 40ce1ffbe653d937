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

// toHost copies bytes (a Uint8Array, ArrayBuffer or view) where Go can read
// them and returns the SharedArrayBuffer to pass, with the byte length, to a
// host function. Small payloads go in the scratch area; larger ones are
// staged in Go chunk by chunk (host.stage) and claimed by the next host call
// that reads that many bytes. Use the result immediately.
export function toHost(u8) {
  if (!(u8 instanceof Uint8Array)) {
    if (ArrayBuffer.isView(u8)) u8 = new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength);
    else u8 = new Uint8Array(u8);
  }
  const n = u8.byteLength;
  if (n <= SCRATCH_SIZE) {
    scratchU8.set(u8);
    return scratch;
  }
  for (let off = 0; off < n; off += SCRATCH_SIZE) {
    const end = Math.min(off + SCRATCH_SIZE, n);
    scratchU8.set(u8.subarray(off, end));
    host.stage(end - off, off === 0 ? n : 0);
  }
  return scratch;
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
      // Large results cross in scratch-sized chunks into one buffer.
      const out = new Uint8Array(value);
      for (let off = 0; off < value;) {
        const n = host.take(extra, off);
        out.set(scratchU8.subarray(0, n), off);
        off += n;
      }
      p.resolve(out);
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
