// nodejs_compat: more edge cases of url, util, events, string_decoder,
// Buffer and bare-name imports.
import url from "url";
import util from "util";
import events from "events";
import { StringDecoder } from "string_decoder";
import { Buffer } from "buffer";
import assert from "assert";
import pathMod from "node:path/posix";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    t("urlParse", () => { const u = url.parse("https://user:pw@sub.example.com:8080/p/a/t/h?query=string#hash"); return [u.protocol, u.auth, u.host, u.port, u.hostname, u.hash, u.search, u.query, u.pathname, u.path, u.href, u.slashes]; });
    t("urlParseQuery", () => url.parse("http://x.com/a?b=1&c=2", true).query);
    t("urlFormat", () => [url.format({ protocol: "https", hostname: "example.com", pathname: "/some/path", query: { page: 1, format: "json" } }), url.format(new URL("http://a.com/b?c#d"))]);
    t("urlResolve", () => [url.resolve("/one/two/three", "four"), url.resolve("http://example.com/", "/one"), url.resolve("http://example.com/one", "/two")]);
    t("urlHttpOptions", () => url.urlToHttpOptions(new URL("https://a:b@測試.com:8080/x?y#z")));
    t("pathToFileURL", () => [url.pathToFileURL("/some/path%.c").href, url.fileURLToPath(new URL("file:///x/%E2%82%AC"))]);
    t("fileURLBad", () => url.fileURLToPath("http://x/"));
    t("inspectErr", () => { const e = new TypeError("bad"); e.stack = "TypeError: bad\n    at x"; return util.inspect(e); });
    t("inspectErrProps", () => { const e = new Error("m"); e.stack = "Error: m\n    at y"; e.code = "E1"; return util.inspect(e); });
    t("inspectLongArray", () => util.inspect(Array.from({ length: 120 }, (_, i) => i)).length);
    t("inspectNested", () => util.inspect({ a: [{ b: { c: {} } }], s: new Set([[1, 2]]), m: new Map([[{ k: 1 }, [1]]]) }));
    t("inspectStrings", () => [util.inspect("a\nb"), util.inspect("\u0001"), util.inspect(`a'b"c`), util.inspect(["x"]), util.inspect(Symbol.iterator)]);
    t("inspectOpts", () => [util.inspect({ a: { b: { c: { d: {} } } } }, { depth: null }), util.inspect({ b: 1, a: 2 }, { sorted: true }), util.inspect([1, 2, 3], { maxArrayLength: 1 })]);
    t("inspectGetter", () => util.inspect({ get x() { return 1; }, set y(v) {} }));
    t("inspectClassInst", () => { class A { constructor() { this.v = [1]; } } class B extends A {} return [util.inspect(new B()), util.inspect(new (class {})()), util.inspect(Object.create({}))]; });
    t("inspectBoxed", () => [util.inspect(new String("ab")), util.inspect(Object(1)), util.inspect(Object(false))]);
    t("inspectFn", () => [util.inspect(async function af() {}), util.inspect(function* g() {}), util.inspect(Object.assign(function f() {}, { p: 1 }))]);
    t("inspectTyped", () => [util.inspect(new Float64Array([1.5, -0])), util.inspect(new BigInt64Array([1n])), util.inspect(new ArrayBuffer(3))]);
    t("formatMore", () => [util.format("%s", -0), util.format("%s", 1.5), util.format("%s", new Error("e").message), util.format("%s %o", "a", [1]), util.format("%i", "0x10"), util.format("%d", {}), util.format("a", "b", { c: 1 }, [2]), util.format("%s", () => 1), util.format("%j", { toJSON() { return "J"; } }), util.format("%s", new Date(0))]);
    t("formatCircular", () => { const o = {}; o.o = o; return util.format("%j", o); });
    t("promisifyCustom", () => { function f() {} f[util.promisify.custom] = () => "custom"; return util.promisify(f)(); });
    t("eventsMonitor", () => { const e = new events(); const seen = []; e.on(events.errorMonitor, (err) => seen.push("monitor " + err.message)); e.on("error", (err) => seen.push("handler " + err.message)); e.emit("error", new Error("x")); return seen; });
    t("eventsNewListener", () => { const e = new events.EventEmitter(); const seen = []; e.on("newListener", (n) => seen.push(n)); e.on("a", () => {}); e.once("b", () => {}); return [seen, e.eventNames()]; });
    t("eventsRemoveDuringEmit", () => { const e = new events(); const seen = []; const a = () => { seen.push("a"); e.off("x", b); }; const b = () => seen.push("b"); e.on("x", a); e.on("x", b); e.emit("x"); e.emit("x"); return seen; });
    t("eventsStatic", () => [typeof events.once, typeof events.on, events.defaultMaxListeners, typeof events.getEventListeners]);
    t("decoderLatin1", () => { const d = new StringDecoder("latin1"); return [d.write(Buffer.from([0xe9, 0x41])), d.end()]; });
    t("decoderHex", () => { const d = new StringDecoder("hex"); return [d.write(Buffer.from([1, 255])), d.end(Buffer.from([16]))]; });
    t("decoderBadEnc", () => new StringDecoder("nope"));
    t("decoderUtf8Bad", () => { const d = new StringDecoder(); return [d.write(Buffer.from([0xff, 0x41])), d.write(Buffer.from([0xf0, 0x9f])), d.end()]; });
    t("bufferInspect", () => [util.inspect(Buffer.from("hello")), util.inspect(Buffer.alloc(60))]);
    t("bufferLatin1Write", () => { const b = Buffer.alloc(4); b.write("é€", "latin1"); return [...b]; });
    t("bufferAscii", () => [Buffer.from("é", "ascii")[0], Buffer.from([0xe9]).toString("ascii")]);
    t("bufferCompareRange", () => Buffer.from("abcdef").compare(Buffer.from("xxcdxx"), 2, 4, 2, 4));
    t("bufferReadBad", () => Buffer.alloc(2).readUInt8(2.5));
    t("bufferReadBadType", () => Buffer.alloc(2).readUInt8("1"));
    t("bufferBigRange", () => Buffer.alloc(8).writeBigInt64LE(2n ** 63n));
    t("assertDeepLoose", () => { assert.deepEqual({ a: 1 }, { a: "1" }); return "ok"; });
    t("assertNotDeep", () => assert.notDeepStrictEqual({ a: 1 }, { a: 1 }));
    t("assertMatch", () => assert.match("abc", /x/));
    t("assertIfError", () => assert.ifError(new Error("oops")));
    t("pathPosixModule", () => pathMod.join("a", "b"));
    return Response.json(out);
  },
};
