// Binding tests: each method of `tests` runs in its own request (see
// binding_test.go) and throws on the first failed assertion.
function eq(got, want, what = "") {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}
async function rejects(p, re, what = "") {
  try {
    await p;
  } catch (e) {
    if (!re.test(String(e.message))) throw new Error(`${what}: error ${JSON.stringify(e.message)} does not match ${re}`);
    return e;
  }
  throw new Error(`${what}: did not throw`);
}
function throws(f, re, what = "") {
  try { f(); } catch (e) {
    if (!re.test(String(e.message))) throw new Error(`${what}: error ${JSON.stringify(e.message)} does not match ${re}`);
    return e;
  }
  throw new Error(`${what}: did not throw`);
}

const tests = {
  async kvBasics(env, req) {
    eq(await env.KV.get("missing"), null, "missing");
    await env.KV.put("a", "hello");
    eq(await env.KV.get("a"), "hello", "text");
    eq(await env.KV.get("a", "text"), "hello", "text type");
    // text decodes as TextDecoder does: a leading BOM dropped, bad bytes U+FFFD.
    await env.KV.put("bom", new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff, 0x62]));
    eq(await env.KV.get("bom"), "a\ufffdb", "BOM and invalid UTF-8");
    eq(await env.KV.get("bom"), new TextDecoder().decode(await env.KV.get("bom", "arrayBuffer")), "same as TextDecoder");
    await env.KV.put("j", '{"x":[1]}');
    eq(await env.KV.get("j", "json"), { x: [1] }, "json type");
    eq(await env.KV.get("nothing", "json"), null, "missing json");
    eq(await env.KV.get("a", { type: "text", cacheTtl: 60 }), "hello", "cacheTtl");
    eq(new Uint8Array(await env.KV.get("a", "arrayBuffer")), new Uint8Array([104, 101, 108, 108, 111]), "arrayBuffer");
    eq(await new Response(await env.KV.get("a", "stream")).text(), "hello", "stream");
    await env.KV.put("j", JSON.stringify({ x: [1, 2] }));
    eq(await env.KV.get("j", "json"), { x: [1, 2] }, "json");
    eq(await env.KV2.get("a"), null, "namespaces are separate");
    await env.KV.put("bin", new Uint8Array([0, 255, 1]));
    eq(new Uint8Array(await env.KV.get("bin", "arrayBuffer")), new Uint8Array([0, 255, 1]), "binary");
    await env.KV.put("ab", new Uint16Array([1, 2]).buffer);
    eq((await env.KV.get("ab", "arrayBuffer")).byteLength, 4, "ArrayBuffer value");
    await env.KV.put("empty", "");
    eq(await env.KV.get("empty"), "", "empty value is not null");
    await env.KV.delete("a");
    eq(await env.KV.get("a"), null, "deleted");
    await env.KV.delete("never-there");
  },

  async kvStreamPut(env) {
    const s = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("str"));
        c.enqueue(new TextEncoder().encode("eamed"));
        c.close();
      },
    });
    await env.KV.put("s", s);
    eq(await env.KV.get("s"), "streamed");
  },

  async kvMetadata(env) {
    await env.KV.put("m", "v", { metadata: { role: "admin", n: 1 } });
    eq(await env.KV.getWithMetadata("m"), { value: "v", metadata: { role: "admin", n: 1 }, cacheStatus: null });
    await env.KV.put("nm", "v");
    eq(await env.KV.getWithMetadata("nm"), { value: "v", metadata: null, cacheStatus: null }, "no metadata");
    eq(await env.KV.getWithMetadata("missing"), { value: null, metadata: null, cacheStatus: null }, "missing");
    const r = await env.KV.getWithMetadata("m", "arrayBuffer");
    eq(r.value.byteLength, 1, "arrayBuffer with metadata");
  },

  async kvBulk(env) {
    await env.KV.put("b1", "one");
    await env.KV.put("b2", JSON.stringify(2), { metadata: { m: 2 } });
    const m = await env.KV.get(["b1", "b2", "nope"]);
    eq(m instanceof Map, true, "Map");
    eq([...m], [["b1", "one"], ["b2", "2"], ["nope", null]], "bulk text");
    const mj = await env.KV.get(["b2"], "json");
    eq(mj.get("b2"), 2, "bulk json");
    const mm = await env.KV.getWithMetadata(["b2", "nope"]);
    eq([...mm], [["b2", { value: "2", metadata: { m: 2 } }], ["nope", { value: null, metadata: null }]], "bulk metadata");
    await rejects(env.KV.get(["b1"], "arrayBuffer"), /not a valid type/, "bulk arrayBuffer");
    const many = Array.from({ length: 101 }, (_, i) => `k${i}`);
    await rejects(env.KV.get(many), /KV GET failed: 400 You can request a maximum of 100 keys/, "101 keys");
  },

  async kvList(env) {
    for (const k of ["p/b", "p/a", "p/c", "q", "p/\u00e9", "p/z"]) await env.KV2.put(k, "x", { metadata: { k } });
    let r = await env.KV2.list({ prefix: "p/" });
    eq(r.keys.map((k) => k.name), ["p/a", "p/b", "p/c", "p/z", "p/\u00e9"], "byte order");
    eq(r.list_complete, true, "complete");
    eq(r.cursor, undefined, "no cursor");
    eq(r.keys[0].metadata, { k: "p/a" }, "metadata in list");
    r = await env.KV2.list({ prefix: "p/", limit: 2 });
    eq(r.keys.map((k) => k.name), ["p/a", "p/b"], "page 1");
    eq(r.list_complete, false, "incomplete");
    r = await env.KV2.list({ prefix: "p/", limit: 2, cursor: r.cursor });
    eq(r.keys.map((k) => k.name), ["p/c", "p/z"], "page 2");
    await rejects(env.KV2.list({ limit: 1001 }), /KV LIST failed: 400 Invalid key_count_limit/, "limit");
    await rejects(env.KV2.list({ cursor: "garbage!" }), /KV LIST failed: 400 Invalid cursor/, "cursor");
  },

  async kvExpiration(env) {
    const now = Math.floor(Date.now() / 1000);
    await env.KV.put("ttl", "x", { expirationTtl: 120 });
    const r = await env.KV.list({ prefix: "ttl" });
    const exp = r.keys[0].expiration;
    if (!(exp >= now + 119 && exp <= now + 122)) throw new Error(`expiration ${exp}`);
    await env.KV.put("abs", "x", { expiration: now + 3600 });
    eq((await env.KV.list({ prefix: "abs" })).keys[0].expiration, now + 3600, "absolute");
    await rejects(env.KV.put("t", "x", { expirationTtl: 30 }), /KV PUT failed: 400 Invalid expiration_ttl of 30/, "ttl < 60");
    await rejects(env.KV.put("t", "x", { expirationTtl: -1 }), /KV PUT failed: 400 Invalid expiration_ttl of -1/, "negative");
    await rejects(env.KV.put("t", "x", { expirationTtl: "soon" }), /KV PUT failed: 400 Invalid expiration_ttl of soon/, "NaN");
    await rejects(env.KV.put("t", "x", { expiration: now - 10 }), /KV PUT failed: 400 Invalid expiration of/, "past");
    eq(await env.KV.get("t"), null, "nothing written");
  },

  async kvBadInput(env) {
    await rejects(env.KV.get("x".repeat(513)), /KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512/, "long key");
    await rejects(env.KV.put("x".repeat(513), "v"), /KV PUT failed: 414/, "long key put");
    await rejects(env.KV.put("", "v"), /KV PUT failed: 400 Key names must not be empty/, "empty key");
    await rejects(env.KV.put("..", "v"), /KV PUT failed: 400 Illegal key name/, "dot dot");
    await rejects(env.KV.put("k", "v", { metadata: { big: "x".repeat(1100) } }), /KV PUT failed: 413 Metadata length of \d+ exceeds limit of 1024/, "metadata");
    await rejects(env.KV.put("k", new Uint8Array(25 * 1024 * 1024 + 1)), /KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400/, "value size");
    eq(await env.KV.get("k"), null, "nothing written");
    await rejects(env.KV.put("k", 42), /KV put\(\) accepts only strings/, "number value");
    await rejects(env.KV.put("k", { a: 1 }), /KV put\(\) accepts only strings/, "object value");
    await rejects(env.KV.get("k", "xml"), /Unknown response type/, "bad type");
    await rejects(env.KV.get("k", { cacheTtl: 10 }), /KV GET failed: 400 Invalid cache_ttl of 10/, "cacheTtl");
    await rejects(env.KV.put("k", "v", { metadata: { f() {} }.f }), /metadata/, "unserializable metadata");
    for (const k of ["a/../b", "/etc/passwd", "nul\u0000byte", "bad\ud800surrogate", "../../hostile"]) {
      await env.KV.put(k, "ok");
      eq(await env.KV.get(k), "ok", JSON.stringify(k));
    }
  },

  async d1Basics(env) {
    await env.DB.exec("CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT UNIQUE NOT NULL, name TEXT, score REAL, data BLOB, active BOOLEAN)");
    const ins = await env.DB.prepare("INSERT INTO users (email, name, score, data, active) VALUES (?, ?, ?, ?, ?)")
      .bind("a@x.io", "Ann", 1.5, new Uint8Array([1, 2, 3]), true).run();
    eq(ins.success, true, "success");
    eq(ins.meta.changes, 1, "changes");
    eq(ins.meta.last_row_id, 1, "last_row_id");
    eq(ins.meta.changed_db, true, "changed_db");
    eq(typeof ins.meta.duration, "number", "duration");
    eq(typeof ins.meta.size_after, "number", "size_after");
    eq(ins.meta.rows_written >= 1, true, "rows_written");
    eq(ins.results, [], "run results");
    const row = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(1).first();
    eq(row, { id: 1, email: "a@x.io", name: "Ann", score: 1.5, data: [1, 2, 3], active: 1 }, "first");
    eq(await env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(1).first("name"), "Ann", "first(col)");
    eq(await env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(99).first("name"), null, "first(col) no row");
    const e = await rejects(env.DB.prepare("SELECT name FROM users").first("nope"), /^D1_COLUMN_NOTFOUND: Column not found \(nope\)$/, "missing column");
    eq(e.cause.message, "Column not found", "column cause");
    await env.DB.prepare("INSERT INTO users (email, name, active) VALUES (?1, ?2, ?3)").bind("b@x.io", "Bob", false).run();
    const all = await env.DB.prepare("SELECT id, name, active FROM users ORDER BY id").all();
    eq(all.results, [{ id: 1, name: "Ann", active: 1 }, { id: 2, name: "Bob", active: 0 }], "all");
    eq(all.meta.rows_read >= 2, true, "rows_read");
    eq(await env.DB.prepare("SELECT id, name FROM users ORDER BY id").raw(), [[1, "Ann"], [2, "Bob"]], "raw");
    // BLOBs larger than the scratch area (staged in Go), on the fast path
    // (SELECT) and the goroutine path (INSERT ... RETURNING).
    const blob = new Uint8Array(300 << 10).map((_, i) => i & 255);
    eq(await env.DB.prepare("SELECT length(?) n, hex(substr(?, 299999, 3)) h").bind(blob, blob).first(), { n: 300 << 10, h: "DEDFE0" }, "large BLOB select");
    await env.DB.exec("CREATE TABLE blobs (b BLOB)");
    eq(await env.DB.prepare("INSERT INTO blobs VALUES (?) RETURNING length(b) n").bind(blob).first("n"), 300 << 10, "large BLOB insert");
    eq((await env.DB.prepare("SELECT b FROM blobs").first("b")).slice(1000, 1003), [232, 233, 234], "BLOB as bytes");
    eq(await env.DB.prepare("SELECT id, name FROM users ORDER BY id").raw({ columnNames: true }), [["id", "name"], [1, "Ann"], [2, "Bob"]], "raw columnNames");
    const ret = await env.DB.prepare("INSERT INTO users (email) VALUES (?) RETURNING id, email").bind("c@x.io").first();
    eq(ret, { id: 3, email: "c@x.io" }, "RETURNING");
    eq(await env.DB.prepare("SELECT typeof(?) a, typeof(?) b, typeof(?) c, typeof(?) d").bind(1, 1.25, null, new ArrayBuffer(2)).first(),
      { a: "integer", b: "real", c: "null", d: "blob" }, "types");
    eq(await env.DB.prepare("SELECT json_extract('{\"a\":[5]}', '$.a[0]') j, strftime('%Y', '2024-05-01') y").first(), { j: 5, y: "2024" }, "json, strftime");
  },

  async d1Errors(env) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS u (email TEXT UNIQUE)");
    await env.DB.prepare("INSERT INTO u VALUES (?)").bind("x").run();
    const e = await rejects(env.DB.prepare("INSERT INTO u VALUES (?)").bind("x").run(), /^D1_ERROR: UNIQUE constraint failed: u\.email/, "unique");
    eq(e instanceof Error, true, "Error");
    eq(/UNIQUE constraint failed/.test(e.cause.message) && !e.cause.message.startsWith("D1_"), true, "cause");
    await rejects(env.DB.prepare("SELEC nonsense").all(), /^D1_ERROR: near "SELEC": syntax error/, "syntax");
    await rejects(env.DB.prepare("SELECT * FROM nowhere").all(), /^D1_ERROR: no such table: nowhere/, "no table");
    throws(() => env.DB.prepare("SELECT ?").bind(10n), /^D1_TYPE_ERROR: Type 'bigint' not supported for value '10'/, "bigint");
    throws(() => env.DB.prepare("SELECT ?").bind(undefined), /^D1_TYPE_ERROR: Type 'undefined' not supported/, "undefined");
    throws(() => env.DB.prepare("SELECT ?").bind({}), /^D1_TYPE_ERROR: Type 'object' not supported/, "object");
    await rejects(env.DB.prepare("SELECT 1; SELECT 2").all(), /^D1_ERROR: A prepared SQL statement must contain only one statement/, "two statements");
    await rejects(env.DB.prepare("SELECT ?, ?").bind(1).all(), /^D1_ERROR: Wrong number of parameter bindings/, "parameter count");
    await rejects(env.DB.prepare("").all(), /^D1_ERROR: No SQL statements detected/, "empty");
    throws(() => env.DB.prepare(42), /query must be a string/, "non-string SQL");
    await rejects(env.DB.batch([{}]), /prepared statements/, "batch of non-statements");
    await rejects(env.DB.prepare("SELECT ?").bind("x".repeat(2_000_001)).all(), /^D1_ERROR: .*(too big|TOOBIG)/, "row too big");
    await rejects(env.DB.exec("CREATE TABLE ok1 (a);\nCREATE TABLE oops ("), /^D1_EXEC_ERROR: Error in line 2:/, "exec error line");
    eq((await env.DB.prepare("SELECT count(*) n FROM sqlite_schema WHERE name = 'ok1'").first()).n, 1, "exec keeps earlier lines");
  },

  async d1SlowSelect(env) {
    // Longer than the fast path's budget: interrupted on the isolate thread
    // and run again on a goroutine; later statements are not interrupted.
    const q = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) AS n FROM c";
    const [a, b] = await Promise.all([env.DB.prepare(q).first("n"), env.DB.prepare("SELECT 1 AS one").first("one")]);
    eq([a, b], [300000, 1], "slow and fast");
    for (let i = 0; i < 50; i++) eq(await env.DB.prepare("SELECT ? AS v").bind(i).first("v"), i, "after slow " + i);
  },

  async d1Batch(env) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    const res = await env.DB.batch([
      env.DB.prepare("INSERT INTO t (id, v) VALUES (?, ?)").bind(1, "a"),
      env.DB.prepare("INSERT INTO t (id, v) VALUES (?, ?)").bind(2, "b"),
      env.DB.prepare("SELECT v FROM t ORDER BY id"),
    ]);
    eq(res.length, 3, "results");
    eq(res[2].results, [{ v: "a" }, { v: "b" }], "select in batch");
    await rejects(env.DB.batch([
      env.DB.prepare("INSERT INTO t (id, v) VALUES (?, ?)").bind(3, "c"),
      env.DB.prepare("INSERT INTO t (id, v) VALUES (?, ?)").bind(1, "dup"),
    ]), /^D1_ERROR: UNIQUE constraint failed/, "batch error");
    eq((await env.DB.prepare("SELECT count(*) n FROM t").first()).n, 2, "batch rolled back");
    const s = env.DB.withSession("first-primary");
    eq(s.getBookmark(), null, "no bookmark yet");
    eq((await s.prepare("SELECT count(*) n FROM t").first()).n, 2, "session query");
    eq(typeof s.getBookmark(), "string", "bookmark");
    const dump = await env.DB.dump();
    eq(dump instanceof ArrayBuffer, true, "dump ArrayBuffer");
    eq(new TextDecoder().decode(new Uint8Array(dump, 0, 15)), "SQLite format 3", "dump is a database file");
    const ex = await env.DB.exec("SELECT 1; SELECT 2;\nSELECT 3");
    eq(ex.count, 2, "exec count (one per line)");
    eq(typeof ex.duration, "number", "exec duration");
  },

  async r2Basics(env) {
    eq(await env.BUCKET.get("nope"), null, "missing get");
    eq(await env.BUCKET.head("nope"), null, "missing head");
    const put = await env.BUCKET.put("dir/file.txt", "hello world", {
      httpMetadata: { contentType: "text/plain", cacheControl: "max-age=60" },
      customMetadata: { owner: "me" },
    });
    eq(put.key, "dir/file.txt", "key");
    eq(put.size, 11, "size");
    eq(put.etag, "5eb63bbbe01eeed093cb22bb8f5acdc3", "etag is md5");
    eq(put.httpEtag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"', "httpEtag");
    eq(put.uploaded instanceof Date, true, "uploaded");
    eq(put.checksums.md5.byteLength, 16, "md5 checksum");
    eq(put.checksums.toJSON(), { md5: "5eb63bbbe01eeed093cb22bb8f5acdc3" }, "checksums json");
    const o = await env.BUCKET.get("dir/file.txt");
    eq(await o.text(), "hello world", "text");
    eq(o.bodyUsed, true, "bodyUsed");
    await rejects(o.arrayBuffer(), /already been used/, "second read");
    await env.BUCKET.put("bom.txt", new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff, 0x62]));
    eq(await (await env.BUCKET.get("bom.txt")).text(), "a\ufffdb", "text drops a BOM, replaces bad UTF-8");
    eq(await (await env.BUCKET.get("bom.txt")).text(), new TextDecoder().decode(await (await env.BUCKET.get("bom.txt")).arrayBuffer()), "text as TextDecoder");
    const big = "y".repeat(70 << 10); // above the in-memory threshold: read from its file
    await env.BUCKET.put("big.txt", big);
    eq(await (await env.BUCKET.get("big.txt")).text(), big, "large text");
    eq((await (await env.BUCKET.get("big.txt")).arrayBuffer()).byteLength, 70 << 10, "large arrayBuffer");
    eq(o.httpMetadata, { contentType: "text/plain", cacheControl: "max-age=60" }, "httpMetadata");
    eq(o.customMetadata, { owner: "me" }, "customMetadata");
    const h = new Headers();
    o.writeHttpMetadata(h);
    eq([...h], [["cache-control", "max-age=60"], ["content-type", "text/plain"]], "writeHttpMetadata");
    const head = await env.BUCKET.head("dir/file.txt");
    eq(head.body, undefined, "head has no body");
    eq(head.size, 11, "head size");
    eq(await (await env.BUCKET.get("dir/file.txt")).json().catch((e) => "bad json"), "bad json", "json error");
    await env.BUCKET.put("j.json", JSON.stringify({ a: 1 }), { httpMetadata: new Headers({ "content-type": "application/json" }) });
    const j = await env.BUCKET.get("j.json");
    eq(await j.json(), { a: 1 }, "json");
    eq(j.httpMetadata.contentType, "application/json", "metadata from Headers");
    const ab = await (await env.BUCKET.get("j.json")).arrayBuffer();
    eq(ab.byteLength, 7, "arrayBuffer");
    await env.BUCKET.delete("j.json");
    eq(await env.BUCKET.head("j.json"), null, "deleted");
    await env.BUCKET.put("d1", "1");
    await env.BUCKET.put("d2", "2");
    await env.BUCKET.delete(["d1", "d2"]);
    eq(await env.BUCKET.head("d2"), null, "bulk delete");
    eq(await env.BUCKET.put("null-body", null).then((x) => x.size), 0, "null body");
  },

  async r2Ranges(env) {
    await env.BUCKET.put("r", "0123456789");
    const t = async (range) => {
      const o = await env.BUCKET.get("r", { range });
      return [await o.text(), o.range];
    };
    eq(await t({ offset: 2, length: 3 }), ["234", { offset: 2, length: 3 }], "offset+length");
    eq(await t({ offset: 7 }), ["789", { offset: 7, length: 3 }], "offset");
    eq(await t({ length: 2 }), ["01", { offset: 0, length: 2 }], "length");
    eq(await t({ suffix: 4 }), ["6789", { offset: 6, length: 4 }], "suffix");
    eq(await t(new Headers({ range: "bytes=1-3" })), ["123", { offset: 1, length: 3 }], "Range header");
    await rejects(env.BUCKET.get("r", { range: { offset: 11 } }), /get: The requested range is not satisfiable \(10039\)/, "offset past end");
    await rejects(env.BUCKET.get("r", { range: { offset: -1 } }), /non-negative/, "negative offset");
    await rejects(env.BUCKET.get("r", { range: { suffix: 1, offset: 1 } }), /suffix/, "suffix with offset");
  },

  async r2Conditionals(env) {
    const p = await env.BUCKET.put("c", "v1");
    const ok = await env.BUCKET.get("c", { onlyIf: { etagMatches: p.etag } });
    eq(await ok.text(), "v1", "etag matches");
    const miss = await env.BUCKET.get("c", { onlyIf: { etagMatches: "0000" } });
    eq(miss !== null && !("body" in miss) && miss.key === "c", true, "failed precondition gives object without body");
    const nm = await env.BUCKET.get("c", { onlyIf: { etagDoesNotMatch: p.etag } });
    eq("body" in nm, false, "etagDoesNotMatch");
    const hdr = await env.BUCKET.get("c", { onlyIf: new Headers({ "if-none-match": p.httpEtag }) });
    eq("body" in hdr, false, "If-None-Match header");
    const after = await env.BUCKET.get("c", { onlyIf: { uploadedAfter: new Date(p.uploaded.getTime() + 60_000) } });
    eq("body" in after, false, "uploadedAfter");
    const before = await env.BUCKET.get("c", { onlyIf: { uploadedBefore: new Date(p.uploaded.getTime() + 60_000) } });
    eq(await before.text(), "v1", "uploadedBefore");
    eq(await env.BUCKET.put("c", "v2", { onlyIf: { etagMatches: "0000" } }), null, "conditional put fails with null");
    eq(await (await env.BUCKET.get("c")).text(), "v1", "unchanged");
    eq((await env.BUCKET.put("c", "v2", { onlyIf: { etagMatches: p.etag } })).size, 2, "conditional put");
  },

  async r2Digests(env) {
    const md5 = "5d41402abc4b2a76b9719d911017c592"; // md5("hello")
    eq((await env.BUCKET.put("h", "hello", { md5 })).etag, md5, "md5 ok");
    await rejects(env.BUCKET.put("h2", "hello", { md5: "00".repeat(16) }), /^put: The MD5 checksum you specified did not match what we received\.[^]*\(10037\)$/, "md5 mismatch");
    eq(await env.BUCKET.head("h2"), null, "nothing stored");
    const sha = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("hello")));
    const o = await env.BUCKET.put("h3", "hello", { sha256: sha });
    eq(new Uint8Array(o.checksums.sha256), sha, "sha256 checksum");
    await rejects(env.BUCKET.put("h4", "x", { md5, sha1: "00" }), /multiple hashing algorithms/, "two digests");
  },

  async r2List(env) {
    for (const k of ["l/a/1", "l/a/2", "l/b", "l/c/1", "m"]) await env.BUCKET.put(k, k, { customMetadata: { k }, httpMetadata: { contentType: "x/y" } });
    let r = await env.BUCKET.list({ prefix: "l/" });
    eq(r.objects.map((o) => o.key), ["l/a/1", "l/a/2", "l/b", "l/c/1"], "prefix");
    eq(r.truncated, false, "not truncated");
    eq(r.objects[0].customMetadata, {}, "no metadata without include");
    r = await env.BUCKET.list({ prefix: "l/", delimiter: "/" });
    eq(r.objects.map((o) => o.key), ["l/b"], "delimiter objects");
    eq(r.delimitedPrefixes, ["l/a/", "l/c/"], "delimitedPrefixes");
    r = await env.BUCKET.list({ prefix: "l/", limit: 2, include: ["customMetadata", "httpMetadata"] });
    eq(r.objects.map((o) => o.key), ["l/a/1", "l/a/2"], "limit");
    eq(r.truncated, true, "truncated");
    eq(r.objects[0].customMetadata, { k: "l/a/1" }, "include customMetadata");
    eq(r.objects[0].httpMetadata, { contentType: "x/y" }, "include httpMetadata");
    r = await env.BUCKET.list({ prefix: "l/", limit: 2, cursor: r.cursor });
    eq(r.objects.map((o) => o.key), ["l/b", "l/c/1"], "cursor");
    r = await env.BUCKET.list({ prefix: "l/", startAfter: "l/b" });
    eq(r.objects.map((o) => o.key), ["l/c/1"], "startAfter");
    await rejects(env.BUCKET.list({ limit: 1001 }), /list: MaxKeys params must be positive integer <= 1000\. \(10022\)/, "limit too big");
    await rejects(env.BUCKET.list({ limit: 0 }), /10022/, "limit 0");
  },

  async r2Multipart(env) {
    const up = await env.BUCKET.createMultipartUpload("big", { httpMetadata: { contentType: "application/x-big" }, customMetadata: { a: "b" } });
    eq(typeof up.uploadId, "string", "uploadId");
    const part = new Uint8Array(5 * 1024 * 1024).fill(97);
    const p1 = await up.uploadPart(1, part);
    const resumed = env.BUCKET.resumeMultipartUpload("big", up.uploadId);
    const p2 = await resumed.uploadPart(2, "tail");
    eq(p1.partNumber, 1, "part number");
    const o = await up.complete([p1, p2]);
    eq(o.size, 5 * 1024 * 1024 + 4, "size");
    eq(/-2$/.test(o.etag), true, "multipart etag");
    const got = await env.BUCKET.get("big", { range: { suffix: 6 } });
    eq(await got.text(), "aatail", "content");
    eq(got.httpMetadata.contentType, "application/x-big", "metadata");
    const small = await env.BUCKET.createMultipartUpload("small");
    const s1 = await small.uploadPart(1, "tiny");
    const s2 = await small.uploadPart(2, "tiny");
    await rejects(small.complete([s1, s2]), /completeMultipartUpload: .*\(100(11|48)\)/, "parts too small");
    await small.abort();
    await rejects(small.uploadPart(3, "x"), /uploadPart: The specified multipart upload does not exist\. \(10024\)/, "aborted");
    await rejects(up.uploadPart(0, "x"), /uploadPart: .*\(10029\)/, "part 0");
  },

  async r2JSStream(env) {
    const chunks = ["a", "bb", "ccc"];
    const body = () => new ReadableStream({
      pull(c) {
        const x = chunks.shift();
        if (x === undefined) c.close(); else c.enqueue(new TextEncoder().encode(x.repeat(100000)));
      },
    });
    const o = await env.BUCKET.put("js-stream", body());
    eq(o.size, 600000, "size");
    eq((await (await env.BUCKET.get("js-stream", { range: { offset: 599999 } })).text()), "c", "last byte");
    // A put that fails before reading its stream must not hang on the pump.
    chunks.push("x", "y");
    await rejects(env.BUCKET.put("k".repeat(2000), body()), /put: .*\(10020\)/, "invalid key with stream body");
    const b = new Blob(["blob ", "parts"], { type: "text/x-blob" });
    eq((await env.BUCKET.put("blob", b)).size, 10, "Blob body");
  },

  // A body of up to 64 KiB is read in the get call, so it is the object as
  // it was then; a larger one is read from the file later and fails if the
  // object was replaced in between.
  async r2BodyAfterReplace(env) {
    const small = "s".repeat(64 << 10), big = "b".repeat((64 << 10) + 1);
    await env.BUCKET.put("swap-small", small);
    await env.BUCKET.put("swap-big", big);
    const s = await env.BUCKET.get("swap-small");
    const b = await env.BUCKET.get("swap-big");
    const sr = await env.BUCKET.get("swap-big", { range: { offset: 1, length: 3 } });
    await env.BUCKET.put("swap-small", "new");
    await env.BUCKET.put("swap-big", "new");
    eq(await s.text(), small, "small body read before the replace");
    eq(await sr.text(), "bbb", "small range of a big object");
    await rejects(b.text(), /replaced before its body was read/, "big body after the replace");
    const r = new Response((await env.BUCKET.get("swap-big")).body);
    eq(await r.text(), "new", "replaced object");
  },

  async r2BadInput(env) {
    await rejects(env.BUCKET.put("k".repeat(1025), "x"), /put: .*\(10020\)/, "long key");
    await rejects(env.BUCKET.put("k", "x", { customMetadata: { m: "x".repeat(3000) } }), /put: .*\(10012\)/, "metadata size");
    await rejects(env.BUCKET.put("k", 42), /value must be/, "number body");
    for (const k of ["../../hostile", "/abs/hostile", "a/../hostile", "nul\u0000hostile"]) {
      await env.BUCKET.put(k, "ok");
      eq(await (await env.BUCKET.get(k)).text(), "ok", JSON.stringify(k));
    }
    await rejects(env.BUCKET.put("k", "x", { storageClass: "Glacier" }), /put: .*\(10029\)/, "storage class");
  },

  async r2Unread(env) {
    await env.BUCKET.put("unread", "x".repeat(1000));
    for (let i = 0; i < 300; i++) {
      const o = await env.BUCKET.get("unread");
      if (o.size !== 1000) throw new Error("size");
      const junk = new Array(2000).fill(i); // give the collector work
    }
  },

  async streamPut(env, req) {
    const o = await env.BUCKET.put("streamed", req.body);
    eq(o.size, 1_000_000, "size");
    const r = await env.BUCKET.get("streamed", { range: { offset: 999_990 } });
    eq(await r.text(), "0123456789", "tail");
    const full = await env.BUCKET.get("streamed");
    const resp = new Response(full.body);
    eq((await resp.arrayBuffer()).byteLength, 1_000_000, "streamed back");
  },
};

export default {
  async fetch(req, env) {
    const name = new URL(req.url).pathname.slice(1);
    const t = tests[name];
    if (!t) return Response.json({ ok: false, error: "no test " + name }, { status: 404 });
    try {
      await t(env, req);
      return Response.json({ ok: true });
    } catch (e) {
      return Response.json({ ok: false, error: String(e && e.stack || e) }, { status: 500 });
    }
  },
};
