// nodejs_compat: node:buffer encodings, reads and writes, the Buffer global.
import { Buffer } from "node:buffer";
import * as bufferModule from "buffer";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const s = "héllo wörld ✓ 😀";
    const bytes = Buffer.from([0, 1, 127, 128, 200, 255, 0x41, 0x7a]);
    t("global", () => [typeof globalThis.Buffer, globalThis.Buffer === Buffer, bufferModule.Buffer === Buffer]);
    t("isU8", () => [Buffer.from("x") instanceof Uint8Array, Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1))]);
    for (const enc of ["utf8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "utf16le", "ucs2"]) {
      t("enc_" + enc, () => Buffer.from(s).toString(enc));
      t("bytes_" + enc, () => bytes.toString(enc));
      t("from_" + enc, () => [...Buffer.from(Buffer.from(s).toString(enc), enc)]);
      t("len_" + enc, () => Buffer.byteLength(Buffer.from(s).toString(enc), enc));
    }
    t("b64loose", () => [...Buffer.from(" aGV sbG8=\n", "base64"), ...Buffer.from("aGVsbG8_-w", "base64")]);
    t("hexBad", () => [...Buffer.from("abzz12", "hex"), ...Buffer.from("abc", "hex")]);
    t("badUtf8", () => Buffer.from([0xe2, 0x82, 0x41, 0xff, 0xc3]).toString());
    t("utf16odd", () => Buffer.from([0x41, 0, 0x42]).toString("utf16le"));
    t("unknownEnc", () => Buffer.from("x", "nope"));
    t("alloc", () => [...Buffer.alloc(5, "ab"), ...Buffer.alloc(3, 7), ...Buffer.alloc(4, "aGk=", "base64")]);
    t("allocBad", () => Buffer.alloc(-1));
    t("concat", () => [...Buffer.concat([Buffer.from("ab"), new Uint8Array([1, 2]), Buffer.from("c")])]);
    t("concatLen", () => [...Buffer.concat([Buffer.from("abc"), Buffer.from("def")], 4), ...Buffer.concat([Buffer.from("a")], 3)]);
    t("compare", () => [Buffer.compare(Buffer.from("a"), Buffer.from("b")), Buffer.compare(Buffer.from("b"), Buffer.from("a")), Buffer.compare(Buffer.from("a"), Buffer.from("a")), Buffer.from("abc").compare(Buffer.from("abd")), Buffer.from("ab").compare(Buffer.from("abc"))]);
    t("equals", () => [Buffer.from("x").equals(Buffer.from("x")), Buffer.from("x").equals(new Uint8Array([120])), Buffer.from("x").equals(Buffer.from("y"))]);
    t("sliceShares", () => { const b = Buffer.from("hello"); const sl = b.slice(1, 3); sl[0] = 65; const sub = b.subarray(-2); sub[1] = 66; return [b.toString(), sl.toString(), sub.toString(), sl instanceof Buffer, sub instanceof Buffer]; });
    t("indexOf", () => { const b = Buffer.from("abcabc"); return [b.indexOf("c"), b.indexOf("c", 3), b.indexOf(98), b.indexOf(Buffer.from("ca")), b.lastIndexOf("b"), b.includes("bca"), b.includes("x"), b.indexOf(""), b.indexOf("a", -2), b.indexOf("6263", 0, "hex")]; });
    t("ints", () => {
      const b = Buffer.alloc(16);
      const r = [b.writeUInt8(255, 0), b.writeUInt16LE(0x1234, 1), b.writeUInt16BE(0x1234, 3), b.writeUInt32LE(0xdeadbeef, 5), b.writeUInt32BE(0xdeadbeef, 9), b.writeInt8(-2, 13), b.writeInt16BE(-300, 14)];
      return [r, [...b], b.readUInt8(0), b.readUInt16LE(1), b.readUInt16BE(3), b.readUInt32LE(5), b.readUInt32BE(9), b.readInt8(13), b.readInt16BE(14), b.readInt32LE(5), b.readUintBE(5, 3), b.readIntLE(5, 6)];
    });
    t("bigints", () => {
      const b = Buffer.alloc(16);
      b.writeBigUInt64LE(0x0102030405060708n, 0);
      b.writeBigInt64BE(-5n, 8);
      return [[...b], String(b.readBigUInt64LE(0)), String(b.readBigInt64BE(8)), String(b.readBigUInt64BE(8)), String(b.readBigInt64LE(0))];
    });
    t("floats", () => { const b = Buffer.alloc(12); b.writeFloatLE(1.5, 0); b.writeDoubleBE(-0.1, 4); return [[...b], b.readFloatLE(0), b.readDoubleBE(4)]; });
    t("varInt", () => { const b = Buffer.alloc(6); b.writeUIntBE(0x123456, 0, 3); b.writeIntLE(-123456, 3, 3); return [[...b], b.readUIntBE(0, 3), b.readIntLE(3, 3)]; });
    t("readRange", () => Buffer.alloc(4).readUInt32LE(1));
    t("writeRange", () => Buffer.alloc(4).writeUInt8(256, 0));
    t("writeRange16", () => Buffer.alloc(4).writeInt16LE(40000, 0));
    t("toJSON", () => JSON.stringify(Buffer.from("hi")));
    t("fromJSON", () => [...Buffer.from(JSON.parse(JSON.stringify(Buffer.from("hi"))))]);
    t("copy", () => { const a = Buffer.from("abcdef"), b = Buffer.alloc(4, "."); const n = a.copy(b, 1, 2, 10); return [n, b.toString()]; });
    t("fill", () => [Buffer.alloc(6).fill("xy", 1).toString(), Buffer.alloc(4).fill(0x41, 1, 3).toString("hex"), Buffer.alloc(5).fill("e282ac", "hex").toString("hex")]);
    t("write", () => { const b = Buffer.alloc(8); return [b.write("héllo"), b.write("zz", 6), b.write("ffee", 1, "hex"), b.toString("hex"), Buffer.alloc(2).write("€")]; });
    t("toStringRange", () => [Buffer.from("hello").toString("utf8", 1, 3), Buffer.from("hello").toString("hex", -1, 99), Buffer.from("hello").toString(undefined, 2)]);
    t("fromArrayBuffer", () => { const ab = new ArrayBuffer(8); const b = Buffer.from(ab, 2, 4); b[0] = 9; return [b.length, new Uint8Array(ab)[2]]; });
    t("fromTyped", () => [...Buffer.from(new Uint16Array([1, 258, 65535]))]);
    t("swap16", () => [...Buffer.from([1, 2, 3, 4]).swap16()]);
    t("isEncoding", () => [Buffer.isEncoding("UTF-8"), Buffer.isEncoding("hex"), Buffer.isEncoding("nope"), Buffer.isEncoding("")]);
    t("byteLengthVarious", () => [Buffer.byteLength("€"), Buffer.byteLength("😀"), Buffer.byteLength(new Uint16Array(3)), Buffer.byteLength("aGk=", "base64"), Buffer.byteLength("abcd", "hex")]);
    t("ctor", () => [Buffer(3).length, Buffer("ab").toString()]);
    t("constants", () => [typeof bufferModule.constants.MAX_LENGTH, typeof bufferModule.kMaxLength]);
    return Response.json(out);
  },
};
