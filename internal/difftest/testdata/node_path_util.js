// nodejs_compat: node:path (POSIX), util.format/inspect, events, assert,
// string_decoder, url helpers.
import path from "node:path";
import { posix } from "path";
import util, { format, inspect, promisify, isDeepStrictEqual, types } from "node:util";
import { EventEmitter, once } from "node:events";
import assert from "node:assert";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Buffer } from "node:buffer";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const paths = ["", ".", "..", "/", "//", "a", "/a/b/c", "a/b/", "/a/./b/../c//d/", "../../x", "./a/../../b", "file.txt", ".bashrc", "a/b.tar.gz", "a/b.", "a/..", "/a/b/..", "...", "a/.b.c", "/foo/bar/baz/asdf/quux.html"];
    t("posixSame", () => posix === path.posix && path.sep === "/" && path.delimiter === ":");
    t("normalize", () => paths.map((p) => path.normalize(p)));
    t("dirname", () => paths.map((p) => path.dirname(p)));
    t("basename", () => paths.map((p) => path.basename(p)));
    t("basenameExt", () => [path.basename("/a/b.html", ".html"), path.basename("/a/b.html", "html"), path.basename("b.html", "b.html"), path.basename("/a/b/", "b")]);
    t("extname", () => paths.map((p) => path.extname(p)));
    t("isAbsolute", () => paths.map((p) => path.isAbsolute(p)));
    t("parse", () => paths.map((p) => path.parse(p)));
    t("format", () => [path.format({ root: "/", dir: "/home/u", base: "f.txt" }), path.format({ root: "/", name: "f", ext: ".txt" }), path.format({ name: "f", ext: "txt" }), path.format({ dir: "d", name: "n", ext: ".e", base: "b" })]);
    t("join", () => [path.join("/a", "b", "../c", "./d"), path.join("a", "", "b"), path.join(), path.join("", ""), path.join("a/", "/b/")]);
    t("resolve", () => [path.resolve("/a/b", "./c"), path.resolve("/a/b", "/c", "d"), path.resolve("a", "b"), path.resolve(), path.resolve("/a/../..")]);
    t("relative", () => [path.relative("/data/orandea/test/aaa", "/data/orandea/impl/bbb"), path.relative("/a", "/a"), path.relative("/a/b", "/a"), path.relative("/", "/x/y"), path.relative("a", "b")]);
    t("joinBad", () => path.join("a", 1));
    const f = [
      ["%s", "x"], ["%s %s", "a"], ["%d", 42.5], ["%i", 42.9], ["%f", "3.5abc"], ["%j", { a: [1, "b"] }], ["%%s %s", "z"],
      ["%s", 5n], ["%d", -0], ["%s", null], ["%s", undefined], ["%s", Symbol("q")], ["%o", 1], ["%O", { a: 1 }],
      ["a", "b", 3, { c: 1 }], [1, 2, "x"], ["%c red", "color:red"], ["%s", { toString() { return "T"; } }],
      ["%s", [1, 2, 3]], ["%s", { a: { b: { c: 1 } } }], ["%x", 1], ["%s"], ["%d", "12"],
    ];
    t("format", () => f.map((args) => format(...args)));
    const objs = [
      1, -0, "str", "it's", 'say "hi"', 5n, null, undefined, true, Symbol("s"), [], {}, [1, "a", null],
      { a: 1, b: "two", c: [3], d: { e: { f: { g: 1 } } } }, { "a-b": 1, 2: 3 }, [[[[1]]]], new Map([["k", 1]]), new Set([1, "x"]),
      function named() {}, () => {}, class Foo {}, new Date(0), /re/g, Buffer.from("hi"), new Uint8Array([1, 2]),
      Object.create(null), { long: "x".repeat(60), other: "y".repeat(20) }, Array.from({ length: 3 }, (_, i) => ({ i })),
      [1, , 3], new (class Point { constructor() { this.x = 1; } })(),
    ];
    t("inspect", () => objs.map((o) => inspect(o)));
    t("inspectCircular", () => { const o = { a: 1 }; o.self = o; return inspect(o); });
    t("inspectDepth", () => inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 }));
    t("types", () => [types.isDate(new Date()), types.isRegExp(/x/), types.isPromise(Promise.resolve()), types.isUint8Array(Buffer.alloc(1)), types.isArrayBuffer(new ArrayBuffer(1)), types.isMap(new Map()), types.isAsyncFunction(async () => {}), types.isTypedArray(new Float32Array(1)), types.isDate({})]);
    t("deepEqual", () => [isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), isDeepStrictEqual([1], ["1"]), isDeepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])), isDeepStrictEqual(NaN, NaN), isDeepStrictEqual(0, -0), isDeepStrictEqual(new Set([1, 2]), new Set([2, 1]))]);
    await ta("promisify", async () => { const fn = (a, cb) => setTimeout(() => cb(null, a * 2), 1); const bad = (cb) => cb(new Error("no")); return [await promisify(fn)(21), await promisify(bad)().catch((e) => e.message)]; });
    await ta("callbackify", () => new Promise((res) => util.callbackify(async (x) => x + 1)(1, (err, v) => res([err, v]))));
    t("inherits", () => { function A() {} A.prototype.hi = () => "hi"; function B() {} util.inherits(B, A); return [new B().hi(), B.super_ === A]; });
    t("events", () => {
      const e = new EventEmitter(); const log = [];
      e.on("x", (a) => log.push("on" + a)); e.once("x", (a) => log.push("once" + a)); e.prependListener("x", () => log.push("first"));
      e.emit("x", 1); e.emit("x", 2);
      return [log, e.listenerCount("x"), e.eventNames(), e.emit("nothing")];
    });
    t("eventsError", () => new EventEmitter().emit("error", new Error("boom")));
    t("eventsErrorStr", () => new EventEmitter().emit("error", "str"));
    await ta("eventsOnce", async () => { const e = new EventEmitter(); setTimeout(() => e.emit("ready", 1, 2), 1); return await once(e, "ready"); });
    t("assertOk", () => { assert.ok(true); assert.strictEqual(1, 1); assert.deepStrictEqual({ a: [1] }, { a: [1] }); assert.throws(() => { throw new TypeError("x"); }, TypeError); return "ok"; });
    t("assertFail", () => assert.strictEqual(1, 2));
    t("assertFailStr", () => assert.strictEqual("a", "b"));
    t("assertFailDeep", () => assert.deepStrictEqual({ a: 1, b: [2] }, { a: 1, b: [3] }));
    t("assertFailEqual", () => assert.equal(1, 2));
    t("assertFailOk", () => assert.ok(0));
    t("assertFailFields", () => { try { assert.strictEqual(1, 2, "custom"); } catch (e) { return [e.name, e.code, e.message, e.actual, e.expected, e.operator, e instanceof assert.AssertionError]; } });
    t("assertThrowsMissing", () => assert.throws(() => {}));
    await ta("assertRejects", async () => { await assert.rejects(Promise.reject(new Error("r")), /r/); return "ok"; });
    t("decoder", () => { const d = new StringDecoder("utf8"); const e = Buffer.from("€😀"); return [d.write(e.subarray(0, 1)), d.write(e.subarray(1, 5)), d.write(e.subarray(5)), d.end()]; });
    t("decoderB64", () => { const d = new StringDecoder("base64"); return [d.write(Buffer.from("ab")), d.write(Buffer.from("cd")), d.end()]; });
    t("decoderU16", () => { const d = new StringDecoder("utf16le"); const b = Buffer.from("a😀", "utf16le"); return [d.write(b.subarray(0, 3)), d.write(b.subarray(3)), d.end()]; });
    t("fileURL", () => [fileURLToPath("file:///a/b%20c"), pathToFileURL("/x y/#z").href]);
    return Response.json(out);
  },
};
