// FormData and its codecs: after WPT xhr/formdata (append, delete, get,
// has, set, foreach, iteration) and fetch/api/body (formdata parsing), with
// workerd's choices where they differ.

// The prelude's internal codecs are not globals; reach them through
// Request/Response when those exist.
const hasBodies = typeof Response === "function" && typeof Request === "function";

test("empty FormData", () => {
  const fd = new FormData();
  assertEquals([...fd], []);
  assertEquals(fd.get("x"), null);
  assertEquals(fd.getAll("x"), []);
  assertEquals(fd.has("x"), false);
  assertEquals(Object.prototype.toString.call(fd), "[object FormData]");
  assertEquals([...new FormData({})], [], "arguments are ignored (workerd)");
});

test("append, get, getAll, has", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  fd.append("a", "3");
  assertEquals(fd.get("a"), "1");
  assertEquals(fd.getAll("a"), ["1", "3"]);
  assertEquals(fd.has("b"), true);
  assertEquals(fd.has("c"), false);
  assertEquals([...fd], [["a", "1"], ["b", "2"], ["a", "3"]]);
});

test("values are converted to strings, USVString", () => {
  const fd = new FormData();
  fd.append("n", 1);
  fd.append("u", undefined);
  fd.append("nu", null);
  fd.append("\ud800", "\udc00x");
  assertEquals(fd.get("n"), "1");
  assertEquals(fd.get("u"), "undefined");
  assertEquals(fd.get("nu"), "null");
  assertEquals(fd.get("\ufffd"), "\ufffdx");
  assertThrows(() => fd.append("x"), TypeError);
  assertThrows(() => fd.get(), TypeError);
});

test("delete removes every entry of the name", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  fd.append("a", "3");
  fd.delete("a");
  assertEquals([...fd], [["b", "2"]]);
  fd.delete("zz");
  assertEquals([...fd.keys()], ["b"]);
});

test("set replaces the first and removes the rest", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  fd.append("a", "3");
  fd.set("a", "x");
  assertEquals([...fd], [["a", "x"], ["b", "2"]]);
  fd.set("c", "y");
  assertEquals([...fd], [["a", "x"], ["b", "2"], ["c", "y"]]);
});

test("Blob values become Files named after the entry (workerd)", async () => {
  const fd = new FormData();
  fd.append("field", new Blob(["abc"], { type: "text/plain" }));
  const f = fd.get("field");
  assert(f instanceof File, "is a File");
  assertEquals(f.name, "field");
  assertEquals(f.type, "text/plain");
  assertEquals(await f.text(), "abc");
});

test("filename argument names the File", () => {
  const fd = new FormData();
  fd.append("a", new Blob(["x"]), "x.bin");
  assertEquals(fd.get("a").name, "x.bin");
  const file = new File(["y"], "orig.txt", { type: "text/plain", lastModified: 5 });
  fd.append("b", file);
  assertEquals(fd.get("b"), file, "a File without filename is kept as is");
  fd.append("c", file, "renamed.txt");
  const c = fd.get("c");
  assert(c !== file, "renamed File is new");
  assertEquals(c.name, "renamed.txt");
  assertEquals(c.type, "text/plain");
  fd.set("d", new Blob([]), "set.txt");
  assertEquals(fd.get("d").name, "set.txt");
  assertThrows(() => fd.append("e", "string", "file.txt"), TypeError);
  assertThrows(() => fd.set("e", {}, "file.txt"), TypeError);
});

test("iterators are live and typed", () => {
  const fd = new FormData();
  fd.append("a", "1");
  const it = fd.entries();
  fd.append("b", "2");
  assertEquals(it.next(), { value: ["a", "1"], done: false });
  assertEquals(it.next(), { value: ["b", "2"], done: false });
  assertEquals(it.next().done, true);
  fd.append("c", "3");
  assertEquals(it.next().done, true, "stays done");
  assertEquals([...fd.values()], ["1", "2", "3"]);
  assertEquals(Object.prototype.toString.call(fd.keys()), "[object FormData Iterator]");
  assertEquals(typeof fd.keys()[Symbol.iterator], "function");
  assertEquals(FormData.prototype[Symbol.iterator], FormData.prototype.entries);
});

test("iteration sees deletions ahead of the cursor", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  fd.append("c", "3");
  const seen = [];
  for (const [k] of fd) {
    seen.push(k);
    if (k === "a") fd.delete("b");
  }
  assertEquals(seen, ["a", "c"]);
});

test("forEach", () => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("b", "2");
  const seen = [];
  const self = {};
  fd.forEach(function (v, k, o) { seen.push([k, v, o === fd, this === self]); }, self);
  assertEquals(seen, [["a", "1", true, true], ["b", "2", true, true]]);
  assertThrows(() => fd.forEach(), TypeError);
});

test("Response round trip of multipart FormData", async () => {
  if (!hasBodies) return;
  const fd = new FormData();
  fd.append("text", "héllo\r\nworld");
  fd.append("file", new File([new Uint8Array([0, 1, 2, 255])], "bin.dat", { type: "application/x-thing" }));
  fd.append("blob", new Blob(["plain"]));
  fd.append('we"ird\nname', "v");
  const res = new Response(fd);
  const ct = res.headers.get("content-type");
  assert(/^multipart\/form-data; boundary=[0-9a-f]{32}$/.test(ct), ct);
  const back = await res.formData();
  assertEquals(back.get("text"), "héllo\r\nworld");
  const f = back.get("file");
  assert(f instanceof File, "file part is a File");
  assertEquals(f.name, "bin.dat");
  assertEquals(f.type, "application/x-thing");
  assertEquals(Array.from(await f.bytes()), [0, 1, 2, 255]);
  const b = back.get("blob");
  assertEquals(b.name, "blob");
  assertEquals(b.type, "application/octet-stream");
  assertEquals(back.get("we%22ird%0Aname"), "v");
});

test("serialized form (workerd layout)", async () => {
  if (!hasBodies) return;
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("f", new File(["xy"], "n.txt"));
  const res = new Response(fd);
  const boundary = res.headers.get("content-type").split("boundary=")[1];
  const text = await res.text();
  assertEquals(text,
    `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="n.txt"\r\nContent-Type: application/octet-stream\r\n\r\nxy\r\n` +
    `--${boundary}--`);
});

const parse = (body, ct) => new Response(body, { headers: { "content-type": ct } }).formData();

test("parse: quoted boundary, preamble, epilogue, LF only", async () => {
  if (!hasBodies) return;
  const body = "preamble\r\n--b0\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--b0--\r\nepilogue";
  assertEquals([...await parse(body, 'multipart/form-data; boundary="b0"')], [["x", "value"]]);
  assertEquals([...await parse(body, "Multipart/Form-Data;boundary=b0")], [["x", "value"]]);
  const lf = "--b\nContent-Disposition: form-data; name=x\n\nv1\n--b\ncontent-disposition: form-data; name=\"y\"\n\nv2\n--b--";
  assertEquals([...await parse(lf, "multipart/form-data; boundary=b")], [["x", "v1"], ["y", "v2"]]);
});

test("parse: files, filename*, Content-Type and empty parts", async () => {
  if (!hasBodies) return;
  const body = [
    "--XyZ",
    'Content-Disposition: form-data; name="up"; filename="a.txt"',
    "Content-Type: text/plain",
    "",
    "file body",
    "--XyZ",
    "Content-Disposition: form-data; name=\"u2\"; filename=\"fallback.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt",
    "",
    "",
    "--XyZ",
    'Content-Disposition: form-data; name="empty"',
    "",
    "",
    "--XyZ--",
  ].join("\r\n");
  const fd = await parse(body, "multipart/form-data; boundary=XyZ");
  const up = fd.get("up");
  assert(up instanceof File);
  assertEquals([up.name, up.type, await up.text()], ["a.txt", "text/plain", "file body"]);
  const u2 = fd.get("u2");
  assertEquals([u2.name, u2.type, u2.size], ["été.txt", "", 0]);
  assertEquals(fd.get("empty"), "");
});

test("parse: binary bodies are kept byte for byte", async () => {
  if (!hasBodies) return;
  const head = new TextEncoder().encode('--q\r\nContent-Disposition: form-data; name="b"; filename="b"\r\n\r\n');
  const data = new Uint8Array(300);
  for (let i = 0; i < 300; i++) data[i] = (i * 7) & 0xff;
  const tail = new TextEncoder().encode("\r\n--q--");
  const body = new Uint8Array(head.length + data.length + tail.length);
  body.set(head); body.set(data, head.length); body.set(tail, head.length + data.length);
  const f = (await parse(body, "multipart/form-data; boundary=q")).get("b");
  assertEquals(Array.from(await f.bytes()), Array.from(data));
});

test("parse errors are TypeErrors with workerd's messages", async () => {
  if (!hasBodies) return;
  const cases = [
    ["x", "multipart/form-data", "No boundary string in Content-Type header"],
    ["nothing here", "multipart/form-data; boundary=zz", "No initial boundary string (or you have a truncated message)."],
    ["--zzjunk", "multipart/form-data; boundary=zz", "Boundary string was not succeeded by CRLF, LF, or '--'."],
    ["--zz\r\nContent-Disposition: form-data; name=a\r\n", "multipart/form-data; boundary=zz", "No multipart message header termination found."],
    ["--zz\r\nX-Other: 1\r\n\r\nv\r\n--zz--", "multipart/form-data; boundary=zz", "No valid Content-Disposition header found in FormData part."],
    ["--zz\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--zz--", "multipart/form-data; boundary=zz", 'must have the value "form-data"'],
    ["--zz\r\nContent-Disposition: form-data\r\n\r\nv\r\n--zz--", "multipart/form-data; boundary=zz", "is missing a name."],
    ["--zz\r\nContent-Disposition: form-data; name=a\r\n\r\nv", "multipart/form-data; boundary=zz", "No subsequent boundary string after multipart message."],
    ["--zz\r\nbad header line\r\n\r\nv\r\n--zz--", "multipart/form-data; boundary=zz", "FormData part had invalid headers."],
    ["--zz\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--zz--", "multipart/form-data; boundary=zz", "Invalid Content-Disposition header found in FormData part."],
  ];
  for (const [body, ct, msg] of cases) {
    const e = await assertRejects(parse(body, ct), TypeError, msg);
    assert(e.message.includes(msg), `${JSON.stringify(body)}: got ${e.message}`);
  }
});

test("urlencoded parsing", async () => {
  if (!hasBodies) return;
  const fd = await parse("a=1&b=x+y&&c=%C3%A9%2B&d&=e&a=2&bad=%zz%4", "application/x-www-form-urlencoded;charset=UTF-8");
  assertEquals([...fd], [["a", "1"], ["b", "x y"], ["c", "é+"], ["d", ""], ["", "e"], ["a", "2"], ["bad", "%zz%4"]]);
  assertEquals([...await parse("", "application/x-www-form-urlencoded")], []);
});

// Cases after workerd's own FormData parser tests (form-data-test.js).
const body = (ct, text) => new Request("https://example.org", { method: "POST", body: text, headers: { "content-type": ct } }).formData();
const flat = (fd) => [...fd].map(([k, v]) => `${k}=${v}`).join(",");

test("workerd parser cases that succeed", async () => {
  if (!hasBodies) return;
  const ct = 'multipart/form-data; boundary="+"';
  assertEquals(flat(await body(ct, "--+--")), "", "empty form");
  assertEquals(flat(await body(ct, [
    "--+\r\n", 'Content-Disposition: form-data; name="field0"\r\n', "\r\n", "part0\r\n",
    "--+\n", 'CONTENT-DISPOSITION:\tform-data\t;\tname="field1"\r\n', "\n", "part1\n",
    "--+\r\n", 'content-disposition:form-data;name="field0"\n', "\r\n", "part2\r\n",
    "--+\r\n", 'CoNTent-dIsposiTIOn: form-data; name="field1"\n', "\r\n", "part3\r\n",
    "--+--",
  ].join(""))), "field0=part0,field1=part1,field0=part2,field1=part3", "mixed CRLF/LF, header case");
  const empties = [];
  for (const head of ["\r\n\r\n", "\r\n\n", "\n\r\n", "\n\n"]) {
    for (const tail of ["\r\n", "\n"]) empties.push("--+\r\n", 'Content-Disposition: form-data; name="e"' + head + tail);
  }
  empties.push("--+--");
  assertEquals(flat(await body(ct, empties.join(""))), "e=,e=,e=,e=,e=,e=,e=,e=", "empty messages");
  assertEquals(flat(await body(ct, [
    "--+\r\n", "Content-Type: text/plain; charset=utf-8\r\n", 'Content-Disposition: form-data; name="field0"\r\n', "\r\n", "part0\r\n",
    "--+\r\n", 'Content-Disposition: form-data; name="field1"\r\n', "Content-Type: text/plain; charset=utf-8\r\n", "\r\n", "part1\r\n",
    "--+--",
  ].join(""))), "field0=part0,field1=part1", "Content-Type on text parts");
  const ue = "application/x-www-form-urlencoded";
  assertEquals(flat(await body(ue, "field0=part0&field1=part1&field0=part2&field1=part3")), "field0=part0,field1=part1,field0=part2,field1=part3");
  assertEquals(flat(await body(ue, "field0=data+with+an+%26+in+it")), "field0=data with an & in it");
  assertEquals(flat(await body(ue, "&=&field1&=part2&field1=")), "=,field1=,=part2,field1=");
});

test("workerd parser cases that fail", async () => {
  if (!hasBodies) return;
  const ct = 'multipart/form-data; boundary="+"';
  const bad = [
    [ct, ""], [ct, "--asdf--"], [ct, "--+"],
    [ct, '--+\r\nContent-Disposition: form-data; name="field0"\r\n\r\npart0\r\n-+--'],
    [ct, '--+\r\nBad-Content-Disposition: form-data; name="field0"\r\n\r\npart0\r\n--+--'],
    [ct, '--+\r\nContent-Disposition-Bad: form-data; name="field0"\r\n\r\npart0\r\n--+--'],
    [ct, '--+\r\nContent-Disposition: form-data; name="field0"\r\n\rpart0\r\n--+--'],
    [ct, '--+\r\nContent-Disposition: form-data; name="field0"\r\n\r\npart0\r\n'],
    [ct, '--+\r\nContent-Disposition: form-data; name="field0"\r\n\r\npart0\r\n--+\r--'],
    ["multipart/form-data; boundary=", "----"],
    // workerd also refuses "application/x-www-form-urlencoded; charset=big5";
    // parseFormDataBody does, once Body.formData() uses it.
    ["text/plain", "a=b"],
  ];
  for (const [c, b] of bad) await assertRejects(body(c, b), TypeError, `${c} ${JSON.stringify(b)}`);
  const e = await assertRejects(body("multipart/form-data;boundary=2a", "--2a\nContent-Disposition: foobar\nContent-Type: application/octet-stream\n\nfoo-content\n--2a--\n"), TypeError);
  assertEquals(e.message, 'Content-Disposition header for FormData part must have the value "form-data", possibly followed by parameters. Got: "foobar"');
});

test("workerd file parts: names, types, escapes", async () => {
  if (!hasBodies) return;
  const b = "2a2a2a2a";
  const text = [
    `--${b}`, 'Content-Disposition: form-data; name="foo"; filename="foo.txt"', "Content-Type: application/octet-stream", "", "foo-content",
    `--${b}`, 'Content-Disposition: form-data; name="bar"; filename="bar2.txt"', "Content-Type: text/bary", "", "bar2-content",
    `--${b}`, 'Content-Disposition: form-data; name="qux"; filename="qux%0A%22\\\\.txt"', "Content-Type: application/octet-stream", "", "qux-content",
    `--${b}--`, "",
  ].join("\n");
  const fd = await body(`multipart/form-data;boundary=${b}`, text);
  const check = async (f, name, type, content) => {
    assert(f instanceof File, `${name} is a File`);
    assertEquals([f.name, f.type, await f.text()], [name, type, content]);
  };
  await check(fd.get("foo"), "foo.txt", "application/octet-stream", "foo-content");
  await check(fd.get("bar"), "bar2.txt", "text/bary", "bar2-content");
  await check(fd.get("qux"), "qux%0A%22\\.txt", "application/octet-stream", "qux-content");
});

test("serializing a filename ending in a backslash throws", () => {
  if (!hasBodies) return;
  const form = new FormData();
  form.set("foo", new File(["x"], "foo.txt\\"));
  const e = assertThrows(() => new Request("http://example.org", { method: "POST", body: form }), TypeError);
  assertEquals(e.message, "Name or filename can't end with backslash");
});

test("serialized escapes in names and filenames", async () => {
  if (!hasBodies) return;
  const form = new FormData();
  form.set("qux", new Blob(["q"]), 'qux\n"\\.txt');
  form.append("baz", new Blob(["z"], { type: "text/bazzy" }));
  const text = await new Response(form).text();
  assert(text.includes('name="qux"; filename="qux%0A%22\\\\.txt"\r\nContent-Type: application/octet-stream'), text);
  assert(text.includes('name="baz"; filename="baz"\r\nContent-Type: text/bazzy'), text);
});
