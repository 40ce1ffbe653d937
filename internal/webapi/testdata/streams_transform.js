// TransformStream cases after WPT streams/transform-streams/*.any.js.

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

async function readAll(rs) {
  const out = [];
  for await (const x of rs) out.push(x);
  return out;
}

test("identity TransformStream passes chunks through", async () => {
  const ts = new TransformStream();
  assert(ts.readable instanceof ReadableStream);
  assert(ts.writable instanceof WritableStream);
  const w = ts.writable.getWriter();
  w.write("a");
  w.write({ b: 1 });
  w.close();
  assertEquals(await readAll(ts.readable), ["a", { b: 1 }]);
});

test("constructor validation", () => {
  assertThrows(() => new TransformStream({ readableType: "bytes" }), RangeError);
  assertThrows(() => new TransformStream({ writableType: "bytes" }), RangeError);
  assertThrows(() => new TransformStream({ transform: 1 }), TypeError);
  assertThrows(() => new TransformStreamDefaultController(), TypeError);
  const e = new Error("start");
  assert(assertThrows(() => new TransformStream({ start() { throw e; } })) === e);
});

test("transform can enqueue several chunks, flush at the end", async () => {
  const ts = new TransformStream({
    transform(chunk, c) { for (const ch of chunk) c.enqueue(ch); },
    flush(c) { c.enqueue("END"); },
  });
  const w = ts.writable.getWriter();
  w.write("ab");
  w.write("c");
  w.close();
  assertEquals(await readAll(ts.readable), ["a", "b", "c", "END"]);
});

test("async transform runs one chunk at a time", async () => {
  const log = [];
  const ts = new TransformStream({
    async transform(chunk, c) {
      log.push("start " + chunk);
      await delay(2);
      log.push("end " + chunk);
      c.enqueue(chunk);
    },
  });
  const w = ts.writable.getWriter();
  const out = readAll(ts.readable);
  w.write(1);
  w.write(2);
  w.close();
  assertEquals(await out, [1, 2]);
  assertEquals(log, ["start 1", "end 1", "start 2", "end 2"]);
});

test("transform throwing errors both sides", async () => {
  const e = new Error("t");
  const ts = new TransformStream({ transform() { throw e; } });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const read = r.read();
  assert((await assertRejects(w.write("x"))) === e);
  assert((await assertRejects(read)) === e);
  assert((await assertRejects(w.closed)) === e);
});

test("flush throwing errors the readable and rejects close", async () => {
  const e = new Error("f");
  const ts = new TransformStream({ flush() { throw e; } });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  assert((await assertRejects(w.close())) === e);
  assert((await assertRejects(r.closed)) === e);
});

test("controller.error and terminate", async () => {
  let c;
  const ts = new TransformStream({ start(x) { c = x; } });
  const e = new Error("ctl");
  c.error(e);
  assert((await assertRejects(ts.readable.getReader().read())) === e);
  assert((await assertRejects(ts.writable.getWriter().write(1))) === e);

  let c2;
  const ts2 = new TransformStream({ start(x) { c2 = x; } });
  c2.enqueue("last");
  c2.terminate();
  const r = ts2.readable.getReader();
  assertEquals((await r.read()).value, "last");
  assertEquals((await r.read()).done, true);
  await assertRejects(ts2.writable.getWriter().write(1), TypeError);
});

test("enqueue after terminate throws TypeError", () => {
  new TransformStream({
    start(c) {
      c.terminate();
      assertThrows(() => c.enqueue(1), TypeError);
    },
  });
});

test("backpressure: readable highWaterMark 0 holds writes until read", async () => {
  let transformed = 0;
  const ts = new TransformStream({ transform(ch, c) { transformed++; c.enqueue(ch); } });
  const w = ts.writable.getWriter();
  w.write(1);
  await flush();
  assertEquals(transformed, 0, "no transform before anybody reads");
  assertEquals(w.desiredSize, 0);
  const r = ts.readable.getReader();
  assertEquals((await r.read()).value, 1);
  assertEquals(transformed, 1);
});

test("strategies: writable and readable high water marks", async () => {
  const ts = new TransformStream({}, { highWaterMark: 4 }, { highWaterMark: 2 });
  const w = ts.writable.getWriter();
  assertEquals(w.desiredSize, 4);
  let c;
  new TransformStream({ start(x) { c = x; } }, undefined, { highWaterMark: 3 });
  assertEquals(c.desiredSize, 3);
});

test("readable cancel calls transformer.cancel and errors the writable", async () => {
  let reason;
  const ts = new TransformStream({ cancel(r) { reason = r; } });
  await ts.readable.cancel("stop");
  assertEquals(reason, "stop");
  assertEquals(await assertRejects(ts.writable.getWriter().write(1)), "stop");
});

test("writable abort calls transformer.cancel and errors the readable", async () => {
  let reason;
  const ts = new TransformStream({ cancel(r) { reason = r; } });
  await ts.writable.abort("gone");
  assertEquals(reason, "gone");
  assertEquals(await assertRejects(ts.readable.getReader().read()), "gone");
});

test("this is the transformer", async () => {
  const tr = { transform(ch, c) { c.enqueue(this === tr); } };
  const ts = new TransformStream(tr);
  const w = ts.writable.getWriter();
  w.write(1);
  w.close();
  assertEquals(await readAll(ts.readable), [true]);
});

test("subclassing TransformStream", async () => {
  class Upper extends TransformStream {
    constructor() { super({ transform(ch, c) { c.enqueue(ch.toUpperCase()); } }); }
  }
  const u = new Upper();
  assert(u instanceof TransformStream);
  const out = ReadableStream.from(["x", "y"]).pipeThrough(u);
  assertEquals(await readAll(out), ["X", "Y"]);
});
