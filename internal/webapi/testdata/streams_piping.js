// pipeTo / pipeThrough cases after WPT streams/piping/*.any.js.

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

function source(chunks, extra = {}) {
  return new ReadableStream({
    start(c) { for (const ch of chunks) c.enqueue(ch); if (!extra.open) c.close(); extra.ctl = c; },
    cancel(r) { extra.cancelled = r; },
  });
}

function sink(extra = {}) {
  const out = [];
  const ws = new WritableStream({
    write(ch) { out.push(ch); if (extra.write) return extra.write(ch); },
    close() { extra.closed = true; },
    abort(r) { extra.aborted = r; },
  }, extra.strategy);
  ws.out = out;
  return ws;
}

test("pipeTo copies every chunk and closes the destination", async () => {
  const info = {};
  const ws = sink(info);
  const rs = source([1, 2, 3]);
  const p = rs.pipeTo(ws);
  assert(rs.locked && ws.locked, "both locked while piping");
  await p;
  assertEquals(ws.out, [1, 2, 3]);
  assert(info.closed);
  assert(!rs.locked && !ws.locked, "locks released");
});

test("preventClose leaves the destination open", async () => {
  const info = {};
  const ws = sink(info);
  await source(["a"]).pipeTo(ws, { preventClose: true });
  assert(!info.closed);
  const w = ws.getWriter();
  await w.write("b");
  assertEquals(ws.out, ["a", "b"]);
});

test("source error aborts the destination (or not, with preventAbort)", async () => {
  const e = new Error("src");
  const info = {};
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.error(e); } });
  assert((await assertRejects(rs.pipeTo(sink(info)))) === e);
  assert(info.aborted === e);
  const info2 = {};
  const rs2 = new ReadableStream({ start(c) { c.error(e); } });
  const ws2 = sink(info2);
  assert((await assertRejects(rs2.pipeTo(ws2, { preventAbort: true }))) === e);
  assertEquals(info2.aborted, undefined);
  await ws2.getWriter().write("still writable");
});

test("destination error cancels the source (or not, with preventCancel)", async () => {
  const e = new Error("dst");
  const info = { open: true };
  const rs = source([1], info);
  const ws = new WritableStream({ write() { throw e; } });
  assert((await assertRejects(rs.pipeTo(ws))) === e);
  assert(info.cancelled === e);
  const info2 = { open: true };
  const rs2 = source([1], info2);
  const ws2 = new WritableStream({ write() { throw e; } });
  assert((await assertRejects(rs2.pipeTo(ws2, { preventCancel: true }))) === e);
  assertEquals(info2.cancelled, undefined);
  assert(!rs2.locked);
});

test("piping to a closed destination cancels the source with TypeError", async () => {
  const ws = new WritableStream();
  await ws.close();
  const info = { open: true };
  await assertRejects(source([1], info).pipeTo(ws), TypeError);
  assert(info.cancelled instanceof TypeError);
});

test("an already errored source or destination", async () => {
  const e = new Error("x");
  const rs = new ReadableStream({ start(c) { c.error(e); } });
  const info = {};
  await assertRejects(rs.pipeTo(sink(info)));
  assert(info.aborted === e);
  const ws = new WritableStream({ start(c) { c.error(e); } });
  await flush();
  const info2 = { open: true };
  assert((await assertRejects(source([], info2).pipeTo(ws))) === e);
  assert(info2.cancelled === e);
});

test("locked streams reject", async () => {
  const rs = new ReadableStream();
  rs.getReader();
  await assertRejects(rs.pipeTo(new WritableStream()), TypeError);
  const ws = new WritableStream();
  ws.getWriter();
  await assertRejects(new ReadableStream().pipeTo(ws), TypeError);
  await assertRejects(new ReadableStream().pipeTo({}), TypeError);
  assertThrows(() => new ReadableStream().pipeThrough({ readable: 1, writable: new WritableStream() }), TypeError);
});

test("backpressure: the pipe reads only as fast as the sink writes", async () => {
  let pulls = 0;
  const rs = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); if (pulls === 10) c.close(); } }, { highWaterMark: 0 });
  const writes = [];
  const ws = new WritableStream({ write(ch) { writes.push(ch); return delay(1); } }, { highWaterMark: 1 });
  await rs.pipeTo(ws);
  assertEquals(writes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test("close waits for all writes", async () => {
  const events = [];
  const ws = new WritableStream({
    write(ch) { events.push("w" + ch); return delay(2); },
    close() { events.push("close"); },
  });
  await source([1, 2, 3]).pipeTo(ws);
  assertEquals(events, ["w1", "w2", "w3", "close"]);
});

test("AbortSignal stops the pipe with its reason", async () => {
  if (typeof AbortController !== "function") return;
  const ac = new AbortController();
  const info = { open: true };
  const rs = source([1], info);
  const winfo = {};
  const ws = sink(winfo);
  const p = rs.pipeTo(ws, { signal: ac.signal });
  await flush();
  ac.abort("enough");
  assertEquals(await assertRejects(p), "enough");
  assertEquals(info.cancelled, "enough");
  assertEquals(winfo.aborted, "enough");
  const pre = new AbortController();
  pre.abort();
  const e = await assertRejects(source([1]).pipeTo(sink(), { signal: pre.signal }));
  assertEquals(e.name, "AbortError");
  const ac2 = new AbortController();
  const info2 = { open: true }, winfo2 = {};
  const p2 = source([], info2).pipeTo(sink(winfo2), { signal: ac2.signal, preventAbort: true, preventCancel: true });
  ac2.abort("x");
  await assertRejects(p2);
  assertEquals([info2.cancelled, winfo2.aborted], [undefined, undefined]);
  await assertRejects(new ReadableStream().pipeTo(new WritableStream(), { signal: "no" }), TypeError);
});

test("pipeThrough returns the readable and pipes into the writable", async () => {
  const ts = new TransformStream({ transform(ch, c) { c.enqueue(ch * 2); } });
  const out = source([1, 2]).pipeThrough(ts);
  assert(out === ts.readable);
  const got = [];
  for await (const x of out) got.push(x);
  assertEquals(got, [2, 4]);
});

test("pipeThrough with a plain {readable, writable} pair", async () => {
  const ts = new TransformStream();
  const out = source(["z"]).pipeThrough({ readable: ts.readable, writable: ts.writable });
  const r = out.getReader();
  assertEquals((await r.read()).value, "z");
});

test("the pipe marks the source disturbed and chains", async () => {
  const chain = source(["a", "b"])
    .pipeThrough(new TransformStream({ transform(c, k) { k.enqueue(c + "1"); } }))
    .pipeThrough(new TransformStream({ transform(c, k) { k.enqueue(c + "2"); } }));
  const got = [];
  for await (const x of chain) got.push(x);
  assertEquals(got, ["a12", "b12"]);
});
