// structured.js: structuredClone(), the HTML structured clone algorithm
// done in one pass in JavaScript (serialize and deserialize at once), with
// the value types V8's serializer and workerd support.
//
// Supported: primitives (not symbols), Boolean/Number/String/BigInt
// wrappers, Date, RegExp, ArrayBuffer (resizable too), typed arrays and
// DataView (sharing buffers as the original did), Map, Set, arrays (sparse,
// with extra properties), plain objects (own enumerable string keys; other
// prototypes are dropped), errors (as workerd's enhanced error
// serialization), DOMException, Blob and File (their bytes are immutable
// and shared), Headers. Cycles and shared references are kept.
// Everything else (functions, symbols, WeakMap, Promise, platform objects
// such as Request or ReadableStream, ...) throws a DataCloneError.
//
// Transferred ArrayBuffers are copied into the clone and then detached, so a
// clone that fails leaves them untouched.
import { defineGlobal } from "./host.js";
import { DOMException, isDOMException } from "./errors.js";
import { isBlob, isFile, blobBytes, newBlob, newFile } from "./blob.js";

const toString = Object.prototype.toString;
const hasOwn = Object.prototype.hasOwnProperty;
const getPrototypeOf = Object.getPrototypeOf;
const typedArrayTag = Object.getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const abDetached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached")?.get;
const abResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")?.get;
const abMaxByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "maxByteLength")?.get;
const dvBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, "buffer").get;
const dvOffset = Object.getOwnPropertyDescriptor(DataView.prototype, "byteOffset").get;
const dvLength = Object.getOwnPropertyDescriptor(DataView.prototype, "byteLength").get;
const taBuffer = Object.getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), "buffer").get;
const taOffset = Object.getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), "byteOffset").get;
const taLength = Object.getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), "length").get;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size").get;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size").get;
const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get;
const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, "flags").get;
const isError = typeof Error.isError === "function" ? Error.isError : (v) => v instanceof Error;


// Built-in objects V8's serializer refuses, by their toStringTag.
const UNCLONEABLE = new Set([
  "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Promise", "Generator", "AsyncGenerator",
  "Symbol", "SharedArrayBuffer", "Array Iterator", "Map Iterator", "Set Iterator", "String Iterator",
  "RegExp String Iterator", "Iterator Helper", "Module",
].map((t) => `[object ${t}]`));

function brand(getter, v) {
  try {
    getter.call(v);
    return true;
  } catch {
    return false;
  }
}

function cloneError(message) {
  return new DOMException(message, "DataCloneError");
}

function describe(v) {
  if (typeof v === "function") {
    let s;
    try { s = Function.prototype.toString.call(v); } catch { s = "function"; }
    return s;
  }
  if (typeof v === "symbol") return v.toString();
  let name = "Object";
  try {
    const tag = toString.call(v).slice(8, -1);
    name = tag === "Object" ? (getPrototypeOf(v)?.constructor?.name || "Object") : tag;
  } catch { /* keep Object */ }
  return `#<${name}>`;
}

function uncloneable(v) {
  return cloneError(`${describe(v)} could not be cloned.`);
}

// Prototypes of platform objects that cannot be cloned, collected from the
// globals on first use (the classes belong to modules loaded later).
let platformProtos = null;
const PLATFORM = [
  "Request", "Response", "ReadableStream", "WritableStream", "TransformStream",
  "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "WritableStreamDefaultWriter",
  "ReadableStreamDefaultController", "ReadableByteStreamController", "WritableStreamDefaultController",
  "TransformStreamDefaultController", "ReadableStreamBYOBRequest", "ByteLengthQueuingStrategy",
  "CountQueuingStrategy", "TextEncoder", "TextDecoder", "TextEncoderStream", "TextDecoderStream",
  "CompressionStream", "DecompressionStream", "EventTarget", "Event", "AbortController", "URL",
  "URLSearchParams", "URLPattern", "FormData", "Crypto", "SubtleCrypto", "CryptoKey", "WebSocket",
  "WebSocketPair", "HTMLRewriter", "FixedLengthStream", "IdentityTransformStream", "DigestStream",
  "Cache", "CacheStorage", "Scheduler",
];

function isPlatformObject(v) {
  if (platformProtos === null) {
    platformProtos = new Set();
    for (const n of PLATFORM) {
      const C = globalThis[n];
      if (typeof C === "function" && C.prototype) platformProtos.add(C.prototype);
    }
  }
  for (let p = getPrototypeOf(v); p !== null && p !== Object.prototype; p = getPrototypeOf(p)) {
    if (platformProtos.has(p)) return true;
  }
  return false;
}

function cloneArrayBuffer(ab, mem) {
  if (abDetached !== undefined && abDetached.call(ab)) {
    throw cloneError("An ArrayBuffer is detached and could not be cloned.");
  }
  let out;
  if (abResizable !== undefined && abResizable.call(ab)) {
    out = new ArrayBuffer(abByteLength.call(ab), { maxByteLength: abMaxByteLength.call(ab) });
    new Uint8Array(out).set(new Uint8Array(ab));
  } else {
    out = ArrayBuffer.prototype.slice.call(ab, 0);
  }
  mem.set(ab, out);
  return out;
}

function cloneBuffer(ab, mem) {
  const got = mem.get(ab);
  if (got !== undefined) return got;
  if (!brand(abByteLength, ab)) throw uncloneable(ab); // SharedArrayBuffer
  return cloneArrayBuffer(ab, mem);
}

// clone is the recursive step. mem maps originals to their clones.
function clone(v, mem) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) {
    if (typeof v === "symbol") throw uncloneable(v);
    return v;
  }
  if (typeof v === "function") throw uncloneable(v);
  const seen = mem.get(v);
  if (seen !== undefined) return seen;

  if (Array.isArray(v)) {
    const out = new Array(v.length);
    mem.set(v, out);
    for (const k of Object.keys(v)) {
      if (!hasOwn.call(v, k)) continue;
      const x = clone(v[k], mem);
      if (k === "__proto__") Object.defineProperty(out, k, { value: x, writable: true, enumerable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }

  if (ArrayBuffer.isView(v)) {
    const name = typedArrayTag.call(v);
    if (name === undefined) {
      const buf = cloneBuffer(dvBuffer.call(v), mem);
      const out = new DataView(buf, dvOffset.call(v), dvLength.call(v));
      mem.set(v, out);
      return out;
    }
    const buf = cloneBuffer(taBuffer.call(v), mem);
    const out = new globalThis[name](buf, taOffset.call(v), taLength.call(v));
    mem.set(v, out);
    return out;
  }

  const tag = toString.call(v);
  switch (tag) {
    case "[object Object]":
      break;
    case "[object Date]":
      if (brand(Date.prototype.getTime, v)) {
        const out = new Date(Date.prototype.getTime.call(v));
        mem.set(v, out);
        return out;
      }
      break;
    case "[object RegExp]":
      if (brand(regexpSource, v)) {
        const out = new RegExp(regexpSource.call(v), regexpFlags.call(v));
        mem.set(v, out);
        return out;
      }
      break;
    case "[object Map]":
      if (brand(mapSize, v)) {
        const out = new Map();
        mem.set(v, out);
        // Copy the entries first: cloning may run user getters.
        const entries = [...Map.prototype.entries.call(v)];
        for (const [k, x] of entries) out.set(clone(k, mem), clone(x, mem));
        return out;
      }
      break;
    case "[object Set]":
      if (brand(setSize, v)) {
        const out = new Set();
        mem.set(v, out);
        const values = [...Set.prototype.values.call(v)];
        for (const x of values) out.add(clone(x, mem));
        return out;
      }
      break;
    case "[object ArrayBuffer]":
      if (brand(abByteLength, v)) return cloneArrayBuffer(v, mem);
      break;
    case "[object Boolean]":
      if (brand(Boolean.prototype.valueOf, v)) return remember(v, Object(Boolean.prototype.valueOf.call(v)), mem);
      break;
    case "[object Number]":
      if (brand(Number.prototype.valueOf, v)) return remember(v, Object(Number.prototype.valueOf.call(v)), mem);
      break;
    case "[object String]":
      if (brand(String.prototype.valueOf, v)) return remember(v, Object(String.prototype.valueOf.call(v)), mem);
      break;
    case "[object BigInt]":
      if (brand(BigInt.prototype.valueOf, v)) return remember(v, Object(BigInt.prototype.valueOf.call(v)), mem);
      break;
    case "[object DOMException]":
      if (isDOMException(v)) {
        const out = new DOMException(v.message, v.name);
        copyStack(v, out);
        return remember(v, out, mem);
      }
      break;
    case "[object Blob]":
    case "[object File]":
      break;
    default:
      if (UNCLONEABLE.has(tag) || tag.startsWith("[object Intl.")) throw uncloneable(v);
  }

  if (isBlob(v)) {
    const out = isFile(v) ? newFile(blobBytes(v), v.name, v.type, v.lastModified) : newBlob(blobBytes(v), v.type);
    return remember(v, out, mem);
  }

  if (isError(v)) return cloneErrorObject(v, mem);

  // Headers are serializable in workerd (their entries are copied).
  const H = globalThis.Headers;
  if (typeof H === "function" && v instanceof H) return remember(v, new H(v), mem);

  if (isPlatformObject(v)) throw uncloneable(v);
  const out = {};
  mem.set(v, out);
  for (const k of Object.keys(v)) {
    if (!hasOwn.call(v, k)) continue;
    const x = clone(v[k], mem);
    if (k === "__proto__") Object.defineProperty(out, k, { value: x, writable: true, enumerable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

function remember(v, out, mem) {
  mem.set(v, out);
  return out;
}

function copyStack(from, to) {
  const d = Object.getOwnPropertyDescriptor(from, "stack");
  let stack;
  if (d !== undefined && "value" in d) stack = d.value;
  else if (d !== undefined) { try { stack = from.stack; } catch { /* none */ } }
  if (typeof stack === "string") {
    Object.defineProperty(to, "stack", { value: stack, writable: true, enumerable: false, configurable: true });
  }
}

// Error types that keep their class through a clone; other names give an
// Error whose own name property holds the original name.
function errorClass(name) {
  switch (name) {
    case "Error": return Error;
    case "TypeError": return TypeError;
    case "RangeError": return RangeError;
    case "ReferenceError": return ReferenceError;
    case "SyntaxError": return SyntaxError;
    case "EvalError": return EvalError;
    case "URIError": return URIError;
    case "AggregateError": return AggregateError;
    case "SuppressedError": return typeof SuppressedError === "function" ? SuppressedError : undefined;
    case "CompileError": case "LinkError": case "RuntimeError":
      return typeof WebAssembly === "object" ? WebAssembly[name] : undefined;
  }
  return undefined;
}

// cloneErrorObject clones an Error as workerd's enhanced error serialization
// does (the default since compatibility date 2026-04-21): the name picks the
// class (an unknown name is kept as an own property of an Error), message
// is copied, and every other own string-keyed property (code, cause,
// errors, ...) is cloned as an enumerable data property. The clone gets its
// own stack.
function cloneErrorObject(v, mem) {
  const name = `${v.name}`;
  const message = v.message;
  if (typeof message !== "string") throw cloneError("Deserialization failed: error message is not a string");
  const C = errorClass(name);
  let out;
  if (C === AggregateError) out = new AggregateError([], message);
  else if (C !== undefined && C.length >= 3) out = new C(undefined, undefined, message);
  else out = new (C ?? Error)(message);
  if (C === undefined) Object.defineProperty(out, "name", { value: name, writable: true, enumerable: false, configurable: true });
  mem.set(v, out);
  for (const k of Object.getOwnPropertyNames(v)) {
    if (k === "name" || k === "message" || k === "stack" || isArrayIndex(k)) continue;
    const x = clone(v[k], mem);
    Object.defineProperty(out, k, { value: x, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

function isArrayIndex(k) {
  const n = +k;
  return n >= 0 && n < 4294967295 && `${n >>> 0}` === k;
}

// transferList validates options.transfer: ArrayBuffers only, not detached,
// no duplicates.
function transferList(options) {
  if (options === undefined || options === null) return null;
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError("Failed to execute 'structuredClone': The provided value is not of type 'StructuredSerializeOptions'.");
  }
  const t = options.transfer;
  if (t === undefined) return null;
  if (t === null || typeof t !== "object" || typeof t[Symbol.iterator] !== "function") {
    throw new TypeError("Failed to execute 'structuredClone': The provided value cannot be converted to a sequence.");
  }
  const list = [...t];
  for (let i = 0; i < list.length; i++) {
    const ab = list[i];
    if (ab === null || typeof ab !== "object" || !brand(abByteLength, ab)) {
      throw cloneError(`Value at index ${i} does not have a transferable type.`);
    }
    if (list.indexOf(ab) !== i) {
      throw cloneError(`ArrayBuffer at index ${i} is a duplicate of an earlier ArrayBuffer. Duplicate ArrayBuffers cannot be transferred.`);
    }
    if (abDetached !== undefined && abDetached.call(ab)) {
      throw cloneError(`ArrayBuffer at index ${i} is already detached.`);
    }
  }
  return list;
}

/**
 * structuredClone clones value with the HTML structured clone algorithm;
 * ArrayBuffers in options.transfer are detached afterwards.
 */
export function structuredClone(value, options = undefined) {
  if (arguments.length === 0) {
    throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  }
  const transfer = transferList(options);
  if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) {
    if (transfer !== null) for (const ab of transfer) ab.transfer();
    return value;
  }
  const out = clone(value, new Map());
  if (transfer !== null) for (const ab of transfer) ab.transfer();
  return out;
}

defineGlobal("structuredClone", structuredClone);
