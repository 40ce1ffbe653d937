package worker

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newNodeWorker bundles src with nodejs_compat on and serves it.
func newNodeWorker(t testing.TB, src string, mod func(*Config)) string {
	t.Helper()
	_, srv := serveBundle(t, "index.js", src, BundleOptions{NodeCompat: true}, mod)
	return srv.URL
}

// nodeCase runs body (statements that fill the object out) in a worker
// and compares out's JSON, key by key, with want.
func nodeCases(t *testing.T, imports, body string, want map[string]string) {
	t.Helper()
	src := imports + `
export default { async fetch(req, env) {
  const out = {};
  const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + (e.code ? " " + e.code : "") + ": " + e.message; } };
  const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + (e.code ? " " + e.code : "") + ": " + e.message; } };
` + body + `
  const lines = Object.keys(out).map((k) => k + "=" + JSON.stringify(out[k]));
  return new Response(lines.join("\n"));
} };
`
	url := newNodeWorker(t, src, nil)
	code, got, _ := get(t, url)
	if code != 200 {
		t.Fatalf("status %d: %s", code, got)
	}
	seen := map[string]string{}
	for _, line := range strings.Split(got, "\n") {
		k, v, _ := strings.Cut(line, "=")
		seen[k] = v
	}
	for k, w := range want {
		if seen[k] != w {
			t.Errorf("%s = %s, want %s", k, seen[k], w)
		}
	}
	for k := range seen {
		if _, ok := want[k]; !ok {
			t.Errorf("unchecked result %s = %s", k, seen[k])
		}
	}
}

func TestNodeBufferAndCrypto(t *testing.T) {
	nodeCases(t, `import { Buffer } from "node:buffer";
import crypto, { createHash, createHmac } from "node:crypto";`, `
  t("hex", () => Buffer.from("héllo").toString("hex"));
  t("b64", () => Buffer.from("hello world!?").toString("base64"));
  t("sha256", () => createHash("sha256").update("abc").digest("hex"));
  t("hmac", () => createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"));
  t("global", () => globalThis.Buffer === Buffer);
  t("pbkdf2", () => crypto.pbkdf2Sync("password", "salt", 1, 20, "sha1").toString("hex"));
`, map[string]string{
		"hex":    `"68c3a96c6c6f"`,
		"b64":    `"aGVsbG8gd29ybGQhPw=="`,
		"sha256": `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`,
		"hmac":   `"f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"`,
		"global": `true`,
		"pbkdf2": `"0c60c80f961f0e71f3a9b524af6012062fe037a6"`,
	})
}

// bundleErr bundles src (as src/index.js) and returns the bundling error.
func bundleErr(t *testing.T, src string, nodeCompat bool) error {
	t.Helper()
	dir := t.TempDir()
	entry := filepath.Join(dir, "index.js")
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := MakeBundle(BundleOptions{Entry: entry, Dir: dir, NodeCompat: nodeCompat})
	return err
}

func TestNodeImportWithoutFlag(t *testing.T) {
	err := bundleErr(t, `import { createHash } from "node:crypto"; export default { fetch() { return new Response(createHash) } };`, false)
	if err == nil {
		t.Fatal("bundled node:crypto without nodejs_compat")
	}
	for _, want := range []string{`The package "node:crypto" wasn't found on the file system but is built into node.`, `Add the "nodejs_compat" compatibility flag to your project`, "index.js:1:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestNodeModuleNotProvided(t *testing.T) {
	for _, spec := range []string{"node:fs", "fs", "node:crypto/nope", "node:child_process"} {
		err := bundleErr(t, `import x from "`+spec+`"; export default { fetch() { return new Response(String(x)) } };`, true)
		if err == nil {
			t.Fatalf("%s: bundled", spec)
		}
		if !strings.Contains(err.Error(), "is not provided by zerostack's nodejs_compat") || !strings.Contains(err.Error(), spec) || !strings.Contains(err.Error(), "node:buffer") {
			t.Errorf("%s: error %q", spec, err)
		}
	}
}

// A bare built-in name we do not provide still resolves from node_modules
// (a polyfill package), and one we provide wins over node_modules.
func TestNodeBareNames(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"node_modules/fs/package.json":     `{"name":"fs","main":"index.js"}`,
		"node_modules/fs/index.js":         `module.exports = { polyfill: "fs" };`,
		"node_modules/buffer/package.json": `{"name":"buffer","main":"index.js"}`,
		"node_modules/buffer/index.js":     `module.exports = { Buffer: "npm" };`,
		"index.js": `import fs from "fs"; import { Buffer } from "buffer"; import { join } from "path";
export default { fetch() { return new Response(fs.polyfill + " " + typeof Buffer.from + " " + join("a", "b")) } };`,
	})
	_, srv := serveProject(t, dir, "index.js", BundleOptions{NodeCompat: true}, nil)
	if _, body, _ := get(t, srv.URL); body != "fs function a/b" {
		t.Errorf("got %q", body)
	}
	// Without the flag, bare names are npm packages as before.
	_, err := MakeBundle(BundleOptions{Entry: filepath.Join(dir, "index.js"), Dir: dir})
	if err == nil || !strings.Contains(err.Error(), `"path"`) {
		t.Errorf("without the flag: %v", err)
	}
}

func TestNodeAsyncLocalStorage(t *testing.T) {
	nodeCases(t, `import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
const als = new AsyncLocalStorage();
const other = new AsyncLocalStorage();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function deep() { await sleep(1); await null; return als.getStore(); }
async function* gen() { yield als.getStore(); await sleep(1); yield als.getStore(); }`, `
  t("outside", () => als.getStore() === undefined);
  await ta("await", () => als.run("A", async () => { const a = als.getStore(); await sleep(2); const b = als.getStore(); await Promise.resolve(); return [a, b, als.getStore(), await deep()]; }));
  await ta("interleaved", () => Promise.all([
    als.run(1, async () => { await sleep(3); return als.getStore(); }),
    als.run(2, async () => { await sleep(1); return als.getStore(); }),
  ]));
  await ta("timers", () => als.run("T", () => new Promise((res) => setTimeout(() => queueMicrotask(() => res(als.getStore())), 1))));
  await ta("then", () => als.run("P", () => Promise.resolve().then(() => als.getStore())));
  await ta("nested", () => als.run("outer", async () => { const inner = await als.run("inner", async () => { await sleep(1); return als.getStore(); }); return [inner, als.getStore(), other.getStore()]; }));
  await ta("two", () => als.run("x", () => other.run("y", async () => { await sleep(1); return [als.getStore(), other.getStore()]; })));
  t("exit", () => als.run("e", () => [als.exit(() => als.getStore()), als.getStore()]));
  t("afterRun", () => als.getStore() === undefined);
  await ta("forAwait", () => als.run("G", async () => { const r = []; for await (const v of gen()) r.push(v); return r; }));
  t("resource", () => { const r = als.run("R", () => new AsyncResource("x")); return r.runInAsyncScope(() => als.getStore()); });
  t("bind", () => { const f = als.run("B", () => AsyncLocalStorage.bind(() => als.getStore())); return f(); });
`, map[string]string{
		"outside":     `true`,
		"await":       `["A","A","A","A"]`,
		"interleaved": `[1,2]`,
		"timers":      `"T"`,
		"then":        `"P"`,
		"nested":      `["inner","outer",null]`,
		"two":         `["x","y"]`,
		"exit":        `[null,"e"]`,
		"afterRun":    `true`,
		"forAwait":    `["G","G"]`,
		"resource":    `"R"`,
		"bind":        `"B"`,
	})
}

// The guide's Cloudinary sample signs its upload parameters with
// crypto.createHash('sha256') (guide L7910-7919); with node:crypto
// imported, the class runs unchanged.
func TestNodeGuideCloudinarySignature(t *testing.T) {
	src := `import crypto from 'node:crypto'

export class CloudinaryService {
  constructor(
    private cloudName: string,
    private apiKey: string,
    private apiSecret: string
  ) {}

  generateSignature(params: Record<string, any>): string {
    const sortedParams = Object.keys(params)
      .sort()
      .map(key => ` + "`${key}=${params[key]}`" + `)
      .join('&')

    return crypto
      .createHash('sha256')
      .update(sortedParams + this.apiSecret)
      .digest('hex')
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const svc = new CloudinaryService('demo', 'key', 'sekrit')
    return new Response(svc.generateSignature({ timestamp: 1700000000, folder: 'avatars', transformation: 'w_200' }))
  },
}
`
	_, srv := serveBundle(t, "index.ts", src, BundleOptions{NodeCompat: true}, nil)
	sum := sha256.Sum256([]byte("folder=avatars&timestamp=1700000000&transformation=w_200sekrit"))
	if _, body, _ := get(t, srv.URL); body != hex.EncodeToString(sum[:]) {
		t.Errorf("signature %q, want %x", body, sum)
	}
}

// The sync Stripe webhook check: HMAC-SHA256 of "timestamp.payload" with
// the endpoint secret, compared in constant time (what stripe's
// NodeCryptoProvider does with createHmac and timingSafeEqual).
func TestNodeStripeStyleSignature(t *testing.T) {
	payload := strings.Repeat(`{"id":"evt_1","type":"checkout.session.completed"}`, 3000) // > 64 KiB: crosses as a staged buffer
	mac := hmac.New(sha256.New, []byte("whsec_test"))
	mac.Write([]byte("1700000000." + payload))
	want := hex.EncodeToString(mac.Sum(nil))
	nodeCases(t, `import { createHmac, timingSafeEqual } from "crypto";
import { Buffer } from "buffer";
const payload = `+"`"+payload+"`"+`;`, `
  const sig = createHmac("sha256", "whsec_test").update("1700000000." + payload, "utf8").digest("hex");
  t("sig", () => sig);
  t("ok", () => timingSafeEqual(Buffer.from(sig), Buffer.from("`+want+`")));
`, map[string]string{"sig": `"` + want + `"`, "ok": "true"})
}

func TestNodeProcessEnv(t *testing.T) {
	src := `import process from "node:process";
const atLoad = Object.keys(process.env).length;
export default { async fetch(req, env) {
  process.env.WRITTEN = 42;
  const order = [];
  process.nextTick(() => order.push("tick"));
  await null;
  return Response.json({ atLoad, text: process.env.GREETING, secret: process.env.API_KEY, json: process.env.LIMITS,
    keys: Object.keys(process.env).sort(), written: process.env.WRITTEN, same: globalThis.process === process, order,
    buffer: typeof Buffer.from });
} };`
	url := newNodeWorker(t, src, func(c *Config) {
		c.Vars = map[string]any{"GREETING": "hello", "LIMITS": map[string]any{"n": int64(1)}}
		c.Secrets = map[string]string{"API_KEY": "s3cret"}
	})
	_, got, _ := get(t, url)
	want := `{"atLoad":0,"text":"hello","secret":"s3cret","json":"{\"n\":1}","keys":["API_KEY","GREETING","LIMITS","WRITTEN"],"written":"42","same":true,"order":["tick"],"buffer":"function"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Known answers for the other modules, from Node.js's documentation
// (the difftest probes compare many more cases with workerd).
func TestNodeModules(t *testing.T) {
	nodeCases(t, `import path from "path";
import util from "node:util";
import { EventEmitter, once } from "node:events";
import assert from "node:assert";
import strict from "node:assert/strict";
import { StringDecoder } from "node:string_decoder";
import { URL as NodeURL, fileURLToPath, parse as urlParse } from "node:url";
import { setImmediate } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import { types } from "node:util";
import { isUint8Array } from "util/types";
import { createHash } from "node:crypto";
const md5 = (s) => createHash("md5").update(s).digest("hex");`, `
  t("path", () => [path.join("/foo", "bar", "baz/asdf", "quux", ".."), path.resolve("/foo/bar", "./baz"), path.relative("/data/orandea/test/aaa", "/data/orandea/impl/bbb"), path.dirname("/foo/bar/baz/asdf/quux"), path.basename("/foo/bar/baz/asdf/quux.html", ".html"), path.extname("index.coffee.md"), path.normalize("/foo/bar//baz/asdf/quux/.."), path.isAbsolute("qux/"), path.format({ root: "/ignored", dir: "/home/user/dir", base: "file.txt" }), path.parse("/home/user/dir/file.txt")]);
  t("format", () => [util.format("%s:%s", "foo"), util.format("%s:%s", "foo", "bar", "baz"), util.format(1, 2, "3"), util.format("%% %s"), util.format("%d %i %f %j", "42.5", 42.5, "1.5e1", { a: 1 })]);
  t("inspect", () => [util.inspect({ a: 1, b: "x", c: [1, 2], d: { e: { f: { g: 1 } } } }), util.inspect(new Map([[1, "a"]])), util.inspect("it's")]);
  await ta("promisify", () => util.promisify((x, cb) => cb(null, x + 1))(1));
  t("deepEqual", () => [util.isDeepStrictEqual({ a: [1, 2] }, { a: [1, 2] }), util.isDeepStrictEqual({ a: 1 }, { a: "1" })]);
  t("types", () => [types.isPromise(Promise.resolve()), isUint8Array(new Uint8Array()), types.isDate(new Date()), types.isRegExp("x")]);
  t("events", () => { const e = new EventEmitter(); const seen = []; e.on("a", (x) => seen.push(x)); e.once("a", (x) => seen.push(x * 10)); e.emit("a", 1); e.emit("a", 2); return [seen, e.listenerCount("a")]; });
  await ta("once", async () => { const e = new EventEmitter(); queueMicrotask(() => e.emit("go", 7, 8)); return await once(e, "go"); });
  t("assert", () => { assert.deepStrictEqual({ a: [1] }, { a: [1] }); strict.equal(1, 1); assert.throws(() => strict.equal(1, "1"), { code: "ERR_ASSERTION", name: "AssertionError" }); return "ok"; });
  t("assertError", () => { try { assert.strictEqual(1, 2, "nope"); } catch (e) { return [e instanceof assert.AssertionError, e.code, e.message, e.actual, e.expected]; } });
  t("decoder", () => { const d = new StringDecoder("utf8"); return [d.write(Buffer.from([0xe2, 0x82])), d.write(Buffer.from([0xac])), d.end(Buffer.from([0xe2]))]; });
  t("url", () => [NodeURL === URL, fileURLToPath("file:///tmp/a%20b.txt"), urlParse("https://u:p@example.com:8080/p/a?q=1#h").port]);
  await ta("timers", async () => { const order = []; setImmediate(() => order.push("immediate")); order.push(await sleep(2, "slept")); return order; });
  t("md5", () => md5("The quick brown fox jumps over the lazy dog"));
`, map[string]string{
		"path":        `["/foo/bar/baz/asdf","/foo/bar/baz","../../impl/bbb","/foo/bar/baz/asdf","quux",".md","/foo/bar/baz/asdf",false,"/home/user/dir/file.txt",{"root":"/","dir":"/home/user/dir","base":"file.txt","ext":".txt","name":"file"}]`,
		"format":      `["foo:%s","foo:bar baz","1 2 3","%% %s","42.5 42 15 {\"a\":1}"]`,
		"inspect":     `["{ a: 1, b: 'x', c: [ 1, 2 ], d: { e: { f: [Object] } } }","Map(1) { 1 => 'a' }","\"it's\""]`,
		"promisify":   `2`,
		"deepEqual":   `[true,false]`,
		"types":       `[true,true,true,false]`,
		"events":      `[[1,10,2],1]`,
		"once":        `[7,8]`,
		"assert":      `"ok"`,
		"assertError": `[true,"ERR_ASSERTION","nope",1,2]`,
		"decoder":     `["","€","�"]`,
		"url":         `[true,"/tmp/a b.txt","8080"]`,
		"timers":      `["immediate","slept"]`,
		"md5":         `"9e107d9d372bb6826bd81d3542a419d6"`,
	})
}

// CommonJS packages require() built-ins and get what Node's require
// returns: the module itself (a constructible EventEmitter, a callable
// assert), not an ES module namespace.
func TestNodeRequireFromCommonJS(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"node_modules/legacy/package.json": `{"name":"legacy","main":"index.js"}`,
		"node_modules/legacy/index.js": `const EventEmitter = require("events");
const assert = require("assert");
const { createHash } = require("node:crypto");
const { Buffer } = require("buffer");
const util = require("util");
const path = require("path");
function Thing() { EventEmitter.call(this); }
util.inherits(Thing, EventEmitter);
module.exports = function run() {
  const t = new Thing();
  let got;
  t.on("x", (v) => { got = v; });
  t.emit("x", 5);
  assert(got === 5);
  assert.strictEqual(typeof EventEmitter.once, "function");
  return [got, createHash("sha1").update(Buffer.from("abc")).digest("hex"), path.join("a", ".."), require("process").env === process.env, typeof require("timers").setTimeout];
};`,
		"index.js": `import run from "legacy";
export default { fetch() { return Response.json(run()) } };`,
	})
	_, srv := serveProject(t, dir, "index.js", BundleOptions{NodeCompat: true}, nil)
	if _, body, _ := get(t, srv.URL); body != `[5,"a9993e364706816aba3e25717850c26c9cd0d89d",".",true,"function"]` {
		t.Errorf("got %s", body)
	}
}

func TestNodeStream(t *testing.T) {
	nodeCases(t, `import { Readable, Writable, Transform, PassThrough } from "node:stream";
import { pipeline } from "stream/promises";
import { createHash } from "node:crypto";`, `
  await ta("pipeline", async () => {
    const hash = createHash("sha256");
    let n = 0;
    const src = new Readable({ read() { n++; this.push(n <= 1000 ? "line " + n + "\n" : null); } });
    const upper = new Transform({ transform(chunk, enc, cb) { cb(null, String(chunk).toUpperCase()); } });
    const sink = new Writable({ highWaterMark: 64, write(chunk, enc, cb) { hash.update(chunk); setTimeout(cb, 0); } });
    await pipeline(src, upper, new PassThrough(), sink);
    return hash.digest("hex");
  });
  await ta("events", async () => {
    const log = [];
    const r = Readable.from(["a", "b"]);
    r.on("data", (c) => log.push(c));
    await new Promise((res) => r.on("end", res));
    return log;
  });
`, map[string]string{
		"pipeline": `"` + upperLinesSHA256(1000) + `"`,
		"events":   `["a","b"]`,
	})
}

// upperLinesSHA256 is the SHA-256 of "LINE 1\nLINE 2\n…" up to n lines.
func upperLinesSHA256(n int) string {
	h := sha256.New()
	for i := 1; i <= n; i++ {
		fmt.Fprintf(h, "LINE %d\n", i)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestNodeZlib(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("compressed by Go"))
	zw.Close()
	nodeCases(t, `import zlib from "node:zlib";
import { Buffer } from "node:buffer";`, `
  t("gunzipGo", () => zlib.gunzipSync(Buffer.from("`+base64.StdEncoding.EncodeToString(gz.Bytes())+`", "base64")).toString());
  t("roundTrip", () => zlib.inflateRawSync(zlib.deflateRawSync("x".repeat(100000))).length);
  t("bad", () => zlib.inflateSync(Buffer.from("xx")));
  t("crc32", () => zlib.crc32("The quick brown fox jumps over the lazy dog").toString(16));
`, map[string]string{
		"gunzipGo":  `"compressed by Go"`,
		"roundTrip": `100000`,
		"bad":       `"THROW Error: incorrect header check"`,
		"crc32":     `"414fa339"`,
	})
}

// Signatures made by node:crypto verify in Go, and Go's verify in
// node:crypto (the RS256 and ES256 of JWT libraries).
func TestNodeSignatures(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rder, _ := x509.MarshalPKCS8PrivateKey(rk)
	eder, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	rpem := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rder})
	epem := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: eder})
	digest := sha256.Sum256([]byte("header.payload"))
	esig, err := ecdsa.SignASN1(rand.Reader, ek, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		RS256 string
		ES256 bool
		Bad   bool
	}
	url := newNodeWorker(t, `import { createSign, createVerify } from "crypto";
export default { fetch() {
  return Response.json({
    RS256: createSign("RSA-SHA256").update("header.payload").sign(`+"`"+string(rpem)+"`"+`, "base64"),
    ES256: createVerify("sha256").update("header.payload").verify(`+"`"+string(epem)+"`"+`, "`+base64.StdEncoding.EncodeToString(esig)+`", "base64"),
    Bad: createVerify("sha256").update("header.payload!").verify(`+"`"+string(epem)+"`"+`, "`+base64.StdEncoding.EncodeToString(esig)+`", "base64"),
  });
} };`, nil)
	_, body, _ := get(t, url)
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	sig, _ := base64.StdEncoding.DecodeString(got.RS256)
	if err := rsa.VerifyPKCS1v15(&rk.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("RS256 signature from node:crypto does not verify in Go: %v", err)
	}
	if !got.ES256 || got.Bad {
		t.Errorf("ES256 verify = %v, tampered = %v", got.ES256, got.Bad)
	}
}
