// Streams edge cases: disturbed state and interplay with encoding streams.

test("reading marks a stream disturbed; locking alone does not", async () => {
  // isDisturbed is internal; Response bodies observe it through bodyUsed.
  const rs = new ReadableStream({ start(c) { c.enqueue(1); } });
  const r = rs.getReader();
  r.releaseLock();
  assert(!rs.locked);
  await rs.getReader().read();
});

test("text pipeline: TextEncoderStream → IdentityTransformStream → TextDecoderStream", async () => {
  const out = ReadableStream.from(["h\u00e9", "llo \u{1f600}"])
    .pipeThrough(new TextEncoderStream())
    .pipeThrough(new IdentityTransformStream())
    .pipeThrough(new TextDecoderStream());
  let s = "";
  for await (const c of out) s += c;
  assertEquals(s, "h\u00e9llo \u{1f600}");
});

test("many chunks through a long pipe chain stay in order", async () => {
  const n = 2000;
  let i = 0;
  const src = new ReadableStream({ pull(c) { if (i < n) c.enqueue(i++); else c.close(); } });
  let chain = src;
  for (let k = 0; k < 5; k++) chain = chain.pipeThrough(new TransformStream());
  let expect = 0;
  for await (const x of chain) { assertEquals(x, expect); expect++; }
  assertEquals(expect, n);
});
