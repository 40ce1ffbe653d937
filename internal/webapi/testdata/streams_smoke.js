test("default stream read", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const r = rs.getReader();
  assertEquals(await r.read(), { value: 1, done: false });
  assertEquals(await r.read(), { value: 2, done: false });
  assertEquals(await r.read(), { value: undefined, done: true });
});
test("pipeThrough TransformStream", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const out = rs.pipeThrough(new TransformStream({ transform(ch, c) { c.enqueue(ch.toUpperCase()); } }));
  const got = [];
  for await (const x of out) got.push(x);
  assertEquals(got, ["A", "B"]);
});
