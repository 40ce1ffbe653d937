// Tests of the VectorizeIndex binding, one per method; vectorize_test.go
// runs each in its own request. VEC is an index created with 3 dimensions
// (cosine); ALL is the same index with return_metadata_default = "all";
// LAZY names an index that does not exist yet.
function assert(c, msg) { if (!c) throw new Error("assertion failed: " + msg); }
function eq(a, b, msg) {
  const x = JSON.stringify(a), y = JSON.stringify(b);
  if (x !== y) throw new Error(`${msg}: got ${x}, want ${y}`);
}
async function rejects(p, re, msg) {
  try { await p; } catch (e) {
    if (!re.test(String(e.message))) throw new Error(`${msg}: wrong error ${e.message}`);
    return;
  }
  throw new Error(`${msg}: did not reject`);
}

const tests = {
  async insertQuery(env) {
    const m = await env.VEC.insert([
      { id: "a", values: [1, 0, 0], metadata: { cat: "x", n: 1, skip: undefined } },
      { id: "b", values: new Float32Array([0, 1, 0]), namespace: "ns", metadata: { cat: "y", n: 2 } },
      { id: "c", values: new Float64Array([0.1, 0.2, 0.3]) },
    ]);
    assert(typeof m.mutationId === "string" && m.mutationId.length === 36, "mutationId");
    eq(Object.keys(m), ["mutationId"], "V2 mutation keys");
    eq(m.count, 3, "V1 count");
    eq(m.ids, ["a", "b", "c"], "V1 ids");
    // Existing ids are kept by insert.
    const again = await env.VEC.insert([{ id: "a", values: [0, 0, 1] }]);
    eq(again.count, 0, "insert of an existing id");
    const r = await env.VEC.query([1, 0, 0], { topK: 2 });
    eq(r.count, 2, "count");
    eq(r.matches[0].id, "a", "best match");
    eq(r.matches[0].score, 1, "cosine score");
    assert(!("metadata" in r.matches[0]) && !("values" in r.matches[0]), "no metadata or values by default");
    const f = await env.VEC.query(new Float32Array([0, 1, 0]), { filter: { n: { $gte: 2 } }, returnMetadata: "all", returnValues: true });
    eq(f.matches.map(x => x.id), ["b"], "filter");
    eq(f.matches[0].metadata, { cat: "y", n: 2 }, "metadata all");
    eq(f.matches[0].values, [0, 1, 0], "values");
    eq(f.matches[0].namespace, "ns", "namespace");
    const ns = await env.VEC.query([1, 1, 1], { namespace: "ns", returnMetadata: true });
    eq(ns.matches.map(x => x.id), ["b"], "namespace query");
    eq(ns.matches[0].metadata, { cat: "y", n: 2 }, "returnMetadata true = all");
    const byId = await env.VEC.queryById("b", { topK: 1 });
    eq(byId.matches[0].id, "b", "queryById");
    const got = await env.VEC.getByIds(["c", "missing", "a"]);
    eq(got.map(v => v.id), ["c", "a"], "getByIds order");
    eq(got[0].values, [0.1, 0.2, 0.3], "float32 values read back as written");
    eq(got[1].metadata, { cat: "x", n: 1 }, "getByIds metadata");
    const d = await env.VEC.describe();
    eq([d.dimensions, d.vectorCount], [3, 3], "describe");
    const del = await env.VEC.deleteByIds(["a", "zzz"]);
    eq(del.count, 1, "delete count");
    eq((await env.VEC.describe()).vectorCount, 2, "after delete");
    return true;
  },

  async upsert(env) {
    await env.VEC.upsert([{ id: "u", values: [1, 2, 3], metadata: { v: 1 } }]);
    await env.VEC.upsert([{ id: "u", values: [3, 2, 1], metadata: { v: 2 } }]);
    const [u] = await env.VEC.getByIds(["u"]);
    eq(u.values, [3, 2, 1], "upserted values");
    eq(u.metadata, { v: 2 }, "upserted metadata");
    return true;
  },

  async errors(env) {
    await rejects(env.VEC.insert([{ id: "x", values: [1, 2] }]), /^VECTOR_INSERT_ERROR \(code = 40012\): invalid vector for id="x", expected 3 dimensions, and got 2 dimensions$/, "dimension");
    await rejects(env.VEC.upsert([{ id: "i".repeat(65), values: [1, 2, 3] }]), /^VECTOR_UPSERT_ERROR \(code = \d+\): .*maximum is 64 bytes/, "long id");
    await rejects(env.VEC.insert([{ id: "m", values: [1, 2, 3], metadata: { s: "x".repeat(10241) } }]), /^VECTOR_INSERT_ERROR .*10 KiB/, "metadata size");
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: String(i), values: [1, 2, 3] }));
    await rejects(env.VEC.insert(many), /^VECTOR_INSERT_ERROR .*maximum is 1000/, "too many");
    await rejects(env.VEC.query([1, 0, 0], { topK: 101 }), /^VECTOR_QUERY_ERROR .*topK must be less than or equal to 100/, "topK");
    await rejects(env.VEC.query([1, 0, 0], { topK: 21, returnValues: true }), /^VECTOR_QUERY_ERROR .*less than or equal to 20/, "topK with values");
    await rejects(env.VEC.query([1, 0, 0], { returnMetadata: "some" }), /^Invalid returnMetadata option/, "returnMetadata");
    await rejects(env.VEC.query([1, 0, 0], { filter: { x: { $regex: "a" } } }), /^VECTOR_QUERY_ERROR .*unsupported operator/, "filter");
    await rejects(env.VEC.query("nope"), /number\[\], Float32Array or Float64Array/, "query vector type");
    await rejects(env.VEC.insert([{ id: "x" }]), /values must be/, "missing values");
    await rejects(env.MISSING.query([1, 2, 3]), /^VECTOR_QUERY_ERROR \(code = 3000\): .*index not found/, "missing index");
    return true;
  },

  async returnDefault(env) {
    await env.ALL.upsert([{ id: "d", values: [1, 1, 0], metadata: { docId: "doc-1" } }]);
    const r = await env.ALL.query([1, 1, 0], { topK: 50 }); // the default does not lower topK's limit
    const m = r.matches.find(x => x.id === "d");
    eq(m.metadata, { docId: "doc-1" }, "metadata by default");
    const none = await env.ALL.query([1, 1, 0], { topK: 1, returnMetadata: "none" });
    assert(!("metadata" in none.matches[0]), "explicit none wins");
    return true;
  },

  async lazyCreate(env) {
    await env.LAZY.insert([{ id: "z", values: [1, 2, 3, 4, 5] }]);
    const d = await env.LAZY.describe();
    eq([d.dimensions, d.vectorCount], [5, 1], "created with the first vector's dimension");
    return true;
  },
};

export default {
  async fetch(request, env) {
    const name = new URL(request.url).pathname.slice(1);
    try {
      await tests[name](env);
      return Response.json({ ok: true });
    } catch (e) {
      return Response.json({ ok: false, error: String(e && e.stack || e) }, { status: 500 });
    }
  },
};
