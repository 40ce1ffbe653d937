// Storage-binding bench worker: /seed writes the data once; /kv reads a
// 100-byte KV value, /d1 selects one row by primary key, /r2 streams a
// 10 KiB object; PUT/GET /obj/KEY stream a request body into R2 and back.
export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/obj/")) {
      const key = url.pathname.slice(5);
      if (req.method === "PUT") {
        const o = await env.BUCKET.put(key, req.body);
        return Response.json({ size: o.size, etag: o.etag });
      }
      const o = await env.BUCKET.get(key);
      return o ? new Response(o.body) : new Response("not found", { status: 404 });
    }
    switch (url.pathname) {
      case "/kv":
        return new Response(await env.KV.get("value-100"));
      case "/d1": {
        const id = 1 + Math.floor(Math.random() * 1000);
        const row = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first();
        return Response.json(row);
      }
      case "/r2": {
        const o = await env.BUCKET.get("object-10k");
        return new Response(o.body, { headers: { etag: o.httpEtag } });
      }
      case "/seed": {
        await env.KV.put("value-100", "x".repeat(100));
        await env.DB.exec("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL)");
        const ins = env.DB.prepare("INSERT OR REPLACE INTO users (id, email, name) VALUES (?, ?, ?)");
        const batch = [];
        for (let i = 1; i <= 1000; i++) batch.push(ins.bind(i, `user${i}@example.com`, `User ${i}`));
        await env.DB.batch(batch);
        await env.BUCKET.put("object-10k", new Uint8Array(10240).fill(120));
        return new Response("seeded");
      }
    }
    return new Response("not found", { status: 404 });
  },
};
