// node:zlib — gzip, deflate (zlib framing) and raw deflate, compressing and
// decompressing in Go (compress/gzip, compress/zlib, compress/flate)
// through globalThis.__zs_node. Decisions: the *Sync functions and their
// callback forms and promisified forms work on whole buffers; the stream
// classes (createGzip…) are Transforms that collect their input and
// produce the output when they end (correct, not incremental). Compressed
// bytes are valid but not byte-identical to zlib's (another encoder);
// options other than level are accepted and ignored. Brotli is not
// provided (the functions throw).

import { Buffer } from "node:buffer";
import { Transform } from "node:stream";
import { nodeError, invalidArgType, validateFunction } from "zerostack:node/errors";

const zn = globalThis.__zs_node;
const GZIP = 0, GUNZIP = 1, DEFLATE = 2, INFLATE = 3, DEFLATE_RAW = 4, INFLATE_RAW = 5, UNZIP = 6;

export const constants = {
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
  Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0,
  DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
  Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64,
  Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384, Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9,
  Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
};

function bytesOf(buffer) {
  if (typeof buffer === "string") return Buffer.from(buffer);
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw invalidArgType("buffer", "of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer", buffer);
}

function level(opts) {
  const l = opts?.level ?? -1;
  if (typeof l !== "number" || !Number.isInteger(l) || l < -1 || l > 9) {
    throw new RangeError(`The value of "options.level" is out of range. It must be >= -1 and <= 9. Received ${l}`); // no code, as workerd
  }
  return l;
}

// run compresses or decompresses. A zlib failure is an Error with zlib's
// message; workerd gives it code and errno only on the stream classes
// (withCode), not from the functions.
function run(op, buffer, opts, withCode) {
  const lvl = op % 2 === 0 && op !== UNZIP ? level(opts) : -1;
  let out;
  try {
    out = zn.zlib(op, lvl, bytesOf(buffer));
  } catch (e) {
    if (withCode || e.code === undefined) throw e;
    throw new Error(e.message);
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

const ops = { gzip: GZIP, gunzip: GUNZIP, deflate: DEFLATE, inflate: INFLATE, deflateRaw: DEFLATE_RAW, inflateRaw: INFLATE_RAW, unzip: UNZIP };

export const gzipSync = (b, o) => run(GZIP, b, o);
export const gunzipSync = (b, o) => run(GUNZIP, b, o);
export const deflateSync = (b, o) => run(DEFLATE, b, o);
export const inflateSync = (b, o) => run(INFLATE, b, o);
export const deflateRawSync = (b, o) => run(DEFLATE_RAW, b, o);
export const inflateRawSync = (b, o) => run(INFLATE_RAW, b, o);
export const unzipSync = (b, o) => run(UNZIP, b, o);

function callbackForm(op) {
  return function (buffer, opts, callback) {
    if (typeof opts === "function") { callback = opts; opts = {}; }
    validateFunction(callback, "callback");
    let result, error = null;
    try { result = run(op, buffer, opts); } catch (e) { error = e; }
    queueMicrotask(() => (error ? callback(error) : callback(null, result)));
  };
}
export const gzip = callbackForm(GZIP);
export const gunzip = callbackForm(GUNZIP);
export const deflate = callbackForm(DEFLATE);
export const inflate = callbackForm(INFLATE);
export const deflateRaw = callbackForm(DEFLATE_RAW);
export const inflateRaw = callbackForm(INFLATE_RAW);
export const unzip = callbackForm(UNZIP);

const promisifyCustom = Symbol.for("nodejs.util.promisify.custom");
for (const [name, op] of Object.entries(ops)) {
  const f = { gzip, gunzip, deflate, inflate, deflateRaw, inflateRaw, unzip }[name];
  Object.defineProperty(f, promisifyCustom, { value: (b, o) => new Promise((res, rej) => f(b, o ?? {}, (e, r) => (e ? rej(e) : res(r)))) });
}

// ZlibBase collects the written chunks and produces the whole result when
// the writable side ends.
class ZlibBase extends Transform {
  #op; #opts; #chunks = [];
  constructor(op, opts) {
    super(opts);
    this.#op = op;
    this.#opts = opts;
    level(opts);
    this.bytesWritten = 0;
  }
  _transform(chunk, encoding, cb) {
    this.#chunks.push(chunk);
    this.bytesWritten += chunk.length;
    cb();
  }
  _flush(cb) {
    let out;
    try { out = run(this.#op, Buffer.concat(this.#chunks), this.#opts, true); } catch (e) { cb(e); return; }
    this.#chunks = [];
    cb(null, out);
  }
  flush(kind, cb) { if (typeof kind === "function") cb = kind; if (cb) queueMicrotask(cb); }
  params(level, strategy, cb) { if (cb) queueMicrotask(cb); }
  reset() { this.#chunks = []; }
  close(cb) { if (cb) this.once("close", cb); this.destroy(); }
}

export class Gzip extends ZlibBase { constructor(o) { super(GZIP, o); } }
export class Gunzip extends ZlibBase { constructor(o) { super(GUNZIP, o); } }
export class Deflate extends ZlibBase { constructor(o) { super(DEFLATE, o); } }
export class Inflate extends ZlibBase { constructor(o) { super(INFLATE, o); } }
export class DeflateRaw extends ZlibBase { constructor(o) { super(DEFLATE_RAW, o); } }
export class InflateRaw extends ZlibBase { constructor(o) { super(INFLATE_RAW, o); } }
export class Unzip extends ZlibBase { constructor(o) { super(UNZIP, o); } }

export const createGzip = (o) => new Gzip(o);
export const createGunzip = (o) => new Gunzip(o);
export const createDeflate = (o) => new Deflate(o);
export const createInflate = (o) => new Inflate(o);
export const createDeflateRaw = (o) => new DeflateRaw(o);
export const createInflateRaw = (o) => new InflateRaw(o);
export const createUnzip = (o) => new Unzip(o);

// crc32 (Node 22): the IEEE CRC-32 of data, continuing from value.
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}
export function crc32(data, value = 0) {
  const u8 = bytesOf(data);
  let c = ~value;
  for (let i = 0; i < u8.length; i++) c = CRC_TABLE[(c ^ u8[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function noBrotli() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "Brotli is not supported by zerostack's node:zlib yet"); }
export const brotliCompressSync = noBrotli, brotliDecompressSync = noBrotli, brotliCompress = noBrotli, brotliDecompress = noBrotli;
export const createBrotliCompress = noBrotli, createBrotliDecompress = noBrotli;

export default {
  constants, gzipSync, gunzipSync, deflateSync, inflateSync, deflateRawSync, inflateRawSync, unzipSync,
  gzip, gunzip, deflate, inflate, deflateRaw, inflateRaw, unzip, Gzip, Gunzip, Deflate, Inflate, DeflateRaw,
  InflateRaw, Unzip, createGzip, createGunzip, createDeflate, createInflate, createDeflateRaw, createInflateRaw,
  createUnzip, crc32, brotliCompressSync, brotliDecompressSync, brotliCompress, brotliDecompress,
  createBrotliCompress, createBrotliDecompress,
};
