// node.js: the synchronous primitives behind the Node.js compatibility
// modules (node:crypto and friends, bundled from internal/worker/node/ when
// a Worker sets the nodejs_compat flag). The bundled modules run as user
// code, after host.js's host object is gone, so the prelude hands them this
// small frozen object as globalThis.__zs_node (not enumerable, like
// __zs_cloudflare). Bytes cross as (SharedArrayBuffer, length) pairs.

import { host, scratchU8, SCRATCH_SIZE } from "./host.js";

function chk(r) {
  if (typeof r === "string" && r.charCodeAt(0) === 0) {
    const i = r.indexOf("\0", 1);
    const name = r.slice(1, i), msg = r.slice(i + 1);
    const E = name === "TypeError" ? TypeError : name === "RangeError" ? RangeError : Error;
    throw new E(msg);
  }
  return r;
}

// pack copies its byte arrays one after the other into the scratch area
// (returning undefined) or, when they do not fit, into a fresh
// SharedArrayBuffer, which it returns.
function pack(...parts) {
  let total = 0;
  for (const p of parts) total += p.length;
  let buf, u8 = scratchU8;
  if (total > SCRATCH_SIZE) {
    buf = new SharedArrayBuffer(total);
    u8 = new Uint8Array(buf);
  }
  let off = 0;
  for (const p of parts) { u8.set(p, off); off += p.length; }
  return buf;
}

// take collects n bytes that a node* host function holds.
function take(n) {
  const sab = new SharedArrayBuffer(n);
  host.nodeZlibTake(sab);
  return new Uint8Array(sab).slice();
}

function resultU8(n) {
  chk(n);
  if (n >= 0) return scratchU8.slice(0, n);
  const sab = new SharedArrayBuffer(-n);
  host.cryptoTake(sab);
  return new Uint8Array(sab).slice();
}

const EMPTY = new Uint8Array(0);

Object.defineProperty(globalThis, "__zs_node", {
  value: Object.freeze({
    // Hash codes: 1 SHA-1, 2 SHA-256, 3 SHA-384, 4 SHA-512, 5 MD5. A hash
    // in progress is its marshaled state (a Uint8Array; empty: fresh).
    hashUpdate(code, state, data) {
      return resultU8(host.cryptoHashUpdate(code, pack(state, data), state.length, data.length));
    },
    hashFinal(code, state) {
      return resultU8(host.cryptoHashFinal(code, pack(state, EMPTY), state.length));
    },
    // zlib(op, level, data) compresses or decompresses (node.go's
    // nodeZlib operations); a failure throws an Error with zlib's message
    // and code.
    zlib(op, level, data) {
      const n = host.nodeZlib(op, level, pack(data, EMPTY), data.length);
      if (typeof n === "string") {
        const [, , msg, code] = n.split("\0");
        if (code === undefined) chk(n);
        const e = new Error(msg);
        e.code = code;
        e.errno = code === "Z_BUF_ERROR" ? -5 : -3;
        throw e;
      }
      const sab = new SharedArrayBuffer(n);
      host.nodeZlibTake(sab);
      return new Uint8Array(sab).slice();
    },
    // key(wantPrivate, bytes) parses PEM or DER key material:
    // { type, asymmetricKeyType, modulusLength, namedCurve, der } with der
    // PKCS #8 (private) or SPKI (public).
    key(wantPrivate, bytes) {
      const info = chk(host.nodeKey(wantPrivate, pack(bytes), bytes.length)).split("|");
      return { type: info[0], asymmetricKeyType: info[1], modulusLength: info[2] ? +info[2] : undefined, namedCurve: info[3] || undefined, der: take(+info[4]) };
    },
    // sign(hash, der, data, padding, saltLength, dsaEncoding) signs with a
    // PKCS #8 key; verify(...) checks with an SPKI (or PKCS #8) key.
    sign(code, der, data, padding, saltLength, dsaEnc) {
      return take(chk(host.nodeSign(code, pack(der, data), der.length, data.length, padding, saltLength, dsaEnc)));
    },
    verify(code, der, data, sig, isPrivate, padding, saltLength, dsaEnc) {
      return chk(host.nodeVerify(code, pack(der, data, sig), der.length, data.length, sig.length, isPrivate, padding, saltLength, dsaEnc));
    },
    pbkdf2(code, password, salt, iterations, keylen) {
      const out = new SharedArrayBuffer(keylen);
      chk(host.nodePbkdf2(code, pack(password, salt), password.length, salt.length, iterations, out, keylen));
      return new Uint8Array(out).slice();
    },
  }),
  enumerable: false,
});
