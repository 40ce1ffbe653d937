// nodejs_compat: node:zlib. Compressed bytes differ between encoders, so
// the probe decompresses zlib's own output (made by Node.js), checks round
// trips, headers, errors, crc32 and the stream classes.
import zlib from "node:zlib";
import { promisify } from "node:util";
import { pipeline } from "node:stream/promises";
import { Readable, Writable } from "node:stream";
import { Buffer } from "node:buffer";

const fromNode = {
  gzip: "H4sIAAAAAAAAA8tIzcnJV8hAIqtyMpMAjxs4VRYAAAA=",
  deflate: "eJxLTEoGAAJNASc=",
  raw: "S0xKBgA=",
};

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + " " + e.errno + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + " " + e.errno + ": " + e.message; } };
    t("decompressZlibs", () => [zlib.gunzipSync(Buffer.from(fromNode.gzip, "base64")).toString(), zlib.inflateSync(Buffer.from(fromNode.deflate, "base64")).toString(), zlib.inflateRawSync(Buffer.from(fromNode.raw, "base64")).toString(), zlib.unzipSync(Buffer.from(fromNode.gzip, "base64")).toString(), zlib.unzipSync(Buffer.from(fromNode.deflate, "base64")).toString()]);
    const text = "the quick brown fox ".repeat(500) + "é✓";
    t("roundTrips", () => [zlib.gunzipSync(zlib.gzipSync(text)).toString() === text, zlib.inflateSync(zlib.deflateSync(text, { level: 9 })).toString() === text, zlib.inflateRawSync(zlib.deflateRawSync(Buffer.from(text), { level: 1 })).toString() === text, zlib.gzipSync(text).length < text.length / 10]);
    t("gzipHeader", () => [...zlib.gzipSync("x").subarray(0, 10)]);
    t("deflateHeader", () => [...zlib.deflateSync("x").subarray(0, 2), ...zlib.deflateSync("x", { level: 1 }).subarray(0, 2), ...zlib.deflateSync("x", { level: 9 }).subarray(0, 2)]);
    t("emptyRoundTrip", () => [zlib.gunzipSync(zlib.gzipSync("")).length, zlib.inflateSync(zlib.deflateSync(Buffer.alloc(0))).length]);
    t("concatGzip", () => zlib.gunzipSync(Buffer.concat([zlib.gzipSync("ab"), zlib.gzipSync("cd")])).toString());
    t("badHeader", () => zlib.gunzipSync(Buffer.from("not gzip at all")));
    t("badInflateHeader", () => zlib.inflateSync(Buffer.from("nope")));
    t("truncated", () => zlib.gunzipSync(zlib.gzipSync(text).subarray(0, 30)));
    t("badLevel", () => zlib.gzipSync("x", { level: 11 }));
    t("crc32", () => [zlib.crc32("hello"), zlib.crc32("world", zlib.crc32("hello ")), zlib.crc32(Buffer.alloc(0))]);
    t("constants", () => [zlib.constants.Z_BEST_COMPRESSION, zlib.constants.Z_DATA_ERROR, zlib.constants.Z_SYNC_FLUSH]);
    await ta("callbacks", () => new Promise((res, rej) => zlib.gzip(text, (err, gz) => err ? rej(err) : zlib.gunzip(gz, (e2, plain) => e2 ? rej(e2) : res(plain.toString() === text)))));
    await ta("promisified", async () => (await promisify(zlib.inflate)(await promisify(zlib.deflate)("pp"))).toString());
    await ta("streams", async () => {
      const parts = [];
      await pipeline(Readable.from([Buffer.from("stream "), Buffer.from("data")]), zlib.createGzip(), zlib.createGunzip(), new Writable({ write(c, e, cb) { parts.push(c.toString()); cb(); } }));
      return parts.join("");
    });
    await ta("streamError", async () => {
      try { await pipeline(Readable.from([Buffer.from("garbage!")]), zlib.createGunzip(), new Writable({ write(c, e, cb) { cb(); } })); return "no error"; } catch (e) { return [e.code, e.message]; }
    });
    return Response.json(out);
  },
};
