// nodejs_compat: node:querystring, node:stream/web, node:stream/consumers.
import qs from "node:querystring";
import { ReadableStream as RS, TransformStream as TS } from "node:stream/web";
import { text, json, buffer } from "node:stream/consumers";
import { Readable } from "node:stream";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    t("escape", () => [qs.escape("!'()* é&=~"), qs.unescape("%41%zz%C3%A9+"), qs.unescape("%E2%82")]);
    t("parse", () => [qs.parse("a=1&a=2&b=%ZZ&c+d=e+f&=x&g"), qs.parse("a:1;b:2", ";", ":"), qs.parse(""), qs.parse("x=1&y=2&z=3", null, null, { maxKeys: 2 }), qs.parse("a&&b=")]);
    t("stringify", () => [qs.stringify({ a: [1, 2], b: true, c: null, d: undefined, e: {}, f: NaN, "x y": "é", g: 10n }), qs.stringify({ a: 1, b: 2 }, ";", ":"), qs.stringify("nope"), qs.encode({ w: "a b" })]);
    t("webSame", () => [RS === ReadableStream, TS === TransformStream]);
    await ta("consumers", async () => [await text(Readable.from(["a", "b"])), await json(Readable.from(['{"x":', "1}"])), (await buffer(new Response("hi").body)).toString("hex")]);
    return Response.json(out);
  },
};
