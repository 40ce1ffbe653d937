// ReadableStream cases after WPT streams/readable-streams/*.any.js.

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

test("constructor and prototype shape", () => {
  const rs = new ReadableStream();
  assertEquals(typeof rs.getReader, "function");
  assertEquals(rs.locked, false);
  new ReadableStream({});
  new ReadableStream(null);
  assertThrows(() => new ReadableStream({ type: "nope" }), TypeError);
  assertThrows(() => new ReadableStream({ start: 1 }), TypeError);
  assertThrows(() => new ReadableStream({ pull: "x" }), TypeError);
  assertThrows(() => new ReadableStream({}, { highWaterMark: -1 }), RangeError);
  assertThrows(() => new ReadableStream({}, { highWaterMark: NaN }), RangeError);
  assertThrows(() => new ReadableStream({}, { size: 1 }), TypeError);
  assertThrows(() => new ReadableStream({ type: "bytes" }, { size: () => 1 }), RangeError);
  assertThrows(() => new ReadableStreamDefaultController(), TypeError);
  assertThrows(() => new ReadableByteStreamController(), TypeError);
  assertThrows(() => new ReadableStreamBYOBRequest(), TypeError);
  assertEquals(Object.prototype.toString.call(rs), "[object ReadableStream]");
  assert(!Object.keys(globalThis).includes("ReadableStream"), "globals are not enumerable");
});

test("start throwing makes the constructor throw", () => {
  const e = new Error("boom");
  const got = assertThrows(() => new ReadableStream({ start() { throw e; } }));
  assert(got === e);
});

test("start receives the controller; this is the source", async () => {
  let ctrl, self;
  const src = { start(c) { ctrl = c; self = this; } };
  new ReadableStream(src);
  assert(ctrl instanceof ReadableStreamDefaultController);
  assert(self === src);
  assertEquals(ctrl.desiredSize, 1);
});

test("enqueue, close and read in order", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const r = rs.getReader();
  assertEquals(await r.read(), { value: "a", done: false });
  assertEquals(await r.read(), { value: "b", done: false });
  assertEquals(await r.read(), { value: undefined, done: true });
  assertEquals(await r.read(), { value: undefined, done: true });
  await r.closed;
});

test("pull is called after start, and again while desiredSize > 0", async () => {
  let pulls = 0;
  const rs = new ReadableStream({
    pull(c) { pulls++; c.enqueue(pulls); },
  }, { highWaterMark: 3 });
  await flush();
  assertEquals(pulls, 3, "fills to the high water mark");
  const r = rs.getReader();
  assertEquals((await r.read()).value, 1);
  await flush();
  assertEquals(pulls, 4);
});

test("pull is not called concurrently; pullAgain", async () => {
  let pulls = 0, resolvePull;
  const rs = new ReadableStream({
    pull() { pulls++; return new Promise((r) => { resolvePull = r; }); },
  }, { highWaterMark: 0 });
  const r = rs.getReader();
  await flush();
  r.read(); r.read();
  await flush();
  assertEquals(pulls, 1);
  resolvePull();
  await flush();
  assertEquals(pulls, 2);
});

test("pull is not called before start resolves", async () => {
  let pulled = false, startResolve;
  new ReadableStream({
    start() { return new Promise((r) => { startResolve = r; }); },
    pull() { pulled = true; },
  });
  await flush();
  assertEquals(pulled, false);
  startResolve();
  await flush();
  assertEquals(pulled, true);
});

test("start rejection errors the stream", async () => {
  const e = new Error("start");
  const rs = new ReadableStream({ start() { return Promise.reject(e); } });
  const r = rs.getReader();
  const got = await assertRejects(r.read());
  assert(got === e);
  assert((await assertRejects(r.closed)) === e);
});

test("pull throwing errors the stream", async () => {
  const e = new Error("pull");
  const rs = new ReadableStream({ pull() { throw e; } });
  assert((await assertRejects(rs.getReader().read())) === e);
});

test("controller.error rejects pending and future reads", async () => {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  const r = rs.getReader();
  const p = r.read();
  const e = new Error("err");
  c.error(e);
  assert((await assertRejects(p)) === e);
  assert((await assertRejects(r.read())) === e);
  assertEquals(c.desiredSize, null);
  c.error(new Error("ignored")); // no-op
});

test("enqueue after close throws TypeError; close twice throws", () => {
  new ReadableStream({
    start(c) {
      c.close();
      assertThrows(() => c.enqueue("x"), TypeError);
      assertThrows(() => c.close(), TypeError);
      assertEquals(c.desiredSize, 0);
    },
  });
});

test("close with queued chunks drains them first", async () => {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  c.enqueue(1);
  c.close();
  const r = rs.getReader();
  assertEquals(await r.read(), { value: 1, done: false });
  assertEquals(await r.read(), { value: undefined, done: true });
});

test("desiredSize follows the queue and strategy size", async () => {
  let c;
  new ReadableStream({ start(x) { c = x; } }, { highWaterMark: 10, size: (ch) => ch.length });
  assertEquals(c.desiredSize, 10);
  c.enqueue("abcd");
  assertEquals(c.desiredSize, 6);
  c.enqueue("abcdefgh");
  assertEquals(c.desiredSize, -2);
});

test("size function errors and invalid sizes error the stream", async () => {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { size() { return -1; } });
  assertThrows(() => c.enqueue("x"), RangeError);
  await assertRejects(rs.getReader().read(), RangeError);
  let c2;
  const e = new Error("size");
  const rs2 = new ReadableStream({ start(x) { c2 = x; } }, { size() { throw e; } });
  assert(assertThrows(() => c2.enqueue("x")) === e);
  assert((await assertRejects(rs2.getReader().read())) === e);
});

test("CountQueuingStrategy and ByteLengthQueuingStrategy", () => {
  const cs = new CountQueuingStrategy({ highWaterMark: 4 });
  assertEquals(cs.highWaterMark, 4);
  assertEquals(cs.size(), 1);
  assert(cs.size === new CountQueuingStrategy({ highWaterMark: 1 }).size, "size is shared");
  const bs = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assertEquals(bs.size(new Uint8Array(5)), 5);
  assertThrows(() => new CountQueuingStrategy(), TypeError);
  assertThrows(() => new ByteLengthQueuingStrategy({}), TypeError);
  let c;
  new ReadableStream({ start(x) { c = x; } }, bs);
  c.enqueue(new Uint8Array(10));
  assertEquals(c.desiredSize, 6);
});

test("locking: getReader locks, releaseLock unlocks", async () => {
  const rs = new ReadableStream();
  const r = rs.getReader();
  assert(rs.locked);
  assertThrows(() => rs.getReader(), TypeError);
  assertThrows(() => new ReadableStreamDefaultReader(rs), TypeError);
  await assertRejects(rs.cancel(), TypeError);
  r.releaseLock();
  assert(!rs.locked);
  await assertRejects(r.closed, TypeError);
  await assertRejects(r.read(), TypeError);
  r.releaseLock(); // no-op
  const r2 = rs.getReader();
  assert(r2 !== r);
});

test("releaseLock rejects pending reads with TypeError", async () => {
  const rs = new ReadableStream();
  const r = rs.getReader();
  const p = r.read();
  r.releaseLock();
  await assertRejects(p, TypeError);
});

test("closed promise of a reader for a closed or errored stream", async () => {
  const closed = new ReadableStream({ start(c) { c.close(); } });
  await closed.getReader().closed;
  const e = new Error("x");
  const errored = new ReadableStream({ start(c) { c.error(e); } });
  assert((await assertRejects(errored.getReader().closed)) === e);
});

test("cancel calls the source's cancel with the reason and empties the queue", async () => {
  let reason;
  const rs = new ReadableStream({
    start(c) { c.enqueue("a"); },
    cancel(r) { reason = r; return "ignored"; },
  });
  const r = rs.getReader();
  const p = r.read();
  assertEquals(await r.cancel("why"), undefined);
  assertEquals(reason, "why");
  assertEquals((await p).value, "a");
  assertEquals(await r.read(), { value: undefined, done: true });
});

test("cancel rejects with the source's cancel error; closed stream cancel resolves", async () => {
  const e = new Error("cancel");
  const rs = new ReadableStream({ cancel() { throw e; } });
  assert((await assertRejects(rs.cancel())) === e);
  const closed = new ReadableStream({ start(c) { c.close(); } });
  await closed.cancel();
  const errored = new ReadableStream({ start(c) { c.error(e); } });
  assert((await assertRejects(errored.cancel())) === e);
});

test("cancel resolves pending reads as done", async () => {
  const rs = new ReadableStream();
  const r = rs.getReader();
  const p = r.read();
  await r.cancel();
  assertEquals(await p, { value: undefined, done: true });
});

test("getReader mode validation", () => {
  assertThrows(() => new ReadableStream().getReader({ mode: "nope" }), TypeError);
  assertThrows(() => new ReadableStream().getReader({ mode: "byob" }), TypeError);
  assert(new ReadableStream().getReader({ mode: undefined }) instanceof ReadableStreamDefaultReader);
});

test("async iteration reads all chunks and releases", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.enqueue(3); c.close(); } });
  const got = [];
  for await (const x of rs) got.push(x);
  assertEquals(got, [1, 2, 3]);
  assert(!rs.locked);
});

test("break in for-await cancels the stream", async () => {
  let cancelled = false;
  const rs = new ReadableStream({
    pull(c) { c.enqueue(1); },
    cancel() { cancelled = true; },
  });
  for await (const x of rs) { assertEquals(x, 1); break; }
  assert(cancelled);
  assert(!rs.locked);
});

test("values({preventCancel: true}) does not cancel on break", async () => {
  let cancelled = false;
  const rs = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel() { cancelled = true; } });
  for await (const x of rs.values({ preventCancel: true })) { void x; break; }
  assert(!cancelled);
  assert(!rs.locked);
  assertEquals((await rs.getReader().read()).value, 1);
});

test("async iterator: errors reject next(); next after done", async () => {
  const e = new Error("it");
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.error(e); } });
  const it = rs.values();
  await assertRejects(it.next());
  const rs2 = new ReadableStream({ start(c) { c.close(); } });
  const it2 = rs2[Symbol.asyncIterator]();
  assertEquals(await it2.next(), { value: undefined, done: true });
  assertEquals(await it2.next(), { value: undefined, done: true });
  assertEquals(await it2.return("x"), { value: "x", done: true });
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(it2));
  assert(typeof proto[Symbol.asyncIterator] === "function", "inherits %AsyncIteratorPrototype%");
});

test("async iterator: concurrent next() calls resolve in order", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const it = rs.values();
  const [a, b, c] = await Promise.all([it.next(), it.next(), it.next()]);
  assertEquals([a.value, b.value, c.done], ["a", "b", true]);
});

test("iterator locks the stream", () => {
  const rs = new ReadableStream();
  rs.values();
  assert(rs.locked);
  assertThrows(() => rs.values(), TypeError);
});

test("ReadableStream.from: arrays, generators, async generators", async () => {
  const collect = async (s) => { const a = []; for await (const x of s) a.push(x); return a; };
  assertEquals(await collect(ReadableStream.from([1, 2, 3])), [1, 2, 3]);
  assertEquals(await collect(ReadableStream.from((function* () { yield "a"; yield "b"; })())), ["a", "b"]);
  assertEquals(await collect(ReadableStream.from((async function* () { yield 1; await delay(1); yield 2; })())), [1, 2]);
  assertEquals(await collect(ReadableStream.from([Promise.resolve(5)])), [5], "sync iterables' promises are awaited");
  const inner = new ReadableStream({ start(c) { c.enqueue("x"); c.close(); } });
  assertEquals(await collect(ReadableStream.from(inner)), ["x"]);
  assertThrows(() => ReadableStream.from(1), TypeError);
  assertThrows(() => ReadableStream.from(null), TypeError);
  assert(ReadableStream.from([]) instanceof ReadableStream);
});

test("ReadableStream.from: cancel calls return; errors propagate", async () => {
  let returned;
  const it = {
    [Symbol.asyncIterator]() { return this; },
    next() { return Promise.resolve({ value: 1, done: false }); },
    return(r) { returned = r; return Promise.resolve({ done: true }); },
  };
  const rs = ReadableStream.from(it);
  await rs.cancel("bye");
  assertEquals(returned, "bye");
  const e = new Error("gen");
  const bad = ReadableStream.from((async function* () { yield 1; throw e; })());
  const r = bad.getReader();
  assertEquals((await r.read()).value, 1);
  assert((await assertRejects(r.read())) === e);
});

test("reads are lazy: from() pulls only on demand", async () => {
  let n = 0;
  const rs = ReadableStream.from((function* () { for (;;) yield n++; })());
  await flush();
  assertEquals(n, 0, "highWaterMark 0");
  const r = rs.getReader();
  assertEquals((await r.read()).value, 0);
  assertEquals(n, 1);
});

test("enqueue fulfills a pending read directly", async () => {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { highWaterMark: 0 });
  const r = rs.getReader();
  const p = r.read();
  c.enqueue("direct");
  assertEquals(await p, { value: "direct", done: false });
  assertEquals(c.desiredSize, 0);
});

test("brand checks throw TypeError", async () => {
  const get = Object.getOwnPropertyDescriptor(ReadableStream.prototype, "locked").get;
  assertThrows(() => get.call({}), TypeError);
  await assertRejects(ReadableStream.prototype.cancel.call({}), TypeError);
  await assertRejects(ReadableStreamDefaultReader.prototype.read.call({}), TypeError);
  assertThrows(() => ReadableStream.prototype.getReader.call({}), TypeError);
});

test("reader.closed resolves on close, even with a pending read", async () => {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  const r = rs.getReader();
  const p = r.read();
  c.close();
  assertEquals(await p, { value: undefined, done: true });
  await r.closed;
});

test("releaseLock after close: closed promise is replaced by a rejected one", async () => {
  const rs = new ReadableStream({ start(c) { c.close(); } });
  const r = rs.getReader();
  await r.closed;
  r.releaseLock();
  await assertRejects(r.closed, TypeError);
});

test("highWaterMark Infinity keeps pulling while pull enqueues", async () => {
  let n = 0;
  const rs = new ReadableStream({ pull(c) { if (++n === 5) c.close(); else c.enqueue(n); } }, { highWaterMark: Infinity });
  await flush();
  assertEquals(n, 5);
  const got = [];
  for await (const x of rs) got.push(x);
  assertEquals(got, [1, 2, 3, 4]);
});

test("chunks can be any value, including undefined", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue(undefined); c.enqueue(null); c.enqueue(0); c.close(); } });
  const r = rs.getReader();
  assertEquals((await r.read()).value, undefined);
  assertEquals((await r.read()).value, null);
  assertEquals((await r.read()).value, 0);
  assertEquals((await r.read()).done, true);
});
