// blob.js: Blob and File (W3C File API) as workerd offers them.
//
// A Blob holds one Uint8Array that nothing ever writes to after
// construction, so slices and Blobs made from a single Blob share it without
// copying. Other modules reach the bytes through blobBytes().
import { defineGlobal } from "./host.js";

let encoder = null, decoder = null;

function utf8(s) {
  return (encoder ??= new globalThis.TextEncoder()).encode(s);
}

function decodeUTF8(u8) {
  return (decoder ??= new globalThis.TextDecoder()).decode(u8);
}

// normalizeType lowercases a MIME type, or returns "" when it has characters
// outside U+0020..U+007E (File API, "type" of the Blob constructor).
function normalizeType(t) {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return "";
  }
  return t.toLowerCase();
}

const EMPTY = new Uint8Array(0);

// Internal accessors, bound in the class bodies.
let bytesOf, isBlobImpl, isFileImpl;

// INTERNAL as first constructor argument builds a Blob or File from bytes
// the caller hands over (no copy, no conversion).
const INTERNAL = Symbol("internal");

function blobOptions(options, what) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError(`Failed to construct '${what}': The provided value is not of type '${what}PropertyBag'.`);
  }
  return options;
}

// MAX_BLOB is workerd's limit on the size of one Blob (128 MiB).
const MAX_BLOB = 128 * 1024 * 1024;

const abResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")?.get;

function refuseResizable(buf) {
  if (abResizable !== undefined && buf instanceof ArrayBuffer && abResizable.call(buf)) {
    throw new TypeError("Cannot create a Blob with a resizable ArrayBuffer");
  }
}

// collectParts converts blobParts (a WebIDL sequence) to one Uint8Array.
function collectParts(parts, what) {
  if (parts === undefined) return EMPTY;
  if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
    throw new TypeError(`Failed to construct '${what}': The provided value cannot be converted to a sequence.`);
  }
  const chunks = [];
  let size = 0;
  for (const p of parts) {
    let u8;
    if (typeof p === "string") {
      u8 = utf8(p);
    } else if (p !== null && typeof p === "object" && isBlobImpl(p)) {
      u8 = bytesOf(p);
    } else if (p instanceof ArrayBuffer) {
      refuseResizable(p);
      u8 = new Uint8Array(p.slice(0));
    } else if (ArrayBuffer.isView(p)) {
      refuseResizable(p.buffer);
      u8 = new Uint8Array(p.buffer, p.byteOffset, p.byteLength).slice();
    } else if (p instanceof SharedArrayBuffer) {
      u8 = new Uint8Array(p).slice();
    } else {
      u8 = utf8(`${p}`);
    }
    if (u8.byteLength === 0) continue;
    if (size + u8.byteLength > MAX_BLOB) {
      throw new RangeError(`Blob size ${size + u8.byteLength} exceeds limit ${MAX_BLOB}`);
    }
    chunks.push(u8);
    size += u8.byteLength;
  }
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

// noEndings refuses the "endings" option, which workerd does not implement.
function noEndings(o) {
  if (o !== undefined && o.endings !== undefined) {
    throw new Error("The 'endings' field on 'Options' is not implemented.");
  }
}

const STREAM_CHUNK = 65536;

/** Blob is an immutable sequence of bytes with a MIME type. */
export class Blob {
  #bytes;
  #type;

  constructor(blobParts = undefined, options = undefined) {
    if (blobParts === INTERNAL) {
      this.#bytes = options.bytes;
      this.#type = options.type;
      return;
    }
    const o = blobOptions(options, "Blob");
    const type = o === undefined || o.type === undefined ? "" : normalizeType(`${o.type}`);
    noEndings(o);
    this.#bytes = collectParts(blobParts, "Blob");
    this.#type = type;
  }

  get size() { return this.#bytes.byteLength; }
  get type() { return this.#type; }

  slice(start = undefined, end = undefined, contentType = undefined) {
    const b = this.#bytes;
    const n = b.byteLength;
    let from = start === undefined ? 0 : clampIndex(start, n);
    let to = end === undefined ? n : clampIndex(end, n);
    if (to < from) to = from;
    const type = contentType === undefined ? "" : normalizeType(`${contentType}`);
    return newBlob(from === 0 && to === n ? b : b.subarray(from, to), type);
  }

  text() {
    try {
      return Promise.resolve(decodeUTF8(this.#bytes));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  arrayBuffer() {
    try {
      return Promise.resolve(this.#bytes.slice().buffer);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  bytes() {
    try {
      return Promise.resolve(this.#bytes.slice());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  stream() {
    return bytesStream(this.#bytes);
  }

  static {
    bytesOf = (b) => b.#bytes;
    isBlobImpl = (v) => #bytes in v;
  }
}
Object.defineProperty(Blob.prototype, Symbol.toStringTag, { value: "Blob", configurable: true });

function clampIndex(v, n) {
  v = Number(v);
  if (Number.isNaN(v)) return 0;
  v = Math.trunc(v);
  if (v < 0) return Math.max(n + v, 0);
  return Math.min(v, n);
}

/**
 * bytesStream returns a ReadableStream (a byte stream when the streams
 * module supports them) that yields copies of u8 in chunks.
 */
export function bytesStream(u8) {
  const RS = globalThis.ReadableStream;
  let off = 0;
  const pull = (c) => {
    const req = c.byobRequest;
    if (off >= u8.byteLength) {
      c.close();
      req?.respond(0);
      return;
    }
    if (req) {
      const v = req.view;
      const k = Math.min(v.byteLength, u8.byteLength - off);
      new Uint8Array(v.buffer, v.byteOffset, k).set(u8.subarray(off, off + k));
      off += k;
      req.respond(k);
    } else {
      const k = Math.min(STREAM_CHUNK, u8.byteLength - off);
      c.enqueue(u8.slice(off, off + k));
      off += k;
    }
    if (off >= u8.byteLength) c.close();
  };
  try {
    return new RS({ type: "bytes", pull });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return new RS({ pull });
  }
}

/** File is a Blob with a name and a modification time. */
export class File extends Blob {
  #name;
  #lastModified;

  constructor(fileBits, fileName, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeError(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
    }
    if (fileBits === INTERNAL) {
      super(INTERNAL, options);
      this.#name = fileName;
      this.#lastModified = options.lastModified;
      return;
    }
    const o = blobOptions(options, "File");
    super(fileBits, o);
    this.#name = `${fileName}`;
    let lm;
    if (o !== undefined && o.lastModified !== undefined) {
      lm = Math.trunc(Number(o.lastModified));
      if (!Number.isFinite(lm)) lm = 0;
    } else {
      lm = Date.now();
    }
    this.#lastModified = lm;
  }

  get name() { return this.#name; }
  get lastModified() { return this.#lastModified; }

  static {
    isFileImpl = (v) => #name in v;
  }
}
Object.defineProperty(File.prototype, Symbol.toStringTag, { value: "File", configurable: true });

/** isBlob reports whether v is a Blob (or File). */
export function isBlob(v) {
  return v !== null && typeof v === "object" && isBlobImpl(v);
}

/** isFile reports whether v is a File. */
export function isFile(v) {
  return v !== null && typeof v === "object" && isFileImpl(v);
}

/**
 * blobBytes returns the bytes of a Blob without copying, as a Uint8Array
 * that may view part of a larger buffer (mind byteOffset) and that the
 * caller must not modify. It throws a TypeError if blob is not a Blob.
 */
export function blobBytes(blob) {
  if (!isBlob(blob)) throw new TypeError("Argument is not a Blob.");
  return bytesOf(blob);
}

/**
 * newBlob makes a Blob that owns bytes (a Uint8Array nobody writes to
 * afterwards) with type, which must already be normalized.
 */
export function newBlob(bytes, type = "") {
  return new Blob(INTERNAL, { bytes, type });
}

/** newFile is newBlob for a File with a name and lastModified (ms). */
export function newFile(bytes, name, type = "", lastModified = Date.now()) {
  return new File(INTERNAL, name, { bytes, type, lastModified });
}

export { normalizeType };

defineGlobal("Blob", Blob);
defineGlobal("File", File);
