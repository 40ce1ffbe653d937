// URLPattern as Workers code uses it (routing), beyond the WPT data file
// that urlpattern_wpt_test.go runs.

test("URLPattern routes a pathname with named groups", () => {
  const p = new URLPattern({ pathname: "/api/users/:id" });
  const m = p.exec("https://example.com/api/users/123?x=1");
  assertEquals(m.pathname, { input: "/api/users/123", groups: { id: "123" } });
  assertEquals(m.search, { input: "x=1", groups: { "0": "x=1" } });
  assertEquals(m.inputs, ["https://example.com/api/users/123?x=1"]);
  assertEquals(p.test("https://example.com/api/users/"), false);
  assertEquals(p.test("https://example.com/api/users/1/2"), false);
  assertEquals(p.exec("https://example.com/other"), null);
  assertEquals(p.hasRegExpGroups, false);
});

test("URLPattern from a string with a baseURL", () => {
  const p = new URLPattern("/books/:id(\\d+)", "https://example.com");
  assertEquals(p.protocol, "https");
  assertEquals(p.hostname, "example.com");
  assertEquals(p.pathname, "/books/:id(\\d+)");
  assertEquals(p.hasRegExpGroups, true);
  assertEquals(p.test("https://example.com/books/42"), true);
  assertEquals(p.test("https://example.com/books/abc"), false);
  assertEquals(p.test("http://example.com/books/42"), false);
  assertEquals(p.exec("/books/7", "https://example.com").pathname.groups.id, "7");
  assertEquals(p.exec("/books/7", "https://example.com").inputs, ["/books/7", "https://example.com"]);
});

test("URLPattern full string pattern with wildcards and optional groups", () => {
  const p = new URLPattern("https://*.example.com/:path*");
  assertEquals(p.hostname, "*.example.com");
  const m = p.exec("https://api.example.com/a/b/c");
  assertEquals(m.hostname.groups, { "0": "api" });
  assertEquals(m.pathname.groups, { path: "a/b/c" });
  const q = new URLPattern({ pathname: "/files/:name{.:ext}?" });
  assertEquals(new URLPattern({ pathname: "/files/:name.:ext?" }).test({ pathname: "/files/readme" }), false);
  assertEquals(q.exec({ pathname: "/files/readme" }).pathname.groups, { name: "readme", ext: undefined });
  assertEquals(q.exec({ pathname: "/files/a.txt" }).pathname.groups, { name: "a", ext: "txt" });
});

test("URLPattern ignoreCase", () => {
  const p = new URLPattern({ pathname: "/Foo" }, { ignoreCase: true });
  assertEquals(p.test({ pathname: "/FOO" }), true);
  assertEquals(new URLPattern({ pathname: "/Foo" }).test({ pathname: "/FOO" }), false);
  const q = new URLPattern("https://example.com/Foo", { ignoreCase: true });
  assertEquals(q.test("https://example.com/foo"), true);
});

test("URLPattern init dictionaries and baseURL", () => {
  const p = new URLPattern({ pathname: "/a/:x", baseURL: "https://example.com/base/" });
  assertEquals(p.protocol, "https");
  assertEquals(p.hostname, "example.com");
  assertEquals(p.port, "");
  assertEquals(p.search, "*");
  assertEquals(p.test("https://example.com/a/1?q"), true);
  assertEquals(p.test({ pathname: "/a/1", baseURL: "https://example.com/" }), true);
  const rel = new URLPattern({ pathname: "c", baseURL: "https://example.com/a/b" });
  assertEquals(rel.pathname, "/a/c");
  assertEquals(new URLPattern().test("anything:at-all"), true);
  assertEquals(new URLPattern({}).pathname, "*");
});

test("URLPattern errors are TypeErrors", () => {
  assertThrows(() => new URLPattern("/relative"), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/:id/:id" }), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/(unclosed" }), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/([a-z)" }), TypeError);
  assertThrows(() => new URLPattern({ hostname: "bad host" }), TypeError);
  assertThrows(() => new URLPattern({ pathname: "/x" }, "https://example.com"), TypeError);
  const p = new URLPattern({ pathname: "/x" });
  assertThrows(() => p.test({ pathname: "/x" }, "https://example.com"), TypeError);
  assertEquals(p.test("not a url"), false);
  assertEquals(p.exec("/x", "not a base"), null);
});

test("URLPattern canonicalizes fixed text", () => {
  const p = new URLPattern({ hostname: "caf\u00e9.com", pathname: "/caf\u00e9/ /:x" });
  assertEquals(p.hostname, "xn--caf-dma.com");
  assertEquals(p.pathname, "/caf%C3%A9/%20/:x");
  assertEquals(p.test("https://café.com/café/%20/1"), true);
  const q = new URLPattern({ protocol: "http", port: "80" });
  assertEquals(q.port, "");
  assertEquals(q.test("http://example.com/"), true);
});

test("URLPattern reflection", () => {
  const p = new URLPattern({ pathname: "/x" });
  assertEquals(Object.prototype.toString.call(p), "[object URLPattern]");
  assert(Object.keys(URLPattern.prototype).includes("exec"));
  assertEquals(Object.keys(p), []);
  for (const k of ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"]) {
    assertEquals(typeof p[k], "string", k);
  }
});
