// tee() cases after WPT streams/readable-streams/tee.any.js.

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

async function readAll(rs) {
  const out = [];
  for await (const x of rs) out.push(x);
  return out;
}

test("tee gives both branches every chunk", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const [a, b] = rs.tee();
  assert(rs.locked);
  assertEquals(await readAll(a), ["a", "b"]);
  assertEquals(await readAll(b), ["a", "b"]);
});

test("branches can be read at different speeds", async () => {
  const rs = ReadableStream.from([1, 2, 3]);
  const [a, b] = rs.tee();
  const ra = a.getReader();
  assertEquals((await ra.read()).value, 1);
  assertEquals(await readAll(b), [1, 2, 3]);
  assertEquals((await ra.read()).value, 2);
});

test("chunks are the same objects in both branches (no clone)", async () => {
  const obj = { x: 1 };
  const [a, b] = new ReadableStream({ start(c) { c.enqueue(obj); c.close(); } }).tee();
  assert((await a.getReader().read()).value === obj);
  assert((await b.getReader().read()).value === obj);
});

test("errors reach both branches", async () => {
  const e = new Error("tee");
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.error(e); } });
  const [a, b] = rs.tee();
  assert((await assertRejects(readAll(a))) === e);
  assert((await assertRejects(readAll(b))) === e);
});

test("cancelling both branches cancels the source with both reasons", async () => {
  let reason;
  const rs = new ReadableStream({ cancel(r) { reason = r; } });
  const [a, b] = rs.tee();
  const pa = a.cancel("r1");
  await delay(1);
  assertEquals(reason, undefined, "one branch is not enough");
  const pb = b.cancel("r2");
  await Promise.all([pa, pb]);
  assertEquals(reason, ["r1", "r2"]);
});

test("cancelling one branch keeps the other flowing", async () => {
  const rs = ReadableStream.from(["x", "y"]);
  const [a, b] = rs.tee();
  const pa = a.cancel(); // settles once the source closes or both branches cancel
  assertEquals(await readAll(b), ["x", "y"]);
  await pa;
});

test("tee of a byte stream gives independent copies, BYOB works on branches", async () => {
  const rs = new ReadableStream({
    type: "bytes",
    start(c) { c.enqueue(new Uint8Array([1, 2, 3])); c.enqueue(new Uint8Array([4])); c.close(); },
  });
  const [a, b] = rs.tee();
  const ra = a.getReader({ mode: "byob" });
  const first = await ra.read(new Uint8Array(2));
  assertEquals(Array.from(first.value), [1, 2]);
  const chunks = [];
  for await (const c of b) chunks.push(...c);
  assertEquals(chunks, [1, 2, 3, 4]);
  const second = await ra.read(new Uint8Array(8));
  assertEquals(Array.from(second.value), [3, 4], "a BYOB read takes all queued bytes that fit");
  const end = await ra.read(new Uint8Array(8));
  assertEquals(end.done, true);
});

test("byte stream tee: modifying one branch's chunk does not affect the other", async () => {
  const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1])); c.close(); } });
  const [a, b] = rs.tee();
  const va = (await a.getReader().read()).value;
  va[0] = 99;
  const vb = (await b.getReader().read()).value;
  assertEquals(vb[0], 1);
});
