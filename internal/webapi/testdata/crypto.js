// Web Crypto: known-answer vectors (FIPS 180, RFC 1321, RFC 4231, RFC 6070,
// RFC 5869, the GCM specification, RFC 3394, RFC 8032), round trips and the
// error behaviour of WebCrypto/workerd (cases after web-platform-tests
// WebCryptoAPI, written for this harness).

const subtle = crypto.subtle;
// D names a DOMException for assertRejects, which matches on error names.
const D = (name) => { const f = function () {}; Object.defineProperty(f, "name", { value: name }); return f; };
const te = (s) => { const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; };
const hex = (b) => [...new Uint8Array(b instanceof ArrayBuffer ? b : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))].map((x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
const fill = (n, v) => new Uint8Array(n).fill(v);
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
function b64u(u8) {
  let s = "";
  for (let i = 0; i < u8.length; i += 3) {
    const n = (u8[i] << 16) | ((u8[i + 1] ?? 0) << 8) | (u8[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < u8.length ? B64[(n >> 6) & 63] : "") + (i + 2 < u8.length ? B64[n & 63] : "");
  }
  return s;
}

// ---- crypto, getRandomValues, randomUUID -----------------------------------

test("globals and interfaces", () => {
  assert(crypto instanceof Crypto);
  assert(crypto.subtle instanceof SubtleCrypto);
  assertEquals(crypto.subtle, crypto.subtle);
  assertEquals(Object.prototype.toString.call(crypto), "[object Crypto]");
  assertEquals(Object.prototype.toString.call(crypto.subtle), "[object SubtleCrypto]");
  assertThrows(() => new Crypto(), TypeError);
  assertThrows(() => new SubtleCrypto(), TypeError);
  assertThrows(() => new CryptoKey(), TypeError);
  assertEquals(Object.keys(globalThis).includes("crypto"), false);
});

test("getRandomValues fills integer arrays in place", () => {
  for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]) {
    const a = new C(64);
    const r = crypto.getRandomValues(a);
    assert(r === a, C.name + " returns its argument");
    assert(a.some((x) => x != 0), C.name + " filled");
  }
  const buf = new Uint8Array(32);
  const view = new Uint8Array(buf.buffer, 8, 8);
  crypto.getRandomValues(view);
  assert(buf.subarray(0, 8).every((x) => x === 0) && buf.subarray(16).every((x) => x === 0), "only the view is written");
  assertEquals(crypto.getRandomValues(new Uint8Array(0)).length, 0);
});

test("getRandomValues rejects float arrays and DataView with TypeMismatchError", () => {
  for (const a of [new Float32Array(4), new Float64Array(4), new DataView(new ArrayBuffer(4))]) {
    const e = assertThrows(() => crypto.getRandomValues(a));
    assertEquals(e.name, "TypeMismatchError");
  }
  assertThrows(() => crypto.getRandomValues(new ArrayBuffer(4)), TypeError);
  assertThrows(() => crypto.getRandomValues([1, 2]), TypeError);
  assertThrows(() => crypto.getRandomValues(), TypeError);
});

test("getRandomValues quota is 65536 bytes", () => {
  crypto.getRandomValues(new Uint8Array(65536));
  crypto.getRandomValues(new Uint32Array(16384));
  const e = assertThrows(() => crypto.getRandomValues(new Uint8Array(65537)));
  assertEquals(e.name, "QuotaExceededError");
  assertEquals(assertThrows(() => crypto.getRandomValues(new Uint32Array(16385))).name, "QuotaExceededError");
});

test("randomUUID is a version 4 UUID", () => {
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const seen = new Set();
  for (let i = 0; i < 100; i++) {
    const u = crypto.randomUUID();
    assert(re.test(u), u);
    seen.add(u);
  }
  assertEquals(seen.size, 100);
});

// ---- digest -------------------------------------------------------------------

test("digest known answers (FIPS 180-4, RFC 1321)", async () => {
  const abc = te("abc");
  assertEquals(hex(await subtle.digest("SHA-1", abc)), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assertEquals(hex(await subtle.digest("SHA-256", abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assertEquals(hex(await subtle.digest("SHA-384", abc)), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  assertEquals(hex(await subtle.digest("SHA-512", abc)), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  assertEquals(hex(await subtle.digest("MD5", abc)), "900150983cd24fb0d6963f7d28e17f72");
  assertEquals(hex(await subtle.digest("sha-256", new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assertEquals(hex(await subtle.digest({ name: "SHA-256" }, abc.buffer)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("digest accepts any BufferSource and returns an ArrayBuffer", async () => {
  const buf = new Uint8Array([0, 97, 98, 99, 0]);
  const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const d = await subtle.digest("SHA-256", new DataView(buf.buffer, 1, 3));
  assert(d instanceof ArrayBuffer);
  assertEquals(hex(d), want);
  assertEquals(hex(await subtle.digest("SHA-256", buf.subarray(1, 4))), want);
  const big = new Uint8Array(1 << 20).fill(0x61);
  assertEquals((await subtle.digest("SHA-512", big)).byteLength, 64);
});

test("digest errors", async () => {
  await assertRejects(subtle.digest("SHA-3", new Uint8Array(1)), D("NotSupportedError"));
  await assertRejects(subtle.digest({}, new Uint8Array(1)), TypeError);
  await assertRejects(subtle.digest("SHA-256", "abc"), TypeError);
  await assertRejects(subtle.digest("SHA-256"), TypeError);
  // Errors are rejections, not synchronous throws.
  const p = subtle.digest("nope", new Uint8Array(1));
  assert(p instanceof Promise);
  await assertRejects(p);
});

// ---- HMAC ---------------------------------------------------------------------

test("HMAC known answers (RFC 4231)", async () => {
  const k1 = fill(20, 0x0b), d1 = te("Hi There");
  const cases = [
    ["SHA-256", k1, d1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"],
    ["SHA-384", k1, d1, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"],
    ["SHA-512", k1, d1, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"],
    ["SHA-256", te("Jefe"), te("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"],
  ];
  for (const [hash, key, data, want] of cases) {
    const k = await subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign", "verify"]);
    const sig = await subtle.sign("HMAC", k, data);
    assertEquals(hex(sig), want, hash);
    assert(await subtle.verify("HMAC", k, sig, data), "verify " + hash);
    const bad = new Uint8Array(sig);
    bad[0] ^= 1;
    assertEquals(await subtle.verify("HMAC", k, bad, data), false);
    assertEquals(await subtle.verify("HMAC", k, sig.slice(0, 10), data), false);
  }
});

test("HMAC key algorithm, generateKey and JWK round trip", async () => {
  const k = await subtle.generateKey({ name: "HMAC", hash: "SHA-512" }, true, ["sign", "verify", "sign"]);
  assert(k instanceof CryptoKey);
  assertEquals(k.type, "secret");
  assertEquals(k.extractable, true);
  assertEquals(k.algorithm, { name: "HMAC", length: 1024, hash: { name: "SHA-512" } });
  assertEquals(k.usages, ["sign", "verify"]);
  assert(k.algorithm === k.algorithm && k.usages === k.usages, "cached attribute objects");
  const raw = await subtle.exportKey("raw", k);
  assertEquals(raw.byteLength, 128);
  const jwk = await subtle.exportKey("jwk", k);
  assertEquals(jwk.kty, "oct");
  assertEquals(jwk.alg, "HS512");
  assertEquals(jwk.ext, true);
  assertEquals(jwk.key_ops, ["sign", "verify"]);
  assertEquals(jwk.k, b64u(new Uint8Array(raw)));
  const k2 = await subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-512" }, true, ["verify"]);
  const sig = await subtle.sign("HMAC", k, te("x"));
  assert(await subtle.verify("HMAC", k2, sig, te("x")));
  const k3 = await subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 128 }, true, ["sign"]);
  assertEquals((await subtle.exportKey("raw", k3)).byteLength, 16);
});

test("HMAC import errors", async () => {
  await assertRejects(subtle.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("raw", fill(16, 1), { name: "HMAC" }, false, ["sign"]), TypeError);
  await assertRejects(subtle.importKey("raw", fill(16, 1), { name: "HMAC", hash: "SHA-256" }, false, []), D("SyntaxError"));
  await assertRejects(subtle.importKey("raw", fill(16, 1), { name: "HMAC", hash: "SHA-256" }, false, ["encrypt"]), D("SyntaxError"));
  await assertRejects(subtle.importKey("raw", fill(16, 1), { name: "HMAC", hash: "SHA-256" }, false, ["bogus"]), TypeError);
  await assertRejects(subtle.importKey("spki", fill(16, 1), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("NotSupportedError"));
  await assertRejects(subtle.importKey("raw", fill(16, 1), { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { kty: "oct", k: "AAAA", alg: "HS384" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { kty: "RSA", k: "AAAA" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { kty: "oct", k: "AAAA", ext: false }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { kty: "oct", k: "AAAA", key_ops: ["verify"] }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { kty: "oct", k: "AAAA", use: "enc" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", fill(4, 0), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), TypeError);
  await assertRejects(subtle.importKey("raw", "abc", { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), TypeError);
  await assertRejects(subtle.importKey("foo", fill(4, 0), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), D("NotSupportedError"));
  await assertRejects(subtle.importKey("raw", fill(4, 0), { name: "HMAC", hash: "SHA-999" }, false, ["sign"]), D("NotSupportedError"));
});

test("key usage and algorithm mismatches are InvalidAccessError", async () => {
  const k = await subtle.importKey("raw", fill(32, 7), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const e = await assertRejects(subtle.sign("HMAC", k, te("x")), D("InvalidAccessError"));
  assertEquals(e.message, "Requested key usage \"sign\" does not match any usage listed in this CryptoKey.");
  const aes = await subtle.importKey("raw", fill(16, 1), "AES-GCM", false, ["encrypt"]);
  await assertRejects(subtle.encrypt({ name: "AES-CBC", iv: fill(16, 0) }, aes, te("x")), D("InvalidAccessError"));
  await assertRejects(subtle.sign("FOO", k, te("x")), D("NotSupportedError"));
  await assertRejects(subtle.sign("HMAC", {}, te("x")), TypeError);
  await assertRejects(subtle.exportKey("raw", k), D("InvalidAccessError"));
});

// ---- AES ------------------------------------------------------------------------

const gcmKey = unhex("feffe9928665731c6d6a8f9467308308");
const gcmIV = unhex("cafebabefacedbaddecaf888");
const gcmPT = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
const gcmAAD = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const gcmCT = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
const gcmTag = "5bc94fbc3221a5db94fae95ae7121a47";

test("AES-GCM known answer (GCM spec test case 4)", async () => {
  const k = await subtle.importKey("raw", gcmKey, "AES-GCM", false, ["encrypt", "decrypt"]);
  assertEquals(k.algorithm, { name: "AES-GCM", length: 128 });
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmAAD }, k, gcmPT);
  assertEquals(hex(ct), gcmCT + gcmTag);
  const pt = await subtle.decrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmAAD }, k, ct);
  assertEquals(hex(pt), hex(gcmPT));
  const bad = new Uint8Array(ct);
  bad[3] ^= 0x80;
  await assertRejects(subtle.decrypt({ name: "AES-GCM", iv: gcmIV, additionalData: gcmAAD }, k, bad), D("OperationError"));
  await assertRejects(subtle.decrypt({ name: "AES-GCM", iv: gcmIV }, k, ct), D("OperationError"));
});

test("AES-GCM tag lengths and IV sizes", async () => {
  const k = await subtle.importKey("raw", gcmKey, "AES-GCM", false, ["encrypt", "decrypt"]);
  for (const tagLength of [32, 64, 96, 104, 112, 120, 128]) {
    const alg = { name: "AES-GCM", iv: gcmIV, additionalData: gcmAAD, tagLength };
    const ct = await subtle.encrypt(alg, k, gcmPT);
    assertEquals(hex(ct), gcmCT + gcmTag.slice(0, tagLength / 4), "tag " + tagLength);
    assertEquals(hex(await subtle.decrypt(alg, k, ct)), hex(gcmPT));
    const bad = new Uint8Array(ct);
    bad[bad.length - 1] ^= 1;
    await assertRejects(subtle.decrypt(alg, k, bad), D("OperationError"));
  }
  await assertRejects(subtle.encrypt({ name: "AES-GCM", iv: gcmIV, tagLength: 100 }, k, gcmPT), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(0) }, k, gcmPT), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "AES-GCM" }, k, gcmPT), TypeError);
  for (const ivLen of [1, 8, 16, 64]) {
    const alg = { name: "AES-GCM", iv: fill(ivLen, 9), tagLength: 96 };
    const ct = await subtle.encrypt(alg, k, gcmPT);
    assertEquals(hex(await subtle.decrypt(alg, k, ct)), hex(gcmPT), "iv " + ivLen);
  }
  await assertRejects(subtle.decrypt({ name: "AES-GCM", iv: gcmIV }, k, new Uint8Array(8)), D("OperationError"));
});

test("AES-CBC round trip, PKCS#7 padding, bad padding is OperationError", async () => {
  // NIST SP 800-38A F.2.1 (first block); with PKCS#7 a full padding block follows.
  const key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
  const iv = unhex("000102030405060708090a0b0c0d0e0f");
  const k = await subtle.importKey("raw", key, { name: "AES-CBC" }, true, ["encrypt", "decrypt"]);
  const ct = await subtle.encrypt({ name: "AES-CBC", iv }, k, unhex("6bc1bee22e409f96e93d7e117393172a"));
  assertEquals(ct.byteLength, 32);
  assertEquals(hex(ct).slice(0, 32), "7649abac8119b246cee98e9b12e9197d");
  for (const n of [0, 1, 15, 16, 17, 100]) {
    const pt = fill(n, n);
    const c = await subtle.encrypt({ name: "AES-CBC", iv }, k, pt);
    assertEquals(c.byteLength, (Math.floor(n / 16) + 1) * 16);
    assertEquals(hex(await subtle.decrypt({ name: "AES-CBC", iv }, k, c)), hex(pt));
  }
  const bad = new Uint8Array(ct);
  bad[20] ^= 1;
  await assertRejects(subtle.decrypt({ name: "AES-CBC", iv }, k, bad), D("OperationError"));
  await assertRejects(subtle.decrypt({ name: "AES-CBC", iv }, k, new Uint8Array(15)), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "AES-CBC", iv: fill(8, 0) }, k, te("x")), D("OperationError"));
});

test("AES-CTR known answer and counter wrap-around", async () => {
  // NIST SP 800-38A F.5.1.
  const key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
  const counter = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const k = await subtle.importKey("raw", key, "AES-CTR", false, ["encrypt", "decrypt"]);
  const pt = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  const ct = await subtle.encrypt({ name: "AES-CTR", counter, length: 64 }, k, pt);
  assertEquals(hex(ct), "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff");
  assertEquals(hex(await subtle.decrypt({ name: "AES-CTR", counter, length: 64 }, k, ct)), hex(pt));
  // With an 8-bit counter, ff wraps to 00 within the low byte only: the
  // second block uses f0..fe 00, i.e. the first block's counter with its
  // last byte 00.
  const two = await subtle.encrypt({ name: "AES-CTR", counter, length: 8 }, k, new Uint8Array(32));
  const c2 = new Uint8Array(counter);
  c2[15] = 0;
  const one = await subtle.encrypt({ name: "AES-CTR", counter: c2, length: 8 }, k, new Uint8Array(16));
  assertEquals(hex(two).slice(32), hex(one));
  await assertRejects(subtle.encrypt({ name: "AES-CTR", counter, length: 1 }, k, new Uint8Array(48)), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "AES-CTR", counter, length: 0 }, k, pt), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "AES-CTR", counter: fill(8, 0), length: 64 }, k, pt), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "AES-CTR", length: 64 }, k, pt), TypeError);
});

test("AES-KW known answer (RFC 3394 4.1) and wrapKey/unwrapKey", async () => {
  const kek = await subtle.importKey("raw", unhex("000102030405060708090a0b0c0d0e0f"), "AES-KW", false, ["wrapKey", "unwrapKey"]);
  const inner = await subtle.importKey("raw", unhex("00112233445566778899aabbccddeeff"), "AES-GCM", true, ["encrypt", "decrypt"]);
  const wrapped = await subtle.wrapKey("raw", inner, kek, "AES-KW");
  assertEquals(hex(wrapped), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
  const un = await subtle.unwrapKey("raw", wrapped, kek, "AES-KW", "AES-GCM", true, ["decrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", un)), "00112233445566778899aabbccddeeff");
  assertEquals(un.usages, ["decrypt"]);
  const bad = new Uint8Array(wrapped);
  bad[5] ^= 1;
  await assertRejects(subtle.unwrapKey("raw", bad, kek, "AES-KW", "AES-GCM", true, ["decrypt"]), D("OperationError"));
  // JWK wrapping pads the JSON to a multiple of 8 bytes.
  const hk = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  const w2 = await subtle.wrapKey("jwk", hk, kek, "AES-KW");
  const hk2 = await subtle.unwrapKey("jwk", w2, kek, "AES-KW", { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  assertEquals(hex(await subtle.exportKey("raw", hk2)), hex(await subtle.exportKey("raw", hk)));
  await assertRejects(subtle.encrypt("AES-KW", kek, fill(16, 0)), D("NotSupportedError"));
});

test("wrapKey with AES-GCM and a non-extractable key", async () => {
  const wk = await subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey"]);
  const kp = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const iv = fill(12, 3);
  const w = await subtle.wrapKey("pkcs8", kp.privateKey, wk, { name: "AES-GCM", iv });
  const priv = await subtle.unwrapKey("pkcs8", w, wk, { name: "AES-GCM", iv }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, te("m"));
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, kp.publicKey, sig, te("m")));
  const ne = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt"]);
  await assertRejects(subtle.wrapKey("raw", ne, wk, { name: "AES-GCM", iv }), D("InvalidAccessError"));
});

test("AES generateKey, import and export", async () => {
  for (const length of [128, 192, 256]) {
    for (const name of ["AES-GCM", "AES-CBC", "AES-CTR", "AES-KW"]) {
      const usages = name === "AES-KW" ? ["wrapKey", "unwrapKey"] : ["encrypt", "decrypt"];
      const k = await subtle.generateKey({ name, length }, true, usages);
      assertEquals(k.algorithm, { name, length });
      const jwk = await subtle.exportKey("jwk", k);
      assertEquals(jwk.alg, "A" + length + name.slice(4));
      const k2 = await subtle.importKey("jwk", jwk, name, true, usages);
      assertEquals(hex(await subtle.exportKey("raw", k2)), hex(await subtle.exportKey("raw", k)));
    }
  }
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 64 }, true, ["encrypt"]), D("OperationError"));
  await assertRejects(subtle.generateKey({ name: "AES-GCM" }, true, ["encrypt"]), TypeError);
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 128 }, true, []), D("SyntaxError"));
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["sign"]), D("SyntaxError"));
  await assertRejects(subtle.importKey("raw", fill(17, 0), "AES-GCM", true, ["encrypt"]), D("DataError"));
  await assertRejects(subtle.generateKey({ name: "AES-FOO", length: 128 }, true, ["encrypt"]), D("NotSupportedError"));
  await assertRejects(subtle.importKey("jwk", { kty: "oct", k: b64u(fill(16, 0)), alg: "A256GCM" }, "AES-GCM", true, ["encrypt"]), D("DataError"));
});

// ---- PBKDF2, HKDF -----------------------------------------------------------

test("PBKDF2 known answers (RFC 6070) and deriveKey", async () => {
  const cases = [
    ["password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"],
    ["password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"],
    ["passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"],
    ["pass\0word", "sa\0lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"],
  ];
  for (const [p, s, iterations, n, want] of cases) {
    const k = await subtle.importKey("raw", te(p), "PBKDF2", false, ["deriveBits"]);
    const bits = await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt: te(s), iterations }, k, n * 8);
    assertEquals(hex(bits), want);
  }
  const k = await subtle.importKey("raw", te("password"), { name: "PBKDF2" }, false, ["deriveKey"]);
  assertEquals(k.algorithm, { name: "PBKDF2" });
  assertEquals(k.extractable, false);
  const aes = await subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: te("salt"), iterations: 1 }, k, { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", aes)), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  const hm = await subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: te("salt"), iterations: 1 }, k, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  assertEquals(hm.algorithm.length, 512);
});

test("PBKDF2 errors", async () => {
  const k = await subtle.importKey("raw", te("pw"), "PBKDF2", false, ["deriveBits"]);
  await assertRejects(subtle.importKey("raw", te("pw"), "PBKDF2", true, ["deriveBits"]), D("SyntaxError"));
  await assertRejects(subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: te("s"), iterations: 0 }, k, 256), D("OperationError"));
  await assertRejects(subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: te("s"), iterations: 100001 }, k, 256), D("NotSupportedError"));
  await assertRejects(subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: te("s"), iterations: 1 }, k, 255), D("OperationError"));
  await assertRejects(subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: te("s"), iterations: 1 }, k, null), D("OperationError"));
  await assertRejects(subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", iterations: 1 }, k, 256), TypeError);
  await assertRejects(subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: te("s"), iterations: 1 }, k, { name: "AES-GCM", length: 256 }, true, ["encrypt"]), D("InvalidAccessError"));
  await assertRejects(subtle.exportKey("raw", k), D("InvalidAccessError"));
  assertEquals((await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: te("s"), iterations: 1 }, k, 0)).byteLength, 0);
});

test("HKDF known answers (RFC 5869)", async () => {
  const ikm = await subtle.importKey("raw", fill(22, 0x0b), "HKDF", false, ["deriveBits", "deriveKey"]);
  const okm1 = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: unhex("000102030405060708090a0b0c"), info: unhex("f0f1f2f3f4f5f6f7f8f9") }, ikm, 42 * 8);
  assertEquals(hex(okm1), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  const okm3 = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, 42 * 8);
  assertEquals(hex(okm3), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  await assertRejects(subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0) }, ikm, 256), TypeError);
  await assertRejects(subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, 256 * 255 + 8), D("OperationError"));
  const k = await subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, { name: "AES-CBC", length: 128 }, true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", k)), "8da4e775a563c18f715f802a063c5a31");
  await assertRejects(subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, { name: "AES-CBC", length: 100 }, true, ["encrypt"]), D("OperationError"));
  await assertRejects(subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, { name: "ECDSA" }, true, ["sign"]), D("NotSupportedError"));
});

// ---- RSA ------------------------------------------------------------------------

let rsaPairs;
async function rsaPair(name) {
  rsaPairs ??= {};
  return rsaPairs[name] ??= await subtle.generateKey(
    { name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true,
    name === "RSA-OAEP" ? ["encrypt", "decrypt", "wrapKey", "unwrapKey"] : ["sign", "verify"]);
}

test("RSASSA-PKCS1-v1_5 generateKey, sign/verify, spki/pkcs8/jwk round trips", async () => {
  const { publicKey, privateKey } = await rsaPair("RSASSA-PKCS1-v1_5");
  assertEquals(publicKey.type, "public");
  assertEquals(privateKey.type, "private");
  assertEquals(publicKey.extractable, true);
  assertEquals(publicKey.usages, ["verify"]);
  assertEquals(privateKey.usages, ["sign"]);
  assertEquals(publicKey.algorithm.name, "RSASSA-PKCS1-v1_5");
  assertEquals(publicKey.algorithm.modulusLength, 2048);
  assertEquals([...publicKey.algorithm.publicExponent], [1, 0, 1]);
  assert(publicKey.algorithm.publicExponent instanceof Uint8Array);
  assertEquals(publicKey.algorithm.hash, { name: "SHA-256" });
  const data = te("hello");
  const sig = await subtle.sign("RSASSA-PKCS1-v1_5", privateKey, data);
  assertEquals(sig.byteLength, 256);
  assertEquals(hex(await subtle.sign("RSASSA-PKCS1-v1_5", privateKey, data)), hex(sig), "deterministic");
  assert(await subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, data));
  assertEquals(await subtle.verify("RSASSA-PKCS1-v1_5", publicKey, sig, te("hellp")), false);

  const spki = await subtle.exportKey("spki", publicKey);
  const pkcs8 = await subtle.exportKey("pkcs8", privateKey);
  const pub2 = await subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
  const priv2 = await subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
  assertEquals(hex(await subtle.sign("RSASSA-PKCS1-v1_5", priv2, data)), hex(sig));
  assert(await subtle.verify("RSASSA-PKCS1-v1_5", pub2, sig, data));
  assertEquals(hex(await subtle.exportKey("spki", pub2)), hex(spki));

  const jwkPub = await subtle.exportKey("jwk", publicKey);
  assertEquals(jwkPub.kty, "RSA");
  assertEquals(jwkPub.alg, "RS256");
  assertEquals(jwkPub.e, "AQAB");
  assertEquals(jwkPub.key_ops, ["verify"]);
  assertEquals(jwkPub.d, undefined);
  const jwkPriv = await subtle.exportKey("jwk", privateKey);
  for (const f of ["n", "e", "d", "p", "q", "dp", "dq", "qi"]) assert(typeof jwkPriv[f] === "string", f);
  const priv3 = await subtle.importKey("jwk", jwkPriv, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  assertEquals(hex(await subtle.sign("RSASSA-PKCS1-v1_5", priv3, data)), hex(sig));
  assertEquals(hex(await subtle.exportKey("spki", await subtle.importKey("jwk", jwkPub, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]))), hex(spki));
});

test("RSA import errors", async () => {
  const { publicKey, privateKey } = await rsaPair("RSASSA-PKCS1-v1_5");
  const spki = await subtle.exportKey("spki", publicKey);
  const pkcs8 = await subtle.exportKey("pkcs8", privateKey);
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  await assertRejects(subtle.importKey("spki", spki, alg, true, ["sign"]), D("SyntaxError"));
  await assertRejects(subtle.importKey("pkcs8", pkcs8, alg, true, ["verify"]), D("SyntaxError"));
  await assertRejects(subtle.importKey("pkcs8", pkcs8, alg, true, []), D("SyntaxError"));
  await assertRejects(subtle.importKey("spki", pkcs8, alg, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("pkcs8", spki, alg, true, ["sign"]), D("DataError"));
  await assertRejects(subtle.importKey("spki", new Uint8Array(10), alg, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("raw", spki, alg, true, ["verify"]), D("NotSupportedError"));
  await assertRejects(subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5" }, true, ["verify"]), TypeError);
  await assertRejects(subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]), D("DataError"));
  const jwk = await subtle.exportKey("jwk", publicKey);
  await assertRejects(subtle.importKey("jwk", { ...jwk, alg: "RS384" }, alg, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { ...jwk, n: undefined }, alg, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.exportKey("pkcs8", publicKey), D("InvalidAccessError"));
  await assertRejects(subtle.exportKey("spki", privateKey), D("InvalidAccessError"));
  // Empty public usages are fine; the private key needs one.
  const pub = await subtle.importKey("spki", spki, alg, true, []);
  assertEquals(pub.usages, []);
});

test("RSA-PSS sign/verify with several salt lengths", async () => {
  const { publicKey, privateKey } = await rsaPair("RSA-PSS");
  const data = te("pss");
  for (const saltLength of [0, 20, 32, 64]) {
    const sig = await subtle.sign({ name: "RSA-PSS", saltLength }, privateKey, data);
    assertEquals(sig.byteLength, 256);
    assert(await subtle.verify({ name: "RSA-PSS", saltLength }, publicKey, sig, data), "salt " + saltLength);
    assertEquals(await subtle.verify({ name: "RSA-PSS", saltLength }, publicKey, sig, te("psz")), false);
  }
  const s32 = await subtle.sign({ name: "RSA-PSS", saltLength: 32 }, privateKey, data);
  assertEquals(await subtle.verify({ name: "RSA-PSS", saltLength: 0 }, publicKey, s32, data), false);
  assertEquals(await subtle.verify({ name: "RSA-PSS", saltLength: 20 }, publicKey, s32, data), false);
  await assertRejects(subtle.sign({ name: "RSA-PSS" }, privateKey, data), TypeError);
  await assertRejects(subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, privateKey, data), D("InvalidAccessError"));
  assertEquals((await subtle.exportKey("jwk", publicKey)).alg, "PS256");
});

test("RSA-OAEP encrypt/decrypt with and without label", async () => {
  const { publicKey, privateKey } = await rsaPair("RSA-OAEP");
  assertEquals(publicKey.usages, ["encrypt", "wrapKey"]);
  assertEquals(privateKey.usages, ["decrypt", "unwrapKey"]);
  const msg = te("secret message");
  const ct = await subtle.encrypt({ name: "RSA-OAEP" }, publicKey, msg);
  assertEquals(ct.byteLength, 256);
  assertEquals(hex(await subtle.decrypt({ name: "RSA-OAEP" }, privateKey, ct)), hex(msg));
  const ctl = await subtle.encrypt({ name: "RSA-OAEP", label: te("L") }, publicKey, msg);
  assertEquals(hex(await subtle.decrypt({ name: "RSA-OAEP", label: te("L") }, privateKey, ctl)), hex(msg));
  await assertRejects(subtle.decrypt({ name: "RSA-OAEP", label: te("M") }, privateKey, ctl), D("OperationError"));
  await assertRejects(subtle.encrypt({ name: "RSA-OAEP" }, publicKey, new Uint8Array(300)), D("OperationError"));
  assertEquals((await subtle.exportKey("jwk", publicKey)).alg, "RSA-OAEP-256");
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  const w = await subtle.wrapKey("raw", aes, publicKey, "RSA-OAEP");
  const aes2 = await subtle.unwrapKey("raw", w, privateKey, "RSA-OAEP", "AES-GCM", true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", aes2)), hex(await subtle.exportKey("raw", aes)));
});

test("RSA generateKey parameter errors", async () => {
  const base = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  await assertRejects(subtle.generateKey({ ...base, publicExponent: undefined }, true, ["sign"]), TypeError);
  await assertRejects(subtle.generateKey({ ...base, modulusLength: undefined }, true, ["sign"]), TypeError);
  await assertRejects(subtle.generateKey({ ...base, hash: undefined }, true, ["sign"]), TypeError);
  await assertRejects(subtle.generateKey({ ...base, publicExponent: new Uint8Array([3]) }, true, ["sign"]), D("OperationError"));
  await assertRejects(subtle.generateKey(base, true, ["encrypt"]), D("SyntaxError"));
  await assertRejects(subtle.generateKey(base, true, ["verify"]), D("SyntaxError"));
});

// ---- ECDSA, ECDH ---------------------------------------------------------------

test("ECDSA P-256/P-384/P-521 sign/verify and key formats", async () => {
  for (const [namedCurve, hash, size] of [["P-256", "SHA-256", 64], ["P-384", "SHA-384", 96], ["P-521", "SHA-512", 132]]) {
    const kp = await subtle.generateKey({ name: "ECDSA", namedCurve }, true, ["sign", "verify"]);
    assertEquals(kp.publicKey.algorithm, { name: "ECDSA", namedCurve });
    const alg = { name: "ECDSA", hash };
    const data = te("ecdsa " + namedCurve);
    const sig = await subtle.sign(alg, kp.privateKey, data);
    assertEquals(sig.byteLength, size, "IEEE P1363 r||s length");
    assert(await subtle.verify(alg, kp.publicKey, sig, data));
    assertEquals(await subtle.verify(alg, kp.publicKey, sig, te("other")), false);
    assertEquals(await subtle.verify(alg, kp.publicKey, sig.slice(1), data), false);

    const raw = await subtle.exportKey("raw", kp.publicKey);
    assertEquals(raw.byteLength, 1 + size);
    assertEquals(new Uint8Array(raw)[0], 4);
    const imp = { name: "ECDSA", namedCurve };
    const fromRaw = await subtle.importKey("raw", raw, imp, true, ["verify"]);
    assert(await subtle.verify(alg, fromRaw, sig, data));
    const fromSpki = await subtle.importKey("spki", await subtle.exportKey("spki", kp.publicKey), imp, true, ["verify"]);
    assert(await subtle.verify(alg, fromSpki, sig, data));
    const jwk = await subtle.exportKey("jwk", kp.privateKey);
    assertEquals(jwk.kty, "EC");
    assertEquals(jwk.crv, namedCurve);
    assertEquals(jwk.key_ops, ["sign"]);
    const fromJwk = await subtle.importKey("jwk", jwk, imp, false, ["sign"]);
    const fromPkcs8 = await subtle.importKey("pkcs8", await subtle.exportKey("pkcs8", kp.privateKey), imp, false, ["sign"]);
    for (const k of [fromJwk, fromPkcs8]) {
      assert(await subtle.verify(alg, kp.publicKey, await subtle.sign(alg, k, data), data));
    }
    const pubJwk = await subtle.exportKey("jwk", kp.publicKey);
    assertEquals(pubJwk.d, undefined);
    assert(await subtle.verify(alg, await subtle.importKey("jwk", pubJwk, imp, true, ["verify"]), sig, data));
  }
});

test("ECDSA errors", async () => {
  const kp = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  await assertRejects(subtle.sign({ name: "ECDSA" }, kp.privateKey, te("x")), TypeError);
  await assertRejects(subtle.generateKey({ name: "ECDSA", namedCurve: "P-192" }, true, ["sign"]), D("NotSupportedError"));
  await assertRejects(subtle.generateKey({ name: "ECDSA" }, true, ["sign"]), TypeError);
  const spki = await subtle.exportKey("spki", kp.publicKey);
  await assertRejects(subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]), D("DataError"));
  const jwk = await subtle.exportKey("jwk", kp.publicKey);
  await assertRejects(subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { ...jwk, alg: "ES384" }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { ...jwk, x: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("raw", fill(65, 4), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]), D("DataError"));
  await assertRejects(subtle.exportKey("raw", kp.privateKey), D("InvalidAccessError"));
  const e = await assertRejects(subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]), D("SyntaxError"));
  assertEquals(e.message, "Attempt to generate asymmetric keys with no valid private key usages.");
});

test("ECDH deriveBits agrees on both sides; deriveKey", async () => {
  for (const namedCurve of ["P-256", "P-384"]) {
    const a = await subtle.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits", "deriveKey"]);
    const b = await subtle.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits"]);
    assertEquals(a.publicKey.usages, []);
    const ab = await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, null);
    const ba = await subtle.deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey);
    assertEquals(hex(ab), hex(ba));
    assertEquals(ab.byteLength, namedCurve === "P-256" ? 32 : 48);
    const short = await subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 128);
    assertEquals(hex(short), hex(ab).slice(0, 32));
    await assertRejects(subtle.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 1024), D("OperationError"));
    await assertRejects(subtle.deriveBits({ name: "ECDH", public: b.privateKey }, a.privateKey, 128), D("InvalidAccessError"));
    const k = await subtle.deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, { name: "AES-GCM", length: 128 }, true, ["encrypt"]);
    assertEquals(hex(await subtle.exportKey("raw", k)), hex(ab).slice(0, 32));
  }
  const p256 = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const p384 = await subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, true, ["deriveBits"]);
  await assertRejects(subtle.deriveBits({ name: "ECDH", public: p384.publicKey }, p256.privateKey, 128), D("InvalidAccessError"));
  const ecdsa = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  await assertRejects(subtle.deriveBits({ name: "ECDH", public: ecdsa.publicKey }, p256.privateKey, 128), D("InvalidAccessError"));
});

// ---- Ed25519, X25519 ---------------------------------------------------------------

const edSeed = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const edPub = unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const edSig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

test("Ed25519 known answer (RFC 8032 7.1 test 1)", async () => {
  const priv = await subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: b64u(edSeed), x: b64u(edPub) }, "Ed25519", true, ["sign"]);
  assertEquals(priv.algorithm, { name: "Ed25519" });
  assertEquals(hex(await subtle.sign("Ed25519", priv, new Uint8Array(0))), edSig);
  const pub = await subtle.importKey("raw", edPub, { name: "Ed25519" }, true, ["verify"]);
  assert(await subtle.verify("Ed25519", pub, unhex(edSig), new Uint8Array(0)));
  assertEquals(await subtle.verify("Ed25519", pub, unhex(edSig), new Uint8Array(1)), false);
  assertEquals(await subtle.verify("Ed25519", pub, unhex(edSig).slice(1), new Uint8Array(0)), false);
  assertEquals(hex(await subtle.exportKey("raw", pub)), hex(edPub));
  const jwk = await subtle.exportKey("jwk", priv);
  assertEquals([jwk.kty, jwk.crv, jwk.x, jwk.d], ["OKP", "Ed25519", b64u(edPub), b64u(edSeed)]);
  const pkcs8 = await subtle.exportKey("pkcs8", priv);
  const priv2 = await subtle.importKey("pkcs8", pkcs8, "Ed25519", false, ["sign"]);
  assertEquals(hex(await subtle.sign("Ed25519", priv2, new Uint8Array(0))), edSig);
  const spki = await subtle.exportKey("spki", pub);
  assertEquals(spki.byteLength, 44);
  await assertRejects(subtle.importKey("raw", edPub.slice(1), "Ed25519", true, ["verify"]), D("DataError"));
  await assertRejects(subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: b64u(edSeed), x: b64u(fill(32, 1)) }, "Ed25519", true, ["sign"]), D("DataError"));
});

test("Ed25519 and NODE-ED25519 generateKey, sign/verify", async () => {
  const kp = await subtle.generateKey("Ed25519", true, ["sign", "verify"]);
  const sig = await subtle.sign("Ed25519", kp.privateKey, te("m"));
  assertEquals(sig.byteLength, 64);
  assert(await subtle.verify({ name: "Ed25519" }, kp.publicKey, sig, te("m")));
  const node = { name: "NODE-ED25519", namedCurve: "NODE-ED25519" };
  const nk = await subtle.importKey("raw", edPub, node, true, ["verify"]);
  assertEquals(nk.algorithm, node);
  assert(await subtle.verify(node, nk, unhex(edSig), new Uint8Array(0)));
  await assertRejects(subtle.verify("Ed25519", nk, unhex(edSig), new Uint8Array(0)), D("InvalidAccessError"));
  await assertRejects(subtle.importKey("raw", edPub, { name: "NODE-ED25519", namedCurve: "foo" }, true, ["verify"]), D("NotSupportedError"));
  const nkp = await subtle.generateKey(node, false, ["sign", "verify"]);
  assert(await subtle.verify(node, nkp.publicKey, await subtle.sign(node, nkp.privateKey, te("z")), te("z")));
});

test("X25519 deriveBits (RFC 7748 6.1)", async () => {
  const aPriv = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const aPub = unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  const bPub = unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const a = await subtle.importKey("jwk", { kty: "OKP", crv: "X25519", d: b64u(aPriv), x: b64u(aPub) }, "X25519", false, ["deriveBits"]);
  const b = await subtle.importKey("raw", bPub, "X25519", true, []);
  const s = await subtle.deriveBits({ name: "X25519", public: b }, a, 256);
  assertEquals(hex(s), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  const kp = await subtle.generateKey("X25519", true, ["deriveBits"]);
  const s1 = await subtle.deriveBits({ name: "X25519", public: b }, kp.privateKey, null);
  assertEquals(s1.byteLength, 32);
});

// ---- CryptoKey -----------------------------------------------------------------

test("CryptoKey attributes are read-only and key data is private", async () => {
  const k = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt"]);
  assertEquals(Object.keys(k), []);
  assertEquals(Object.getOwnPropertyNames(k), []);
  assertEquals(Object.prototype.toString.call(k), "[object CryptoKey]");
  k.type = "public";
  assertEquals(k.type, "secret");
  const get = Object.getOwnPropertyDescriptor(CryptoKey.prototype, "type").get;
  assertThrows(() => get.call({}), TypeError);
});

test("timingSafeEqual (workerd extension)", () => {
  assertEquals(subtle.timingSafeEqual(te("abc"), te("abc")), true);
  assertEquals(subtle.timingSafeEqual(te("abc"), te("abd").buffer), false);
  assertThrows(() => subtle.timingSafeEqual(te("abc"), te("ab")), TypeError);
});

test("errors are DOMExceptions with the WebCrypto names", async () => {
  const fromJS = await assertRejects(subtle.digest("SHA-3", new Uint8Array(1)));
  assert(fromJS instanceof DOMException, "JS-side error");
  assertEquals(fromJS.code, 9);
  const fromGo = await assertRejects(subtle.importKey("raw", new Uint8Array(3), "Ed25519", true, ["verify"]));
  assert(fromGo instanceof DOMException, "Go-side error");
  assertEquals(fromGo.name, "DataError");
  const syn = await assertRejects(subtle.importKey("raw", fill(16, 1), "AES-GCM", true, []));
  assert(syn instanceof DOMException, "SyntaxError is a DOMException");
  assertEquals(syn.name, "SyntaxError");
  assertEquals(syn.message, "Secret/private CryptoKeys must have at least one usage.");
  const q = assertThrows(() => crypto.getRandomValues(new Uint8Array(70000)));
  assert(q instanceof DOMException);
  assertEquals(q.code, 22);
});

// ---- crypto.DigestStream (workerd extension) ---------------------------------------

test("DigestStream hashes written chunks", async () => {
  assert(new crypto.DigestStream("SHA-256") instanceof WritableStream);
  const cases = [
    ["SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    ["SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [{ name: "SHA-384" }, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"],
    ["SHA-512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"],
    ["MD5", "900150983cd24fb0d6963f7d28e17f72"],
  ];
  for (const [alg, want] of cases) {
    const ds = new crypto.DigestStream(alg);
    const w = ds.getWriter();
    await w.write(te("a"));
    await w.write("b");
    await w.write(new DataView(te("xcx").buffer, 1, 1));
    await w.close();
    const d = await ds.digest;
    assert(d instanceof ArrayBuffer);
    assertEquals(hex(d), want, JSON.stringify(alg));
    assertEquals(ds.bytesWritten, 3);
  }
});

test("DigestStream checksums and large input", async () => {
  // CRC check values of "123456789".
  for (const [alg, want] of [["crc32", "cbf43926"], ["crc32c", "e3069283"], ["crc64nvme", "ae8b14860a799888"]]) {
    const ds = new crypto.DigestStream(alg);
    const w = ds.getWriter();
    await w.write("1234");
    await w.write("56789");
    await w.close();
    assertEquals(hex(await ds.digest), want, alg);
  }
  const big = new Uint8Array(1 << 20).fill(0x61);
  const ds = new crypto.DigestStream("SHA-256");
  const w = ds.getWriter();
  for (let i = 0; i < 4; i++) await w.write(big);
  await w.close();
  const all = new Uint8Array(4 << 20).fill(0x61);
  assertEquals(hex(await ds.digest), hex(await subtle.digest("SHA-256", all)));
});

test("DigestStream errors", async () => {
  assertThrows(() => new crypto.DigestStream("SHA-3"), D("NotSupportedError"));
  const ds = new crypto.DigestStream("SHA-256");
  const w = ds.getWriter();
  await assertRejects(w.write(42), TypeError);
  const ds2 = new crypto.DigestStream("SHA-256");
  const reason = new Error("stop");
  await ds2.abort(reason);
  assertEquals(await ds2.digest.then(() => null, (e) => e), reason);
});

test("getPublicKey derives the public key of a private key", async () => {
  const kp = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"]);
  const pub = await subtle.getPublicKey(kp.privateKey, ["verify"]);
  assertEquals(pub.type, "public");
  assertEquals(pub.extractable, true);
  assertEquals(pub.algorithm, { name: "ECDSA", namedCurve: "P-384" });
  assertEquals(hex(await subtle.exportKey("spki", pub)), hex(await subtle.exportKey("spki", kp.publicKey)));
  await assertRejects(subtle.getPublicKey(kp.publicKey, ["verify"]), D("InvalidAccessError"));
  await assertRejects(subtle.getPublicKey(kp.privateKey, ["sign"]), D("SyntaxError"));
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt"]);
  await assertRejects(subtle.getPublicKey(aes, []), D("NotSupportedError"));
  const rsa = await rsaPair("RSA-PSS");
  const rpub = await subtle.getPublicKey(rsa.privateKey, ["verify"]);
  assertEquals(rpub.algorithm.modulusLength, 2048);
  assertEquals([...rpub.algorithm.publicExponent], [1, 0, 1]);
});

test("WebIDL members are enumerable prototype properties", () => {
  const keys = [];
  for (const k in crypto.subtle) keys.push(k);
  for (const m of ["digest", "encrypt", "decrypt", "sign", "verify", "generateKey", "deriveKey", "deriveBits", "importKey", "exportKey", "wrapKey", "unwrapKey"]) {
    assert(keys.includes(m), m);
  }
  const ck = [];
  for (const k in crypto) ck.push(k);
  assert(ck.includes("getRandomValues") && ck.includes("randomUUID") && ck.includes("subtle"));
});

test("JWK use must match the algorithm", async () => {
  const kp = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const jwk = await subtle.exportKey("jwk", kp.privateKey);
  await subtle.importKey("jwk", { ...jwk, use: "enc" }, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  await assertRejects(subtle.importKey("jwk", { ...jwk, use: "sig" }, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]), D("DataError"));
  const aes = { kty: "oct", k: b64u(fill(16, 1)), use: "enc" };
  await subtle.importKey("jwk", aes, "AES-GCM", false, ["encrypt"]);
  await assertRejects(subtle.importKey("jwk", { ...aes, use: "sig" }, "AES-GCM", false, ["encrypt"]), D("DataError"));
});

// ---- generateKey successes and failures (after WPT generateKey/*) ---------------

const GEN = [
  [{ name: "AES-CTR", length: 128 }, ["encrypt", "decrypt", "wrapKey", "unwrapKey"], null],
  [{ name: "AES-CBC", length: 192 }, ["encrypt", "decrypt", "wrapKey", "unwrapKey"], null],
  [{ name: "AES-GCM", length: 256 }, ["encrypt", "decrypt", "wrapKey", "unwrapKey"], null],
  [{ name: "AES-KW", length: 128 }, ["wrapKey", "unwrapKey"], null],
  [{ name: "HMAC", hash: "SHA-1" }, ["sign", "verify"], null],
  [{ name: "ECDSA", namedCurve: "P-256" }, ["sign"], ["verify"]],
  [{ name: "ECDH", namedCurve: "P-384" }, ["deriveKey", "deriveBits"], []],
  [{ name: "Ed25519" }, ["sign"], ["verify"]],
  [{ name: "X25519" }, ["deriveKey", "deriveBits"], []],
];

test("generateKey successes for every algorithm and usage", async () => {
  for (const [alg, priv, pub] of GEN) {
    const all = pub ? [...priv, ...pub] : priv;
    for (const usages of [...all.map((u) => [u]), all]) {
      if (pub && !usages.some((u) => priv.includes(u))) continue;
      for (const extractable of [true, false]) {
        const r = await subtle.generateKey(alg, extractable, usages);
        const want = (list) => all.filter((u) => usages.includes(u) && list.includes(u));
        if (pub) {
          assertEquals(r.privateKey.type, "private");
          assertEquals(r.publicKey.type, "public");
          assertEquals(r.privateKey.extractable, extractable);
          assertEquals(r.publicKey.extractable, true);
          assertEquals(r.privateKey.usages, want(priv), alg.name);
          assertEquals(r.publicKey.usages, want(pub), alg.name);
          assertEquals(r.privateKey.algorithm.name, alg.name);
        } else {
          assertEquals(r.type, "secret");
          assertEquals(r.extractable, extractable);
          assertEquals(r.usages, want(priv), alg.name);
          assertEquals(r.algorithm.name, alg.name);
        }
      }
    }
  }
});

test("generateKey failures: bad usages, empty usages, bad names", async () => {
  const every = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];
  for (const [alg, priv, pub] of GEN) {
    const all = pub ? [...priv, ...pub] : priv;
    for (const bad of every.filter((u) => !all.includes(u))) {
      await assertRejects(subtle.generateKey(alg, true, [all[0], bad]), D("SyntaxError"), alg.name + " " + bad);
    }
    await assertRejects(subtle.generateKey(alg, true, []), D("SyntaxError"), alg.name + " empty");
    await assertRejects(subtle.generateKey({ ...alg, name: alg.name + "x" }, true, all), D("NotSupportedError"));
  }
  // Names are matched case-insensitively and reported in their canonical form.
  const k = await subtle.generateKey({ name: "aes-gcm", length: 128 }, true, ["encrypt"]);
  assertEquals(k.algorithm.name, "AES-GCM");
  await assertRejects(subtle.generateKey({ name: "PBKDF2" }, false, ["deriveBits"]), D("NotSupportedError"));
  await assertRejects(subtle.generateKey({ name: "HKDF" }, false, ["deriveBits"]), D("NotSupportedError"));
  await assertRejects(subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 0 }, true, ["sign"]), D("OperationError"));
});

test("ECDSA: compressed raw import, hash independent of curve, DER signatures rejected", async () => {
  const kp = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const raw = new Uint8Array(await subtle.exportKey("raw", kp.publicKey));
  const compressed = new Uint8Array(33);
  compressed[0] = 2 + (raw[64] & 1);
  compressed.set(raw.subarray(1, 33), 1);
  const pub = await subtle.importKey("raw", compressed, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  assertEquals(hex(await subtle.exportKey("raw", pub)), hex(raw));
  const alg = { name: "ECDSA", hash: "SHA-384" };
  const sig = new Uint8Array(await subtle.sign(alg, kp.privateKey, te("m")));
  assert(await subtle.verify(alg, pub, sig, te("m")));
  assertEquals(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, te("m")), false);
  // A DER encoding of the same (r, s) is not a WebCrypto ECDSA signature.
  const der = new Uint8Array(8 + 64);
  der.set([0x30, 70, 0x02, 33, 0], 0);
  der.set(sig.subarray(0, 32), 5);
  der.set([0x02, 33, 0], 37);
  der.set(sig.subarray(32), 40);
  assertEquals(await subtle.verify(alg, pub, der, te("m")), false);
  // r = 0 or s = 0 never verifies.
  assertEquals(await subtle.verify(alg, pub, new Uint8Array(64), te("m")), false);
});

test("inputs and outputs larger than the scratch area", async () => {
  const k = await subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const big = new Uint8Array(3 << 20);
  for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
  const iv = fill(12, 1);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv }, k, big);
  assertEquals(ct.byteLength, big.length + 16);
  const pt = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv }, k, ct));
  assertEquals(hex(await subtle.digest("SHA-256", pt)), hex(await subtle.digest("SHA-256", big)));
  const ctr = await subtle.importKey("raw", fill(16, 2), "AES-CTR", false, ["encrypt"]);
  const out = await subtle.encrypt({ name: "AES-CTR", counter: fill(16, 0), length: 64 }, ctr, big.subarray(0, 1 << 20));
  assertEquals(out.byteLength, 1 << 20);
});

test("AES-CBC rejects every malformed padding", async () => {
  // Build ciphertexts whose decryption ends in chosen bytes: encrypt a block
  // with a full padding block appended, then decrypt only the chosen block
  // by using the previous ciphertext block as IV.
  const key = await subtle.importKey("raw", fill(16, 5), "AES-CBC", false, ["encrypt", "decrypt"]);
  const iv = fill(16, 0);
  const tryLast = async (block) => {
    const ct = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv }, key, block));
    return subtle.decrypt({ name: "AES-CBC", iv }, key, ct.subarray(0, 16)).then(() => "ok", (e) => e.name);
  };
  const good = fill(16, 0x41);
  good.fill(3, 13);
  assertEquals(await tryLast(good), "ok");
  for (const last of [[0], [17], [2, 3], [16]]) {
    const b = fill(16, 0x41);
    b.set(last, 16 - last.length);
    assertEquals(await tryLast(b), "OperationError", JSON.stringify(last));
  }
  assertEquals(await tryLast(fill(16, 16)), "ok");
});

test("raw-secret and raw-public formats", async () => {
  const k = await subtle.importKey("raw-secret", fill(16, 1), "AES-GCM", true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw-secret", k)), hex(fill(16, 1)));
  await assertRejects(subtle.importKey("raw-public", fill(16, 1), "AES-GCM", true, ["encrypt"]), D("NotSupportedError"));
  const pub = await subtle.importKey("raw-public", edPub, "Ed25519", true, ["verify"]);
  assertEquals(hex(await subtle.exportKey("raw-public", pub)), hex(edPub));
  await assertRejects(subtle.exportKey("raw-secret", pub), D("NotSupportedError"));
});

test("method arities follow WebIDL", () => {
  const want = { digest: 2, encrypt: 3, decrypt: 3, sign: 3, verify: 4, generateKey: 3, deriveKey: 5, deriveBits: 2, importKey: 5, exportKey: 2, wrapKey: 4, unwrapKey: 7 };
  for (const [m, n] of Object.entries(want)) assertEquals(SubtleCrypto.prototype[m].length, n, m);
  assertEquals(Crypto.prototype.getRandomValues.length, 1);
  assertEquals(Crypto.prototype.randomUUID.length, 0);
});
