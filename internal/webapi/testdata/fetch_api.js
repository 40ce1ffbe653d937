// Headers, Request and Response, after WPT fetch/api cases and workerd's
// behaviour.
test("Headers: case-insensitive, sorted, combined", () => {
  const h = new Headers({ "X-B": "2", "x-a": "1" });
  h.append("X-A", "3");
  assertEquals(h.get("x-a"), "1, 3");
  assertEquals([...h.keys()], ["x-a", "x-b"]);
  assertEquals(h.has("X-B"), true);
  h.delete("x-b");
  assertEquals(h.has("x-b"), false);
});

test("Headers: set-cookie is not combined", () => {
  const h = new Headers();
  h.append("Set-Cookie", "a=1");
  h.append("Set-Cookie", "b=2");
  assertEquals(h.getSetCookie(), ["a=1", "b=2"]);
  assertEquals([...h], [["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
  assertEquals(h.getAll("set-cookie"), ["a=1", "b=2"]);
});

test("Headers: invalid names and values throw TypeError", () => {
  assertThrows(() => new Headers({ "bad name": "x" }), TypeError);
  assertThrows(() => new Headers().set("x", "a\nb"), TypeError);
  assertThrows(() => new Headers([["a"]]), TypeError);
});

test("Headers: values are trimmed", () => {
  const h = new Headers([["x", "  v \t"]]);
  assertEquals(h.get("x"), "v");
});

test("Request: defaults and init", async () => {
  const r = new Request("https://example.com/a?b=1", { method: "post", body: "hi", headers: { "X-T": "1" } });
  assertEquals(r.method, "POST");
  assertEquals(r.url, "https://example.com/a?b=1");
  assertEquals(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEquals(r.redirect, "follow");
  assertEquals(await r.text(), "hi");
  assertEquals(r.bodyUsed, true);
  await assertRejects(() => r.text(), TypeError);
});

test("Request: GET with body throws", () => {
  assertThrows(() => new Request("https://x.test/", { body: "a" }), TypeError);
});

test("Request: invalid URL throws TypeError", () => {
  assertThrows(() => new Request("not a url"), TypeError);
});

test("Request: from another request keeps fields", async () => {
  const a = new Request("https://x.test/p", { method: "PUT", body: "data", headers: { a: "1" } });
  const b = new Request(a, { headers: { b: "2" } });
  assertEquals(b.method, "PUT");
  assertEquals(b.headers.get("a"), null);
  assertEquals(b.headers.get("b"), "2");
  assertEquals(await b.text(), "data");
});

test("Request: clone tees the body", async () => {
  const a = new Request("https://x.test/", { method: "POST", body: "abc" });
  const b = a.clone();
  assertEquals(await a.text(), "abc");
  assertEquals(await b.text(), "abc");
});

test("Response: defaults", async () => {
  const r = new Response("hello");
  assertEquals(r.status, 200);
  assertEquals(r.ok, true);
  assertEquals(r.statusText, "");
  assertEquals(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEquals(await r.text(), "hello");
});

test("Response: status range", () => {
  assertThrows(() => new Response("x", { status: 600 }), RangeError);
  assertThrows(() => new Response("x", { status: 199 }), RangeError);
  assertThrows(() => new Response("x", { status: 204 }), TypeError);
  assertEquals(new Response(null, { status: 204 }).status, 204);
});

test("Response.json", async () => {
  const r = Response.json({ a: [1, 2] }, { status: 201, headers: { "x-y": "z" } });
  assertEquals(r.status, 201);
  assertEquals(r.headers.get("content-type"), "application/json");
  assertEquals(r.headers.get("x-y"), "z");
  assertEquals(await r.json(), { a: [1, 2] });
});

test("Response.redirect", () => {
  const r = Response.redirect("https://example.com/x", 301);
  assertEquals(r.status, 301);
  assertEquals(r.headers.get("location"), "https://example.com/x");
  assertThrows(() => Response.redirect("https://example.com/", 200), RangeError);
});

test("Response.error", () => {
  const r = Response.error();
  assertEquals(r.type, "error");
  assertEquals(r.status, 0);
});

test("Response: body readers", async () => {
  const bytes = new Uint8Array([104, 105]);
  assertEquals(await new Response(bytes).text(), "hi");
  assertEquals(new Uint8Array(await new Response("hi").arrayBuffer()), bytes);
  assertEquals(await new Response("hi").bytes(), bytes);
  const b = await new Response("hi", { headers: { "content-type": "text/x" } }).blob();
  assertEquals(b.type, "text/x");
  assertEquals(await b.text(), "hi");
});

test("Response: stream body", async () => {
  const enc = new TextEncoder();
  const rs = new ReadableStream({
    start(c) {
      c.enqueue(enc.encode("a"));
      c.enqueue(enc.encode("b"));
      c.close();
    },
  });
  const r = new Response(rs);
  assertEquals(r.body, rs);
  assertEquals(await r.text(), "ab");
  assertEquals(r.bodyUsed, true);
});

test("Response: .body of a text body is a byte stream", async () => {
  const r = new Response("xyz");
  const reader = r.body.getReader();
  const { value } = await reader.read();
  assertEquals(new TextDecoder().decode(value), "xyz");
  assertEquals(r.bodyUsed, true);
});

test("Response: clone", async () => {
  const r = new Response("abc", { status: 202 });
  const c = r.clone();
  assertEquals(c.status, 202);
  assertEquals(await c.text(), "abc");
  assertEquals(await r.text(), "abc");
});

test("Response: form bodies", async () => {
  const p = new URLSearchParams({ a: "1", b: "x y" });
  const r = new Response(p);
  assertEquals(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
  const fd = await r.formData();
  assertEquals(fd.get("b"), "x y");
  const f = new FormData();
  f.append("name", "ada");
  f.append("file", new File(["content"], "a.txt", { type: "text/plain" }));
  const r2 = new Response(f);
  assert(r2.headers.get("content-type").startsWith("multipart/form-data; boundary="));
  const back = await r2.formData();
  assertEquals(back.get("name"), "ada");
  assertEquals(await back.get("file").text(), "content");
  assertEquals(back.get("file").name, "a.txt");
});

test("navigator and performance", () => {
  assertEquals(navigator.userAgent, "Cloudflare-Workers");
  assert(performance.now() >= 0);
});

test("Go-side DOMException errors arrive as DOMException", async () => {
  const ac = new AbortController();
  const p = fetch("http://127.0.0.1:1/", { signal: ac.signal });
  ac.abort();
  const e = await assertRejects(p);
  assertEquals(e.name, "AbortError");
  assert(e instanceof DOMException, "instanceof DOMException");
});

test("class names survive bundling", () => {
  assertEquals(Headers.name, "Headers");
  assertEquals(Request.name, "Request");
  assertEquals(Response.name, "Response");
  assertEquals(ReadableStream.name, "ReadableStream");
});
