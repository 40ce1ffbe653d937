// crypto.js: the Web Crypto API as workerd offers it: crypto (Crypto),
// crypto.getRandomValues, crypto.randomUUID, crypto.subtle (SubtleCrypto,
// with workerd's MD5 digest, NODE-ED25519 and timingSafeEqual extensions) and
// CryptoKey, over the synchronous host functions of crypto.go.
//
// Every SubtleCrypto operation runs synchronously and returns a settled
// promise, as in workerd, so its CPU time belongs to the caller. Key material
// stays in the CryptoKey (a private field: raw bytes for secret keys, PKCS #8
// or SPKI DER for asymmetric ones) and is passed to Go with each operation;
// Go caches parsed asymmetric keys in a bounded table (see crypto.go).

import { host, scratchU8, SCRATCH_SIZE, defineGlobal } from "./host.js";
import { domException } from "./errors.js";

const domError = (name, msg) => domException(name, msg);

// chk returns a host function's result, throwing the error it reported
// instead: crypto.go reports DOMExceptions and TypeErrors as results of the
// form "\0Name\0message".
function chk(r) {
  if (typeof r === "string" && r.charCodeAt(0) === 0) {
    const i = r.indexOf("\0", 1);
    const name = r.slice(1, i), msg = r.slice(i + 1);
    throw name === "TypeError" ? new TypeError(msg) : domError(name, msg);
  }
  return r;
}

// ---------------------------------------------------------------------------
// Bytes to and from Go.

// bytesOf returns a Uint8Array view (no copy) of a BufferSource. For a
// SubtleCrypto method argument, method and position give workerd's message.
function bytesOf(v, what, method, position) {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (method) throw new TypeError(`Failed to execute '${method}' on 'SubtleCrypto': parameter ${position} is not of type 'BufferSource'.`);
  throw new TypeError(`${what} must be an ArrayBuffer or ArrayBufferView.`);
}

const EMPTY = new Uint8Array(0);

// pack copies up to four byte arrays one after another into the scratch
// area, returning undefined (Go reads the scratch area directly), or if they
// do not fit into a fresh SharedArrayBuffer, which it returns.
function pack(a, b = EMPTY, c = EMPTY, d = EMPTY) {
  const total = a.length + b.length + c.length + d.length;
  let buf, u8 = scratchU8;
  if (total > SCRATCH_SIZE) {
    buf = new SharedArrayBuffer(total);
    u8 = new Uint8Array(buf);
  }
  let off = 0;
  u8.set(a, off); off += a.length;
  if (b.length) { u8.set(b, off); off += b.length; }
  if (c.length) { u8.set(c, off); off += c.length; }
  if (d.length) u8.set(d, off);
  return buf;
}

// resultU8 collects a byte result of a host function that returned n.
function resultU8(n) {
  chk(n);
  if (n >= 0) return scratchU8.slice(0, n);
  const sab = new SharedArrayBuffer(-n);
  host.cryptoTake(sab);
  return new Uint8Array(sab).slice();
}

const result = (n) => resultU8(n).buffer;

function randomBytes(n) {
  host.cryptoRandom(n);
  return scratchU8.slice(0, n);
}

function utf8(s) {
  const TE = globalThis.TextEncoder;
  if (TE) return new TE().encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

function fromUtf8(u8) {
  const TD = globalThis.TextDecoder;
  if (TD) return new TD().decode(u8);
  return String.fromCharCode.apply(null, u8);
}

// ---------------------------------------------------------------------------
// Algorithms.

// Algorithm and hash names cross to Go as indexes into these lists, which
// crypto.go repeats.
const ALG_CODE = {};
["", "HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519", "NODE-ED25519", "AES-GCM", "AES-CBC",
  "AES-CTR", "AES-KW", "RSA-OAEP", "PBKDF2", "HKDF", "ECDH", "X25519"].forEach((n, i) => { ALG_CODE[n] = i; });
const HASH_CODE = { "": 0, "SHA-1": 1, "SHA-256": 2, "SHA-384": 3, "SHA-512": 4, "MD5": 5 };

const U_ENCRYPT = 1, U_DECRYPT = 2, U_SIGN = 4, U_VERIFY = 8,
  U_DERIVE_KEY = 16, U_DERIVE_BITS = 32, U_WRAP = 64, U_UNWRAP = 128;
const USAGES = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];
const USAGE_BIT = { encrypt: U_ENCRYPT, decrypt: U_DECRYPT, sign: U_SIGN, verify: U_VERIFY,
  deriveKey: U_DERIVE_KEY, deriveBits: U_DERIVE_BITS, wrapKey: U_WRAP, unwrapKey: U_UNWRAP };

const AES_USAGES = U_ENCRYPT | U_DECRYPT | U_WRAP | U_UNWRAP;
const SIG = { priv: U_SIGN, pub: U_VERIFY };

// ALGS describes each registered algorithm: kind is the key family (see
// crypto_keys.go); secret, or priv and pub, the usages its keys may have.
const ALGS = {
  "AES-CTR": { kind: "oct", secret: AES_USAGES },
  "AES-CBC": { kind: "oct", secret: AES_USAGES },
  "AES-GCM": { kind: "oct", secret: AES_USAGES },
  "AES-KW": { kind: "oct", secret: U_WRAP | U_UNWRAP },
  "HMAC": { kind: "oct", secret: U_SIGN | U_VERIFY },
  "PBKDF2": { kind: "oct", secret: U_DERIVE_KEY | U_DERIVE_BITS },
  "HKDF": { kind: "oct", secret: U_DERIVE_KEY | U_DERIVE_BITS },
  "RSASSA-PKCS1-v1_5": { kind: "rsa", ...SIG },
  "RSA-PSS": { kind: "rsa", ...SIG },
  "RSA-OAEP": { kind: "rsa", priv: U_DECRYPT | U_UNWRAP, pub: U_ENCRYPT | U_WRAP },
  "ECDSA": { kind: "ec", ...SIG },
  "ECDH": { kind: "ec", priv: U_DERIVE_KEY | U_DERIVE_BITS, pub: 0 },
  "Ed25519": { kind: "ed25519", ...SIG },
  "NODE-ED25519": { kind: "ed25519", ...SIG },
  "X25519": { kind: "x25519", priv: U_DERIVE_KEY | U_DERIVE_BITS, pub: 0 },
};

const CANONICAL = new Map(Object.keys(ALGS).map((n) => [n.toUpperCase(), n]));

// The algorithms each operation accepts.
const OPS = {
  encrypt: ["AES-CTR", "AES-CBC", "AES-GCM", "RSA-OAEP"],
  sign: ["HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519", "NODE-ED25519"],
  generateKey: ["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW", "HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS",
    "RSA-OAEP", "ECDSA", "ECDH", "Ed25519", "NODE-ED25519", "X25519"],
  importKey: Object.keys(ALGS),
  deriveBits: ["PBKDF2", "HKDF", "ECDH", "X25519"],
  wrapKey: ["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW", "RSA-OAEP"],
};
for (const op in OPS) OPS[op] = new Set(OPS[op]);

const OP_WORDS = { generateKey: "key generation", importKey: "key import", deriveBits: "key derivation" };

// normalize returns [canonical name, algorithm dictionary] for an
// AlgorithmIdentifier used with op.
function normalize(alg, op) {
  let dict;
  if (alg !== null && typeof alg === "object") {
    dict = alg;
    if (dict.name === undefined) throw new TypeError("Missing field \"name\" in \"algorithm\".");
  } else {
    dict = { name: String(alg) };
  }
  const given = String(dict.name);
  const name = CANONICAL.get(given.toUpperCase());
  if (name === undefined || !OPS[op].has(name)) {
    throw domError("NotSupportedError", `Unrecognized ${OP_WORDS[op] || "algorithm"}${OP_WORDS[op] ? " algorithm" : ""} "${given}" requested.`);
  }
  return [name, dict];
}

const HASHES = new Map([["SHA-1", "SHA-1"], ["SHA-256", "SHA-256"], ["SHA-384", "SHA-384"], ["SHA-512", "SHA-512"]]);
const HASH_BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
const HASH_BITS = { "SHA-1": 160, "SHA-256": 256, "SHA-384": 384, "SHA-512": 512 };

function hashName(h, field = "algorithm", extra) {
  if (h === undefined) throw new TypeError(`Missing field "hash" in "${field}".`);
  const n = String(h !== null && typeof h === "object" ? h.name : h).toUpperCase();
  const name = HASHES.get(n) || (extra && n === "MD5" ? "MD5" : undefined);
  if (name === undefined) throw domError("NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
  return name;
}

function requireField(dict, field, where = "algorithm") {
  const v = dict[field];
  if (v === undefined) throw new TypeError(`Missing field "${field}" in "${where}".`);
  return v;
}

// usageMask converts a sequence<KeyUsage> to a bit set, checking each usage
// against allowed.
function usageMask(usages, allowed, name, ctx) {
  if (usages === null || typeof usages !== "object" || typeof usages[Symbol.iterator] !== "function") {
    throw new TypeError("Key usages must be a sequence of strings.");
  }
  let mask = 0;
  for (const u of usages) {
    const s = String(u);
    const bit = USAGE_BIT[s];
    if (bit === undefined) throw new TypeError(`'${s}' is not a valid enum value of type KeyUsage.`);
    if (!(bit & allowed)) throw domError("SyntaxError", `Attempt to ${ctx} ${name} key with invalid usage "${s}".`);
    mask |= bit;
  }
  return mask;
}

function usageList(mask) {
  const out = [];
  for (let i = 0; i < USAGES.length; i++) if (mask & (1 << i)) out.push(USAGES[i]);
  return out;
}

// ---------------------------------------------------------------------------
// CryptoKey.

const TOKEN = Symbol("CryptoKey");
let slotOf, isKey;

// CryptoKey is not constructible by users; its internal slot (a plain
// record) holds: type, ext, name, kind, hash, length, curve, mask, data.
class CryptoKey {
  #k;
  #algorithm;
  #usages;
  constructor(token, k, algorithm) {
    if (token !== TOKEN) throw new TypeError("Illegal constructor");
    this.#k = k;
    this.#algorithm = algorithm;
    this.#usages = usageList(k.mask);
  }
  get type() { return this.#k.type; }
  get extractable() { return this.#k.ext; }
  get algorithm() { return this.#algorithm; }
  get usages() { return this.#usages; }
  static {
    slotOf = (key) => key.#k;
    isKey = (key) => key !== null && typeof key === "object" && #k in key;
  }
}
Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: "CryptoKey", configurable: true });

function expValue(u8) {
  let e = 0;
  for (const b of u8) e = e * 256 + b;
  return e;
}

function exponentBytes(e) {
  const out = [];
  while (e > 0) { out.unshift(e & 0xff); e = Math.floor(e / 256); }
  return new Uint8Array(out);
}

// newKey builds a CryptoKey and its public algorithm dictionary.
function newKey(type, ext, name, kind, mask, data, p = {}) {
  const k = { type, ext, name, kind, mask, data, hash: p.hash, length: p.length, curve: p.curve, bits: p.bits, e: p.e };
  return new CryptoKey(TOKEN, k, algorithmOf(k));
}

// algorithmOf builds the KeyAlgorithm dictionary that CryptoKey.algorithm
// returns for the key record k.
function algorithmOf(k) {
  const name = k.name;
  switch (k.kind) {
    case "oct":
      if (name === "HMAC") return { name, length: k.length, hash: { name: k.hash } };
      if (name.startsWith("AES-")) return { name, length: k.length };
      return { name };
    case "rsa":
      return { name, modulusLength: k.bits, publicExponent: exponentBytes(k.e), hash: { name: k.hash } };
    case "ec":
      return { name, namedCurve: k.curve };
  }
  return name === "NODE-ED25519" ? { name, namedCurve: "NODE-ED25519" } : { name };
}

function keyArg(key, method, n) {
  if (!isKey(key)) {
    throw new TypeError(`Failed to execute '${method}' on 'SubtleCrypto': parameter ${n} is not of type 'CryptoKey'.`);
  }
  return slotOf(key);
}

// checkOp checks that key k may be used for the operation.
function checkOp(k, name, bit) {
  if (k.name.toUpperCase() !== name.toUpperCase()) {
    throw domError("InvalidAccessError", `Requested algorithm "${name}" does not match this CryptoKey's algorithm "${k.name}".`);
  }
  if (!(k.mask & bit)) {
    throw domError("InvalidAccessError", `Requested key usage "${USAGES[31 - Math.clz32(bit)]}" does not match any usage listed in this CryptoKey.`);
  }
}

function argc(args, n, method) {
  if (args.length < n) {
    throw new TypeError(`Failed to execute '${method}' on 'SubtleCrypto': ${n} arguments required, but only ${args.length} present.`);
  }
}

// ---------------------------------------------------------------------------
// Import and export.

const CURVES = new Set(["P-256", "P-384", "P-521"]);
const EC_JWK_ALG = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const HASH_SUFFIX = { "SHA-1": "1", "SHA-256": "256", "SHA-384": "384", "SHA-512": "512" };

function curveOf(name, dict) {
  const c = requireField(dict, "namedCurve");
  if (name === "NODE-ED25519") {
    if (c !== "NODE-ED25519") throw domError("NotSupportedError", `EDDSA curve "${c}" isn't supported.`);
    return "";
  }
  if (!CURVES.has(c)) throw domError("NotSupportedError", `Unsupported namedCurve "${c}".`);
  return c;
}

// jwkAlg is the JWK "alg" of a key, or undefined where none is defined.
function jwkAlg(name, hash, length) {
  switch (name) {
    case "HMAC": return "HS" + HASH_SUFFIX[hash];
    case "AES-GCM": case "AES-CBC": case "AES-CTR": case "AES-KW":
      return "A" + length + name.slice(4);
    case "RSASSA-PKCS1-v1_5": return "RS" + HASH_SUFFIX[hash];
    case "RSA-PSS": return "PS" + HASH_SUFFIX[hash];
    case "RSA-OAEP": return hash === "SHA-1" ? "RSA-OAEP" : "RSA-OAEP-" + HASH_SUFFIX[hash];
  }
  return undefined;
}

// checkJwk applies the JWK checks common to all algorithms.
function checkJwk(jwk, name, spec, extractable, mask) {
  if (jwk === null || typeof jwk !== "object" || jwk instanceof ArrayBuffer || ArrayBuffer.isView(jwk)) {
    throw new TypeError("Import data provided for \"jwk\" import format must be a JsonWebKey.");
  }
  if (typeof jwk.kty !== "string") throw domError("DataError", "JSON Web Key is missing its \"kty\" field.");
  if (jwk.ext === false && extractable) {
    throw domError("DataError", `JWK ext field for "${name}" is set to false but extractable is true`);
  }
  if (jwk.use !== undefined && mask !== 0) {
    const want = (spec.secret ?? spec.priv | spec.pub) & (U_SIGN | U_VERIFY) ? "sig" : "enc";
    if (jwk.use !== want) {
      throw domError("DataError", `Asymmetric "jwk" key import requires a JSON Web Key with Public Key Use parameter "use" ("${jwk.use}") equal to "${want}".`);
    }
  }
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops)) throw domError("DataError", "JSON Web Key \"key_ops\" must be an array.");
    for (const u of usageList(mask)) {
      if (!jwk.key_ops.includes(u)) {
        throw domError("DataError", `Key usage "${u}" is not permitted by the JSON Web Key's "key_ops".`);
      }
    }
  }
}

function checkJwkAlg(jwk, want) {
  if (jwk.alg !== undefined && want !== undefined && jwk.alg !== want) {
    throw domError("DataError", `JSON Web Key "alg" field "${jwk.alg}" does not match the expected algorithm "${want}".`);
  }
}

// rawAlias maps the newer "raw-secret" and "raw-public" formats to "raw"
// for the keys they name; anything else is returned unchanged.
function rawAlias(format, secret) {
  if (format === (secret ? "raw-secret" : "raw-public")) return "raw";
  return format;
}

function importKeyImpl(format, keyData, algorithm, extractable, keyUsages) {
  const [name, dict] = normalize(algorithm, "importKey");
  const spec = ALGS[name];
  format = rawAlias(String(format), spec.kind === "oct");
  extractable = !!extractable;
  let bytes, jwk;
  if (format === "jwk") {
    jwk = keyData;
  } else if (format === "raw" || format === "spki" || format === "pkcs8") {
    if (!(keyData instanceof ArrayBuffer) && !ArrayBuffer.isView(keyData)) {
      throw new TypeError("Import data provided for buffer-based import formats must be a buffer source.");
    }
    bytes = bytesOf(keyData);
  } else {
    throw domError("NotSupportedError", `Unrecognized key import format "${format}".`);
  }
  let key;
  if (spec.kind === "oct") {
    const mask = usageMask(keyUsages, spec.secret, name, "import secret");
    if (format !== "raw" && format !== "jwk") {
      throw domError("NotSupportedError", `Unrecognized key import format "${format}" for ${name} keys.`);
    }
    let hash;
    if (name === "HMAC") hash = hashName(dict.hash);
    if (name === "PBKDF2" || name === "HKDF") {
      if (format !== "raw") throw domError("NotSupportedError", `${name} keys can only be imported in "raw" format.`);
      if (extractable) throw domError("SyntaxError", `${name} key cannot be extractable.`);
    }
    let data;
    if (format === "jwk") {
      checkJwk(jwk, name, spec, extractable, mask);
      const info = JSON.parse(chk(host.cryptoImport("oct", "jwk", "", undefined, 0, JSON.stringify(jwk))));
      data = resultU8(info.n);
    } else {
      data = bytes.slice();
    }
    let length = data.length * 8;
    if (name.startsWith("AES-")) {
      if (length !== 128 && length !== 192 && length !== 256) {
        throw domError("DataError", `Imported AES key length must be 128, 192, or 256 bits but provided ${length}.`);
      }
      if (jwk) checkJwkAlg(jwk, jwkAlg(name, hash, length));
    } else if (name === "HMAC") {
      if (length === 0) throw domError("DataError", "Imported HMAC key length (0) must be a non-zero value.");
      if (dict.length !== undefined) {
        const l = Number(dict.length);
        if (l === 0) throw domError("DataError", "Imported HMAC key length (0) must be a non-zero value.");
        if (l > length || l <= length - 8) {
          throw domError("DataError", `Imported HMAC key length (${l}) must match the key data length (${length} bits).`);
        }
        length = l;
      }
      if (jwk) checkJwkAlg(jwk, jwkAlg(name, hash, length));
    }
    key = newKey("secret", extractable, name, "oct", mask, data, { hash, length });
  } else {
    let hash, curve = "";
    if (spec.kind === "rsa") hash = hashName(dict.hash);
    else if (spec.kind === "ec" || name === "NODE-ED25519") curve = curveOf(name, dict);
    let info, data;
    if (format === "jwk") {
      const isPrivate = jwk !== null && typeof jwk === "object" && jwk.d !== undefined;
      const mask = usageMask(keyUsages, isPrivate ? spec.priv : spec.pub, name, isPrivate ? "import private" : "import public");
      checkJwk(jwk, name, spec, extractable, mask);
      if (spec.kind === "rsa") checkJwkAlg(jwk, jwkAlg(name, hash));
      else if (name === "ECDSA") checkJwkAlg(jwk, EC_JWK_ALG[curve]);
      else if (spec.kind === "ed25519" && jwk.alg !== undefined && jwk.alg !== "EdDSA" && jwk.alg !== "Ed25519") {
        throw domError("DataError", `JSON Web Key "alg" field "${jwk.alg}" does not match the expected algorithm "EdDSA".`);
      }
      info = JSON.parse(chk(host.cryptoImport(spec.kind, "jwk", curve, undefined, 0, JSON.stringify(jwk))));
      data = resultU8(info.n);
      key = asymmetricKey(info, data, extractable, name, spec, mask, hash, curve);
    } else {
      if (format === "raw" && spec.kind === "rsa") {
        throw domError("NotSupportedError", `Unrecognized key import format "raw" for ${name} keys.`);
      }
      const isPrivate = format === "pkcs8";
      const mask = usageMask(keyUsages, isPrivate ? spec.priv : spec.pub, name, isPrivate ? "import private" : "import public");
      info = JSON.parse(chk(host.cryptoImport(spec.kind, format, curve, pack(bytes), bytes.length)));
      data = resultU8(info.n);
      key = asymmetricKey(info, data, extractable, name, spec, mask, hash, curve);
    }
  }
  const k = slotOf(key);
  if (k.mask === 0 && k.type !== "public") {
    throw domError("SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
  }
  return key;
}

function asymmetricKey(info, data, extractable, name, spec, mask, hash, curve) {
  return newKey(info.t, extractable, name, spec.kind, mask, data,
    { hash, bits: info.bits, e: info.e, curve: info.crv || curve });
}

function exportKeyImpl(format, key) {
  const k = keyArg(key, "exportKey", 2);
  format = rawAlias(String(format), k.kind === "oct");
  if (!k.ext) throw domError("InvalidAccessError", `Attempt to export non-extractable ${k.name} key.`);
  switch (format) {
    case "raw":
      if (k.type === "secret") {
        if (k.name === "PBKDF2" || k.name === "HKDF") break;
        return k.data.slice().buffer;
      }
      if (k.type === "public" && k.kind !== "rsa") {
        return result(host.cryptoExportRaw(k.kind, pack(k.data), k.data.length));
      }
      if (k.kind === "rsa") break;
      throw domError("InvalidAccessError", `Raw export of ${k.name} private keys is not supported.`);
    case "spki":
    case "pkcs8": {
      if (k.type === "secret") break;
      const want = format === "spki" ? "public" : "private";
      if (k.type !== want) {
        throw domError("InvalidAccessError", `Asymmetric ${format} export requires a ${want} key.`);
      }
      return k.data.slice().buffer;
    }
    case "jwk": {
      if (k.name === "PBKDF2" || k.name === "HKDF") break;
      const jwk = JSON.parse(chk(host.cryptoExportJwk(k.kind, k.type, pack(k.data), k.data.length)));
      const alg = jwkAlg(k.name, k.hash, k.length);
      if (alg !== undefined) jwk.alg = alg;
      jwk.key_ops = usageList(k.mask);
      jwk.ext = k.ext;
      return jwk;
    }
  }
  throw domError("NotSupportedError", `Unrecognized or unsupported export of "${format}" for ${k.name} keys.`);
}

// ---------------------------------------------------------------------------
// Operations.

function cipherImpl(name, dict, k, data, encrypt) {
  let iv = EMPTY, aad = EMPTY, param = 0;
  switch (name) {
    case "AES-GCM": {
      iv = bytesOf(requireField(dict, "iv"), "iv");
      if (iv.length === 0) throw domError("OperationError", "AES-GCM IV must not be empty.");
      param = dict.tagLength === undefined ? 128 : Number(dict.tagLength);
      if (![32, 64, 96, 104, 112, 120, 128].includes(param)) {
        throw domError("OperationError", `Invalid AES-GCM tag length ${dict.tagLength}.`);
      }
      if (dict.additionalData !== undefined) aad = bytesOf(dict.additionalData, "additionalData");
      break;
    }
    case "AES-CBC":
      iv = bytesOf(requireField(dict, "iv"), "iv");
      if (iv.length !== 16) throw domError("OperationError", "AES-CBC IV must be 16 bytes long.");
      break;
    case "AES-CTR": {
      if (dict.counter === undefined) throw new TypeError("Missing \"counter\" member in \"algorithm\".");
      iv = bytesOf(dict.counter, "counter");
      if (iv.length !== 16) throw domError("OperationError", "Counter must have length of 16 bytes.");
      if (dict.length === undefined) throw new TypeError("Missing \"length\" member in \"algorithm\".");
      param = Number(dict.length);
      if (!(param > 0 && param <= 128)) {
        throw domError("OperationError", `Invalid counter of ${dict.length} bits length provided.`);
      }
      param = Math.floor(param);
      break;
    }
    case "RSA-OAEP":
      if (dict.label !== undefined) iv = bytesOf(dict.label, "label");
      break;
  }
  return resultU8(host.cryptoCipher(ALG_CODE[name], HASH_CODE[k.hash || ""], encrypt, param,
    pack(k.data, iv, aad, data), k.data.length, iv.length, aad.length, data.length));
}

// deriveImpl returns the derived bits (a Uint8Array) for deriveBits and
// deriveKey; length is null or a number of bits.
function deriveImpl(name, dict, k, length) {
  if (name === "PBKDF2" || name === "HKDF") {
    const hash = hashName(dict.hash);
    const salt = bytesOf(requireField(dict, "salt"), "salt");
    if (length === null) throw domError("OperationError", `${name} cannot derive a key with null length.`);
    if (length % 8 !== 0) throw domError("OperationError", `${name} requires a derived key length that is a multiple of eight.`);
    let iterations = 0, info = EMPTY;
    if (name === "PBKDF2") {
      iterations = Number(requireField(dict, "iterations"));
      if (!(iterations > 0)) {
        throw domError("OperationError", `PBKDF2 requires a positive iteration count (requested ${iterations}).`);
      }
      if (iterations > 100000) {
        throw domError("NotSupportedError", `Pbkdf2 failed: iteration counts above 100000 are not supported (requested ${iterations}).`);
      }
    } else {
      info = bytesOf(requireField(dict, "info"), "info");
    }
    return resultU8(host.cryptoDerive(ALG_CODE[name], HASH_CODE[hash], iterations, length,
      pack(k.data, salt, info), k.data.length, salt.length, info.length));
  }
  // ECDH, X25519.
  const pub = dict.public;
  if (pub === undefined) throw new TypeError("Missing field \"public\" in \"derivedKeyParams\".");
  if (!isKey(pub)) throw new TypeError("The \"public\" member of the algorithm must be a CryptoKey.");
  const pk = slotOf(pub);
  if (pk.type !== "public") {
    throw domError("InvalidAccessError", `The provided key has type "${pk.type}", not "public"`);
  }
  if (pk.name !== name) throw domError("InvalidAccessError", "Public key algorithm does not match the requested algorithm.");
  if (pk.curve !== k.curve) throw domError("InvalidAccessError", "The public and private keys use different curves.");
  const secret = resultU8(host.cryptoDerive(ALG_CODE[name], 0, 0, 0, pack(k.data, pk.data), k.data.length, pk.data.length, 0));
  if (length === null) return secret;
  if (length > secret.length * 8) {
    throw domError("OperationError", `Derived key length (${length} bits) is too long (should be at most ${secret.length * 8} bits).`);
  }
  const out = secret.slice(0, Math.ceil(length / 8));
  if (length % 8) out[out.length - 1] &= 0xff << (8 - (length % 8));
  return out;
}

// derivedKeyLength is the spec's "get key length" for deriveKey.
function derivedKeyLength(algorithm) {
  const [name, dict] = normalize(algorithm, "importKey");
  if (name.startsWith("AES-")) {
    const l = requireField(dict, "length", "derivedKeyParams");
    if (l !== 128 && l !== 192 && l !== 256) {
      throw domError("OperationError", `Derived AES key must be 128, 192, or 256 bits in length but provided ${l}.`);
    }
    return l;
  }
  if (name === "HMAC") {
    if (dict.length !== undefined) {
      const l = Number(dict.length);
      if (l > 0) return l;
      throw new TypeError("HMAC key length must be a non-zero unsigned long integer.");
    }
    return HASH_BLOCK_BITS[hashName(dict.hash, "derivedKeyParams")];
  }
  if (name === "HKDF" || name === "PBKDF2") return null;
  throw domError("NotSupportedError", `Unrecognized derived key type "${name}" requested.`);
}

function lengthArg(length) {
  if (length === undefined || length === null) return null;
  const n = Number(length);
  if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) {
    throw new TypeError("deriveBits length must be an unsigned long integer.");
  }
  return Math.floor(n);
}

// ---------------------------------------------------------------------------
// SubtleCrypto.

class SubtleCrypto {
  constructor(token) {
    if (token !== TOKEN) throw new TypeError("Illegal constructor");
  }

  async digest(algorithm, data) {
    argc(arguments, 2, "digest");
    let name;
    if (algorithm !== null && typeof algorithm === "object") {
      if (algorithm.name === undefined) throw new TypeError("Missing field \"name\" in \"algorithm\".");
      name = hashName(algorithm.name, "algorithm", true);
    } else {
      name = hashName(algorithm, "algorithm", true);
    }
    const d = bytesOf(data, "data", "digest", 2);
    return result(host.cryptoDigest(HASH_CODE[name], pack(d), d.length));
  }

  async encrypt(algorithm, key, data) {
    argc(arguments, 3, "encrypt");
    const [name, dict] = normalize(algorithm, "encrypt");
    const k = keyArg(key, "encrypt", 2);
    const d = bytesOf(data, "data", "encrypt", 3);
    checkOp(k, name, U_ENCRYPT);
    return cipherImpl(name, dict, k, d, true).buffer;
  }

  async decrypt(algorithm, key, data) {
    argc(arguments, 3, "decrypt");
    const [name, dict] = normalize(algorithm, "encrypt");
    const k = keyArg(key, "decrypt", 2);
    const d = bytesOf(data, "data", "decrypt", 3);
    checkOp(k, name, U_DECRYPT);
    return cipherImpl(name, dict, k, d, false).buffer;
  }

  async sign(algorithm, key, data) {
    argc(arguments, 3, "sign");
    const [name, dict] = normalize(algorithm, "sign");
    const k = keyArg(key, "sign", 2);
    const d = bytesOf(data, "data", "sign", 3);
    checkOp(k, name, U_SIGN);
    const [hash, salt] = signParams(name, dict, k);
    return result(host.cryptoSign(ALG_CODE[name], HASH_CODE[hash], salt, pack(k.data, d), k.data.length, d.length));
  }

  async verify(algorithm, key, signature, data) {
    argc(arguments, 4, "verify");
    const [name, dict] = normalize(algorithm, "sign");
    const k = keyArg(key, "verify", 2);
    const sig = bytesOf(signature, "signature", "verify", 3);
    const d = bytesOf(data, "data", "verify", 4);
    checkOp(k, name, U_VERIFY);
    const [hash, salt] = signParams(name, dict, k);
    return chk(host.cryptoVerify(ALG_CODE[name], HASH_CODE[hash], salt, pack(k.data, sig, d), k.data.length, sig.length, d.length));
  }

  async generateKey(algorithm, extractable, keyUsages) {
    argc(arguments, 3, "generateKey");
    const [name, dict] = normalize(algorithm, "generateKey");
    const spec = ALGS[name];
    extractable = !!extractable;
    if (spec.kind === "oct") {
      let hash, length;
      if (name === "HMAC") {
        hash = hashName(dict.hash);
        length = dict.length === undefined ? HASH_BLOCK_BITS[hash] : Number(dict.length);
        if (!(length > 0)) throw domError("OperationError", "HMAC key length must be a non-zero unsigned long integer.");
        if (length > 65536 * 8) throw domError("OperationError", `HMAC key length ${length} is too large.`);
      } else {
        length = Number(requireField(dict, "length"));
        if (length !== 128 && length !== 192 && length !== 256) {
          throw domError("OperationError", "AES key length must be 128, 192, or 256 bits.");
        }
      }
      const mask = usageMask(keyUsages, spec.secret, name, "generate");
      if (mask === 0) throw domError("SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
      const data = randomBytes(Math.ceil(length / 8));
      if (length % 8) data[data.length - 1] &= 0xff << (8 - (length % 8));
      return newKey("secret", extractable, name, "oct", mask, data, { hash, length });
    }
    let hash, curve = "", bits = 0, e = 0, exp = EMPTY;
    if (spec.kind === "rsa") {
      const pe = requireField(dict, "publicExponent");
      hash = hashName(dict.hash);
      bits = Number(requireField(dict, "modulusLength"));
      if (!(bits > 0)) throw domError("OperationError", `modulusLength must be greater than zero (requested ${bits}).`);
      exp = bytesOf(pe, "publicExponent");
      e = expValue(exp);
    } else if (spec.kind === "ec" || name === "NODE-ED25519") {
      curve = curveOf(name, dict);
    }
    const mask = usageMask(keyUsages, spec.priv | spec.pub, name, "generate");
    const priv = resultU8(host.cryptoGenerate(spec.kind, curve, bits, pack(exp), exp.length));
    const pub = resultU8(host.cryptoPublic(pack(priv), priv.length));
    const p = { hash, bits, e, curve };
    const privateKey = newKey("private", extractable, name, spec.kind, mask & spec.priv, priv, p);
    const publicKey = newKey("public", true, name, spec.kind, mask & spec.pub, pub, p);
    if ((mask & spec.priv) === 0) {
      throw domError("SyntaxError", "Attempt to generate asymmetric keys with no valid private key usages.");
    }
    return { publicKey, privateKey };
  }

  async deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, keyUsages) {
    argc(arguments, 5, "deriveKey");
    const [name, dict] = normalize(algorithm, "deriveBits");
    const k = keyArg(baseKey, "deriveKey", 2);
    checkOp(k, name, U_DERIVE_KEY);
    const length = derivedKeyLength(derivedKeyAlgorithm);
    const bits = deriveImpl(name, dict, k, length);
    return importKeyImpl("raw", bits, derivedKeyAlgorithm, extractable, keyUsages);
  }

  async deriveBits(algorithm, baseKey, length = null) {
    argc(arguments, 2, "deriveBits");
    const [name, dict] = normalize(algorithm, "deriveBits");
    const k = keyArg(baseKey, "deriveBits", 2);
    const l = lengthArg(length);
    checkOp(k, name, U_DERIVE_BITS);
    return deriveImpl(name, dict, k, l).buffer;
  }

  async importKey(format, keyData, algorithm, extractable, keyUsages) {
    argc(arguments, 5, "importKey");
    return importKeyImpl(format, keyData, algorithm, extractable, keyUsages);
  }

  async exportKey(format, key) {
    argc(arguments, 2, "exportKey");
    return exportKeyImpl(format, key);
  }

  async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    argc(arguments, 4, "wrapKey");
    const [name, dict] = normalize(wrapAlgorithm, "wrapKey");
    const wk = keyArg(wrappingKey, "wrapKey", 3);
    keyArg(key, "wrapKey", 2);
    checkOp(wk, name, U_WRAP);
    const exported = exportKeyImpl(format, key);
    let bytes;
    if (String(format) === "jwk") {
      let json = JSON.stringify(exported);
      // AES-KW wraps multiples of 8 bytes; JSON tolerates trailing spaces.
      if (name === "AES-KW") while (json.length % 8) json += " ";
      bytes = utf8(json);
    } else {
      bytes = new Uint8Array(exported);
    }
    return cipherImpl(name, dict, wk, bytes, true).buffer;
  }

  async unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, keyUsages) {
    argc(arguments, 7, "unwrapKey");
    const [name, dict] = normalize(unwrapAlgorithm, "wrapKey");
    const uk = keyArg(unwrappingKey, "unwrapKey", 3);
    const data = bytesOf(wrappedKey, "wrappedKey");
    checkOp(uk, name, U_UNWRAP);
    const bytes = cipherImpl(name, dict, uk, data, false);
    let keyData = bytes;
    if (String(format) === "jwk") {
      try {
        keyData = JSON.parse(fromUtf8(bytes));
      } catch {
        throw domError("DataError", "Missing \"kty\" field or corrupt JSON unwrapping key?");
      }
    }
    return importKeyImpl(format, keyData, unwrappedKeyAlgorithm, extractable, keyUsages);
  }

  // getPublicKey returns the public key of a private key, with usages.
  async getPublicKey(key, keyUsages) {
    argc(arguments, 2, "getPublicKey");
    const k = keyArg(key, "getPublicKey", 1);
    if (k.type === "secret") {
      throw domError("NotSupportedError", "The getPublicKey operation is not supported for symmetric keys.");
    }
    if (k.type !== "private") throw domError("InvalidAccessError", "The getPublicKey operation requires a private key.");
    const spec = ALGS[k.name];
    const mask = usageMask(keyUsages, spec.pub, k.name, "import public");
    const pub = resultU8(host.cryptoPublic(pack(k.data), k.data.length));
    return newKey("public", true, k.name, k.kind, mask, pub, k);
  }

  // timingSafeEqual is workerd's extension: compares two buffers of equal
  // length in time independent of their contents.
  timingSafeEqual(a, b) {
    const x = bytesOf(a, "a"), y = bytesOf(b, "b");
    if (x.length !== y.length) throw new TypeError("Input buffers must have the same byte length.");
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
    return diff === 0;
  }
}
Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: "SubtleCrypto", configurable: true });

// signParams returns [hash, saltLength] for sign and verify.
function signParams(name, dict, k) {
  switch (name) {
    case "HMAC": case "RSASSA-PKCS1-v1_5":
      return [k.hash, 0];
    case "RSA-PSS": {
      if (dict.saltLength === undefined) {
        throw new TypeError("Failed to provide salt for RSA-PSS key operation which requires a salt");
      }
      const s = Number(dict.saltLength);
      if (!(s >= 0)) throw domError("DataError", "SaltLength for RSA-PSS must be non-negative.");
      return [k.hash, Math.floor(s)];
    }
    case "ECDSA":
      return [hashName(dict.hash, "AlgorithmIdentifier"), 0];
  }
  return ["", 0];
}

// ---------------------------------------------------------------------------
// Crypto.

const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
const INTEGER_ARRAYS = new Set(["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
  "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array"]);

const subtle = new SubtleCrypto(TOKEN);

class Crypto {
  constructor(token) {
    if (token !== TOKEN) throw new TypeError("Illegal constructor");
  }
  get subtle() { return subtle; }

  getRandomValues(array) {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.");
    }
    const tag = ArrayBuffer.isView(array) ? typedArrayTag.call(array) : undefined;
    if (tag === undefined) {
      if (ArrayBuffer.isView(array)) {
        throw domError("TypeMismatchError", "ArrayBufferView argument to getRandomValues() must be an integer-typed view.");
      }
      throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not of type 'ArrayBufferView'.");
    }
    if (!INTEGER_ARRAYS.has(tag)) {
      throw domError("TypeMismatchError", "ArrayBufferView argument to getRandomValues() must be an integer-typed view.");
    }
    const n = array.byteLength;
    if (n > 65536) {
      throw domError("QuotaExceededError", `getRandomValues() only accepts buffers of size <= 64K but provided ${n} bytes.`);
    }
    if (n > 0) {
      host.cryptoRandom(n);
      new Uint8Array(array.buffer, array.byteOffset, n).set(scratchU8.subarray(0, n));
    }
    return array;
  }

  randomUUID() {
    return host.cryptoUUID();
  }
}
Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: "Crypto", configurable: true });

// DigestStream is workerd's crypto.DigestStream: a WritableStream that
// hashes what is written to it (bytes, or strings as UTF-8) and resolves
// digest with the result when it closes. The hash state travels between
// JavaScript and Go with each chunk (see crypto_digest.go).
const STREAM_HASH = { crc32: 6, crc32c: 7, crc64nvme: 8 };

function makeDigestStream(WritableStream) {
  return class DigestStream extends WritableStream {
    #digest;
    #count;
    constructor(algorithm) {
      if (arguments.length < 1) {
        throw new TypeError("Failed to construct 'DigestStream': 1 argument required, but only 0 present.");
      }
      const given = algorithm !== null && typeof algorithm === "object" ? algorithm.name : algorithm;
      const code = STREAM_HASH[given] ?? HASH_CODE[hashName(given, "algorithm", true)];
      let state = EMPTY, resolve, reject;
      const digest = new Promise((res, rej) => { resolve = res; reject = rej; });
      digest.catch(() => {});
      const count = { n: 0 };
      super({
        write(chunk) {
          let u8;
          if (typeof chunk === "string") u8 = utf8(chunk);
          else if (chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)) u8 = bytesOf(chunk);
          else {
            throw new TypeError("DigestStream is a byte stream but received an object of " +
              "non-ArrayBuffer/ArrayBufferView/string type on its writable side.");
          }
          if (u8.length === 0) return;
          state = resultU8(host.cryptoHashUpdate(code, pack(state, u8), state.length, u8.length));
          count.n += u8.length;
        },
        close() {
          resolve(result(host.cryptoHashFinal(code, pack(state), state.length)));
        },
        abort(reason) {
          reject(reason);
        },
      });
      this.#digest = digest;
      this.#count = count;
    }
    get digest() { return this.#digest; }
    get bytesWritten() { return this.#count.n; }
  };
}

if (typeof globalThis.WritableStream === "function") {
  Object.defineProperty(Crypto.prototype, "DigestStream", {
    value: makeDigestStream(globalThis.WritableStream), writable: true, configurable: true, enumerable: false,
  });
}

// WebIDL operations and attributes are enumerable on their prototypes.
for (const C of [Crypto, SubtleCrypto, CryptoKey]) {
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === "constructor" || key === "DigestStream") continue;
    Object.defineProperty(C.prototype, key, { enumerable: true });
  }
}

const crypto = new Crypto(TOKEN);

defineGlobal("Crypto", Crypto);
defineGlobal("SubtleCrypto", SubtleCrypto);
defineGlobal("CryptoKey", CryptoKey);
defineGlobal("crypto", crypto);

// cloneCryptoKey returns a copy of key, for structured clone: the key's
// internal record is immutable, so the copy shares it.
function cloneCryptoKey(key) {
  const k = slotOf(key);
  return new CryptoKey(TOKEN, k, algorithmOf(k));
}

// Internal exports for other modules.
export { crypto, subtle, isKey as isCryptoKey, cloneCryptoKey };
