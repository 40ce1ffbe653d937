// Blob and File: after WPT FileAPI/blob (Blob-constructor, Blob-slice,
// Blob-text, Blob-array-buffer, Blob-bytes, Blob-stream) and
// FileAPI/file (File-constructor).

const bytesOf = async (b) => Array.from(new Uint8Array(await b.arrayBuffer()));

test("empty Blob", async () => {
  const b = new Blob();
  assertEquals(b.size, 0);
  assertEquals(b.type, "");
  assertEquals(await b.text(), "");
  assertEquals(new Blob(undefined).size, 0);
  assertEquals(new Blob([]).size, 0);
  assertEquals(Object.prototype.toString.call(b), "[object Blob]");
  assert(!Object.keys(globalThis).includes("Blob"));
});

test("blobParts must be a sequence", () => {
  for (const v of ["fail", 12, null, true, { length: 1, 0: "a" }, new Date()]) {
    assertThrows(() => new Blob(v), TypeError, String(v));
  }
});

test("iterable objects are sequences", async () => {
  const it = { *[Symbol.iterator]() { yield "a"; yield "b"; } };
  assertEquals(await new Blob(it).text(), "ab");
  assertEquals(await new Blob(new Set(["x", "y"])).text(), "xy");
});

test("strings are UTF-8 encoded, lone surrogates replaced", async () => {
  assertEquals(await bytesOf(new Blob(["é"])), [0xc3, 0xa9]);
  assertEquals(await bytesOf(new Blob(["\ud800"])), [0xef, 0xbf, 0xbd]);
  assertEquals(await bytesOf(new Blob(["\udc00a"])), [0xef, 0xbf, 0xbd, 0x61]);
  assertEquals(await bytesOf(new Blob(["😀"])), [0xf0, 0x9f, 0x98, 0x80]);
  assertEquals(new Blob(["€"]).size, 3);
});

test("non-string values are stringified", async () => {
  assertEquals(await new Blob([12, null, undefined, true, { toString() { return "obj"; } }]).text(), "12nullundefinedtrueobj");
  assertEquals(await new Blob([[1, 2]]).text(), "1,2");
  assertEquals(await new Blob([/re/g]).text(), "/re/g");
});

test("ArrayBuffer and views", async () => {
  const ab = new Uint8Array([1, 2, 3, 4]).buffer;
  assertEquals(await bytesOf(new Blob([ab])), [1, 2, 3, 4]);
  assertEquals(await bytesOf(new Blob([new Uint8Array(ab, 1, 2)])), [2, 3]);
  assertEquals(await bytesOf(new Blob([new Int16Array([0x0102, 0x0304])])), [2, 1, 4, 3]);
  assertEquals(await bytesOf(new Blob([new DataView(ab, 2)])), [3, 4]);
  assertEquals(await bytesOf(new Blob([new Float32Array([1])])), [0, 0, 0x80, 0x3f]);
});

test("parts are copied at construction", async () => {
  const u8 = new Uint8Array([1, 2, 3]);
  const b = new Blob([u8, u8.buffer]);
  u8[0] = 9;
  assertEquals(await bytesOf(b), [1, 2, 3, 1, 2, 3]);
});

test("Blob parts and mixtures", async () => {
  const inner = new Blob(["ab"], { type: "text/x" });
  const b = new Blob([inner, "cd", new Uint8Array([0x65]), inner]);
  assertEquals(await b.text(), "abcdeab");
  assertEquals(b.type, "");
  assertEquals(new Blob([inner]).size, 2);
  const f = new File(["file"], "f.txt");
  assertEquals(await new Blob([f, "!"]).text(), "file!");
});

test("type is lowercased and validated", () => {
  assertEquals(new Blob([], { type: "Text/HTML;Charset=UTF-8" }).type, "text/html;charset=utf-8");
  assertEquals(new Blob([], { type: "a\u00e5" }).type, "");
  assertEquals(new Blob([], { type: "a\u001f" }).type, "");
  assertEquals(new Blob([], { type: "a\u007f" }).type, "");
  assertEquals(new Blob([], { type: " x " }).type, " x ");
  assertEquals(new Blob([], { type: undefined }).type, "");
  assertEquals(new Blob([], { type: null }).type, "null");
  assertEquals(new Blob([], null).type, "");
  assertThrows(() => new Blob([], 1), TypeError);
  assertThrows(() => new Blob([], "text/plain"), TypeError);
});

test("endings is not implemented (workerd)", async () => {
  for (const endings of ["native", "transparent", "x"]) {
    const e = assertThrows(() => new Blob(["a"], { endings }), Error);
    assertEquals(e.message, "The 'endings' field on 'Options' is not implemented.");
  }
  assertThrows(() => new File(["a"], "f", { endings: "native" }), Error);
  assertEquals(await new Blob(["a\r\nb"]).text(), "a\r\nb");
});

test("resizable ArrayBuffers are refused (workerd)", () => {
  const ab = new ArrayBuffer(8, { maxByteLength: 16 });
  const e = assertThrows(() => new Blob([ab]), TypeError);
  assertEquals(e.message, "Cannot create a Blob with a resizable ArrayBuffer");
  assertThrows(() => new Blob([new Uint8Array(ab)]), TypeError);
});

test("Blob size limit is 128 MiB (workerd)", () => {
  const half = new Blob([new Uint8Array(64 * 1024 * 1024)]);
  const e = assertThrows(() => new Blob([half, half, " "]), RangeError);
  assertEquals(e.message, "Blob size 134217729 exceeds limit 134217728");
});

test("empty parts mixed with data (workerd)", async () => {
  assertEquals(await new Blob(["", new Uint8Array([0x41, 0x42]).buffer, "", "CD"]).text(), "ABCD");
  assertEquals(await new Blob([new Blob([]), "hello"]).text(), "hello");
  const blob = new Blob(["foo", new TextEncoder().encode("bar"), "baz"]);
  const blob2 = new Blob(["xx", blob, "yy", blob], { type: "application/whatever" });
  assertEquals(await blob2.text(), "xxfoobarbazyyfoobarbaz");
  assertEquals(await blob2.slice(5, 16).text(), "barbazyyfoo");
  assertEquals(blob2.slice(1, 2, "FoO/bAr").type, "foo/bar");
  assertEquals(new Blob([], { type: "FoO\u0020/bAr" }).type, "foo /bar");
  assertEquals(new Blob([], { type: "FoO\u007e/bAr" }).type, "foo~/bar");
  assertEquals(new Blob([], { type: "FoO\u0080/bAr" }).type, "");
});

test("slice with positive, negative and out-of-range indices", async () => {
  const b = new Blob(["abcdefghij"]);
  const cases = [
    [[], "abcdefghij"], [[0], "abcdefghij"], [[3], "defghij"], [[3, 5], "de"], [[-3], "hij"],
    [[-3, -1], "hi"], [[5, 3], ""], [[0, 100], "abcdefghij"], [[100], ""], [[-100], "abcdefghij"],
    [[-100, 2], "ab"], [[2.7, 4.2], "cd"], [[NaN, NaN], ""], [["2", "4"], "cd"], [[undefined, 3], "abc"],
    [[0, -20], ""], [[Infinity], ""], [[-Infinity, Infinity], "abcdefghij"],
  ];
  for (const [args, want] of cases) {
    assertEquals(await b.slice(...args).text(), want, JSON.stringify(args));
  }
});

test("slice type", () => {
  const b = new Blob(["abc"], { type: "text/plain" });
  assertEquals(b.slice().type, "");
  assertEquals(b.slice(0, 1, "Text/HTML").type, "text/html");
  assertEquals(b.slice(0, 1, "\u00e5").type, "");
  const f = new File(["abc"], "x.txt", { type: "text/plain" });
  const s = f.slice(1);
  assert(!(s instanceof File), "slice of File is a Blob");
  assertEquals(s.size, 2);
});

test("slice of slice", async () => {
  const b = new Blob(["0123456789"]).slice(2, 8).slice(1, -1);
  assertEquals(await b.text(), "3456");
  assertEquals(b.size, 4);
});

test("text() decodes UTF-8 with replacement and strips BOM", async () => {
  assertEquals(await new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff])]).text(), "a\ufffd");
});

test("arrayBuffer() and bytes() return fresh copies", async () => {
  const b = new Blob([new Uint8Array([1, 2, 3])]);
  const a1 = await b.arrayBuffer();
  const a2 = await b.arrayBuffer();
  assert(a1 instanceof ArrayBuffer && a1 !== a2, "fresh ArrayBuffers");
  new Uint8Array(a1)[0] = 7;
  assertEquals(Array.from(await b.bytes()), [1, 2, 3]);
  const u = await b.bytes();
  assert(u instanceof Uint8Array, "bytes() is a Uint8Array");
  assertEquals(u.byteLength, u.buffer.byteLength);
  const sliced = await b.slice(1).arrayBuffer();
  assertEquals(sliced.byteLength, 2);
});

test("methods return promises and reject on bad receivers", async () => {
  const p = new Blob(["x"]).text();
  assert(p instanceof Promise);
  await assertRejects(Blob.prototype.text.call({}), TypeError);
  await assertRejects(Blob.prototype.arrayBuffer.call({}), TypeError);
  assertThrows(() => Object.getOwnPropertyDescriptor(Blob.prototype, "size").get.call({}), TypeError);
});

test("stream() yields the bytes", async () => {
  if (typeof ReadableStream !== "function") return;
  const data = new Uint8Array(200000);
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  const r = new Blob([data]).stream().getReader();
  let total = 0, ok = true;
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    assert(value instanceof Uint8Array, "chunk is Uint8Array");
    for (let i = 0; i < value.length; i++) if (value[i] !== ((total + i) & 0xff)) ok = false;
    total += value.length;
  }
  assertEquals(total, 200000);
  assert(ok, "bytes in order");
  const empty = await new Blob().stream().getReader().read();
  assertEquals(empty.done, true);
});

test("stream() is a byte stream (BYOB reads)", async () => {
  const s = new Blob(["hello world"]).stream();
  const r = s.getReader({ mode: "byob" });
  let got = "";
  let buf = new ArrayBuffer(4);
  for (;;) {
    const { done, value } = await r.read(new Uint8Array(buf));
    if (done) break;
    got += new TextDecoder().decode(value);
    buf = value.buffer;
  }
  assertEquals(got, "hello world");
});

test("stream() of a slice, and Response(blob)", async () => {
  const b = new Blob(["0123456789"]).slice(3, 7);
  const chunks = [];
  for await (const c of b.stream()) chunks.push(...c);
  assertEquals(new TextDecoder().decode(new Uint8Array(chunks)), "3456");
  if (typeof Response === "function") {
    const res = new Response(new Blob(["abc"], { type: "text/x-test" }));
    assertEquals(res.headers.get("content-type"), "text/x-test");
    assertEquals(await res.text(), "abc");
    const back = await new Response("xyz", { headers: { "content-type": "text/plain" } }).blob();
    assertEquals([back.type, back.size, await back.text()], ["text/plain", 3, "xyz"]);
  }
});

test("File constructor", async () => {
  const before = Date.now();
  const f = new File(["ab", new Uint8Array([0x63])], "name.txt", { type: "Text/Plain" });
  assertEquals(f.name, "name.txt");
  assertEquals(f.type, "text/plain");
  assertEquals(f.size, 3);
  assertEquals(await f.text(), "abc");
  assert(f.lastModified >= before && f.lastModified <= Date.now(), "lastModified defaults to now");
  assert(f instanceof Blob && f instanceof File);
  assertEquals(Object.prototype.toString.call(f), "[object File]");
  assertThrows(() => new File(["x"]), TypeError);
  assertThrows(() => new File(), TypeError);
  assertThrows(() => new File("x", "n"), TypeError);
});

test("File name and lastModified conversion", () => {
  assertEquals(new File([], 42).name, "42");
  assertEquals(new File([], "a/b").name, "a/b");
  assertEquals(new File([], "x", { lastModified: 42 }).lastModified, 42);
  assertEquals(new File([], "x", { lastModified: -42.7 }).lastModified, -42);
  assertEquals(new File([], "x", { lastModified: new Date(1000) }).lastModified, 1000);
  assertEquals(new File([], "x", { lastModified: NaN }).lastModified, 0);
});

test("subclassing Blob", async () => {
  class MyBlob extends Blob { hello() { return "hi"; } }
  const b = new MyBlob(["abc"]);
  assertEquals(b.hello(), "hi");
  assertEquals(await b.text(), "abc");
  assertEquals(await new Blob([b]).text(), "abc");
});
