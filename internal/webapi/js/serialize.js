// serialize.js: the structured clone algorithm's value types written to
// bytes and read back, for Durable Object storage values and calls that
// cross isolates (internal/binding/js/durable.js) and Queue messages of
// content type "v8" (queues.js). The tags are mirrored in Go, which reads
// stored values (internal/durable: DecodeValue). This is zerostack's own
// format, not V8's ValueSerializer wire format: it never leaves zerostack
// except as opaque bytes.
import { utf8Encode, utf8Decode } from "./body.js";
import { DOMException } from "./errors.js";
import { RpcTarget } from "./worker.js";

const T = {
  undef: 0, null: 1, true: 2, false: 3, num: 4, str: 5, big: 6, date: 7, re: 8, ab: 9, view: 10,
  arr: 11, obj: 12, map: 13, set: 14, hole: 15, ref: 16, err: 17, cap: 18,
};
const objToString = Object.prototype.toString;
const VIEWS = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
};
if (typeof Float16Array === "function") VIEWS.Float16Array = Float16Array;

function cloneError(v) {
  let what;
  if (typeof v === "function") what = Function.prototype.toString.call(v);
  else if (typeof v === "symbol") what = v.toString();
  else what = `#<${v?.constructor?.name || "Object"}>`;
  return new DOMException(`${what} could not be cloned.`, "DataCloneError");
}

class Writer {
  constructor() {
    this.b = new Uint8Array(128);
    this.dv = new DataView(this.b.buffer);
    this.n = 0;
  }
  ensure(k) {
    if (this.n + k <= this.b.length) return;
    let m = this.b.length * 2;
    while (m < this.n + k) m *= 2;
    const nb = new Uint8Array(m);
    nb.set(this.b.subarray(0, this.n));
    this.b = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(x) { this.ensure(1); this.b[this.n++] = x; }
  u32(x) { this.ensure(4); this.dv.setUint32(this.n, x); this.n += 4; }
  f64(x) { this.ensure(8); this.dv.setFloat64(this.n, x); this.n += 8; }
  bytes(u8) { this.u32(u8.length); this.ensure(u8.length); this.b.set(u8, this.n); this.n += u8.length; }
  str(s) { this.bytes(utf8Encode(s)); }
  done() { return this.b.subarray(0, this.n); }
}

function write(v, w, mem) {
  switch (typeof v) {
    case "undefined": w.u8(T.undef); return;
    case "boolean": w.u8(v ? T.true : T.false); return;
    case "number": w.u8(T.num); w.f64(v); return;
    case "string": w.u8(T.str); w.str(v); return;
    case "bigint": w.u8(T.big); w.str(v.toString()); return;
    case "symbol": throw cloneError(v);
    case "function":
      if (capHook !== null) { w.u8(T.cap); capHook(v, w); return; }
      throw cloneError(v);
  }
  if (v === null) { w.u8(T.null); return; }
  if (capHook !== null && RpcTarget !== undefined && v instanceof RpcTarget) { w.u8(T.cap); capHook(v, w); return; }
  const seen = mem.get(v);
  if (seen !== undefined) { w.u8(T.ref); w.u32(seen); return; }
  mem.set(v, mem.size);
  if (Array.isArray(v)) {
    w.u8(T.arr);
    w.u32(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) w.u8(T.hole);
      else write(v[i], w, mem);
    }
    return;
  }
  if (ArrayBuffer.isView(v)) {
    w.u8(T.view);
    let kind = "DataView";
    for (const k in VIEWS) if (v instanceof VIEWS[k]) { kind = k; break; }
    w.str(kind);
    w.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return;
  }
  const tag = objToString.call(v);
  switch (tag) {
    case "[object Date]": w.u8(T.date); w.f64(v.getTime()); return;
    case "[object RegExp]": w.u8(T.re); w.str(v.source); w.str(v.flags); return;
    case "[object ArrayBuffer]": w.u8(T.ab); w.bytes(new Uint8Array(v)); return;
    case "[object Map]":
      w.u8(T.map); w.u32(v.size);
      for (const [k, x] of v) { write(k, w, mem); write(x, w, mem); }
      return;
    case "[object Set]":
      w.u8(T.set); w.u32(v.size);
      for (const x of v) write(x, w, mem);
      return;
    case "[object Error]":
      w.u8(T.err); w.str(String(v.name)); w.str(String(v.message)); w.str(String(v.stack ?? ""));
      return;
    case "[object Object]": {
      if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) throw cloneError(v);
      const keys = Object.keys(v);
      w.u8(T.obj); w.u32(keys.length);
      for (const k of keys) { w.str(k); write(v[k], w, mem); }
      return;
    }
  }
  if (v instanceof Error) {
    w.u8(T.err); w.str(String(v.name)); w.str(String(v.message)); w.str(String(v.stack ?? ""));
    return;
  }
  throw cloneError(v);
}

// serialize writes v. Without hook (storage values, queue messages) a
// function is a DataCloneError and an RpcTarget is copied as a plain
// object, as structuredClone does. With a capability hook, hook(value,
// writer) (an RPC call or result, see internal/binding/js/durable.js),
// functions and RpcTarget instances (stubs included: their prototype is
// RpcTarget's) are written as the tag T.cap followed by whatever the hook
// writes, and read back by the hook given to deserialize.
function serialize(v, hook = null) {
  const w = new Writer();
  capHook = typeof hook === "function" ? hook : null;
  try {
    write(v, w, new Map());
  } finally {
    capHook = null;
  }
  return w.done();
}

// capHook is serialize's hook while it runs.
let capHook = null;

const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

class Reader {
  constructor(u8, capHook = null) {
    this.capHook = capHook;
    this.b = u8;
    this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    this.p = 0;
    this.mem = [];
  }
  u8() { return this.b[this.p++]; }
  u32() { const x = this.dv.getUint32(this.p); this.p += 4; return x; }
  f64() { const x = this.dv.getFloat64(this.p); this.p += 8; return x; }
  bytes() { const n = this.u32(); const u = this.b.slice(this.p, this.p + n); this.p += n; return u; }
  str() { const n = this.u32(); const s = utf8Decode(this.b.subarray(this.p, this.p + n)); this.p += n; return s; }
  value() {
    const t = this.u8();
    switch (t) {
      case T.undef: return undefined;
      case T.null: return null;
      case T.true: return true;
      case T.false: return false;
      case T.num: return this.f64();
      case T.str: return this.str();
      case T.big: return BigInt(this.str());
      case T.ref: return this.mem[this.u32()];
      case T.date: { const d = new Date(this.f64()); this.mem.push(d); return d; }
      case T.re: { const r = new RegExp(this.str(), this.str()); this.mem.push(r); return r; }
      case T.ab: { const a = this.bytes().buffer; this.mem.push(a); return a; }
      case T.view: {
        const kind = this.str();
        const u = this.bytes();
        const C = VIEWS[kind] || Uint8Array;
        const v = C === DataView ? new DataView(u.buffer) : new C(u.buffer, 0, u.byteLength / (C.BYTES_PER_ELEMENT || 1));
        this.mem.push(v);
        return v;
      }
      case T.arr: {
        const n = this.u32();
        const a = new Array(n);
        this.mem.push(a);
        for (let i = 0; i < n; i++) {
          if (this.b[this.p] === T.hole) { this.p++; continue; }
          a[i] = this.value();
        }
        return a;
      }
      case T.obj: {
        const n = this.u32();
        const o = {};
        this.mem.push(o);
        for (let i = 0; i < n; i++) { const k = this.str(); o[k] = this.value(); }
        return o;
      }
      case T.map: {
        const n = this.u32();
        const m = new Map();
        this.mem.push(m);
        for (let i = 0; i < n; i++) { const k = this.value(); m.set(k, this.value()); }
        return m;
      }
      case T.set: {
        const n = this.u32();
        const s = new Set();
        this.mem.push(s);
        for (let i = 0; i < n; i++) s.add(this.value());
        return s;
      }
      case T.cap:
        if (this.capHook === null) break;
        return this.capHook(this);
      case T.err: {
        const name = this.str(), message = this.str(), stack = this.str();
        const E = ERRORS[name] || Error;
        const e = new E(message);
        if (e.name !== name) e.name = name;
        if (stack) e.stack = stack;
        this.mem.push(e);
        return e;
      }
    }
    throw new Error("Durable Object storage: value could not be deserialized (unknown tag " + t + ")");
  }
}

// deserialize reads a value serialize wrote; capHook(reader) reads what a
// capability hook wrote (see serialize).
function deserialize(u8, capHook = null) {
  return new Reader(u8, capHook).value();
}

export { serialize, deserialize, Writer, Reader, T };
