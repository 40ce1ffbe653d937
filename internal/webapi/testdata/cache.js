// The Cache API with Cloudflare's storage rules.
const url = (p) => "https://cache.test" + p + "?" + Math.random();

test("put then match returns the response with cf-cache-status", async () => {
  const u = url("/a");
  await caches.default.put(u, new Response("hello", { headers: { "cache-control": "max-age=60", "x-a": "1" } }));
  const r = await caches.default.match(u);
  assert(r, "hit");
  assertEquals(r.status, 200);
  assertEquals(await r.text(), "hello");
  assertEquals(r.headers.get("x-a"), "1");
  assertEquals(r.headers.get("cf-cache-status"), "HIT");
  assertEquals(await caches.default.match(url("/other")), undefined);
});

test("no-store, private and Set-Cookie are not cached", async () => {
  for (const h of [{ "cache-control": "no-store" }, { "cache-control": "private" }, { "cache-control": "max-age=60", "set-cookie": "a=1" }]) {
    const u = url("/n");
    await caches.default.put(u, new Response("x", { headers: h }));
    assertEquals(await caches.default.match(u), undefined, JSON.stringify(h));
  }
  const u = url("/p");
  await caches.default.put(u, new Response("x", { headers: { "cache-control": "max-age=60, private=set-cookie", "set-cookie": "a=1" } }));
  const r = await caches.default.match(u);
  assert(r, "stored without the cookie");
  assertEquals(r.headers.get("set-cookie"), null);
});

test("default TTL by status", async () => {
  const u200 = url("/d"), u500 = url("/e");
  await caches.default.put(u200, new Response("ok"));
  await caches.default.put(u500, new Response("no", { status: 500 }));
  assert(await caches.default.match(u200), "200 cached by default");
  assertEquals(await caches.default.match(u500), undefined);
});

test("put rejects non-GET, 206 and Vary: *", async () => {
  await assertRejects(caches.default.put(new Request(url("/x"), { method: "POST", body: "b" }), new Response("x")), TypeError);
  await assertRejects(caches.default.put(url("/x"), new Response("x", { status: 206 })), TypeError);
  await assertRejects(caches.default.put(url("/x"), new Response("x", { headers: { vary: "*" } })), TypeError);
});

test("delete and named caches", async () => {
  const u = url("/del");
  await caches.default.put(u, new Response("x", { headers: { "cache-control": "max-age=60" } }));
  const named = await caches.open("mine");
  assertEquals(await named.match(u), undefined, "named caches are separate");
  assertEquals(await caches.default.delete(u), true);
  assertEquals(await caches.default.delete(u), false);
  assertEquals(await caches.default.match(u), undefined);
});

test("conditional match gives 304", async () => {
  const u = url("/etag");
  await caches.default.put(u, new Response("x", { headers: { "cache-control": "max-age=60", etag: '"v1"' } }));
  const r = await caches.default.match(new Request(u, { headers: { "if-none-match": '"v1"' } }));
  assertEquals(r.status, 304);
});

test("expired entries are gone", async () => {
  const u = url("/exp");
  await caches.default.put(u, new Response("x", { headers: { expires: new Date(Date.now() + 1500).toUTCString() } }));
  assert(await caches.default.match(u), "fresh");
  await new Promise((r) => setTimeout(r, 1600));
  assertEquals(await caches.default.match(u), undefined);
});
