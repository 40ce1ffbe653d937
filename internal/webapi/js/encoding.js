// encoding.js: TextEncoder, TextDecoder, TextEncoderStream,
// TextDecoderStream, atob and btoa (WHATWG Encoding and HTML's
// forgiving-base64), as workerd exposes them.
//
// UTF-8 is on the hot path of every text body. Small inputs are coded in
// JavaScript; large ones go to Go (encoding.go), whose copy through the
// scratch area plus V8's native UTF-8 conversion is faster there.
// BenchmarkEncoding (encoding_bench_test.go) chose the thresholds: a host
// call costs ~2-3 µs, so at 100 B JavaScript wins (decode ~0.5 µs vs ~3 µs,
// encode ~2 µs vs ~5 µs); Go wins from ~512 B for encode and ~1 KiB for
// decode, and by ~10x for large ASCII decodes (16 KiB: 17 µs vs 178 µs).
import { host, defineGlobal, toHost, fromScratch, SCRATCH_SIZE } from "./host.js";

// Inputs of at least this many bytes (decode) or UTF-16 code units (encode)
// go to Go.
const DECODE_HOST_MIN = 1024;
const ENCODE_HOST_MIN = 512;

function domException(message, name) {
  const D = globalThis.DOMException;
  if (typeof D === "function") return new D(message, name);
  const e = new Error(message);
  e.name = name;
  return e;
}

// ---------------------------------------------------------------- bytes

// asBytes views a BufferSource as a Uint8Array without copying; it throws a
// TypeError for anything else.
function asBytes(input, what) {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer || input instanceof SharedArrayBuffer) return new Uint8Array(input);
  throw new TypeError(`Failed to execute '${what}': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView'.`);
}

// ---------------------------------------------------------------- UTF-8 encode

// utf8Length is the UTF-8 length of s, lone surrogates counting as U+FFFD.
function utf8Length(s) {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) { len += 1; continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { len += 2; i++; continue; }
    }
    len += 2;
  }
  return len;
}

// utf8Write writes s from index 0 into out at 0 and returns the number of
// bytes written; out must be large enough.
function utf8Write(s, out) {
  const n = s.length;
  let j = 0;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { out[j++] = c; continue; }
    if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          out[j++] = 0xf0 | (c >> 18);
          out[j++] = 0x80 | ((c >> 12) & 63);
          out[j++] = 0x80 | ((c >> 6) & 63);
          out[j++] = 0x80 | (c & 63);
          continue;
        }
      }
      c = 0xfffd;
    }
    out[j++] = 0xe0 | (c >> 12);
    out[j++] = 0x80 | ((c >> 6) & 63);
    out[j++] = 0x80 | (c & 63);
  }
  return j;
}

// encodeUTF8 returns the UTF-8 encoding of the string s (a USVString
// conversion first: lone surrogates become U+FFFD).
export function encodeUTF8(s) {
  return s.length >= ENCODE_HOST_MIN ? encodeGo(s) : encodeJS(s);
}

function encodeJS(s) {
  const out = new Uint8Array(utf8Length(s));
  utf8Write(s, out);
  return out;
}

function encodeGo(s) {
  const n = host.encUTF8(s);
  if (n >= 0) return fromScratch(n);
  // Larger than the scratch area: Go kept the bytes for us to take.
  const sab = new SharedArrayBuffer(-n - 1);
  host.encTake(sab);
  return new Uint8Array(sab).slice();
}

// encodeInto writes as much of s as fits (whole code points only) into the
// Uint8Array dest.
function encodeInto(s, dest) {
  const n = s.length, cap = dest.length;
  let i = 0, j = 0;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (j >= cap) break;
      dest[j++] = c;
      continue;
    }
    if (c < 0x800) {
      if (j + 2 > cap) break;
      dest[j++] = 0xc0 | (c >> 6);
      dest[j++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          if (j + 4 > cap) break;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          dest[j++] = 0xf0 | (c >> 18);
          dest[j++] = 0x80 | ((c >> 12) & 63);
          dest[j++] = 0x80 | ((c >> 6) & 63);
          dest[j++] = 0x80 | (c & 63);
          i++;
          continue;
        }
      }
      c = 0xfffd;
    }
    if (j + 3 > cap) break;
    dest[j++] = 0xe0 | (c >> 12);
    dest[j++] = 0x80 | ((c >> 6) & 63);
    dest[j++] = 0x80 | (c & 63);
  }
  return { read: i, written: j };
}

class TextEncoder {
  get encoding() {
    return "utf-8";
  }

  encode(input = "") {
    return encodeUTF8(typeof input === "string" ? input : String(input));
  }

  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) {
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    }
    return encodeInto(typeof source === "string" ? source : String(source), destination);
  }

  get [Symbol.toStringTag]() {
    return "TextEncoder";
  }
}

// ---------------------------------------------------------------- UTF-8 decode

const CHUNK = 8192;

// decodeUTF8JS decodes b[start, end) with U+FFFD for each maximal invalid
// subpart (the Encoding Standard's UTF-8 decoder). With fatal it returns
// null on the first error. The caller guarantees b does not end in the
// middle of a valid sequence unless replacement is wanted there.
function decodeUTF8JS(b, start, end, fatal) {
  let i = start;
  // ASCII fast path.
  while (i < end && b[i] < 0x80) i++;
  let out = "";
  if (i === end) {
    for (let k = start; k < end; k += CHUNK) {
      out += String.fromCharCode.apply(null, b.subarray(k, Math.min(end, k + CHUNK)));
    }
    return out;
  }
  for (let k = start; k < i; k += CHUNK) {
    out += String.fromCharCode.apply(null, b.subarray(k, Math.min(i, k + CHUNK)));
  }
  const units = [];
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      units.push(c);
      i++;
    } else {
      let need = 0, cp = 0, lo = 0x80, hi = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
      else if (c >= 0xe0 && c <= 0xef) {
        need = 2; cp = c & 0xf;
        if (c === 0xe0) lo = 0xa0; else if (c === 0xed) hi = 0x9f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3; cp = c & 7;
        if (c === 0xf0) lo = 0x90; else if (c === 0xf4) hi = 0x8f;
      } else {
        if (fatal) return null;
        units.push(0xfffd);
        i++;
        if (units.length >= CHUNK) { out += String.fromCharCode.apply(null, units); units.length = 0; }
        continue;
      }
      let j = i + 1, ok = true;
      for (let k = 0; k < need; k++, j++) {
        const d = j < end ? b[j] : -1;
        if (d < lo || d > hi) { ok = false; break; }
        cp = (cp << 6) | (d & 0x3f);
        lo = 0x80; hi = 0xbf;
      }
      if (!ok) {
        if (fatal) return null;
        units.push(0xfffd);
        i = j; // the maximal subpart: the lead and the valid continuations
      } else {
        if (cp >= 0x10000) {
          cp -= 0x10000;
          units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else units.push(cp);
        i = j;
      }
    }
    if (units.length >= CHUNK) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  if (units.length) out += String.fromCharCode.apply(null, units);
  return out;
}

// incompleteTail returns how many bytes at the end of b[0, end) form a
// valid but incomplete UTF-8 sequence (0 to 3) that a streaming decode
// holds back for the next chunk.
function incompleteTail(b, end) {
  for (let back = 1; back <= 3 && back <= end; back++) {
    const c = b[end - back];
    if (c >= 0x80 && c <= 0xbf) continue; // a continuation byte: look further back
    let need;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return 0;
    if (back > need) return 0; // complete
    // Check the continuation bytes seen so far are valid for this lead.
    if (back >= 2) {
      const d = b[end - back + 1];
      let lo = 0x80, hi = 0xbf;
      if (c === 0xe0) lo = 0xa0; else if (c === 0xed) hi = 0x9f;
      else if (c === 0xf0) lo = 0x90; else if (c === 0xf4) hi = 0x8f;
      if (d < lo || d > hi) return 0;
    }
    return back;
  }
  return 0;
}

// decodeUTF8 decodes all of b (no BOM handling), through Go when large.
// With fatal it returns null for invalid input.
export function decodeUTF8(b, fatal = false) {
  return b.length >= DECODE_HOST_MIN ? decodeGo(b, fatal) : decodeUTF8JS(b, 0, b.length, fatal);
}

function decodeGo(b, fatal) {
  const n = b.length;
  let r;
  if (n <= SCRATCH_SIZE) {
    // toHost's copy, inlined for the common case.
    scratchView.set(b);
    r = host.decUTF8(host.scratch, n, fatal);
  } else {
    r = host.decUTF8(toHost(b), n, fatal);
  }
  return r === false ? null : r;
}

const scratchView = new Uint8Array(host.scratch);

// ---------------------------------------------------------------- other codecs

// windows-1252 bytes 0x80-0x9F; the rest map to themselves.
const W1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decode1252(b, start, end) {
  let out = "";
  const units = new Array(Math.min(CHUNK, end - start));
  let u = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    units[u++] = c >= 0x80 && c <= 0x9f ? W1252[c - 0x80] : c;
    if (u === CHUNK) { out += String.fromCharCode.apply(null, units); u = 0; }
  }
  if (u) { units.length = u; out += String.fromCharCode.apply(null, units); }
  return out;
}

// decodeUTF16 decodes b[start, end) (even length) as UTF-16 of the given
// endianness; unpaired surrogates become U+FFFD (fatal: null). A trailing
// high surrogate is reported through state.pendingHigh when streaming.
function decodeUTF16(b, start, end, be, fatal, st, stream) {
  const units = [];
  let out = "";
  for (let i = start; i < end; i += 2) {
    const u = be ? (b[i] << 8) | b[i + 1] : b[i] | (b[i + 1] << 8);
    if (st.high) {
      const h = st.high;
      st.high = 0;
      if (u >= 0xdc00 && u <= 0xdfff) { units.push(h, u); continue; }
      if (fatal) return null;
      units.push(0xfffd);
    }
    if (u >= 0xd800 && u <= 0xdbff) { st.high = u; continue; }
    if (u >= 0xdc00 && u <= 0xdfff) {
      if (fatal) return null;
      units.push(0xfffd);
      continue;
    }
    units.push(u);
    if (units.length >= CHUNK) { out += String.fromCharCode.apply(null, units); units.length = 0; }
  }
  if (st.high && !stream) {
    st.high = 0;
    if (fatal) return null;
    units.push(0xfffd);
  }
  if (units.length) out += String.fromCharCode.apply(null, units);
  return out;
}

// ---------------------------------------------------------------- labels

const LABELS = new Map();
for (const [name, labels] of [
  ["utf-8", ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"]],
  ["utf-16le", ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"]],
  ["utf-16be", ["unicodefffe", "utf-16be"]],
  ["windows-1252", [
    "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100",
    "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
  ]],
]) for (const l of labels) LABELS.set(l, name);

const ENC_UTF8 = 0, ENC_UTF16LE = 1, ENC_UTF16BE = 2, ENC_1252 = 3;
const ENC_IDS = { "utf-8": ENC_UTF8, "utf-16le": ENC_UTF16LE, "utf-16be": ENC_UTF16BE, "windows-1252": ENC_1252 };

// ASCII whitespace per the Encoding Standard's "get an encoding".
function trimLabel(s) {
  return s.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
}

// ---------------------------------------------------------------- TextDecoder

class TextDecoder {
  #enc;
  #name;
  #fatal;
  #ignoreBOM;
  #bomSeen = false; // BOM handling done for the current stream
  #pending = null; // held bytes (UTF-8 tail or odd UTF-16 byte)
  #st = { high: 0 }; // UTF-16 pending high surrogate

  constructor(label = "utf-8", options = undefined) {
    const name = LABELS.get(trimLabel(String(label)));
    if (name === undefined) {
      throw new RangeError(`"${label}" is not a valid encoding.`);
    }
    if (options !== undefined && options !== null && typeof options !== "object" && typeof options !== "function") {
      throw new TypeError("Failed to construct 'TextDecoder': The provided value is not of type 'TextDecoderOptions'.");
    }
    this.#name = name;
    this.#enc = ENC_IDS[name];
    this.#fatal = !!(options && options.fatal);
    this.#ignoreBOM = !!(options && options.ignoreBOM);
  }

  get encoding() {
    return this.#name;
  }

  get fatal() {
    return this.#fatal;
  }

  get ignoreBOM() {
    return this.#ignoreBOM;
  }

  decode(input = undefined, options = undefined) {
    const stream = !!(options && options.stream);
    let b = input === undefined || input === null ? EMPTY : asBytes(input, "decode' on 'TextDecoder");
    if (this.#pending !== null) {
      const p = this.#pending;
      const m = new Uint8Array(p.length + b.length);
      m.set(p);
      m.set(b, p.length);
      b = m;
      this.#pending = null;
    }
    // Fast path: a whole UTF-8 input in one call.
    if (!stream && !this.#bomSeen && this.#enc === ENC_UTF8) {
      let start = 0;
      if (!this.#ignoreBOM && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) start = 3;
      const s = decodeUTF8(start ? b.subarray(start) : b, this.#fatal);
      if (s === null) throw this.#fail();
      return s;
    }
    try {
      return this.#decodeChunk(b, stream);
    } finally {
      if (!stream) this.#reset();
    }
  }

  #reset() {
    this.#bomSeen = false;
    this.#pending = null;
    this.#st.high = 0;
  }

  #fail() {
    this.#reset();
    return new TypeError("Failed to decode input.");
  }

  #decodeChunk(b, stream) {
    let start = 0, end = b.length;
    const enc = this.#enc;
    if (!this.#bomSeen) {
      // The BOM decision needs up to 3 (UTF-8) or 2 (UTF-16) bytes.
      const bomLen = enc === ENC_UTF8 ? 3 : enc === ENC_1252 ? 0 : 2;
      if (bomLen && end < bomLen && stream) {
        const prefix = enc === ENC_UTF8 ? [0xef, 0xbb, 0xbf] : enc === ENC_UTF16LE ? [0xff, 0xfe] : [0xfe, 0xff];
        let isPrefix = true;
        for (let i = 0; i < end; i++) if (b[i] !== prefix[i]) { isPrefix = false; break; }
        if (isPrefix) {
          if (end) this.#pending = b.slice();
          return "";
        }
      }
      this.#bomSeen = true;
      if (!this.#ignoreBOM && bomLen) {
        if (enc === ENC_UTF8 && end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) start = 3;
        else if (enc === ENC_UTF16LE && end >= 2 && b[0] === 0xff && b[1] === 0xfe) start = 2;
        else if (enc === ENC_UTF16BE && end >= 2 && b[0] === 0xfe && b[1] === 0xff) start = 2;
      }
    }
    let s;
    switch (enc) {
      case ENC_UTF8: {
        if (stream) {
          const tail = incompleteTail(b, end);
          if (tail && end - tail >= start) {
            this.#pending = b.slice(end - tail, end);
            end -= tail;
          }
        }
        s = start === 0 && end === b.length ? decodeUTF8(b, this.#fatal) : decodeUTF8(b.subarray(start, end), this.#fatal);
        break;
      }
      case ENC_1252:
        return decode1252(b, start, end);
      default: {
        let odd = false;
        if ((end - start) & 1) {
          end--;
          if (stream) this.#pending = b.slice(end, end + 1);
          else odd = true;
        }
        s = decodeUTF16(b, start, end, enc === ENC_UTF16BE, this.#fatal, this.#st, stream || odd);
        if (odd && s !== null) {
          if (this.#fatal) s = null;
          else {
            if (this.#st.high) { this.#st.high = 0; s += "\ufffd"; }
            s += "\ufffd";
          }
        }
      }
    }
    if (s === null) throw this.#fail();
    return s;
  }

  get [Symbol.toStringTag]() {
    return "TextDecoder";
  }
}

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------- streams

class TextEncoderStream {
  #ts;

  constructor() {
    let high = ""; // a high surrogate held from the previous chunk
    this.#ts = new globalThis.TransformStream({
      transform(chunk, controller) {
        let s = high + String(chunk);
        high = "";
        if (s.length === 0) return;
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          high = s.slice(-1);
          s = s.slice(0, -1);
          if (s.length === 0) return;
        }
        controller.enqueue(encodeUTF8(s));
      },
      flush(controller) {
        if (high) controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
      },
    });
  }

  get encoding() {
    return "utf-8";
  }

  get readable() {
    return this.#ts.readable;
  }

  get writable() {
    return this.#ts.writable;
  }

  get [Symbol.toStringTag]() {
    return "TextEncoderStream";
  }
}

class TextDecoderStream {
  #dec;
  #ts;

  constructor(label = "utf-8", options = undefined) {
    const dec = (this.#dec = new TextDecoder(label, options));
    this.#ts = new globalThis.TransformStream({
      transform(chunk, controller) {
        const s = dec.decode(asBytes(chunk, "transform' on 'TextDecoderStream"), STREAM);
        if (s) controller.enqueue(s);
      },
      flush(controller) {
        const s = dec.decode();
        if (s) controller.enqueue(s);
      },
    });
  }

  get encoding() {
    return this.#dec.encoding;
  }

  get fatal() {
    return this.#dec.fatal;
  }

  get ignoreBOM() {
    return this.#dec.ignoreBOM;
  }

  get readable() {
    return this.#ts.readable;
  }

  get writable() {
    return this.#ts.writable;
  }

  get [Symbol.toStringTag]() {
    return "TextDecoderStream";
  }
}

const STREAM = { stream: true };

// ---------------------------------------------------------------- base64

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64REV = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64REV[B64.charCodeAt(i)] = i;

function btoa(data) {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  const s = String(data);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0xff) {
      throw domException("btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range.", "InvalidCharacterError");
    }
  }
  let out = "";
  const parts = [];
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
    out += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    if (out.length >= 8192) { parts.push(out); out = ""; }
  }
  if (n - i === 1) {
    const v = s.charCodeAt(i) << 16;
    out += B64[v >> 18] + B64[(v >> 12) & 63] + "==";
  } else if (n - i === 2) {
    const v = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8);
    out += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + "=";
  }
  if (parts.length) { parts.push(out); return parts.join(""); }
  return out;
}

function atob(data) {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'atob': 1 argument required, but only 0 present.");
  let s = String(data);
  // forgiving-base64 decode: drop ASCII whitespace.
  if (/[\t\n\f\r ]/.test(s)) s = s.replace(/[\t\n\f\r ]+/g, "");
  let n = s.length;
  if (n % 4 === 0 && n > 0) {
    if (s.charCodeAt(n - 1) === 61) {
      n--;
      if (s.charCodeAt(n - 1) === 61) n--;
    }
  }
  const bad = () => domException("atob() called with invalid base64-encoded data. (Only whitespace, '+', '/', alphanumeric ASCII, and up to two terminal '=' signs when the input data length is divisible by 4 are allowed.)", "InvalidCharacterError");
  if (n % 4 === 1) throw bad();
  let out = "";
  const parts = [];
  let acc = 0, bits = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64REV[c] : -1;
    if (v < 0) throw bad();
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
      if (out.length >= 8192) { parts.push(out); out = ""; }
    }
    acc &= 0xffff;
  }
  if (parts.length) { parts.push(out); return parts.join(""); }
  return out;
}

// Both codec paths, for encoding_bench_test.go (host is not reachable from
// user code).
host.encodingPaths = {
  encodeJS,
  encodeGo,
  decodeJS: (b) => decodeUTF8JS(b, 0, b.length, false),
  decodeGo: (b) => decodeGo(b, false),
};

defineGlobal("TextEncoder", TextEncoder);
defineGlobal("TextDecoder", TextDecoder);
defineGlobal("TextEncoderStream", TextEncoderStream);
defineGlobal("TextDecoderStream", TextDecoderStream);
defineGlobal("atob", atob);
defineGlobal("btoa", btoa);

export { TextEncoder, TextDecoder, asBytes };
