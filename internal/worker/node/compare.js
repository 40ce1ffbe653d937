// compare.js (zerostack:node/compare): deep equality as Node's
// assert.deepStrictEqual and util.isDeepStrictEqual define it (strict:
// Object.is for primitives, same prototypes and tags, own enumerable keys,
// Map/Set contents, typed array bytes) and the loose variant of
// assert.deepEqual (== for primitives, prototypes ignored).

import * as types from "node:util/types";

const tag = (v) => Object.prototype.toString.call(v);

export function deepEqual(a, b, strict, memo) {
  if (strict ? Object.is(a, b) : (a == b || (a !== a && b !== b))) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    if (!strict && (typeof a !== "object" || a === null) && (typeof b !== "object" || b === null)) return a == b || (Number.isNaN(a) && Number.isNaN(b));
    return false;
  }
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (tag(a) !== tag(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (types.isDate(a)) { if (a.getTime() !== b.getTime()) return false; }
  else if (types.isRegExp(a)) { if (String(a) !== String(b) || a.lastIndex !== b.lastIndex) return false; }
  else if (types.isNativeError(a)) { if (a.message !== b.message || a.name !== b.name) return false; }
  else if (types.isBoxedPrimitive(a)) { if (!Object.is(a.valueOf(), b.valueOf())) return false; }
  else if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (!strict && (types.isFloat32Array(a) || types.isFloat64Array(a))) {
      for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
    } else {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    }
  } else if (types.isAnyArrayBuffer(a)) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a), y = new Uint8Array(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  memo = memo || { a: new Map(), b: new Map() };
  const seenA = memo.a.get(a);
  if (seenA !== undefined) return seenA === memo.b.get(b);
  const depth = memo.a.size;
  memo.a.set(a, depth);
  memo.b.set(b, depth);
  try {
    const keys = (o) => {
      const k = Object.keys(o);
      if (strict) for (const s of Object.getOwnPropertySymbols(o)) if (Object.prototype.propertyIsEnumerable.call(o, s)) k.push(s);
      return k;
    };
    const ka = ArrayBuffer.isView(a) ? [] : keys(a), kb = ArrayBuffer.isView(b) ? [] : keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
      if (!deepEqual(a[k], b[k], strict, memo)) return false;
    }
    if (types.isMap(a)) {
      if (a.size !== b.size) return false;
      outer: for (const [k, v] of a) {
        if (b.has(k)) { if (deepEqual(v, b.get(k), strict, memo)) continue; return false; }
        if (typeof k !== "object" || k === null) { if (strict) return false; }
        for (const [k2, v2] of b) if (deepEqual(k, k2, strict, memo) && deepEqual(v, v2, strict, memo)) continue outer;
        return false;
      }
    } else if (types.isSet(a)) {
      if (a.size !== b.size) return false;
      outer2: for (const v of a) {
        if (b.has(v)) continue;
        if ((typeof v !== "object" || v === null) && strict) return false;
        for (const v2 of b) if (deepEqual(v, v2, strict, memo)) continue outer2;
        return false;
      }
    }
    return true;
  } finally {
    memo.a.delete(a);
    memo.b.delete(b);
  }
}
