// vectorize.js: the VectorizeIndex binding (Cloudflare Vectorize, V2 API)
// over the vz* host functions of internal/binding/vectorize.go. Vector
// values cross as one Float32Array through the shared scratch area, never
// as JSON numbers.
const { callAsync, registerBinding, toHost } = globalThis.__zs_internal;

const kIndex = Symbol("index");
const kDefault = Symbol("returnMetadataDefault");

function isValues(v) {
  return Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array;
}

// pack turns vectors into [headerJSON, Float32Array of every value].
function pack(vectors, what) {
  if (!Array.isArray(vectors)) {
    throw new TypeError(`Vectorize ${what}: vectors must be an array of VectorizeVector objects`);
  }
  const head = new Array(vectors.length);
  let total = 0;
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    if (v === null || typeof v !== "object") {
      throw new TypeError(`Vectorize ${what}: vector ${i} must be an object {id, values, namespace?, metadata?}`);
    }
    if (!isValues(v.values)) {
      throw new TypeError(`Vectorize ${what}: vector ${i} (id ${JSON.stringify(v.id)}): values must be a number[], Float32Array or Float64Array`);
    }
    const h = { n: v.values.length };
    if (v.id !== undefined && v.id !== null) h.id = String(v.id);
    if (v.namespace !== undefined && v.namespace !== null) h.namespace = String(v.namespace);
    if (v.metadata !== undefined && v.metadata !== null) h.metadata = v.metadata;
    head[i] = h;
    total += h.n;
  }
  const f32 = new Float32Array(total);
  let off = 0;
  for (let i = 0; i < vectors.length; i++) {
    f32.set(vectors[i].values, off);
    off += head[i].n;
  }
  return [JSON.stringify(head), f32];
}

// mutation returns Cloudflare's V2 result {mutationId}; count and ids (the
// V1 VectorizeVectorMutation fields) are there too, but not enumerable, so
// that JSON.stringify and Object.keys show exactly what Cloudflare returns.
function mutation(r) {
  const out = { mutationId: r.mutationId };
  Object.defineProperties(out, {
    count: { value: r.count, enumerable: false },
    ids: { value: r.ids, enumerable: false },
  });
  return out;
}

function queryOptions(options, dflt) {
  const o = {};
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError("Vectorize query: options must be an object");
    if (options.topK !== undefined) o.topK = Number(options.topK);
    if (options.returnValues !== undefined) o.returnValues = Boolean(options.returnValues);
    const rm = options.returnMetadata;
    if (rm !== undefined && rm !== null) {
      if (typeof rm === "boolean") o.returnMetadata = rm ? "all" : "none";
      else if (rm === "all" || rm === "indexed" || rm === "none") o.returnMetadata = rm;
      else throw new Error(`Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: ${rm}`);
    }
    if (options.filter !== undefined && options.filter !== null) o.filter = options.filter;
    if (options.namespace !== undefined && options.namespace !== null) o.namespace = String(options.namespace);
  }
  if (o.returnMetadata === undefined && dflt) {
    o.returnMetadata = dflt;
    o.defaulted = true;
  }
  return JSON.stringify(o);
}

function idList(ids, what) {
  if (!Array.isArray(ids)) throw new TypeError(`Vectorize ${what}: ids must be an array of strings`);
  return JSON.stringify(ids.map(String));
}

class VectorizeIndex {
  constructor(index, returnMetadataDefault) {
    this[kIndex] = index;
    this[kDefault] = returnMetadataDefault || "";
  }

  async describe() {
    return callAsync("vzDescribe", this[kIndex]);
  }

  async query(vector, options) {
    if (!isValues(vector)) {
      throw new TypeError("Vectorize query: the query vector must be a number[], Float32Array or Float64Array");
    }
    const f32 = vector instanceof Float32Array ? vector : Float32Array.from(vector);
    const opts = queryOptions(options, this[kDefault]);
    return callAsync("vzQuery", this[kIndex], opts, toHost(f32), f32.byteLength);
  }

  async queryById(vectorId, options) {
    const o = JSON.parse(queryOptions(options, this[kDefault]));
    o.vectorId = String(vectorId);
    return callAsync("vzQuery", this[kIndex], JSON.stringify(o), null, 0);
  }

  async insert(vectors) {
    const [head, f32] = pack(vectors, "insert");
    return mutation(await callAsync("vzWrite", this[kIndex], false, head, toHost(f32), f32.byteLength));
  }

  async upsert(vectors) {
    const [head, f32] = pack(vectors, "upsert");
    return mutation(await callAsync("vzWrite", this[kIndex], true, head, toHost(f32), f32.byteLength));
  }

  async getByIds(ids) {
    return callAsync("vzGet", this[kIndex], idList(ids, "getByIds"));
  }

  async deleteByIds(ids) {
    return mutation(await callAsync("vzDelete", this[kIndex], idList(ids, "deleteByIds")));
  }
}
Object.defineProperty(VectorizeIndex.prototype, Symbol.toStringTag, { value: "VectorizeIndex" });

registerBinding("vectorize", (name, config) => new VectorizeIndex(config.id, config.returnMetadata));
