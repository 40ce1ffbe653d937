// Streams: values, states and error messages.
export default {
  async fetch() {
    const out = {};
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    const enc = new TextEncoder();
    await ta("readAll", async () => { const s = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } }); const r = s.getReader(); const got = []; for (;;) { const { done, value } = await r.read(); if (done) break; got.push(value); } return got; });
    await ta("cancelReason", async () => { let reason; const s = new ReadableStream({ cancel(r) { reason = r; } }); await s.cancel("why"); return reason; });
    await ta("errored", async () => { const s = new ReadableStream({ start(c) { c.error(new TypeError("bad")); } }); return s.getReader().read(); });
    await ta("pipeThroughUpper", async () => { const t = new TransformStream({ transform(ch, c) { c.enqueue(ch.toUpperCase()); } }); const w = t.writable.getWriter(); w.write("ab"); w.close(); const r = t.readable.getReader(); return (await r.read()).value; });
    await ta("writerClosedTwice", async () => { const ws = new WritableStream(); const w = ws.getWriter(); await w.close(); return w.close(); });
    await ta("asyncIter", async () => { const s = new Response("xyz").body; let n = 0; for await (const c of s) n += c.byteLength; return n; });
    await ta("teeLocked", async () => { const s = new ReadableStream(); s.getReader(); return s.tee(); });
    await ta("fromIterable", async () => { const s = ReadableStream.from(["a", "b"]); const r = s.getReader(); return [(await r.read()).value, (await r.read()).value, (await r.read()).done]; });
    await ta("byob", async () => { const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3])); c.close(); } }); const r = s.getReader({ mode: "byob" }); const { value } = await r.read(new Uint8Array(2)); return [...value]; });
    await ta("desiredSize", async () => { let ds; new ReadableStream({ start(c) { ds = c.desiredSize; } }, { highWaterMark: 3 }); return ds; });
    return Response.json(out);
  },
};
