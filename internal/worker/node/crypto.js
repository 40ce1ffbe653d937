// node:crypto — the synchronous hashing API of Node.js (createHash,
// createHmac, pbkdf2Sync) over Go (globalThis.__zs_node, see
// internal/webapi/js/node.js), plus randomness and Web Crypto.
// Decisions: the digests Go offers are md5, sha1, sha256, sha384 and sha512
// (names as Node spells them, case-insensitive, with RSA-SHA* aliases);
// others throw Node's "Digest method not supported". Keys and signatures
// (KeyObject, createSign/createVerify, sign/verify) cover RSA, ECDSA and
// Ed25519 from PEM or DER. Ciphers (createCipheriv…), key generation and
// Diffie-Hellman are not provided: use crypto.subtle (exported as subtle
// and webcrypto.subtle).

import { Buffer } from "node:buffer";
import { nodeError, invalidArgType, outOfRange, validateFunction } from "zerostack:node/errors";

const zn = globalThis.__zs_node;

const HASHES = { md5: 5, sha1: 1, sha256: 2, sha384: 3, sha512: 4 };
const BLOCK = { 5: 64, 1: 64, 2: 64, 3: 128, 4: 128 };
const ALIASES = { "rsa-md5": "md5", "rsa-sha1": "sha1", "rsa-sha256": "sha256", "rsa-sha384": "sha384", "rsa-sha512": "sha512", "sha-1": "sha1", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512" };

function hashCode(algorithm) {
  if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
  let a = algorithm.toLowerCase();
  a = ALIASES[a] ?? a;
  return HASHES[a];
}

function toBytes(data, encoding, name = "data") {
  if (typeof data === "string") return Buffer.from(data, encoding);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw invalidArgType(name, "of type string or an instance of Buffer, TypedArray, or DataView", data);
}

function output(bytes, encoding) {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === undefined || encoding === "buffer") return b;
  return b.toString(encoding);
}

const EMPTY = new Uint8Array(0);
const kState = Symbol("state");

export class Hash {
  constructor(algorithm, options) {
    if (algorithm instanceof Hash) { // copy()
      this[kState] = { ...algorithm[kState] };
      return;
    }
    const code = hashCode(algorithm);
    // workerd's message, without a code.
    if (code === undefined) throw new Error("Digest method not supported");
    if (options && options.outputLength !== undefined) throw nodeError(Error, "ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH", "Invalid XOF digest length");
    this[kState] = { code, state: EMPTY, done: false };
  }
  update(data, inputEncoding) {
    const s = this[kState];
    if (s.done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    s.state = zn.hashUpdate(s.code, s.state, toBytes(data, inputEncoding));
    return this;
  }
  digest(outputEncoding) {
    const s = this[kState];
    if (s.done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    s.done = true;
    return output(zn.hashFinal(s.code, s.state), outputEncoding);
  }
  copy() {
    if (this[kState].done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    return new Hash(this);
  }
}

export function createHash(algorithm, options) { return new Hash(algorithm, options); }

// HMAC (RFC 2104) over the incremental hash: the inner hash starts from
// key XOR ipad; digest hashes key XOR opad followed by the inner digest.
export class Hmac {
  constructor(hmac, key, options) {
    const code = hashCode(hmac);
    if (code === undefined) throw new Error("Digest method not supported");
    if (key && typeof key === "object" && key.type === "secret" && typeof key.export === "function") key = key.export();
    let k = toBytes(key, options && options.encoding, "key");
    const block = BLOCK[code];
    if (k.length > block) k = zn.hashFinal(code, zn.hashUpdate(code, EMPTY, k));
    const ipad = new Uint8Array(block), opad = new Uint8Array(block);
    for (let i = 0; i < block; i++) {
      const b = i < k.length ? k[i] : 0;
      ipad[i] = b ^ 0x36;
      opad[i] = b ^ 0x5c;
    }
    this[kState] = { code, inner: zn.hashUpdate(code, EMPTY, ipad), opad, done: false };
  }
  update(data, inputEncoding) {
    const s = this[kState];
    if (s.done) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    s.inner = zn.hashUpdate(s.code, s.inner, toBytes(data, inputEncoding));
    return this;
  }
  digest(outputEncoding) {
    const s = this[kState];
    // Node returns an empty result for a second digest() of an Hmac.
    if (s.done) return output(EMPTY, outputEncoding);
    s.done = true;
    const inner = zn.hashFinal(s.code, s.inner);
    const outer = zn.hashUpdate(s.code, zn.hashUpdate(s.code, EMPTY, s.opad), inner);
    return output(zn.hashFinal(s.code, outer), outputEncoding);
  }
}

export function createHmac(hmac, key, options) { return new Hmac(hmac, key, options); }

export function hash(algorithm, data, outputEncoding = "hex") {
  return createHash(algorithm).update(data).digest(outputEncoding);
}

export function getHashes() { return Object.keys(HASHES).concat(["RSA-MD5", "RSA-SHA1", "RSA-SHA256", "RSA-SHA384", "RSA-SHA512"]).sort(); }

// ---------------------------------------------------------------------------
// Keys and signatures. Asymmetric keys are parsed in Go (PEM or DER: PKCS #8,
// PKCS #1, SEC 1, SPKI, X.509 certificates; not encrypted PEM, not JWK) and
// kept as DER; signing and verifying happen in Go (RSA PKCS #1 v1.5 and
// PSS, ECDSA with DER or IEEE P1363 signatures, Ed25519).

const kKey = Symbol("key");

export class KeyObject {
  constructor(type, handle) {
    if (type !== "secret" && type !== "public" && type !== "private") throw invalidArgType("type", "one of 'secret', 'public', 'private'", type);
    this[kKey] = handle;
    Object.defineProperty(this, "type", { value: type, enumerable: true });
  }
  get asymmetricKeyType() { return this.type === "secret" ? undefined : this[kKey].asymmetricKeyType; }
  get asymmetricKeyDetails() {
    if (this.type === "secret") return undefined;
    const k = this[kKey];
    if (k.asymmetricKeyType === "rsa") return { modulusLength: k.modulusLength, publicExponent: 65537n };
    if (k.asymmetricKeyType === "ec") return { namedCurve: k.namedCurve };
    return {};
  }
  get symmetricKeySize() { return this.type === "secret" ? this[kKey].bytes.length : undefined; }
  export(options = {}) {
    const k = this[kKey];
    if (this.type === "secret") {
      if (options.format === "jwk") return { kty: "oct", ext: true, k: Buffer.from(k.bytes).toString("base64url") };
      return Buffer.from(k.bytes);
    }
    const format = options.format ?? "pem";
    const type = options.type ?? (this.type === "public" ? "spki" : "pkcs8");
    if ((this.type === "public" && type !== "spki") || (this.type === "private" && type !== "pkcs8")) {
      throw nodeError(Error, "ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS", `zerostack exports ${this.type} keys as ${this.type === "public" ? "spki" : "pkcs8"} only`);
    }
    const der = Buffer.from(k.der);
    if (format === "der") return der;
    if (format !== "pem") throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.format' is invalid. Received '${format}'`);
    const label = this.type === "public" ? "PUBLIC KEY" : "PRIVATE KEY";
    const b64 = der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
    return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
  }
  equals(other) {
    if (!(other instanceof KeyObject)) throw invalidArgType("otherKeyObject", "an instance of KeyObject", other);
    if (other.type !== this.type) return false;
    const a = this.type === "secret" ? this[kKey].bytes : this[kKey].der;
    const b = other.type === "secret" ? other[kKey].bytes : other[kKey].der;
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  get [Symbol.toStringTag]() { return "KeyObject"; }
}

export function createSecretKey(key, encoding) {
  const bytes = toBytes(key, encoding, "key");
  return new KeyObject("secret", { bytes: new Uint8Array(bytes) });
}

function keyMaterial(key, what) {
  if (typeof key === "string" || ArrayBuffer.isView(key) || key instanceof ArrayBuffer) return { data: toBytes(key, undefined, "key") };
  if (key && typeof key === "object" && !(key instanceof KeyObject)) {
    if (key.format === "jwk") throw nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "JWK keys are not supported by zerostack's node:crypto: use crypto.subtle.importKey('jwk', ...)");
    if (key.passphrase !== undefined) throw nodeError(Error, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "Encrypted private keys are not supported by zerostack's node:crypto");
    if (key.key instanceof KeyObject) return { object: key.key };
    return { data: toBytes(key.key, key.encoding, "key.key") };
  }
  if (key instanceof KeyObject) return { object: key };
  throw invalidArgType(what, "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, or KeyObject", key);
}

export function createPrivateKey(key) {
  const m = keyMaterial(key, "key");
  if (m.object) {
    if (m.object.type !== "private") throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The argument 'key' must be a private key");
    return m.object;
  }
  const info = zn.key(true, m.data);
  return new KeyObject("private", info);
}

export function createPublicKey(key) {
  const m = keyMaterial(key, "key");
  if (m.object) {
    if (m.object.type === "secret") throw nodeError(TypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key object type secret, expected private.");
    if (m.object.type === "public") return m.object;
    return new KeyObject("public", zn.key(false, m.object[kKey].der));
  }
  return new KeyObject("public", zn.key(false, m.data));
}

const PAD_PKCS1 = 1, PAD_PSS = 6, SALT_MAX = -2;

function signOptions(key) {
  const o = key && typeof key === "object" && !(key instanceof KeyObject) && !ArrayBuffer.isView(key) ? key : {};
  const padding = o.padding ?? PAD_PKCS1;
  const saltLength = o.saltLength ?? SALT_MAX;
  const dsa = o.dsaEncoding ?? "der";
  if (dsa !== "der" && dsa !== "ieee-p1363") throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.dsaEncoding' is invalid. Received '${dsa}'`);
  return [padding, saltLength, dsa === "ieee-p1363" ? 1 : 0];
}

function signWith(code, data, key, outputEncoding) {
  const priv = createPrivateKey(key);
  const [padding, saltLength, dsa] = signOptions(key);
  return output(zn.sign(code, priv[kKey].der, data, padding, saltLength, dsa), outputEncoding);
}

function verifyWith(code, data, key, signature, sigEncoding) {
  const m = keyMaterial(key, "key");
  let k = m.object;
  if (!k) {
    // PEM or DER that may hold either half.
    try { k = createPublicKey(key); } catch { k = createPrivateKey(key); }
  }
  if (k.type === "secret") throw nodeError(TypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key object type secret, expected public.");
  const [padding, saltLength, dsa] = signOptions(key);
  const sig = toBytes(signature, sigEncoding, "signature");
  return zn.verify(code, k[kKey].der, data, sig, k.type === "private", padding, saltLength, dsa);
}

function signHashCode(algorithm) {
  const code = hashCode(algorithm);
  if (code === undefined) throw new Error(`Unknown digest: ${algorithm}`);
  return code;
}

export class Sign {
  #code; #chunks = [];
  constructor(algorithm) { this.#code = signHashCode(algorithm); }
  update(data, inputEncoding) { this.#chunks.push(Buffer.from(toBytes(data, inputEncoding))); return this; }
  sign(privateKey, outputEncoding) { return signWith(this.#code, Buffer.concat(this.#chunks), privateKey, outputEncoding); }
}

export class Verify {
  #code; #chunks = [];
  constructor(algorithm) { this.#code = signHashCode(algorithm); }
  update(data, inputEncoding) { this.#chunks.push(Buffer.from(toBytes(data, inputEncoding))); return this; }
  verify(key, signature, signatureEncoding) { return verifyWith(this.#code, Buffer.concat(this.#chunks), key, signature, signatureEncoding); }
}

export function createSign(algorithm) { return new Sign(algorithm); }
export function createVerify(algorithm) { return new Verify(algorithm); }

// sign/verify (one shot): algorithm null or undefined means the key's own
// (Ed25519) or SHA-256.
export function sign(algorithm, data, key, callback) {
  const code = algorithm == null ? 2 : signHashCode(algorithm);
  const sig = signWith(code, toBytes(data, undefined, "data"), key);
  if (callback) { validateFunction(callback, "callback"); queueMicrotask(() => callback(null, sig)); return; }
  return sig;
}

export function verify(algorithm, data, key, signature, callback) {
  const code = algorithm == null ? 2 : signHashCode(algorithm);
  const ok = verifyWith(code, toBytes(data, undefined, "data"), key, signature);
  if (callback) { validateFunction(callback, "callback"); queueMicrotask(() => callback(null, ok)); return; }
  return ok;
}

// ---------------------------------------------------------------------------
// PBKDF2.

function pbkdf2Args(password, salt, iterations, keylen, digest) {
  const pw = toBytes(password, undefined, "password");
  const s = toBytes(salt, undefined, "salt");
  if (typeof iterations !== "number") throw invalidArgType("iterations", "of type number", iterations);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 2147483647) throw outOfRange("iterations", ">= 1 && <= 2147483647", iterations);
  if (typeof keylen !== "number") throw invalidArgType("keylen", "of type number", keylen);
  if (!Number.isInteger(keylen) || keylen < 0 || keylen > 2147483647) throw outOfRange("keylen", ">= 0 && <= 2147483647", keylen);
  if (typeof digest !== "string") throw invalidArgType("digest", "of type string", digest);
  const code = hashCode(digest);
  if (code === undefined) throw new TypeError(`Invalid Pbkdf2 digest: ${digest}.`);
  return [code, pw, s, iterations, keylen];
}

export function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  const [code, pw, s, it, len] = pbkdf2Args(password, salt, iterations, keylen, digest);
  return output(zn.pbkdf2(code, pw, s, it, len));
}

export function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof digest === "function") { callback = digest; digest = undefined; }
  validateFunction(callback, "callback");
  const args = pbkdf2Args(password, salt, iterations, keylen, digest);
  queueMicrotask(() => {
    let key;
    try { key = output(zn.pbkdf2(...args)); } catch (e) { callback(e); return; }
    callback(null, key);
  });
}

// ---------------------------------------------------------------------------
// Randomness, comparison and Web Crypto.

const MAX_RANDOM = 2 ** 31 - 1;

function fillRandom(u8) {
  for (let off = 0; off < u8.length; off += 65536) crypto.getRandomValues(u8.subarray(off, Math.min(off + 65536, u8.length)));
  return u8;
}

export function randomBytes(size, callback) {
  if (typeof size !== "number") throw invalidArgType("size", "of type number", size);
  if (!(size >= 0 && size <= MAX_RANDOM)) throw outOfRange("size", `>= 0 && <= ${MAX_RANDOM}`, size);
  const b = fillRandom(Buffer.alloc(size));
  if (callback !== undefined) {
    validateFunction(callback, "callback");
    queueMicrotask(() => callback(null, b));
    return;
  }
  return b;
}
export const pseudoRandomBytes = randomBytes;

export function randomFillSync(buf, offset = 0, size) {
  const u8 = ArrayBuffer.isView(buf) ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : new Uint8Array(buf);
  if (size === undefined) size = u8.length - offset;
  if (offset < 0 || offset > u8.length) throw outOfRange("offset", `>= 0 && <= ${u8.length}`, offset);
  if (size < 0 || offset + size > u8.length) throw outOfRange("size + offset", `<= ${u8.length}`, size + offset);
  fillRandom(u8.subarray(offset, offset + size));
  return buf;
}

export function randomFill(buf, offset, size, callback) {
  if (typeof offset === "function") { callback = offset; offset = 0; size = undefined; }
  else if (typeof size === "function") { callback = size; size = undefined; }
  validateFunction(callback, "callback");
  randomFillSync(buf, offset, size);
  queueMicrotask(() => callback(null, buf));
}

export function randomInt(min, max, callback) {
  if (typeof max === "function" || max === undefined) { callback = max; max = min; min = 0; }
  if (!Number.isSafeInteger(min)) throw invalidArgType("min", "a safe integer", min);
  if (!Number.isSafeInteger(max)) throw invalidArgType("max", "a safe integer", max);
  if (max <= min) throw outOfRange("max", `greater than the value of "min" (${min})`, max);
  const range = max - min;
  if (range > 2 ** 48) throw outOfRange("max - min", `<= 281474976710655`, range);
  // Rejection sampling over 48 random bits, so every value is equally likely.
  const limit = 2 ** 48 - (2 ** 48 % range);
  const b = new Uint8Array(6);
  let x;
  do {
    fillRandom(b);
    x = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + b[3] * 2 ** 16 + b[4] * 2 ** 8 + b[5];
  } while (x >= limit);
  const n = min + (x % range);
  if (callback !== undefined) {
    validateFunction(callback, "callback");
    queueMicrotask(() => callback(null, n));
    return;
  }
  return n;
}

export function randomUUID(options) { return crypto.randomUUID(); }

export function getRandomValues(typedArray) { return crypto.getRandomValues(typedArray); }

export function timingSafeEqual(a, b) {
  const x = toBytes(a, undefined, "buf1"), y = toBytes(b, undefined, "buf2");
  if (x.byteLength !== y.byteLength) throw new TypeError("Input buffers must have the same byte length.");
  let d = 0;
  for (let i = 0; i < x.length; i++) d |= x[i] ^ y[i];
  return d === 0;
}

export const webcrypto = globalThis.crypto;
export const subtle = globalThis.crypto.subtle;
export const constants = { RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6, RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2 };

export function getCiphers() { return []; }
export function getCurves() { return []; }
export function getFips() { return 0; }

export default {
  KeyObject, createSecretKey, createPrivateKey, createPublicKey, Sign, Verify, createSign, createVerify, sign, verify,
  Hash, Hmac, createHash, createHmac, hash, getHashes, pbkdf2, pbkdf2Sync, randomBytes, pseudoRandomBytes,
  randomFill, randomFillSync, randomInt, randomUUID, getRandomValues, timingSafeEqual, webcrypto, subtle,
  constants, getCiphers, getCurves, getFips,
};
