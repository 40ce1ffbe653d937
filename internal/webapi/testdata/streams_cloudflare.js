// Cloudflare's IdentityTransformStream and FixedLengthStream.

async function readBytes(rs) {
  const out = [];
  for await (const c of rs) out.push(...c);
  return out;
}

test("IdentityTransformStream passes bytes through", async () => {
  const ts = new IdentityTransformStream();
  assert(ts instanceof TransformStream);
  const w = ts.writable.getWriter();
  const done = readBytes(ts.readable);
  await w.write(new Uint8Array([1, 2]));
  await w.write(new Uint16Array([0x0403]).buffer);
  await w.write(new DataView(new Uint8Array([5]).buffer));
  await w.write(new Uint8Array(0));
  await w.close();
  assertEquals(await done, [1, 2, 3, 4, 5]);
});

test("IdentityTransformStream rejects non-byte chunks with workerd's message", async () => {
  const ts = new IdentityTransformStream();
  const w = ts.writable.getWriter();
  const read = ts.readable.getReader().read();
  const e = await assertRejects(w.write("text"), TypeError);
  assert(e.message.includes("received a string"), e.message);
  await assertRejects(read, TypeError);
  const ts2 = new IdentityTransformStream();
  const w2 = ts2.writable.getWriter();
  ts2.readable.getReader().read().catch(() => {});
  const e2 = await assertRejects(w2.write({}), TypeError);
  assert(e2.message.includes("non-ArrayBuffer/ArrayBufferView"), e2.message);
});

test("IdentityTransformStream readable supports BYOB readers", async () => {
  const ts = new IdentityTransformStream();
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(10));
  w.write(new Uint8Array([7, 8, 9]));
  const { value } = await p;
  assertEquals(Array.from(value), [7, 8, 9]);
  w.close();
  const end = await r.read(new Uint8Array(4));
  assertEquals(end.done, true);
});

test("writer's buffer may be reused after a write", async () => {
  const ts = new IdentityTransformStream();
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const buf = new Uint8Array([1]);
  const p = r.read();
  await w.write(buf);
  buf[0] = 2;
  assertEquals(Array.from((await p).value), [1]);
});

test("FixedLengthStream with exactly the expected length", async () => {
  const ts = new FixedLengthStream(5);
  assert(ts instanceof IdentityTransformStream);
  assert(ts instanceof TransformStream);
  const w = ts.writable.getWriter();
  const done = readBytes(ts.readable);
  w.write(new Uint8Array([1, 2, 3]));
  w.write(new Uint8Array([4, 5]));
  await w.close();
  assertEquals(await done, [1, 2, 3, 4, 5]);
  new FixedLengthStream(10n);
  assertThrows(() => new FixedLengthStream(-1), TypeError);
  assertThrows(() => new FixedLengthStream(1.5), TypeError);
});

test("FixedLengthStream errors on too many bytes", async () => {
  const ts = new FixedLengthStream(2);
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const p = r.read();
  const e = await assertRejects(w.write(new Uint8Array(3)), TypeError);
  assert(e.message.includes("too many bytes"), e.message);
  await assertRejects(p, TypeError);
});

test("FixedLengthStream errors on too few bytes at close", async () => {
  const ts = new FixedLengthStream(4);
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const p = r.read();
  await w.write(new Uint8Array(2));
  await p;
  const e = await assertRejects(w.close(), TypeError);
  assert(e.message.includes("did not see all expected bytes"), e.message);
  await assertRejects(r.read(), TypeError);
});

test("pipeThrough an IdentityTransformStream", async () => {
  const src = ReadableStream.from([new Uint8Array([1]), new Uint8Array([2, 3])]);
  assertEquals(await readBytes(src.pipeThrough(new IdentityTransformStream())), [1, 2, 3]);
});
