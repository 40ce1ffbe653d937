// Compression Streams cases (after WPT compression/*.any.js).

const te = new TextEncoder();
const td = new TextDecoder();

async function readAll(readable) {
  const chunks = [];
  let total = 0;
  for await (const c of readable) {
    assert(c instanceof Uint8Array, "output chunks are Uint8Arrays");
    chunks.push(c);
    total += c.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

async function through(ts, chunks) {
  const w = ts.writable.getWriter();
  const done = readAll(ts.readable);
  for (const c of chunks) w.write(c).catch(() => {});
  w.close().catch(() => {});
  return done;
}

const formats = ["gzip", "deflate", "deflate-raw"];

test("constructor validates the format", () => {
  for (const f of formats) {
    assert(new CompressionStream(f) instanceof TransformStream);
    assert(new DecompressionStream(f) instanceof TransformStream);
  }
  assertThrows(() => new CompressionStream("zip"), TypeError);
  assertThrows(() => new CompressionStream(), TypeError);
  assertThrows(() => new DecompressionStream("brotli"), TypeError);
  assertEquals(Object.prototype.toString.call(new CompressionStream("gzip")), "[object CompressionStream]");
});

test("round trip in every format", async () => {
  const input = te.encode("Hello, world! ".repeat(1000));
  for (const f of formats) {
    const compressed = await through(new CompressionStream(f), [input]);
    assert(compressed.length < input.length / 10, f + " compresses");
    const out = await through(new DecompressionStream(f), [compressed]);
    assertEquals(td.decode(out), td.decode(input), f);
  }
});

test("format framing", async () => {
  const gz = await through(new CompressionStream("gzip"), [te.encode("x")]);
  assertEquals([gz[0], gz[1]], [0x1f, 0x8b]);
  const z = await through(new CompressionStream("deflate"), [te.encode("x")]);
  assertEquals(z[0] & 0x0f, 8, "zlib CM=8");
  assertEquals(((z[0] << 8) | z[1]) % 31, 0, "zlib header check");
});

test("empty input compresses to a valid stream", async () => {
  for (const f of formats) {
    const c = await through(new CompressionStream(f), []);
    assert(c.length > 0, f);
    const out = await through(new DecompressionStream(f), [c]);
    assertEquals(out.length, 0, f);
  }
});

test("split chunks decompress (every split point, one byte at a time)", async () => {
  const input = te.encode("The quick brown fox jumps over the lazy dog. ".repeat(20));
  for (const f of formats) {
    const c = await through(new CompressionStream(f), [input]);
    const ones = [];
    for (let i = 0; i < c.length; i++) ones.push(c.slice(i, i + 1));
    assertEquals(td.decode(await through(new DecompressionStream(f), ones)), td.decode(input), f + " byte by byte");
    for (let cut = 1; cut < c.length; cut += 7) {
      const out = await through(new DecompressionStream(f), [c.slice(0, cut), c.slice(cut)]);
      assertEquals(out.length, input.length, f + " cut " + cut);
    }
  }
});

test("many input chunks compress as one stream", async () => {
  const parts = [];
  for (let i = 0; i < 100; i++) parts.push(te.encode("chunk " + i + ";"));
  const c = await through(new CompressionStream("gzip"), parts);
  const out = await through(new DecompressionStream("gzip"), [c]);
  assertEquals(td.decode(out), parts.map((p) => td.decode(p)).join(""));
});

test("accepts ArrayBuffer and other views", async () => {
  const c = await through(new CompressionStream("deflate"), [te.encode("ab").buffer, new DataView(te.encode("cd").buffer), new Uint16Array([0x6665])]);
  assertEquals(td.decode(await through(new DecompressionStream("deflate"), [c])), "abcdef");
});

test("non-buffer chunks are a TypeError", async () => {
  for (const bad of ["str", 1, {}, null, undefined]) {
    const cs = new CompressionStream("gzip");
    const w = cs.writable.getWriter();
    const read = cs.readable.getReader().read();
    await assertRejects(w.write(bad), TypeError, String(bad));
    await assertRejects(read, TypeError);
  }
});

test("corrupt data errors with TypeError", async () => {
  for (const f of formats) {
    const bad = f === "deflate-raw" ? new Uint8Array([0xff, 0xff, 0xff, 0xff]) : new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await assertRejects(through(new DecompressionStream(f), [bad]), TypeError, f);
  }
  // A flipped byte in the checksum.
  const c = await through(new CompressionStream("gzip"), [te.encode("hello hello hello")]);
  c[c.length - 6] ^= 0xff;
  const e = await assertRejects(through(new DecompressionStream("gzip"), [c]), TypeError);
  assert(e.message.length > 0);
});

test("truncated input errors with TypeError", async () => {
  for (const f of formats) {
    const c = await through(new CompressionStream(f), [te.encode("hello world, hello world")]);
    await assertRejects(through(new DecompressionStream(f), [c.slice(0, c.length - 2)]), TypeError, f);
    await assertRejects(through(new DecompressionStream(f), []), TypeError, f + " empty");
  }
});

test("trailing bytes after the end error with TypeError", async () => {
  for (const f of formats) {
    const c = await through(new CompressionStream(f), [te.encode("hi")]);
    const extra = new Uint8Array(c.length + 1);
    extra.set(c);
    extra[c.length] = 0;
    await assertRejects(through(new DecompressionStream(f), [extra]), TypeError, f);
    await assertRejects(through(new DecompressionStream(f), [c, new Uint8Array([1])]), TypeError, f + " later chunk");
  }
});

test("large output is delivered in bounded chunks with backpressure", async () => {
  const input = new Uint8Array(4 << 20); // 4 MiB of zeros
  const c = await through(new CompressionStream("gzip"), [input]);
  assert(c.length < 10000, "zeros compress well: " + c.length);
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  w.write(c);
  w.close();
  const r = ds.readable.getReader();
  let total = 0, chunks = 0, max = 0;
  for (;;) {
    const { value, done } = await r.read();
    if (done) break;
    total += value.length;
    chunks++;
    max = Math.max(max, value.length);
  }
  assertEquals(total, 4 << 20);
  assert(max <= 65536, "chunk size " + max);
  assert(chunks >= 64, "chunks " + chunks);
});

test("large random data round trip", async () => {
  const input = new Uint8Array(300000);
  let x = 12345;
  for (let i = 0; i < input.length; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; input[i] = x >> 16; }
  for (const f of formats) {
    const c = await through(new CompressionStream(f), [input.subarray(0, 100000), input.subarray(100000)]);
    const out = await through(new DecompressionStream(f), [c]);
    assertEquals(out.length, input.length, f);
    let same = true;
    for (let i = 0; i < out.length; i++) if (out[i] !== input[i]) { same = false; break; }
    assert(same, f + " bytes equal");
  }
});

test("cancel frees the stream and later writes fail", async () => {
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  const c = await through(new CompressionStream("gzip"), [new Uint8Array(1 << 20)]);
  const r = ds.readable.getReader();
  w.write(c).catch(() => {});
  await r.read();
  await r.cancel("stop");
  await assertRejects(w.write(new Uint8Array(1)));
});

test("pipeThrough chain", async () => {
  const src = ReadableStream.from(["a", "b", "c"].map((s) => te.encode(s.repeat(1000))));
  const out = src.pipeThrough(new CompressionStream("deflate-raw")).pipeThrough(new DecompressionStream("deflate-raw"));
  assertEquals(td.decode(await readAll(out)), "a".repeat(1000) + "b".repeat(1000) + "c".repeat(1000));
});
