// WritableStream cases after WPT streams/writable-streams/*.any.js.

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

function recordingSink(extra = {}) {
  const events = [];
  const sink = {
    events,
    start(c) { events.push("start"); sink.controller = c; if (extra.start) return extra.start(c); },
    write(chunk, c) { events.push("write:" + chunk); if (extra.write) return extra.write(chunk, c); },
    close() { events.push("close"); if (extra.close) return extra.close(); },
    abort(r) { events.push("abort:" + r); if (extra.abort) return extra.abort(r); },
  };
  return sink;
}

test("constructor validation", () => {
  new WritableStream();
  new WritableStream({});
  assertThrows(() => new WritableStream({ type: "bytes" }), RangeError);
  assertThrows(() => new WritableStream({ write: 1 }), TypeError);
  assertThrows(() => new WritableStream({}, { highWaterMark: -1 }), RangeError);
  assertThrows(() => new WritableStreamDefaultController(), TypeError);
  assertEquals(Object.prototype.toString.call(new WritableStream()), "[object WritableStream]");
});

test("writes happen in order, one at a time, then close", async () => {
  const resolvers = [];
  const sink = recordingSink({ write: () => new Promise((r) => resolvers.push(r)) });
  const ws = new WritableStream(sink);
  const w = ws.getWriter();
  const p1 = w.write("a"), p2 = w.write("b");
  const pc = w.close();
  await flush();
  assertEquals(sink.events, ["start", "write:a"]);
  resolvers.shift()();
  await p1;
  await flush();
  assertEquals(sink.events, ["start", "write:a", "write:b"]);
  resolvers.shift()();
  await p2;
  await pc;
  assertEquals(sink.events, ["start", "write:a", "write:b", "close"]);
  await w.closed;
});

test("desiredSize and ready reflect backpressure", async () => {
  let resolveWrite;
  const ws = new WritableStream({ write() { return new Promise((r) => { resolveWrite = r; }); } }, { highWaterMark: 2 });
  const w = ws.getWriter();
  assertEquals(w.desiredSize, 2);
  await w.ready;
  w.write("a");
  assertEquals(w.desiredSize, 1);
  w.write("b");
  assertEquals(w.desiredSize, 0);
  let ready = false;
  w.ready.then(() => { ready = true; });
  await flush();
  assertEquals(ready, false);
  resolveWrite();
  await flush();
  assertEquals(ready, true);
  assertEquals(w.desiredSize, 1);
});

test("write rejects and stream errors when the sink's write rejects", async () => {
  const e = new Error("write");
  const ws = new WritableStream({ write() { throw e; } });
  const w = ws.getWriter();
  assert((await assertRejects(w.write("a"))) === e);
  assert((await assertRejects(w.closed)) === e);
  assert((await assertRejects(w.write("b"))) === e);
  assertEquals(w.desiredSize, null);
});

test("start rejection errors the stream", async () => {
  const e = new Error("start");
  const ws = new WritableStream({ start() { return Promise.reject(e); } });
  const w = ws.getWriter();
  assert((await assertRejects(w.closed)) === e);
});

test("writes wait for start", async () => {
  let resolveStart;
  const sink = recordingSink({ start: () => new Promise((r) => { resolveStart = r; }) });
  const w = new WritableStream(sink).getWriter();
  w.write("x");
  await flush();
  assertEquals(sink.events, ["start"]);
  resolveStart();
  await flush();
  assertEquals(sink.events, ["start", "write:x"]);
});

test("close: resolves after pending writes; write after close rejects", async () => {
  const sink = recordingSink();
  const ws = new WritableStream(sink);
  const w = ws.getWriter();
  w.write("1");
  const pc = w.close();
  await assertRejects(w.write("2"), TypeError);
  await assertRejects(w.close(), TypeError);
  await pc;
  assertEquals(sink.events, ["start", "write:1", "close"]);
  assertEquals(w.desiredSize, 0);
});

test("close rejection errors the stream", async () => {
  const e = new Error("close");
  const ws = new WritableStream({ close() { throw e; } });
  const w = ws.getWriter();
  assert((await assertRejects(w.close())) === e);
  assert((await assertRejects(w.closed)) === e);
});

test("abort: calls sink.abort, rejects pending writes, errors with the reason", async () => {
  let resolveWrite;
  const sink = recordingSink({ write: () => new Promise((r) => { resolveWrite = r; }) });
  const ws = new WritableStream(sink);
  const w = ws.getWriter();
  await flush();
  const p1 = w.write("a");
  const p2 = w.write("b");
  const pa = w.abort("reason");
  await assertRejects(w.ready);
  await flush();
  assertEquals(sink.events, ["start", "write:a"], "abort waits for the in-flight write");
  resolveWrite();
  await p1;
  assert((await assertRejects(p2)) === "reason", "queued write rejects with the reason");
  await pa;
  assertEquals(sink.events, ["start", "write:a", "abort:reason"]);
  assertEquals(await assertRejects(w.closed), "reason");
  await assertRejects(w.ready);
});

test("abort on a closed stream resolves; abort twice returns the same promise", async () => {
  const ws = new WritableStream();
  await ws.close();
  await ws.abort("x");
  const ws2 = new WritableStream({ abort() { return delay(5); } });
  const a = ws2.abort(1), b = ws2.abort(2);
  assert(a === b);
  await a;
});

test("abort rejection rejects abort()", async () => {
  const e = new Error("abort");
  const ws = new WritableStream({ abort() { throw e; } });
  assert((await assertRejects(ws.abort("r"))) === e);
});

test("controller.error errors the stream", async () => {
  let c;
  const ws = new WritableStream({ start(x) { c = x; } });
  const w = ws.getWriter();
  const e = new Error("ctl");
  c.error(e);
  assert((await assertRejects(w.closed)) === e);
  assert((await assertRejects(w.write(1))) === e);
  c.error(new Error("ignored"));
});

test("controller.signal aborts with the reason", async () => {
  let signal;
  const ws = new WritableStream({ start(c) { signal = c.signal; } });
  if (typeof AbortSignal === "function") assert(signal instanceof AbortSignal);
  assertEquals(signal.aborted, false);
  await ws.abort("why");
  let c2, seen;
  const ws2 = new WritableStream({
    start(c) { c2 = c; },
    write() { return new Promise(() => {}); },
  });
  const w2 = ws2.getWriter();
  w2.write("x");
  await flush();
  const pa = w2.abort("stop");
  seen = c2.signal;
  assertEquals(seen.aborted, true);
  assertEquals(seen.reason, "stop");
  void pa;
});

test("locking and releaseLock", async () => {
  const ws = new WritableStream();
  const w = ws.getWriter();
  assert(ws.locked);
  assertThrows(() => ws.getWriter(), TypeError);
  await assertRejects(ws.abort(), TypeError);
  await assertRejects(ws.close(), TypeError);
  w.releaseLock();
  assert(!ws.locked);
  await assertRejects(w.closed, TypeError);
  await assertRejects(w.ready, TypeError);
  await assertRejects(w.write("x"), TypeError);
  assertThrows(() => w.desiredSize, TypeError);
  const w2 = ws.getWriter();
  await w2.ready;
});

test("writer on errored and closed streams", async () => {
  const e = new Error("x");
  const ws = new WritableStream({ start(c) { c.error(e); } });
  await flush();
  const w = ws.getWriter();
  assert((await assertRejects(w.closed)) === e);
  assert((await assertRejects(w.ready)) === e);
  const ws2 = new WritableStream();
  await ws2.close();
  const w2 = ws2.getWriter();
  await w2.closed;
  await w2.ready;
  assertEquals(w2.desiredSize, 0);
});

test("size strategy: chunks are measured; throwing size errors the stream", async () => {
  const ws = new WritableStream({ write() { return new Promise(() => {}); } }, { highWaterMark: 10, size: (c) => c.length });
  const w = ws.getWriter();
  w.write("abc");
  w.write("defg");
  assertEquals(w.desiredSize, 3, "in-flight write still counts");
  const e = new Error("size");
  const ws2 = new WritableStream({}, { size() { throw e; } });
  const w2 = ws2.getWriter();
  assert((await assertRejects(w2.write("x"))) === e);
});

test("this is the sink; write gets the controller", async () => {
  let self, ctl;
  const sink = { write(chunk, c) { self = this; ctl = c; } };
  const ws = new WritableStream(sink);
  await ws.getWriter().write(1);
  assert(self === sink);
  assert(ctl instanceof WritableStreamDefaultController);
});

test("close resolves a pending ready (backpressure) promise", async () => {
  const ws = new WritableStream({ write() { return new Promise(() => {}); } }, { highWaterMark: 1 });
  const w = ws.getWriter();
  w.write("a");
  w.write("b");
  const ready = w.ready;
  let resolved = false;
  ready.then(() => { resolved = true; });
  w.close();
  await flush();
  assertEquals(resolved, true);
});

test("abort while close is in flight: close wins, abort resolves", async () => {
  let resolveClose;
  const ws = new WritableStream({ close() { return new Promise((r) => { resolveClose = r; }); } });
  const w = ws.getWriter();
  const pc = w.close();
  await flush();
  const pa = w.abort("late");
  resolveClose();
  await pc;
  await pa;
  await w.closed;
});

test("abort with an in-flight close that rejects", async () => {
  const e = new Error("close failed");
  let rejectClose;
  const ws = new WritableStream({ close() { return new Promise((_, r) => { rejectClose = r; }); } });
  const w = ws.getWriter();
  const pc = w.close();
  await flush();
  const pa = w.abort("late");
  rejectClose(e);
  assert((await assertRejects(pc)) === e);
  assert((await assertRejects(pa)) === e);
});

test("writer.desiredSize while erroring is null", async () => {
  const ws = new WritableStream({ write() { return new Promise(() => {}); } });
  const w = ws.getWriter();
  w.write("x");
  await flush();
  w.abort("r");
  assertEquals(w.desiredSize, null);
});

test("ready is a fresh pending promise after backpressure returns", async () => {
  const resolvers = [];
  const ws = new WritableStream({ write() { return new Promise((r) => resolvers.push(r)); } });
  const w = ws.getWriter();
  await w.ready;
  w.write(1);
  const r1 = w.ready;
  resolvers.shift()();
  await r1;
  w.write(2);
  const r2 = w.ready;
  assert(r1 !== r2, "a new ready promise for new backpressure");
});
