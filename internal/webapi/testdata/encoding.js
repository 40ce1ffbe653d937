// Encoding Standard cases (after WPT encoding/textdecoder-*.any.js,
// textencoder-*.any.js, api-*.any.js) and forgiving-base64 (html/webappapis/atob).

const enc = new TextEncoder();
const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join(" ");
const codes = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16));

test("TextEncoder basics", () => {
  assertEquals(enc.encoding, "utf-8");
  assertEquals(hex(enc.encode("")), "");
  assertEquals(hex(enc.encode()), "");
  assertEquals(hex(enc.encode("a\u00e9\u20ac\u{1f600}")), "61 c3 a9 e2 82 ac f0 9f 98 80");
  assertEquals(hex(enc.encode(123)), "31 32 33");
  assert(enc.encode("x") instanceof Uint8Array);
});

test("TextEncoder replaces lone surrogates (small and large)", () => {
  assertEquals(hex(enc.encode("\ud800")), "ef bf bd");
  assertEquals(hex(enc.encode("a\udc00b")), "61 ef bf bd 62");
  assertEquals(hex(enc.encode("\ud800\ud800\udc00")), "ef bf bd f0 90 80 80");
  const big = "x".repeat(5000) + "\ud800" + "\u00e9".repeat(3000) + "\u{1f600}";
  const b = enc.encode(big);
  assertEquals(b.length, 5000 + 3 + 6000 + 4);
  assertEquals(hex(b.subarray(5000, 5005)), "ef bf bd c3 a9");
  assertEquals(new TextDecoder().decode(b), big.replace("\ud800", "\ufffd"));
});

test("TextEncoder handles inputs larger than the scratch area", () => {
  const s = "\u20ac".repeat(200000) + "end";
  const b = enc.encode(s);
  assertEquals(b.length, 600003);
  assertEquals(hex(b.subarray(0, 3)), "e2 82 ac");
  assertEquals(new TextDecoder().decode(b), s);
});

test("encodeInto", () => {
  const dest = new Uint8Array(5);
  assertEquals(enc.encodeInto("a\u20acb", dest), { read: 3, written: 5 });
  assertEquals(hex(dest), "61 e2 82 ac 62");
  const d2 = new Uint8Array(4);
  assertEquals(enc.encodeInto("ab\u{1f600}", d2), { read: 2, written: 2 });
  assertEquals(enc.encodeInto("\u{1f600}", new Uint8Array(4)), { read: 2, written: 4 });
  assertEquals(enc.encodeInto("\ud800x", new Uint8Array(4)), { read: 2, written: 4 });
  assertThrows(() => enc.encodeInto("a", new Uint16Array(2)), TypeError);
});

test("TextDecoder labels", () => {
  for (const [label, name] of [
    ["utf-8", "utf-8"], ["UTF8", "utf-8"], [" unicode-1-1-utf-8\n", "utf-8"], ["utf-16", "utf-16le"],
    ["utf-16le", "utf-16le"], ["utf-16be", "utf-16be"], ["latin1", "windows-1252"], ["ascii", "windows-1252"],
    ["iso-8859-1", "windows-1252"], ["us-ascii", "windows-1252"], ["windows-1252", "windows-1252"],
  ]) assertEquals(new TextDecoder(label).encoding, name, label);
  assertEquals(new TextDecoder().encoding, "utf-8");
  assertThrows(() => new TextDecoder("nope"), RangeError);
  assertThrows(() => new TextDecoder("replacement"), RangeError);
  assertThrows(() => new TextDecoder("utf-8\u00a0"), RangeError);
  const d = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  assertEquals([d.fatal, d.ignoreBOM], [true, true]);
});

test("TextDecoder accepts buffer sources", () => {
  const d = new TextDecoder();
  const b = enc.encode("hello");
  assertEquals(d.decode(b.buffer), "hello");
  assertEquals(d.decode(new DataView(b.buffer, 1, 3)), "ell");
  assertEquals(d.decode(new Uint16Array(new Uint8Array([0x68, 0x69]).buffer)), "hi");
  const sab = new SharedArrayBuffer(2);
  new Uint8Array(sab).set([0x6f, 0x6b]);
  assertEquals(d.decode(sab), "ok");
  assertEquals(d.decode(), "");
  assertThrows(() => d.decode("str"), TypeError);
});

// textdecoder-fatal.any.js
const badUTF8 = [
  ["c0", "invalid code"], ["c1", "invalid code"], ["f5", "invalid code"], ["ff", "invalid code"],
  ["c2 41", "ends early"], ["c2", "ends early 2"], ["e0 a0", "ends early 3"], ["f0 90 80", "ends early 4"],
  ["80", "invalid trail"], ["c2 c3", "invalid trail 2"], ["e0 80 80", "overlong 3"], ["c0 80", "overlong U+0000"],
  ["ed a0 80", "surrogate D800"], ["ed bf bf", "surrogate DFFF"], ["f4 90 80 80", "above U+10FFFF"],
  ["f8 88 80 80 80", "5 bytes"], ["fe", "fe"], ["e0 9f bf", "overlong 3 edge"], ["f0 8f bf bf", "overlong 4"],
];
const bytes = (h) => new Uint8Array(h.split(" ").map((x) => parseInt(x, 16)));

test("fatal flag rejects invalid UTF-8 with TypeError", () => {
  for (const [h, what] of badUTF8) {
    assertThrows(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes(h)), TypeError, what);
    // large inputs go through Go
    const big = new Uint8Array(4096 + h.split(" ").length).fill(0x61);
    big.set(bytes(h), 4096);
    assertThrows(() => new TextDecoder("utf-8", { fatal: true }).decode(big), TypeError, what + " (large)");
  }
  assertThrows(() => new TextDecoder("utf-16le", { fatal: true }).decode(new Uint8Array([0x00])), TypeError);
  assertThrows(() => new TextDecoder("utf-16le", { fatal: true }).decode(new Uint8Array([0x00, 0xd8])), TypeError);
  assertThrows(() => new TextDecoder("utf-16le", { fatal: true }).decode(new Uint8Array([0x00, 0xdc, 0x00, 0x00])), TypeError);
});

test("fatal decoder is reusable after an error", () => {
  const d = new TextDecoder("utf-8", { fatal: true });
  assertThrows(() => d.decode(bytes("ff")), TypeError);
  assertEquals(d.decode(bytes("41")), "A");
  assertThrows(() => d.decode(bytes("e2 82"), { stream: false }), TypeError);
  assertEquals(d.decode(bytes("42")), "B");
});

// Replacement: one U+FFFD per maximal subpart (encoding/textdecoder-replacement, Unicode "U+FFFD substitution").
const replacements = [
  ["61 80 62", "a\ufffdb"], ["c0 80", "\ufffd\ufffd"], ["e0 80 80", "\ufffd\ufffd\ufffd"],
  ["f0 90 80", "\ufffd"], ["f0 90 80 41", "\ufffdA"], ["e2 82", "\ufffd"], ["e2 82 41", "\ufffdA"],
  ["ed a0 80", "\ufffd\ufffd\ufffd"], ["f4 90 80 80", "\ufffd\ufffd\ufffd\ufffd"], ["ff fe", "\ufffd\ufffd"],
  ["c2", "\ufffd"], ["f1 80 80 e1 80 c2 62 80 63 80 bf 64", "\ufffd\ufffd\ufffdb\ufffdc\ufffd\ufffdd"],
];

test("replacement characters follow the spec (JS and Go paths)", () => {
  for (const [h, want] of replacements) {
    assertEquals(codes(new TextDecoder().decode(bytes(h))), codes(want), h);
    const pad = new Uint8Array(3000).fill(0x20);
    const big = new Uint8Array(3000 + h.split(" ").length);
    big.set(pad);
    big.set(bytes(h), 3000);
    assertEquals(codes(new TextDecoder().decode(big).slice(3000)), codes(want), h + " (large)");
  }
});

test("BOM handling", () => {
  assertEquals(new TextDecoder().decode(bytes("ef bb bf 41")), "A");
  assertEquals(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes("ef bb bf 41")), "\ufeffA");
  assertEquals(new TextDecoder().decode(bytes("ef bb bf ef bb bf")), "\ufeff");
  assertEquals(new TextDecoder("utf-16le").decode(bytes("ff fe 41 00")), "A");
  assertEquals(new TextDecoder("utf-16be").decode(bytes("fe ff 00 41")), "A");
  assertEquals(new TextDecoder("utf-16le", { ignoreBOM: true }).decode(bytes("ff fe 41 00")), "\ufeffA");
  // a UTF-8 BOM is not stripped by the UTF-16 decoders
  assertEquals(new TextDecoder("utf-16le").decode(bytes("fe ff")), "\ufffe");
  const d = new TextDecoder();
  assertEquals(d.decode(bytes("ef"), { stream: true }), "");
  assertEquals(d.decode(bytes("bb"), { stream: true }), "");
  assertEquals(d.decode(bytes("bf 41"), { stream: true }), "A");
  assertEquals(d.decode(bytes("ef bb bf"), { stream: true }), "\ufeff");
  assertEquals(d.decode(), "");
  assertEquals(d.decode(bytes("ef bb bf 42")), "B", "BOM stripped again after a flush");
});

// textdecoder-streaming.any.js: every split of the input decodes to the same string.
test("streaming decode across every split point", () => {
  const s = "z\u00a2\u20ac\u{10fffd}\u{1f600}a";
  for (const label of ["utf-8", "utf-16le", "utf-16be"]) {
    let b;
    if (label === "utf-8") b = enc.encode(s);
    else {
      b = new Uint8Array(s.length * 2);
      for (let i = 0; i < s.length; i++) {
        const u = s.charCodeAt(i);
        if (label === "utf-16le") { b[2 * i] = u & 255; b[2 * i + 1] = u >> 8; }
        else { b[2 * i] = u >> 8; b[2 * i + 1] = u & 255; }
      }
    }
    for (let size = 1; size <= 4; size++) {
      const d = new TextDecoder(label);
      let out = "";
      for (let i = 0; i < b.length; i += size) out += d.decode(b.subarray(i, i + size), { stream: true });
      out += d.decode();
      assertEquals(out, s, label + " chunk " + size);
    }
  }
});

test("streaming decode of invalid sequences", () => {
  const d = new TextDecoder();
  assertEquals(d.decode(bytes("f0 90"), { stream: true }), "");
  assertEquals(d.decode(bytes("41"), { stream: true }), "\ufffdA");
  assertEquals(d.decode(bytes("f0 80"), { stream: true }), "\ufffd\ufffd");
  assertEquals(d.decode(bytes("e2 82"), { stream: true }), "");
  assertEquals(d.decode(), "\ufffd");
  const f = new TextDecoder("utf-8", { fatal: true });
  assertEquals(f.decode(bytes("e2"), { stream: true }), "");
  assertThrows(() => f.decode(), TypeError);
  const u = new TextDecoder("utf-16le");
  assertEquals(u.decode(bytes("3d d8"), { stream: true }), "");
  assertEquals(u.decode(bytes("00"), { stream: true }), "");
  assertEquals(u.decode(bytes("de")), "\u{1f600}");
  assertEquals(u.decode(bytes("00 d8")), "\ufffd");
  assertEquals(u.decode(bytes("41 00 42")), "A\ufffd");
});

test("windows-1252", () => {
  const d = new TextDecoder("latin1");
  assertEquals(d.decode(bytes("41 80 81 9f a0 ff")), "A\u20ac\u0081\u0178\u00a0\u00ff");
  const all = new Uint8Array(256).map((_, i) => i);
  assertEquals(d.decode(all).length, 256);
});

test("large UTF-8 round trip", () => {
  let s = "";
  for (let i = 0; i < 70000; i++) s += String.fromCodePoint((i * 7919) % 0x10ffff > 0xd7ff && (i * 7919) % 0x10ffff < 0xe000 ? 0x41 : (i * 7919) % 0x10ffff);
  const b = enc.encode(s);
  assertEquals(new TextDecoder().decode(b), s);
  assertEquals(new TextDecoder("utf-8", { fatal: true }).decode(b), s);
});

test("TextEncoderStream and TextDecoderStream", async () => {
  const es = new TextEncoderStream();
  assertEquals(es.encoding, "utf-8");
  const w = es.writable.getWriter();
  w.write("a\ud83d");
  w.write("\ude00b");
  w.write("\ud800");
  w.close();
  const out = [];
  for await (const c of es.readable) out.push(...c);
  assertEquals(hex(new Uint8Array(out)), "61 f0 9f 98 80 62 ef bf bd");

  const ds = new TextDecoderStream("utf-8", { fatal: false });
  assertEquals(ds.encoding, "utf-8");
  const dw = ds.writable.getWriter();
  dw.write(bytes("e2 82"));
  dw.write(bytes("ac 41"));
  dw.write(bytes("c3"));
  dw.close();
  let s = "";
  for await (const c of ds.readable) s += c;
  assertEquals(s, "\u20acA\ufffd");
});

test("TextDecoderStream rejects non-buffer chunks and fatal errors", async () => {
  const ds = new TextDecoderStream();
  const w = ds.writable.getWriter();
  const r = ds.readable.getReader();
  const read = r.read();
  await assertRejects(w.write("str"), TypeError);
  await assertRejects(read, TypeError);
  const f = new TextDecoderStream("utf-8", { fatal: true });
  const fw = f.writable.getWriter();
  fw.write(bytes("ff")).catch(() => {});
  await assertRejects(f.readable.getReader().read(), TypeError);
});

test("btoa and atob", () => {
  assertEquals(btoa(""), "");
  assertEquals(btoa("f"), "Zg==");
  assertEquals(btoa("fo"), "Zm8=");
  assertEquals(btoa("foo"), "Zm9v");
  assertEquals(btoa("\u00ff\u00fe"), "//4=");
  assertEquals(btoa(null), "bnVsbA==");
  assertEquals(atob("Zm9v"), "foo");
  assertEquals(atob("Zg"), "f");
  assertEquals(atob("Zg=="), "f");
  assertEquals(atob(" Z g =\n= "), "f");
  assertEquals(atob("//4="), "\u00ff\u00fe");
  assertEquals(atob(""), "");
  assertEquals(atob(null), "\u009e\u00e9e", "null is the string 'null'");
  for (const bad of [undefined, "Zg=", "Z", "Zm9v=", "Zg===", "Z===", "Zm9v\u00e9", "Z-9v", "=Zg=", "Zg==Zg=="]) {
    const e = assertThrows(() => atob(bad), undefined, bad);
    assertEquals(e.name, "InvalidCharacterError", bad);
  }
  const e = assertThrows(() => btoa("\u0100"));
  assertEquals(e.name, "InvalidCharacterError");
  assertThrows(() => atob(), TypeError);
  let all = "";
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  assertEquals(atob(btoa(all.repeat(100))), all.repeat(100));
});

test("large inputs with a BOM and streaming through the Go path", () => {
  const body = enc.encode("\u00e9".repeat(5000));
  const withBom = new Uint8Array(body.length + 3);
  withBom.set([0xef, 0xbb, 0xbf]);
  withBom.set(body, 3);
  assertEquals(new TextDecoder().decode(withBom), "\u00e9".repeat(5000));
  assertEquals(new TextDecoder("utf-8", { ignoreBOM: true }).decode(withBom).charCodeAt(0), 0xfeff);
  const d = new TextDecoder();
  let out = "";
  for (let i = 0; i < withBom.length; i += 4097) out += d.decode(withBom.subarray(i, i + 4097), { stream: true });
  out += d.decode();
  assertEquals(out, "\u00e9".repeat(5000));
});

test("utf-16be and utf-16le decode", () => {
  assertEquals(new TextDecoder("utf-16be").decode(bytes("00 41 d8 3d de 00")), "A\u{1f600}");
  assertEquals(new TextDecoder("utf-16le").decode(bytes("41 00 3d d8 00 de")), "A\u{1f600}");
  assertEquals(new TextDecoder("utf-16le").decode(bytes("00 dc 41 00")), "\ufffdA");
});

test("encodeInto a Uint8Array over a SharedArrayBuffer and at an offset", () => {
  const sab = new Uint8Array(new SharedArrayBuffer(8));
  assertEquals(enc.encodeInto("hi", sab.subarray(3)), { read: 2, written: 2 });
  assertEquals(Array.from(sab.subarray(3, 5)), [0x68, 0x69]);
});

test("TextEncoder/TextDecoder brand and tags", () => {
  assertEquals(Object.prototype.toString.call(new TextEncoder()), "[object TextEncoder]");
  assertEquals(Object.prototype.toString.call(new TextDecoder()), "[object TextDecoder]");
  const getter = Object.getOwnPropertyDescriptor(TextDecoder.prototype, "encoding").get;
  assertThrows(() => getter.call({}), TypeError);
});
