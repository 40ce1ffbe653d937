// kv.js: the KVNamespace binding (Cloudflare Workers KV) over the kv* host
// functions of internal/binding/kv.go.
const { callAsync, registerBinding, bodyForHost, pumpToHost, utf8Decode, host } = globalThis.__zs_internal;

const kNs = Symbol("ns");
const GET_TYPES = ["text", "json", "arrayBuffer", "stream"];

function getOptions(arg) {
  let type = "text", cacheTtl;
  if (typeof arg === "string") type = arg;
  else if (arg !== undefined && arg !== null) {
    if (typeof arg !== "object") throw new TypeError("KV get: options must be a type string or an object");
    if (arg.type !== undefined) type = arg.type;
    if (arg.cacheTtl !== undefined) cacheTtl = Number(arg.cacheTtl);
  }
  if (!GET_TYPES.includes(type)) {
    throw new TypeError(`Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".`);
  }
  return [type, cacheTtl];
}

function decodeValue(u8, type) {
  switch (type) {
    case "text": return utf8Decode(u8);
    case "json": return JSON.parse(utf8Decode(u8));
    case "arrayBuffer":
      return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? u8.buffer : u8.slice().buffer;
    case "stream": return new Response(u8).body;
  }
}

function keyString(key) {
  if (key === undefined) throw new TypeError("KV key must be a string; got undefined.");
  return String(key);
}

async function bulk(ns, keys, type, withMeta) {
  if (type !== "text" && type !== "json") {
    throw new TypeError(`"${type}" is not a valid type. Use "json" or "text".`);
  }
  const res = await callAsync("kvGetMany", ns, JSON.stringify(keys.map(keyString)), withMeta);
  const m = new Map();
  for (const k of keys) {
    const e = res[String(k)];
    if (e === null || e === undefined) {
      m.set(k, withMeta ? { value: null, metadata: null } : null);
      continue;
    }
    let v = e[0];
    if (type === "json") {
      try { v = JSON.parse(v); } catch (err) {
        throw new Error(`KV GET failed: 500 At least one of the requested keys corresponds to a non-JSON value`, { cause: err });
      }
    }
    m.set(k, withMeta ? { value: v, metadata: e[1] ?? null } : v);
  }
  return m;
}

class KVNamespace {
  constructor(ns) {
    this[kNs] = ns;
  }

  async get(key, options) {
    const [type, cacheTtl] = getOptions(options);
    if (Array.isArray(key)) return bulk(this[kNs], key, type, false);
    if (type === "text" || type === "json") {
      const s = host.kvGetText(this[kNs], keyString(key), cacheTtl);
      if (s === undefined) return null;
      return type === "text" ? s : JSON.parse(s);
    }
    const u8 = await callAsync("kvGet", this[kNs], keyString(key), false, cacheTtl);
    if (u8 === undefined) return null;
    return decodeValue(u8, type);
  }

  async getWithMetadata(key, options) {
    const [type, cacheTtl] = getOptions(options);
    if (Array.isArray(key)) return bulk(this[kNs], key, type, true);
    const u8 = await callAsync("kvGet", this[kNs], keyString(key), true, cacheTtl);
    if (u8 === undefined) return { value: null, metadata: null, cacheStatus: null };
    const n = (u8[0] << 24 | u8[1] << 16 | u8[2] << 8 | u8[3]) >>> 0;
    const metadata = n === 0 ? null : JSON.parse(utf8Decode(u8.subarray(4, 4 + n)));
    const value = decodeValue(u8.slice(4 + n), type);
    return { value, metadata, cacheStatus: null };
  }

  async put(key, value, options = {}) {
    const k = keyString(key);
    if (!(typeof value === "string" || value instanceof ArrayBuffer || ArrayBuffer.isView(value) ||
          value instanceof ReadableStream)) {
      throw new TypeError("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.");
    }
    const o = {};
    if (options !== null && typeof options === "object") {
      if (options.expiration !== undefined) o.expiration = String(options.expiration);
      if (options.expirationTtl !== undefined) o.expirationTtl = String(options.expirationTtl);
      if (options.metadata !== undefined && options.metadata !== null) {
        const m = JSON.stringify(options.metadata);
        if (m === undefined) throw new TypeError("KV put: metadata must be serializable to JSON");
        o.metadata = JSON.parse(m);
      }
    }
    let args;
    if (typeof value === "string") args = [1, value];
    else args = bodyForHost(new Response(value));
    let pump = null;
    if (args[0] === 3) {
      const wid = host.pipe();
      pump = pumpToHost(args[1], wid);
      args = [3, wid];
    }
    try {
      await callAsync("kvPut", this[kNs], k, JSON.stringify(o), args[0], args[1], args[2]);
    } finally {
      if (pump) await pump.catch(() => {});
    }
  }

  async delete(key) {
    await callAsync("kvDelete", this[kNs], keyString(key));
  }

  async list(options = {}) {
    options = options ?? {};
    const prefix = options.prefix == null ? "" : String(options.prefix);
    const cursor = options.cursor == null ? "" : String(options.cursor);
    const limit = options.limit == null ? undefined : Number(options.limit);
    const page = await callAsync("kvList", this[kNs], prefix, limit, cursor);
    page.cacheStatus = null;
    return page;
  }
}
Object.defineProperty(KVNamespace.prototype, Symbol.toStringTag, { value: "KVNamespace" });

registerBinding("kv_namespace", (name, config) => new KVNamespace(config.id));
