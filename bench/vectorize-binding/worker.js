// bench/vectorize-binding: insert throughput through env.VEC. Each request
// inserts `batches` batches of 1,000 vectors (Float32Array values from a
// pool built once per isolate, so generating numbers is not measured;
// ?numbers=1 uses number[] copies of the same pool) and
// returns how long the inserts took. ?dry=1 builds the same batches without
// inserting (the JavaScript side's own cost).
let pool = null, numPool = null;

function buildPool(dim) {
  pool = [];
  for (let i = 0; i < 1000; i++) {
    const f = new Float32Array(dim);
    for (let j = 0; j < dim; j++) f[j] = Math.random() * 2 - 1;
    pool.push(f);
  }
  numPool = pool.map((f) => Array.from(f));
}

export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    const dim = Number(u.searchParams.get("dim") || 768);
    const batches = Number(u.searchParams.get("batches") || 10);
    const tag = u.searchParams.get("tag") || "t";
    const dry = u.searchParams.has("dry");
    const numbers = u.searchParams.has("numbers"); // number[] instead of Float32Array
    if (!pool || pool[0].length !== dim) buildPool(dim);
    const src = numbers ? numPool : pool;
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const vs = src.map((values, i) => ({
        id: `${tag}-${b}-${i}`,
        values,
        metadata: { batch: b, i },
      }));
      if (!dry) await env.VEC.insert(vs);
    }
    const ms = performance.now() - t0;
    return Response.json({ vectors: batches * 1000, ms });
  },
};
