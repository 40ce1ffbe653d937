// r2.js: the R2Bucket binding (Cloudflare R2) over the r2* host functions
// of internal/binding/r2.go. Bodies travel as Go readers: an R2ObjectBody's
// body is a stream over the object's file, and passing it to a Response
// hands the reader to Go untouched.
const { callAsync, registerBinding, bodyForHost, pumpToHost, hostStream, host, utf8Decode, fromScratch } = globalThis.__zs_internal;

function headerPairs(h) {
  const out = [];
  for (const [k, v] of h) out.push([k, v]);
  return out;
}

function isHeaders(v) {
  return typeof Headers !== "undefined" && v instanceof Headers;
}

function ms(d, what) {
  if (d === undefined || d === null) return undefined;
  const t = d instanceof Date ? d.getTime() : new Date(d).getTime();
  if (Number.isNaN(t)) throw new TypeError(`${what} must be a Date`);
  return t;
}

function etagList(v) {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

function conditional(c) {
  if (c === undefined || c === null) return undefined;
  if (isHeaders(c)) return { headers: headerPairs(c) };
  return {
    etagMatches: etagList(c.etagMatches),
    etagDoesNotMatch: etagList(c.etagDoesNotMatch),
    uploadedBefore: ms(c.uploadedBefore, "uploadedBefore"),
    uploadedAfter: ms(c.uploadedAfter, "uploadedAfter"),
    secondsGranularity: !!c.secondsGranularity,
  };
}

function httpMetadata(m) {
  if (m === undefined || m === null) return undefined;
  if (isHeaders(m)) return { headers: headerPairs(m) };
  const o = {};
  for (const k of ["contentType", "contentLanguage", "contentDisposition", "contentEncoding", "cacheControl"]) {
    if (m[k] !== undefined && m[k] !== null) o[k] = String(m[k]);
  }
  if (m.cacheExpiry !== undefined && m.cacheExpiry !== null) o.cacheExpiry = ms(m.cacheExpiry, "cacheExpiry");
  return o;
}

function hex(v, name) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v.toLowerCase();
  let u8;
  if (v instanceof ArrayBuffer) u8 = new Uint8Array(v);
  else if (ArrayBuffer.isView(v)) u8 = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  else throw new TypeError(`put: ${name} must be a string or an ArrayBuffer`);
  return Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(s) {
  const u8 = new Uint8Array(s.length / 2);
  for (let i = 0; i < u8.length; i++) u8[i] = parseInt(s.substr(2 * i, 2), 16);
  return u8.buffer;
}

// R2Checksums holds the object's digests as ArrayBuffers (decoded from hex
// on access); toJSON gives the hex strings.
class R2Checksums {
  #hex;
  constructor(cs) { this.#hex = cs; }
  toJSON() { return { ...this.#hex }; }
  static hex(c, k) { return c.#hex[k]; }
}
for (const k of ["md5", "sha1", "sha256", "sha384", "sha512"]) {
  Object.defineProperty(R2Checksums.prototype, k, {
    get() { const h = R2Checksums.hex(this, k); return h === undefined ? undefined : unhex(h); },
    enumerable: true,
    configurable: true,
  });
}

class R2Object {
  constructor(o) {
    this.key = o.key;
    this.version = o.version;
    this.size = o.size;
    this.etag = o.etag;
    this.httpEtag = `"${o.etag}"`;
    this.uploaded = new Date(o.uploaded);
    const hm = {};
    for (const k of ["contentType", "contentLanguage", "contentDisposition", "contentEncoding", "cacheControl"]) {
      if (o.httpMetadata[k] !== undefined) hm[k] = o.httpMetadata[k];
    }
    if (o.httpMetadata.cacheExpiry !== undefined) hm.cacheExpiry = new Date(o.httpMetadata.cacheExpiry);
    this.httpMetadata = hm;
    this.customMetadata = o.customMetadata;
    this.checksums = new R2Checksums(o.checksums);
    this.storageClass = o.storageClass;
    if (o.range) this.range = o.range;
  }

  writeHttpMetadata(headers) {
    const m = this.httpMetadata;
    if (m.contentType !== undefined) headers.set("content-type", m.contentType);
    if (m.contentLanguage !== undefined) headers.set("content-language", m.contentLanguage);
    if (m.contentDisposition !== undefined) headers.set("content-disposition", m.contentDisposition);
    if (m.contentEncoding !== undefined) headers.set("content-encoding", m.contentEncoding);
    if (m.cacheControl !== undefined) headers.set("cache-control", m.cacheControl);
    if (m.cacheExpiry !== undefined) headers.set("expires", m.cacheExpiry.toUTCString());
  }
}
Object.defineProperty(R2Object.prototype, Symbol.toStringTag, { value: "R2Object" });

// An unread body's Go reader (an open file) is released when its
// R2ObjectBody is collected, if the engine runs finalizers; otherwise when
// the isolate closes.
const unread = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((id) => host.cancelRead(id)) : null;

class R2ObjectBody extends R2Object {
  // Private fields, not symbol-keyed properties: defining those on every
  // object cost more than the rest of the constructor.
  #id; #mem; #stream = null; #read = false;
  constructor(o) {
    super(o);
    this.#id = o.body;
    this.#mem = o.mem === true;
    unread?.register(this, o.body);
  }
  // body is a stream over the Go reader; handing it to a Response passes the
  // reader to Go untouched, so the bytes never cross into JavaScript.
  get body() {
    if (this.#stream === null) this.#stream = hostStream(this.#id);
    return this.#stream;
  }
  get bodyUsed() {
    return this.#read || (this.#stream !== null && this.#stream.locked);
  }
  // #bytes reads the whole body: straight from the Go reader in one call
  // when no stream was made, so arrayBuffer()/text() pump no stream.
  async #bytes() {
    if (this.bodyUsed) throw new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
    this.#read = true;
    if (this.#stream !== null) return new Uint8Array(await new Response(this.#stream).arrayBuffer());
    if (this.#mem) return fromScratch(host.r2ReadMem(this.#id));
    return await callAsync("readAll", this.#id);
  }
  async arrayBuffer() {
    const u8 = await this.#bytes();
    return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? u8.buffer : u8.slice().buffer;
  }
  async bytes() { return new Uint8Array(await this.arrayBuffer()); }
  async text() {
    if (this.#mem && !this.bodyUsed) {
      this.#read = true;
      return host.r2ReadMemText(this.#id);
    }
    return utf8Decode(await this.#bytes());
  }
  async json() { return JSON.parse(await this.text()); }
  async blob() {
    return new Blob([await this.#bytes()], { type: this.httpMetadata.contentType ?? "" });
  }
}
Object.defineProperty(R2ObjectBody.prototype, Symbol.toStringTag, { value: "R2ObjectBody" });

function keyArg(key, op) {
  if (key === undefined) throw new TypeError(`${op}: key must be a string`);
  return String(key);
}

// sendBody prepares a put/uploadPart value for the host and returns
// [args, pump]: a JavaScript stream is pumped into a Go pipe.
function sendBody(value, op) {
  if (value === undefined) value = null;
  if (!(value === null || typeof value === "string" || value instanceof ArrayBuffer || ArrayBuffer.isView(value) ||
        value instanceof ReadableStream || value instanceof Blob)) {
    throw new TypeError(`${op}: value must be a ReadableStream, ArrayBuffer, ArrayBufferView, string, Blob or null`);
  }
  let args = typeof value === "string" ? [1, value] : bodyForHost(new Response(value));
  let pump = null;
  if (args[0] === 3) {
    const wid = host.pipe();
    pump = pumpToHost(args[1], wid);
    args = [3, wid];
  }
  return [args, pump];
}

async function withBody(value, op, fn) {
  const [args, pump] = sendBody(value, op);
  try {
    return await fn(args);
  } finally {
    if (pump) await pump.catch(() => {});
  }
}

const kBucket = Symbol("bucket"), kKey = Symbol("key");

class R2MultipartUpload {
  constructor(bucket, key, uploadId) {
    this[kBucket] = bucket;
    Object.defineProperty(this, "key", { value: key, enumerable: true });
    Object.defineProperty(this, "uploadId", { value: uploadId, enumerable: true });
  }
  async uploadPart(partNumber, value) {
    return withBody(value, "uploadPart", (a) =>
      callAsync("r2UploadPart", this[kBucket], this.key, this.uploadId, Number(partNumber), a[0], a[1], a[2]));
  }
  async abort() {
    await callAsync("r2Abort", this[kBucket], this.key, this.uploadId);
  }
  async complete(parts) {
    if (!Array.isArray(parts)) throw new TypeError("complete: parts must be an array");
    const ps = parts.map((p) => ({ partNumber: Number(p.partNumber), etag: String(p.etag) }));
    return new R2Object(await callAsync("r2Complete", this[kBucket], this.key, this.uploadId, JSON.stringify(ps)));
  }
}
Object.defineProperty(R2MultipartUpload.prototype, Symbol.toStringTag, { value: "R2MultipartUpload" });

class R2Bucket {
  constructor(bucket) { this[kBucket] = bucket; }

  // head and get look the object up synchronously (see installR2).
  async head(key) {
    const o = host.r2Head(this[kBucket], keyArg(key, "head"));
    return o === undefined ? null : new R2Object(JSON.parse(o));
  }

  async get(key, options = {}) {
    options = options ?? {};
    const o = {};
    o.onlyIf = conditional(options.onlyIf);
    const r = options.range;
    if (r !== undefined && r !== null) {
      if (isHeaders(r)) {
        const h = r.get("range");
        if (h !== null) o.range = { header: h };
      } else {
        o.range = {};
        for (const k of ["offset", "length", "suffix"]) {
          if (r[k] !== undefined) {
            const n = Number(r[k]);
            if (!Number.isInteger(n) || n < 0) throw new RangeError(`get: range.${k} must be a non-negative integer`);
            o.range[k] = n;
          }
        }
        if (o.range.suffix !== undefined && (o.range.offset !== undefined || o.range.length !== undefined)) {
          throw new TypeError("get: range.suffix cannot be combined with offset or length");
        }
      }
    }
    const j = host.r2Get(this[kBucket], keyArg(key, "get"), o.onlyIf === undefined && o.range === undefined ? "" : JSON.stringify(o));
    if (j === undefined) return null;
    const res = JSON.parse(j);
    return res.body ? new R2ObjectBody(res) : new R2Object(res);
  }

  async put(key, value, options = {}) {
    options = options ?? {};
    const k = keyArg(key, "put");
    const o = {
      httpMetadata: httpMetadata(options.httpMetadata),
      customMetadata: options.customMetadata === undefined ? undefined :
        Object.fromEntries(Object.entries(options.customMetadata).map(([a, b]) => [a, String(b)])),
      onlyIf: conditional(options.onlyIf),
      storageClass: options.storageClass,
    };
    const digests = ["md5", "sha1", "sha256", "sha384", "sha512"].filter((d) => options[d] !== undefined);
    if (digests.length > 1) throw new TypeError("put: you cannot specify multiple hashing algorithms.");
    for (const d of digests) o[d] = hex(options[d], d);
    const res = await withBody(value, "put", (a) =>
      callAsync("r2Put", this[kBucket], k, JSON.stringify(o), a[0], a[1], a[2]));
    return res === undefined ? null : new R2Object(res);
  }

  async delete(keys) {
    const list = Array.isArray(keys) ? keys.map((k) => keyArg(k, "delete")) : [keyArg(keys, "delete")];
    await callAsync("r2Delete", this[kBucket], JSON.stringify(list));
  }

  async list(options = {}) {
    options = options ?? {};
    const o = {};
    for (const k of ["prefix", "delimiter", "cursor", "startAfter"]) {
      if (options[k] !== undefined && options[k] !== null) o[k] = String(options[k]);
    }
    if (options.limit !== undefined) o.limit = Number(options.limit);
    if (options.include !== undefined) o.include = Array.from(options.include, String);
    const res = await callAsync("r2List", this[kBucket], JSON.stringify(o));
    res.objects = res.objects.map((x) => new R2Object(x));
    if (!res.truncated) delete res.cursor;
    return res;
  }

  async createMultipartUpload(key, options = {}) {
    options = options ?? {};
    const k = keyArg(key, "createMultipartUpload");
    const o = {
      httpMetadata: httpMetadata(options.httpMetadata),
      customMetadata: options.customMetadata,
      storageClass: options.storageClass,
    };
    const id = await callAsync("r2CreateUpload", this[kBucket], k, JSON.stringify(o));
    return new R2MultipartUpload(this[kBucket], k, id);
  }

  resumeMultipartUpload(key, uploadId) {
    return new R2MultipartUpload(this[kBucket], keyArg(key, "resumeMultipartUpload"), String(uploadId));
  }
}
Object.defineProperty(R2Bucket.prototype, Symbol.toStringTag, { value: "R2Bucket" });

registerBinding("r2_bucket", (name, config) => new R2Bucket(config.id));
