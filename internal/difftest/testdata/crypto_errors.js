// Web Crypto error names and messages on common mistakes.
export default {
  async fetch() {
    const out = {};
    const ta = async (name, f) => { try { const v = await f(); out[name] = v instanceof ArrayBuffer ? v.byteLength : v; } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    const s = crypto.subtle;
    const raw = new Uint8Array(32);
    await ta("hmacNoHash", () => s.importKey("raw", raw, { name: "HMAC" }, false, ["sign"]));
    await ta("wrongUsage", async () => { const k = await s.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]); return s.sign("HMAC", k, raw); });
    await ta("notExtractable", async () => { const k = await s.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]); return s.exportKey("raw", k); });
    await ta("aesBadLength", () => s.importKey("raw", new Uint8Array(7), "AES-GCM", false, ["encrypt"]));
    await ta("aesDecryptBad", async () => { const k = await s.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["decrypt"]); return s.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, k, new Uint8Array(32)); });
    await ta("unknownAlg", () => s.importKey("raw", raw, "FOO", false, ["sign"]));
    await ta("emptyUsages", () => s.generateKey({ name: "HMAC", hash: "SHA-256" }, false, []));
    await ta("badJwk", () => s.importKey("jwk", { kty: "oct" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    await ta("digestNonBuffer", () => s.digest("SHA-256", "string"));
    await ta("sha1", () => s.digest("SHA-1", raw));
    return Response.json(out);
  },
};
