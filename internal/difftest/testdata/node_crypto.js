// nodejs_compat: node:crypto hashes, HMACs, PBKDF2 and helpers.
import crypto, { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import * as bareCrypto from "crypto";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const big = "x".repeat(100000);
    for (const alg of ["md5", "sha1", "sha256", "sha384", "sha512", "SHA256", "RSA-SHA1"]) {
      t("hash_" + alg, () => [createHash(alg).update("").digest("hex"), createHash(alg).update("abc").update(Buffer.from("def")).digest("base64"), createHash(alg).update(big).digest("hex")]);
      t("hmac_" + alg, () => [createHmac(alg, "key").update("data").digest("hex"), createHmac(alg, "k".repeat(200)).update("data").digest("base64url"), createHmac(alg, Buffer.alloc(0)).digest("hex")]);
    }
    t("hashEnc", () => [createHash("sha1").update("68656c6c6f", "hex").digest("hex"), createHash("sha1").update("aGVsbG8=", "base64").digest("latin1").length]);
    t("hashBuffer", () => { const d = createHash("sha256").update("x").digest(); return [d instanceof Buffer, d.length]; });
    t("hashCopy", () => { const h = createHash("sha256").update("a"); const c = h.copy(); h.update("b"); return [h.digest("hex"), c.digest("hex")]; });
    t("hashTwice", () => { const h = createHash("md5"); h.digest(); return h.digest("hex"); });
    t("hashBad", () => createHash("sha3-999"));
    t("hmacBad", () => createHmac("nope", "k"));
    t("hmacTwice", () => { const h = createHmac("sha1", "k"); h.digest(); return h.digest("hex"); });
    t("hashTyped", () => createHash("sha256").update(new Uint16Array([1, 2])).update(new DataView(new ArrayBuffer(3))).digest("hex"));
    t("pbkdf2", () => [pbkdf2Sync("password", "salt", 1, 20, "sha1").toString("hex"), pbkdf2Sync("password", "salt", 4096, 32, "sha256").toString("hex"), pbkdf2Sync(Buffer.from("pw"), Buffer.from("salt"), 2, 80, "sha512").toString("base64")]);
    t("pbkdf2Bad", () => pbkdf2Sync("p", "s", 0, 10, "sha1"));
    t("pbkdf2BadDigest", () => pbkdf2Sync("p", "s", 1, 10, "nope"));
    await ta("pbkdf2Async", () => new Promise((res, rej) => crypto.pbkdf2("pw", "salt", 10, 16, "sha256", (err, key) => err ? rej(err) : res(key.toString("hex")))));
    t("randomBytes", () => { const b = crypto.randomBytes(16); return [b instanceof Buffer, b.length]; });
    t("randomUUID", () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
    t("randomInt", () => { let ok = true; for (let i = 0; i < 200; i++) { const n = crypto.randomInt(3, 7); if (n < 3 || n >= 7 || !Number.isInteger(n)) ok = false; } return [ok, crypto.randomInt(1) === 0]; });
    t("timingSafe", () => [timingSafeEqual(Buffer.from("ab"), Buffer.from("ab")), timingSafeEqual(Buffer.from("ab"), Buffer.from("ac"))]);
    t("timingSafeLen", () => timingSafeEqual(Buffer.from("a"), Buffer.from("ab")));
    t("webcrypto", () => [crypto.webcrypto === globalThis.crypto, crypto.subtle === globalThis.crypto.subtle, crypto.getRandomValues(new Uint8Array(4)).length]);
    t("bare", () => bareCrypto.createHash === createHash);
    await ta("subtleHmac", async () => { const k = await crypto.subtle.importKey("raw", Buffer.from("key"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]); return Buffer.from(await crypto.subtle.sign("HMAC", k, Buffer.from("data"))).toString("hex") === createHmac("sha256", "key").update("data").digest("hex"); });
    return Response.json(out);
  },
};
