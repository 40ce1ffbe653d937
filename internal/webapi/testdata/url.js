// URL and URLSearchParams behaviour beyond the WPT data files (which
// url_wptjs_test.go runs): constructor argument handling, searchParams
// linking, URLSearchParams constructors, methods, serialization and
// iteration. Cases follow web-platform-tests url/*.any.js.

test("URL constructor: arguments", () => {
  assertThrows(() => new URL(), TypeError);
  const e = assertThrows(() => new URL("not a url"), TypeError);
  assertEquals(e.message, "Invalid URL string.");
  assertThrows(() => new URL("/path", "not a base"), TypeError);
  assertThrows(() => new URL("/path", null), TypeError); // base "null"
  assertEquals(new URL("/p?q", undefined === undefined ? "https://example.com/a/b" : "").href, "https://example.com/p?q");
  assertEquals(new URL("https://example.com/x", undefined).href, "https://example.com/x");
  assertEquals(new URL({ toString: () => "https://a.example/" }).href, "https://a.example/");
  assertEquals(new URL("c", new URL("https://example.com/a/b")).href, "https://example.com/a/c");
});

test("URL getters on the fast path and the Go path agree", () => {
  const inputs = [
    "https://example.com/api/users/123?x=1",
    "https://example.com:8443/a/b/?x=1&y=2#frag",
    "http://example.com:80/a", // default port: not canonical
    "HTTPS://Example.COM/A", // case: not canonical
    "https://example.com/a/./b/../c", // dot segments
    "https://user:pass@example.com/",
    "https://example.com/\u00e9?\u00e9#\u00e9",
    "https://192.168.0.1/x",
    "https://0x7f.1/x",
    "https://xn--caf-dma.com/",
    "https://example.com/?",
    "https://example.com/#",
  ];
  for (const s of inputs) {
    const u = new URL(s);
    const v = new URL(s, "http://1.1.1.1/"); // an IPv4 base: always the Go parser
    for (const k of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]) {
      assertEquals(u[k], v[k], s + " " + k);
    }
  }
  const u = new URL("https://example.com:8443/a/b/?x=1&y=2#frag");
  assertEquals(u.host, "example.com:8443");
  assertEquals(u.port, "8443");
  assertEquals(u.pathname, "/a/b/");
  assertEquals(u.search, "?x=1&y=2");
  assertEquals(u.hash, "#frag");
  assertEquals(u.origin, "https://example.com:8443");
  assertEquals(new URL("http://example.com:80/a").href, "http://example.com/a");
  assertEquals(new URL("HTTPS://Example.COM/A").href, "https://example.com/A");
  assertEquals(new URL("https://example.com/a/./b/../c").pathname, "/a/c");
  assertEquals(new URL("https://0x7f.1/x").hostname, "127.0.0.1");
  assertEquals(new URL("https://example.com/?").search, "");
  assertEquals(new URL("https://example.com/?").href, "https://example.com/?");
});

test("URL origin", () => {
  assertEquals(new URL("blob:https://example.com:8080/uuid").origin, "https://example.com:8080");
  assertEquals(new URL("blob:ftp://example.com/uuid").origin, "null");
  assertEquals(new URL("file:///etc/passwd").origin, "null");
  assertEquals(new URL("data:text/plain,hi").origin, "null");
  assertEquals(new URL("ws://example.com:80/").origin, "ws://example.com");
});

test("URL setters", () => {
  const u = new URL("https://example.com/api?x=1#h");
  u.pathname = "/a b";
  assertEquals(u.href, "https://example.com/a%20b?x=1#h");
  u.search = "y=2";
  assertEquals(u.href, "https://example.com/a%20b?y=2#h");
  u.hash = "";
  assertEquals(u.href, "https://example.com/a%20b?y=2");
  u.host = "other.example:8080";
  assertEquals(u.href, "https://other.example:8080/a%20b?y=2");
  u.port = "443";
  assertEquals(u.port, "");
  u.protocol = "http";
  assertEquals(u.href, "http://other.example/a%20b?y=2");
  u.protocol = "foo"; // special to non-special: ignored
  assertEquals(u.protocol, "http:");
  u.username = "me";
  u.password = "p@ss";
  assertEquals(u.href, "http://me:p%40ss@other.example/a%20b?y=2");
  u.href = "https://example.org/";
  assertEquals(u.hostname, "example.org");
  assertThrows(() => { u.href = "nope"; }, TypeError);
  assertEquals(u.href, "https://example.org/");
});

test("URL serialization and reflection", () => {
  const u = new URL("https://example.com/x");
  assertEquals(String(u), "https://example.com/x");
  assertEquals(u.toJSON(), "https://example.com/x");
  assertEquals(JSON.stringify({ u }), '{"u":"https://example.com/x"}');
  assertEquals(Object.keys(u), []);
  assertEquals(Object.prototype.toString.call(u), "[object URL]");
  assert(Object.keys(URL.prototype).includes("pathname"), "accessors are enumerable");
  assertEquals(typeof URL, "function");
  assert(!Object.keys(globalThis).includes("URL"), "URL global is not enumerable");
});

test("URL.canParse and URL.parse", () => {
  assertEquals(URL.canParse("https://example.com"), true);
  assertEquals(URL.canParse("/x"), false);
  assertEquals(URL.canParse("/x", "https://example.com"), true);
  assertEquals(URL.canParse("/x", "bad"), false);
  assertEquals(URL.parse("nope"), null);
  const u = URL.parse("/x?y", "https://example.com/a");
  assert(u instanceof URL);
  assertEquals(u.href, "https://example.com/x?y");
  assertThrows(() => URL.canParse(), TypeError);
});

test("searchParams is live in both directions", () => {
  const u = new URL("https://example.com/p?a=1&b=2#frag");
  const sp = u.searchParams;
  assert(sp === u.searchParams, "same object");
  assertEquals(sp.get("a"), "1");
  sp.append("c", "x y");
  assertEquals(u.href, "https://example.com/p?a=1&b=2&c=x+y#frag");
  assertEquals(u.hash, "#frag");
  sp.delete("a");
  assertEquals(u.search, "?b=2&c=x+y");
  u.search = "?z=9";
  assertEquals(sp.get("z"), "9");
  assertEquals(sp.get("b"), null);
  u.href = "https://example.com/?q=%20";
  assertEquals(sp.get("q"), " ");
  sp.delete("q");
  assertEquals(u.href, "https://example.com/");
  sp.set("k", "v");
  assertEquals(u.href, "https://example.com/?k=v");
  u.search = "";
  assertEquals(sp.size, 0);
});

test("searchParams updates keep the query encoding", () => {
  const u = new URL("https://example.com/?a=%7E&b=~");
  assertEquals(u.search, "?a=%7E&b=~");
  u.searchParams.sort();
  assertEquals(u.search, "?a=%7E&b=%7E");
  const o = new URL("sc:opaque  ?x=1");
  o.searchParams.delete("x");
  assertEquals(o.href, "sc:opaque");
});

test("URLSearchParams constructor: strings", () => {
  assertEquals(new URLSearchParams().toString(), "");
  assertEquals(new URLSearchParams("").toString(), "");
  assertEquals(new URLSearchParams("?a=b").get("a"), "b");
  assertEquals(new URLSearchParams("??a=b").get("?a"), "b");
  assertEquals([...new URLSearchParams("a=b=c&&d&=e")], [["a", "b=c"], ["d", ""], ["", "e"]]);
  assertEquals(new URLSearchParams("a+b=c+d").get("a b"), "c d");
  assertEquals(new URLSearchParams("a=%zz%4").get("a"), "%zz%4");
  assertEquals(new URLSearchParams("a=%C3%A9%FF").get("a"), "\u00e9\ufffd");
  assertEquals(new URLSearchParams("a=%2B").get("a"), "+");
  assertEquals(new URLSearchParams(null).toString(), "null=");
  assertEquals(new URLSearchParams(123).toString(), "123=");
  assertEquals(new URLSearchParams("a=\ud800").get("a"), "\ufffd");
});

test("URLSearchParams constructor: sequences and records", () => {
  assertEquals([...new URLSearchParams([["a", "1"], ["b", "2"], ["a", "3"]])], [["a", "1"], ["b", "2"], ["a", "3"]]);
  assertEquals(new URLSearchParams({ a: "1", b: 2 }).toString(), "a=1&b=2");
  assertEquals(new URLSearchParams(new Map([["m", "n"]])).toString(), "m=n");
  assertThrows(() => new URLSearchParams([["a"]]), TypeError);
  assertThrows(() => new URLSearchParams([["a", "b", "c"]]), TypeError);
  assertThrows(() => new URLSearchParams([1]), TypeError);
  const src = new URLSearchParams("x=1&y=2");
  const copy = new URLSearchParams(src);
  copy.append("z", "3");
  assertEquals(src.toString(), "x=1&y=2");
  assertEquals(copy.toString(), "x=1&y=2&z=3");
  const rec = Object.create({ inherited: "no" });
  rec.own = "yes";
  Object.defineProperty(rec, "hidden", { value: "no", enumerable: false });
  assertEquals(new URLSearchParams(rec).toString(), "own=yes");
  assertEquals(new URLSearchParams({ "\ud835": "x" }).toString(), "%EF%BF%BD=x");
  assertEquals(new URLSearchParams([["a", "\udc00"]]).get("a"), "\ufffd");
});

test("URLSearchParams methods", () => {
  const p = new URLSearchParams("a=1&b=2&a=3");
  assertEquals(p.size, 3);
  assertEquals(p.get("a"), "1");
  assertEquals(p.get("nope"), null);
  assertEquals(p.getAll("a"), ["1", "3"]);
  assertEquals(p.has("a"), true);
  assertEquals(p.has("a", "3"), true);
  assertEquals(p.has("a", "2"), false);
  assertEquals(p.has("a", undefined), true);
  p.delete("a", "1");
  assertEquals(p.toString(), "b=2&a=3");
  p.delete("a", undefined);
  assertEquals(p.toString(), "b=2");
  p.append("c", "1");
  p.append("b", "4");
  p.set("b", "5");
  assertEquals(p.toString(), "b=5&c=1");
  p.set("d", "6");
  assertEquals(p.toString(), "b=5&c=1&d=6");
  assertThrows(() => p.append("x"), TypeError);
  assertThrows(() => p.get(), TypeError);
  assertThrows(() => p.set("x"), TypeError);
});

test("URLSearchParams sort is stable and by code units", () => {
  const p = new URLSearchParams("z=b&a=b&z=a&a=a");
  p.sort();
  assertEquals(p.toString(), "a=b&a=a&z=b&z=a");
  const q = new URLSearchParams([["\ufffd", "x"], ["\ud83d\ude00", "y"], ["\u00e9", "z"]]);
  q.sort();
  assertEquals([...q.keys()], ["\u00e9", "\ud83d\ude00", "\ufffd"]);
});

test("URLSearchParams serialization", () => {
  const p = new URLSearchParams();
  p.append("a b", "c+d");
  p.append("*-._", "!'()~");
  p.append("\u00e9", "&=?#/");
  assertEquals(p.toString(), "a+b=c%2Bd&*-._=%21%27%28%29%7E&%C3%A9=%26%3D%3F%23%2F");
  assertEquals(new URLSearchParams(p.toString()).getAll("a b"), ["c+d"]);
  assertEquals(String(new URLSearchParams({ k: "\n\0" })), "k=%0A%00");
});

test("URLSearchParams iteration is live", () => {
  const p = new URLSearchParams("a=1&b=2&c=3");
  const seen = [];
  for (const [k, v] of p) {
    seen.push(k + v);
    if (k === "a") p.delete("b");
  }
  assertEquals(seen, ["a1", "c3"]);
  assertEquals([...p.keys()], ["a", "c"]);
  assertEquals([...p.values()], ["1", "3"]);
  assertEquals([...p.entries()], [["a", "1"], ["c", "3"]]);
  const it = p.keys();
  assertEquals(Object.prototype.toString.call(it), "[object URLSearchParams Iterator]");
  assertEquals(typeof it[Symbol.iterator], "function");
  assertEquals(it[Symbol.iterator](), it);
  const calls = [];
  p.forEach(function (v, k, obj) { calls.push([v, k, obj === p, this.t]); }, { t: 1 });
  assertEquals(calls, [["1", "a", true, 1], ["3", "c", true, 1]]);
  assertThrows(() => p.forEach(), TypeError);
  assertEquals(Object.prototype.toString.call(p), "[object URLSearchParams]");
  assertEquals(URLSearchParams.prototype[Symbol.iterator], URLSearchParams.prototype.entries);
});

test("URLSearchParams body text and brand", () => {
  const p = new URLSearchParams({ q: "a b", n: "1" });
  assertEquals(p + "", "q=a+b&n=1");
  assert(p instanceof URLSearchParams);
  assert(!(new URL("https://x/") instanceof URLSearchParams));
});
