// node:buffer — Buffer, a Uint8Array subclass, as Node.js documents it.
// Decisions: slice and subarray share memory (Node's Buffer.slice); text
// decodes with U+FFFD for invalid UTF-8; base64 decoding accepts both
// alphabets, skips whitespace and stops at "="; hex decoding stops at the
// first character pair that is not hex (both as Node does).

import { nodeError, invalidArgType, outOfRange, invalidArgValue, formatNumber } from "zerostack:node/errors";

const kMaxLength = 2 ** 32;
const kStringMaxLength = 2 ** 29 - 24;
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };
export { kMaxLength, kStringMaxLength };
export let INSPECT_MAX_BYTES = 50;

const utf8Enc = new TextEncoder();
const utf8Dec = new TextDecoder("utf-8", { ignoreBOM: true });

// FastBuffer is the real class; Buffer is a function sharing its prototype
// so that Buffer(...) without new works, as in Node.
class FastBuffer extends Uint8Array {
  constructor(a, b, c) { super(a, b, c); }
}

export function Buffer(arg, encodingOrOffset, length) {
  if (typeof arg === "number") {
    if (typeof encodingOrOffset === "string") throw invalidArgType("string", "of type string", arg);
    return Buffer.alloc(arg);
  }
  return Buffer.from(arg, encodingOrOffset, length);
}
Object.setPrototypeOf(Buffer, Uint8Array);
Buffer.prototype = FastBuffer.prototype;
Object.defineProperty(FastBuffer.prototype, "constructor", { value: Buffer, writable: true, configurable: true, enumerable: false });
Object.defineProperty(Buffer, Symbol.species, { get() { return FastBuffer; }, configurable: true });
Buffer.poolSize = 8192;

// ---------------------------------------------------------------------------
// Encodings.

function normEncoding(enc) {
  if (enc === undefined || enc === null || enc === "utf8" || enc === "utf-8") return "utf8";
  switch (String(enc).toLowerCase()) {
    case "utf8": case "utf-8": return "utf8";
    case "hex": return "hex";
    case "base64": return "base64";
    case "base64url": return "base64url";
    case "latin1": case "binary": return "latin1";
    case "ascii": return "ascii";
    case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
  }
  return undefined;
}

function getEncoding(enc) {
  const e = normEncoding(enc);
  if (e === undefined) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`);
  return e;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const B64URL_CODES = Uint8Array.from(B64URL, (c) => c.charCodeAt(0));
const asciiDec = new TextDecoder("utf-8");
const B64DEC = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) { B64DEC[B64.charCodeAt(i)] = i; B64DEC[B64URL.charCodeAt(i)] = i; }

// base64Encode writes ASCII codes into a byte array and decodes that as
// text at once (about 20 times faster than building the string piecewise).
function base64Encode(u8, alphabet, pad) {
  const A = alphabet === B64 ? B64_CODES : B64URL_CODES;
  const n = u8.length;
  const full = n - (n % 3);
  const outLen = pad ? Math.ceil(n / 3) * 4 : Math.ceil(n * 4 / 3);
  const out = new Uint8Array(outLen);
  let o = 0, i = 0;
  for (; i < full; i += 3) {
    const v = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
    out[o] = A[v >> 18]; out[o + 1] = A[(v >> 12) & 63]; out[o + 2] = A[(v >> 6) & 63]; out[o + 3] = A[v & 63];
    o += 4;
  }
  if (i < n) {
    const v = (u8[i] << 16) | ((i + 1 < n ? u8[i + 1] : 0) << 8);
    out[o++] = A[v >> 18];
    out[o++] = A[(v >> 12) & 63];
    if (i + 1 < n) out[o++] = A[(v >> 6) & 63];
    else if (pad) out[o++] = 61;
    if (pad) out[o++] = 61;
  }
  return asciiDec.decode(out.subarray(0, o));
}

function base64Decode(str) {
  const out = new Uint8Array(Math.ceil(str.length * 3 / 4));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === 61) break; // "="
    const v = c < 256 ? B64DEC[c] : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

function base64ByteLength(str) {
  let n = str.length;
  while (n > 0 && str.charCodeAt(n - 1) === 61) n--;
  return (n * 3) >>> 2;
}

const HEX = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));
const HEX_CODES = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const HEX_VAL = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) { HEX_VAL[HEX_CODES[i]] = i; HEX_VAL["0123456789ABCDEF".charCodeAt(i)] = i; }

function hexEncode(u8) {
  const out = new Uint8Array(u8.length * 2);
  for (let i = 0; i < u8.length; i++) {
    out[2 * i] = HEX_CODES[u8[i] >> 4];
    out[2 * i + 1] = HEX_CODES[u8[i] & 15];
  }
  return asciiDec.decode(out);
}

// hexDecode stops at the first pair that is not two hex digits, as Node.
function hexDecode(str) {
  const n = str.length >>> 1;
  const out = new Uint8Array(n);
  let i = 0;
  for (; i < n; i++) {
    const a = str.charCodeAt(2 * i), b = str.charCodeAt(2 * i + 1);
    const hi = a < 128 ? HEX_VAL[a] : -1, lo = b < 128 ? HEX_VAL[b] : -1;
    if (hi < 0 || lo < 0) break;
    out[i] = (hi << 4) | lo;
  }
  return out.subarray(0, i);
}

function latin1Decode(u8, mask) {
  let out = "";
  for (let i = 0; i < u8.length; i += 4096) {
    const part = u8.subarray(i, Math.min(i + 4096, u8.length));
    out += String.fromCharCode.apply(null, mask === 0xff ? part : Array.from(part, (b) => b & mask));
  }
  return out;
}

function latin1Encode(str) {
  const out = new Uint8Array(str.length);
  for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 0xff;
  return out;
}

function utf16Encode(str) {
  const out = new Uint8Array(str.length * 2);
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >> 8;
  }
  return out;
}

function utf16Decode(u8) {
  let out = "";
  const n = u8.length & ~1;
  for (let i = 0; i < n; i += 8192) {
    const end = Math.min(i + 8192, n);
    const codes = [];
    for (let j = i; j < end; j += 2) codes.push(u8[j] | (u8[j + 1] << 8));
    out += String.fromCharCode.apply(null, codes);
  }
  return out;
}

// encode returns the bytes of str in enc (a normalised encoding).
function encode(str, enc) {
  switch (enc) {
    case "utf8": return utf8Enc.encode(str);
    case "hex": return hexDecode(str);
    case "base64": case "base64url": return base64Decode(str);
    case "latin1": case "ascii": return latin1Encode(str);
    case "utf16le": return utf16Encode(str);
  }
}

function decode(u8, enc) {
  switch (enc) {
    case "utf8": return utf8Dec.decode(u8);
    case "hex": return hexEncode(u8);
    case "base64": return base64Encode(u8, B64, true);
    case "base64url": return base64Encode(u8, B64URL, false);
    case "latin1": return latin1Decode(u8, 0xff);
    case "ascii": return latin1Decode(u8, 0x7f);
    case "utf16le": return utf16Decode(u8);
  }
}

function utf8Length(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

// ---------------------------------------------------------------------------
// Construction.

function wrap(u8) {
  return new FastBuffer(u8.buffer, u8.byteOffset, u8.byteLength);
}

function checkSize(size) {
  if (typeof size !== "number") throw invalidArgType("size", "of type number", size);
  // A negative or too large size fails as new Uint8Array(size) does, which
  // is what workerd reports.
}

Buffer.alloc = function alloc(size, fill, encoding) {
  checkSize(size);
  const b = new FastBuffer(size);
  if (fill !== undefined && fill !== 0 && size > 0) b.fill(fill, encoding);
  return b;
};
Buffer.allocUnsafe = function allocUnsafe(size) { checkSize(size); return new FastBuffer(size); };
Buffer.allocUnsafeSlow = Buffer.allocUnsafe;

Buffer.from = function from(value, encodingOrOffset, length) {
  if (typeof value === "string") return fromString(value, encodingOrOffset);
  if (typeof value === "object" && value !== null) {
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) {
      const off = encodingOrOffset === undefined ? 0 : +encodingOrOffset || 0;
      const max = value.byteLength - off;
      if (off < 0 || max < 0) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", '"offset" is outside of buffer bounds');
      const len = length === undefined ? max : +length || 0;
      if (len > max) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", '"length" is outside of buffer bounds');
      return new FastBuffer(value, off, len);
    }
    if (ArrayBuffer.isView(value)) {
      if (value instanceof Uint8Array) return new FastBuffer(value);
      if (value instanceof DataView) return new FastBuffer(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      // Other typed arrays copy element by element (truncating), as Node.
      return new FastBuffer(Array.from(value, (x) => Number(x) & 0xff));
    }
    const prim = value.valueOf && value.valueOf();
    if (prim != null && prim !== value && (typeof prim === "string" || typeof prim === "object")) return Buffer.from(prim, encodingOrOffset, length);
    if (typeof value[Symbol.toPrimitive] === "function") {
      const p = value[Symbol.toPrimitive]("string");
      if (typeof p === "string") return fromString(p, encodingOrOffset);
    }
    if (value.type === "Buffer" && Array.isArray(value.data)) return fromArrayLike(value.data);
    if (typeof value.length === "number" || Array.isArray(value)) return fromArrayLike(value);
  }
  throw invalidArgType("first argument", "of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object", value);
};

function fromArrayLike(a) {
  const n = a.length > 0 ? a.length >>> 0 : 0;
  const b = new FastBuffer(n);
  for (let i = 0; i < n; i++) b[i] = a[i];
  return b;
}

function fromString(str, enc) {
  const e = typeof enc === "string" && enc !== "" ? getEncoding(enc) : "utf8";
  return wrap(encode(str, e));
}

Buffer.of = function of(...items) { return fromArrayLike(items); };

Buffer.isBuffer = function isBuffer(b) { return b instanceof Buffer; };
Buffer.isEncoding = function isEncoding(enc) { return typeof enc === "string" && enc.length !== 0 && normEncoding(enc) !== undefined; };

Buffer.byteLength = function byteLength(value, encoding) {
  if (typeof value !== "string") {
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) return value.byteLength;
    throw invalidArgType("string", "of type string or an instance of Buffer or ArrayBuffer", value);
  }
  switch (normEncoding(encoding) ?? "utf8") {
    case "utf8": return utf8Length(value);
    case "hex": return value.length >>> 1;
    case "base64": case "base64url": return base64ByteLength(value);
    case "latin1": case "ascii": return value.length;
    case "utf16le": return value.length * 2;
  }
};

Buffer.compare = function compare(a, b) {
  if (!(a instanceof Uint8Array)) throw invalidArgType("buf1", "an instance of Buffer or Uint8Array", a);
  if (!(b instanceof Uint8Array)) throw invalidArgType("buf2", "an instance of Buffer or Uint8Array", b);
  return compareBytes(a, b);
};

function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

Buffer.concat = function concat(list, totalLength) {
  if (!Array.isArray(list)) throw invalidArgType("list", "an instance of Array", list);
  if (list.length === 0) return new FastBuffer(0);
  if (totalLength === undefined) {
    totalLength = 0;
    for (let i = 0; i < list.length; i++) {
      if (!(list[i] instanceof Uint8Array)) throw invalidArgType(`list[${i}]`, "an instance of Buffer or Uint8Array", list[i]);
      totalLength += list[i].length;
    }
  }
  const out = Buffer.alloc(totalLength);
  let pos = 0;
  for (let i = 0; i < list.length && pos < totalLength; i++) {
    const b = list[i];
    if (!(b instanceof Uint8Array)) throw invalidArgType(`list[${i}]`, "an instance of Buffer or Uint8Array", b);
    const n = Math.min(b.length, totalLength - pos);
    out.set(n === b.length ? b : b.subarray(0, n), pos);
    pos += n;
  }
  return out;
};

// ---------------------------------------------------------------------------
// Instance methods.

const proto = FastBuffer.prototype;

function clampRange(len, start, end) {
  start = start === undefined ? 0 : Math.trunc(+start) || 0;
  end = end === undefined ? len : Math.trunc(+end) || 0;
  if (start < 0) start = Math.max(len + start, 0); else if (start > len) start = len;
  if (end < 0) end = Math.max(len + end, 0); else if (end > len) end = len;
  return [start, Math.max(start, end)];
}

proto.slice = function slice(start, end) {
  const [s, e] = clampRange(this.length, start, end);
  return new FastBuffer(this.buffer, this.byteOffset + s, e - s);
};

proto.toString = function toString(encoding, start, end) {
  if (arguments.length === 0) return utf8Dec.decode(this);
  const len = this.length;
  start = start === undefined || start < 0 ? 0 : Math.trunc(start) || 0;
  end = end === undefined || end > len ? len : Math.trunc(end) || 0;
  if (end <= start || start >= len) return "";
  const e = encoding === undefined ? "utf8" : getEncoding(encoding);
  return decode(start === 0 && end === len ? this : this.subarray(start, end), e);
};
proto.toLocaleString = proto.toString;

proto.write = function write(string, offset, length, encoding) {
  if (typeof string !== "string") throw invalidArgType("argument", "of type string", string);
  if (typeof offset === "string") { encoding = offset; offset = 0; length = this.length; }
  else if (typeof length === "string") { encoding = length; length = undefined; }
  offset = offset === undefined ? 0 : offset >>> 0;
  if (offset > this.length) throw outOfRange("offset", `>= 0 && <= ${this.length}`, offset);
  const remaining = this.length - offset;
  length = length === undefined ? remaining : Math.min(remaining, length >>> 0);
  const e = encoding === undefined ? "utf8" : getEncoding(encoding);
  if (e === "utf8") return utf8Enc.encodeInto(string, this.subarray(offset, offset + length)).written;
  let bytes = encode(string, e);
  if (e === "utf16le" && length % 2) length--;
  const n = Math.min(bytes.length, length);
  this.set(bytes.subarray(0, n), offset);
  return n;
};

proto.equals = function equals(other) {
  if (!(other instanceof Uint8Array)) throw invalidArgType("otherBuffer", "an instance of Buffer or Uint8Array", other);
  if (this === other) return true;
  return this.length === other.length && compareBytes(this, other) === 0;
};

proto.compare = function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
  if (!(target instanceof Uint8Array)) throw invalidArgType("target", "an instance of Buffer or Uint8Array", target);
  targetStart = targetStart ?? 0; targetEnd = targetEnd ?? target.length;
  sourceStart = sourceStart ?? 0; sourceEnd = sourceEnd ?? this.length;
  if (targetStart < 0 || targetEnd > target.length) throw outOfRange("targetStart", `>= 0 && <= ${target.length}`, targetStart);
  if (sourceStart < 0 || sourceEnd > this.length) throw outOfRange("sourceStart", `>= 0 && <= ${this.length}`, sourceStart);
  return compareBytes(this.subarray(sourceStart, Math.max(sourceStart, sourceEnd)), target.subarray(targetStart, Math.max(targetStart, targetEnd)));
};

proto.copy = function copy(target, targetStart, sourceStart, sourceEnd) {
  if (!(target instanceof Uint8Array)) throw invalidArgType("target", "an instance of Buffer or Uint8Array", target);
  targetStart = targetStart === undefined ? 0 : Math.trunc(targetStart) || 0;
  sourceStart = sourceStart === undefined ? 0 : Math.trunc(sourceStart) || 0;
  sourceEnd = sourceEnd === undefined ? this.length : Math.trunc(sourceEnd) || 0;
  if (targetStart < 0) throw outOfRange("targetStart", ">= 0", targetStart);
  if (sourceStart < 0 || sourceStart > this.length) throw outOfRange("sourceStart", `>= 0 && <= ${this.length}`, sourceStart);
  if (sourceEnd > this.length) sourceEnd = this.length;
  if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
  const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
  target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
  return n;
};

proto.fill = function fill(value, offset, end, encoding) {
  if (typeof offset === "string") { encoding = offset; offset = 0; end = this.length; }
  else if (typeof end === "string") { encoding = end; end = this.length; }
  offset = offset === undefined ? 0 : offset;
  end = end === undefined ? this.length : end;
  if (offset < 0 || offset > this.length) throw outOfRange("offset", `>= 0 && <= ${this.length}`, offset);
  if (end < 0 || end > this.length) throw outOfRange("end", `>= 0 && <= ${this.length}`, end);
  if (end <= offset) return this;
  if (typeof value === "number") { Uint8Array.prototype.fill.call(this, value & 255, offset, end); return this; }
  if (typeof value === "boolean") { Uint8Array.prototype.fill.call(this, +value, offset, end); return this; }
  let bytes;
  if (typeof value === "string") {
    const e = encoding === undefined ? "utf8" : getEncoding(encoding);
    if (value.length === 1 && e === "utf8" && value.charCodeAt(0) < 128) { Uint8Array.prototype.fill.call(this, value.charCodeAt(0), offset, end); return this; }
    bytes = encode(value, e);
    if (bytes.length === 0) {
      if (value.length === 0) { Uint8Array.prototype.fill.call(this, 0, offset, end); return this; }
      throw invalidArgValue("value", value);
    }
  } else if (value instanceof Uint8Array) {
    bytes = value;
    if (bytes.length === 0) throw invalidArgValue("value", value);
  } else {
    Uint8Array.prototype.fill.call(this, Number(value) & 255, offset, end);
    return this;
  }
  for (let i = offset, j = 0; i < end; i++, j++) {
    if (j === bytes.length) j = 0;
    this[i] = bytes[j];
  }
  return this;
};

function indexOfImpl(buf, value, byteOffset, encoding, last) {
  if (typeof byteOffset === "string") { encoding = byteOffset; byteOffset = undefined; }
  const len = buf.length;
  let from = byteOffset === undefined ? (last ? len : 0) : +byteOffset;
  if (Number.isNaN(from)) from = last ? len : 0;
  from = Math.trunc(from);
  if (from < 0) from = len + from;
  let needle;
  if (typeof value === "number") needle = new Uint8Array([value & 255]);
  else if (typeof value === "string") needle = encode(value, encoding === undefined ? "utf8" : getEncoding(encoding));
  else if (value instanceof Uint8Array) needle = value;
  else throw invalidArgType("value", "one of type number or string or an instance of Buffer or Uint8Array", value);
  const n = needle.length;
  if (!last) {
    if (from < 0) from = 0;
    if (n === 0) return from <= len ? from : len;
    outer: for (let i = from; i + n <= len; i++) {
      for (let j = 0; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
  if (from < 0) return -1;
  if (n === 0) return Math.min(from, len);
  outer2: for (let i = Math.min(from, len - n); i >= 0; i--) {
    for (let j = 0; j < n; j++) if (buf[i + j] !== needle[j]) continue outer2;
    return i;
  }
  return -1;
}

proto.indexOf = function indexOf(value, byteOffset, encoding) { return indexOfImpl(this, value, byteOffset, encoding, false); };
proto.lastIndexOf = function lastIndexOf(value, byteOffset, encoding) { return indexOfImpl(this, value, byteOffset, encoding, true); };
proto.includes = function includes(value, byteOffset, encoding) { return this.indexOf(value, byteOffset, encoding) !== -1; };

proto.toJSON = function toJSON() { return { type: "Buffer", data: Array.from(this) }; };

function swap(buf, size) {
  if (buf.length % size !== 0) throw nodeError(RangeError, "ERR_INVALID_BUFFER_SIZE", `Buffer size must be a multiple of ${size * 8}-bits`);
  for (let i = 0; i < buf.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = buf[a]; buf[a] = buf[b]; buf[b] = t; }
  }
  return buf;
}
proto.swap16 = function swap16() { return swap(this, 2); };
proto.swap32 = function swap32() { return swap(this, 4); };
proto.swap64 = function swap64() { return swap(this, 8); };

// ---------------------------------------------------------------------------
// Numbers.

function dv(buf) { return new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }

function checkOffset(buf, offset, size) {
  if (offset === undefined) offset = 0;
  if (typeof offset !== "number") throw invalidArgType("offset", "of type number", offset);
  if (!Number.isInteger(offset)) throw outOfRange("offset", "an integer", offset);
  if (buf.length - size < 0) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "Attempt to access memory outside buffer bounds");
  if (offset < 0 || offset > buf.length - size) throw outOfRange("offset", `>= 0 and <= ${buf.length - size}`, offset);
  return offset;
}

function checkInt(value, min, max, size, big) {
  if (typeof value !== (big ? "bigint" : "number")) throw invalidArgType("value", big ? "of type bigint" : "of type number", value);
  if (value < min || value > max || (!big && Number.isNaN(value))) {
    let range;
    const n = big ? "n" : "";
    if (size > 4 || big) {
      // workerd's wording, "< 2 ** 63n" included.
      range = min === 0 || min === 0n ? `>= 0${n} and < 2${n} ** ${size * 8}${n}` : `>= -(2${n} ** ${size * 8 - 1}${n}) and < 2 ** ${size * 8 - 1}${n}`;
    } else {
      range = `>= ${min} and <= ${max}`;
    }
    throw outOfRange("value", range, formatNumber(value));
  }
}

const INTS = [
  // [name, size, signed, getter, setter]
  ["UInt8", 1, false, "getUint8", "setUint8"],
  ["UInt16", 2, false, "getUint16", "setUint16"],
  ["UInt32", 4, false, "getUint32", "setUint32"],
  ["Int8", 1, true, "getInt8", "setInt8"],
  ["Int16", 2, true, "getInt16", "setInt16"],
  ["Int32", 4, true, "getInt32", "setInt32"],
];
for (const [name, size, signed, get, set] of INTS) {
  const min = signed ? -(2 ** (size * 8 - 1)) : 0;
  const max = signed ? 2 ** (size * 8 - 1) - 1 : 2 ** (size * 8) - 1;
  const ends = size === 1 ? [""] : ["LE", "BE"];
  for (const end of ends) {
    const le = end === "LE";
    const rd = function (offset) { offset = checkOffset(this, offset, size); return dv(this)[get](offset, le); };
    const wr = function (value, offset) {
      offset = checkOffset(this, offset, size);
      checkInt(value, min, max, size, false);
      dv(this)[set](offset, value, le);
      return offset + size;
    };
    Object.defineProperty(rd, "name", { value: `read${name}${end}` });
    Object.defineProperty(wr, "name", { value: `write${name}${end}` });
    proto[`read${name}${end}`] = rd;
    proto[`write${name}${end}`] = wr;
    if (name.startsWith("UInt")) {
      proto[`readUint${name.slice(4)}${end}`] = rd;
      proto[`writeUint${name.slice(4)}${end}`] = wr;
    }
  }
}

for (const [end, le] of [["LE", true], ["BE", false]]) {
  proto[`readBigUInt64${end}`] = proto[`readBigUint64${end}`] = function (offset) { offset = checkOffset(this, offset, 8); return dv(this).getBigUint64(offset, le); };
  proto[`readBigInt64${end}`] = function (offset) { offset = checkOffset(this, offset, 8); return dv(this).getBigInt64(offset, le); };
  proto[`writeBigUInt64${end}`] = proto[`writeBigUint64${end}`] = function (value, offset) {
    offset = checkOffset(this, offset, 8);
    checkInt(value, 0n, 2n ** 64n - 1n, 8, true);
    dv(this).setBigUint64(offset, value, le);
    return offset + 8;
  };
  proto[`writeBigInt64${end}`] = function (value, offset) {
    offset = checkOffset(this, offset, 8);
    checkInt(value, -(2n ** 63n), 2n ** 63n - 1n, 8, true);
    dv(this).setBigInt64(offset, value, le);
    return offset + 8;
  };
  proto[`readFloat${end}`] = function (offset) { offset = checkOffset(this, offset, 4); return dv(this).getFloat32(offset, le); };
  proto[`readDouble${end}`] = function (offset) { offset = checkOffset(this, offset, 8); return dv(this).getFloat64(offset, le); };
  proto[`writeFloat${end}`] = function (value, offset) { offset = checkOffset(this, offset, 4); dv(this).setFloat32(offset, +value, le); return offset + 4; };
  proto[`writeDouble${end}`] = function (value, offset) { offset = checkOffset(this, offset, 8); dv(this).setFloat64(offset, +value, le); return offset + 8; };

  // Variable-width integers (1 to 6 bytes).
  const checkWidth = (bl) => {
    if (typeof bl !== "number") throw invalidArgType("byteLength", "of type number", bl);
    if (!Number.isInteger(bl) || bl < 1 || bl > 6) throw outOfRange("byteLength", ">= 1 and <= 6", bl);
  };
  proto[`readUInt${end}`] = proto[`readUint${end}`] = function (offset, byteLength) {
    checkWidth(byteLength);
    offset = checkOffset(this, offset, byteLength);
    let v = 0;
    for (let i = 0; i < byteLength; i++) v += this[offset + (le ? i : byteLength - 1 - i)] * 2 ** (8 * i);
    return v;
  };
  proto[`readInt${end}`] = function (offset, byteLength) {
    const v = this[`readUInt${end}`](offset, byteLength);
    const lim = 2 ** (8 * byteLength - 1);
    return v >= lim ? v - 2 * lim : v;
  };
  proto[`writeUInt${end}`] = proto[`writeUint${end}`] = function (value, offset, byteLength) {
    checkWidth(byteLength);
    offset = checkOffset(this, offset, byteLength);
    checkInt(value, 0, 2 ** (8 * byteLength) - 1, byteLength, false);
    let v = value;
    for (let i = 0; i < byteLength; i++) { this[offset + (le ? i : byteLength - 1 - i)] = v % 256; v = Math.floor(v / 256); }
    return offset + byteLength;
  };
  proto[`writeInt${end}`] = function (value, offset, byteLength) {
    checkWidth(byteLength);
    offset = checkOffset(this, offset, byteLength);
    const lim = 2 ** (8 * byteLength - 1);
    checkInt(value, -lim, lim - 1, byteLength, false);
    let v = value < 0 ? value + 2 * lim : value;
    for (let i = 0; i < byteLength; i++) { this[offset + (le ? i : byteLength - 1 - i)] = v % 256; v = Math.floor(v / 256); }
    return offset + byteLength;
  };
}

// Encoding shortcuts Node keeps for compatibility.
for (const enc of ["utf8", "hex", "base64", "base64url", "latin1", "ascii", "ucs2", "utf16le"]) {
  proto[`${enc}Slice`] = function (s, e) { return this.toString(enc, s, e); };
  proto[`${enc}Write`] = function (str, off, len) { return this.write(str, off ?? 0, len ?? this.length - (off ?? 0), enc); };
}

Object.defineProperty(proto, "parent", { get() { return this instanceof Buffer ? this.buffer : undefined; }, configurable: true });
Object.defineProperty(proto, "offset", { get() { return this instanceof Buffer ? this.byteOffset : undefined; }, configurable: true });

proto[Symbol.for("nodejs.util.inspect.custom")] = function inspect() {
  let s = "";
  const n = Math.min(this.length, INSPECT_MAX_BYTES);
  for (let i = 0; i < n; i++) s += (i ? " " : "") + HEX[this[i]];
  if (this.length > n) s += ` ... ${this.length - n} more byte${this.length - n > 1 ? "s" : ""}`;
  return `<Buffer${s ? " " + s : ""}>`;
};

// ---------------------------------------------------------------------------
// Other exports.

export function SlowBuffer(size) { return Buffer.allocUnsafeSlow(size); }
SlowBuffer.prototype = FastBuffer.prototype;

export function isUtf8(input) {
  try { new TextDecoder("utf-8", { fatal: true }).decode(input); return true; } catch { return false; }
}
export function isAscii(input) {
  const u8 = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  for (let i = 0; i < u8.length; i++) if (u8[i] > 127) return false;
  return true;
}
export function transcode(source, fromEnc, toEnc) {
  return Buffer.from(Buffer.from(source).toString(fromEnc), toEnc);
}

export const atob = globalThis.atob;
export const btoa = globalThis.btoa;
export const Blob = globalThis.Blob;
export const File = globalThis.File;

export default { Buffer, SlowBuffer, constants, kMaxLength, kStringMaxLength, INSPECT_MAX_BYTES, isUtf8, isAscii, transcode, atob, btoa, Blob, File };
