// Byte stream cases after WPT streams/readable-byte-streams/*.any.js.

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

test("byte stream: default reader gets Uint8Arrays; enqueue transfers", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  assert(c instanceof ReadableByteStreamController);
  const chunk = new Uint8Array([1, 2, 3]);
  c.enqueue(chunk);
  assertEquals(chunk.byteLength, 0, "the enqueued buffer is detached");
  const r = rs.getReader();
  const { value } = await r.read();
  assert(value instanceof Uint8Array);
  assertEquals(Array.from(value), [1, 2, 3]);
});

test("byte controller validation", () => {
  new ReadableStream({
    type: "bytes",
    start(c) {
      assertThrows(() => c.enqueue("str"), TypeError);
      assertThrows(() => c.enqueue(new Uint8Array(0)), TypeError);
      assertEquals(c.desiredSize, 0);
      assertEquals(c.byobRequest, null);
      c.close();
      assertThrows(() => c.close(), TypeError);
      assertThrows(() => c.enqueue(new Uint8Array(1)), TypeError);
    },
  });
  assertThrows(() => new ReadableStream({ type: "bytes", autoAllocateChunkSize: 0 }), TypeError);
});

test("BYOB reader reads into the given buffer", async () => {
  const rs = new ReadableStream({
    type: "bytes",
    pull(c) {
      const req = c.byobRequest;
      assert(req !== null, "byobRequest present for a BYOB read");
      assert(req.view instanceof Uint8Array);
      req.view[0] = 7;
      req.view[1] = 8;
      req.respond(2);
    },
  });
  const r = rs.getReader({ mode: "byob" });
  assert(r instanceof ReadableStreamBYOBReader);
  const buf = new ArrayBuffer(16);
  const { value, done } = await r.read(new Uint8Array(buf, 4, 8));
  assertEquals(done, false);
  assertEquals(buf.byteLength, 0, "the view's buffer was transferred");
  assertEquals(value.byteOffset, 4);
  assertEquals(value.byteLength, 2);
  assertEquals(value.buffer.byteLength, 16);
  assertEquals(Array.from(value), [7, 8]);
});

test("BYOB read is filled from queued chunks", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  c.enqueue(new Uint8Array([1, 2, 3]));
  c.enqueue(new Uint8Array([4, 5]));
  const r = rs.getReader({ mode: "byob" });
  const a = await r.read(new Uint8Array(4));
  assertEquals(Array.from(a.value), [1, 2, 3, 4]);
  const b = await r.read(new Uint8Array(4));
  assertEquals(Array.from(b.value), [5]);
});

test("BYOB read with a multi-byte element type and min", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint16Array(4), { min: 2 });
  c.enqueue(new Uint8Array([1, 0, 2]));
  await flush();
  c.enqueue(new Uint8Array([0, 3]));
  const { value } = await p;
  assert(value instanceof Uint16Array);
  assertEquals(Array.from(value), [1, 2]);
  const rest = await r.read(new Uint8Array(4));
  assertEquals(Array.from(rest.value), [3], "the odd byte stays queued");
});

test("BYOB read validation", async () => {
  const rs = new ReadableStream({ type: "bytes" });
  const r = rs.getReader({ mode: "byob" });
  await assertRejects(r.read(), TypeError);
  await assertRejects(r.read(new Uint8Array(0)), TypeError);
  await assertRejects(r.read(new Uint8Array(2), { min: 0 }), TypeError);
  await assertRejects(r.read(new Uint8Array(2), { min: 3 }), RangeError);
  await assertRejects(r.read("x"), TypeError);
});

test("BYOB read on a closed stream returns an empty view, done", async () => {
  const rs = new ReadableStream({ type: "bytes", start(c) { c.close(); } });
  const r = rs.getReader({ mode: "byob" });
  const { value, done } = await r.read(new Uint8Array(4));
  assertEquals(done, true);
  assertEquals(value.byteLength, 0);
  assertEquals(value.buffer.byteLength, 4);
});

test("close with a pending BYOB read: respond(0) completes it as done", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await flush();
  c.close();
  c.byobRequest.respond(0);
  const { value, done } = await p;
  assertEquals(done, true);
  assertEquals(value.byteLength, 0);
});

test("respond validation", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  r.read(new Uint8Array(4));
  await flush();
  const req = c.byobRequest;
  assertThrows(() => req.respond(0), TypeError);
  assertThrows(() => req.respond(5), RangeError);
  req.respond(4);
  assertEquals(req.view, null, "the request is invalidated");
  assertThrows(() => req.respond(1), TypeError);
});

test("respondWithNewView", async () => {
  const rs = new ReadableStream({
    type: "bytes",
    pull(c) {
      const v = c.byobRequest.view;
      const nv = new Uint8Array(v.buffer, v.byteOffset, 2);
      nv.set([9, 9]);
      c.byobRequest.respondWithNewView(nv);
    },
  });
  const r = rs.getReader({ mode: "byob" });
  const { value } = await r.read(new Uint8Array(8));
  assertEquals(Array.from(value), [9, 9]);
  const rs2 = new ReadableStream({
    type: "bytes",
    pull(c) { assertThrows(() => c.byobRequest.respondWithNewView(new Uint8Array(2)), RangeError); c.close(); c.byobRequest.respond(0); },
  });
  await rs2.getReader({ mode: "byob" }).read(new Uint8Array(8));
});

test("autoAllocateChunkSize gives default readers a byobRequest", async () => {
  const rs = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 16,
    pull(c) {
      const v = c.byobRequest.view;
      assertEquals(v.byteLength, 16);
      v[0] = 42;
      c.byobRequest.respond(1);
    },
  });
  const { value } = await rs.getReader().read();
  assertEquals(Array.from(value), [42]);
});

test("enqueue while a BYOB read is pending fills it", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(8));
  await flush();
  c.enqueue(new Uint8Array([1, 2, 3]));
  const { value } = await p;
  assertEquals(Array.from(value), [1, 2, 3]);
  assertEquals(value.buffer.byteLength, 8);
});

test("error rejects pending BYOB reads", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(2));
  const e = new Error("bytes");
  c.error(e);
  assert((await assertRejects(p)) === e);
  assert((await assertRejects(r.closed)) === e);
});

test("releaseLock with a pending BYOB read, then a default reader", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await flush();
  r.releaseLock();
  await assertRejects(p, TypeError);
  const r2 = rs.getReader();
  const p2 = r2.read();
  c.enqueue(new Uint8Array([5]));
  assertEquals(Array.from((await p2).value), [5]);
});

test("cancel resolves pending BYOB reads as done", async () => {
  const rs = new ReadableStream({ type: "bytes" });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await r.cancel();
  const res = await p;
  assertEquals(res.done, true);
  assertEquals(res.value, undefined);
});

test("readAtLeast (workerd)", async () => {
  let c;
  const rs = new ReadableStream({ type: "bytes", start(x) { c = x; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.readAtLeast(3, new Uint8Array(8));
  c.enqueue(new Uint8Array([1]));
  await flush();
  c.enqueue(new Uint8Array([2, 3]));
  assertEquals(Array.from((await p).value), [1, 2, 3]);
});

test("desiredSize of a byte stream", () => {
  let c;
  new ReadableStream({ type: "bytes", start(x) { c = x; } }, { highWaterMark: 10 });
  assertEquals(c.desiredSize, 10);
  c.enqueue(new Uint8Array(4));
  assertEquals(c.desiredSize, 6);
});

test("async iteration over a byte stream", async () => {
  const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1])); c.enqueue(new Uint8Array([2])); c.close(); } });
  const out = [];
  for await (const ch of rs) out.push(...ch);
  assertEquals(out, [1, 2]);
});
