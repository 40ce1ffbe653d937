// formdata.js: FormData, and the multipart/form-data and
// application/x-www-form-urlencoded codecs that Request and Response bodies
// use (serializeMultipart, parseMultipart, parseUrlEncoded).
//
// Behaviour and error messages follow workerd: a Blob appended without a
// filename becomes a File named after the entry, parse errors are
// TypeErrors with workerd's texts, part bodies with a filename become Files
// whose type is the part's Content-Type as sent.
import { defineGlobal } from "./host.js";
import { isBlob, isFile, blobBytes, newFile } from "./blob.js";

let encoder = null, decoder = null;
const utf8 = (s) => (encoder ??= new globalThis.TextEncoder()).encode(s);
const fromUTF8 = (u8) => (decoder ??= new globalThis.TextDecoder()).decode(u8);

// usv converts to a USVString: lone surrogates become U+FFFD.
function usv(v) {
  const s = `${v}`;
  return s.isWellFormed() ? s : s.toWellFormed();
}

// toEntryValue implements "create an entry" for a Blob or string value.
function toEntryValue(name, value, filename, nargs, method) {
  if (isBlob(value)) {
    if (filename === undefined) {
      if (isFile(value)) return value;
      return newFile(blobBytes(value), name, value.type, Date.now());
    }
    return newFile(blobBytes(value), usv(filename), value.type, Date.now());
  }
  if (nargs > 2) {
    throw new TypeError(`Failed to execute '${method}' on 'FormData': parameter 2 is not of type 'Blob'.`);
  }
  return usv(value);
}

function need(nargs, n, method) {
  if (nargs < n) {
    throw new TypeError(`Failed to execute '${method}' on 'FormData': ${n} argument${n > 1 ? "s" : ""} required, but only ${nargs} present.`);
  }
}

let entriesOf, isFormDataImpl;

/** FormData is an ordered list of (name, string or File) entries. */
export class FormData {
  #list = []; // [{ name, value }]

  // There are no forms in Workers: like workerd, the constructor ignores
  // its arguments.
  append(name, value, filename = undefined) {
    need(arguments.length, 2, "append");
    name = usv(name);
    this.#list.push({ name, value: toEntryValue(name, value, filename, arguments.length, "append") });
  }

  delete(name) {
    need(arguments.length, 1, "delete");
    name = usv(name);
    const l = this.#list;
    let j = 0;
    for (let i = 0; i < l.length; i++) if (l[i].name !== name) l[j++] = l[i];
    l.length = j;
  }

  get(name) {
    need(arguments.length, 1, "get");
    name = usv(name);
    for (const e of this.#list) if (e.name === name) return e.value;
    return null;
  }

  getAll(name) {
    need(arguments.length, 1, "getAll");
    name = usv(name);
    const out = [];
    for (const e of this.#list) if (e.name === name) out.push(e.value);
    return out;
  }

  has(name) {
    need(arguments.length, 1, "has");
    name = usv(name);
    for (const e of this.#list) if (e.name === name) return true;
    return false;
  }

  set(name, value, filename = undefined) {
    need(arguments.length, 2, "set");
    name = usv(name);
    const v = toEntryValue(name, value, filename, arguments.length, "set");
    const l = this.#list;
    let j = 0, found = false;
    for (let i = 0; i < l.length; i++) {
      const e = l[i];
      if (e.name !== name) l[j++] = e;
      else if (!found) { found = true; l[j++] = { name, value: v }; }
    }
    l.length = j;
    if (!found) l.push({ name, value: v });
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
    }
    const l = this.#list;
    for (let i = 0; i < l.length; i++) callback.call(thisArg, l[i].value, l[i].name, this);
  }

  entries() { return new FormDataIterator(this.#list, 0); }
  keys() { return new FormDataIterator(this.#list, 1); }
  values() { return new FormDataIterator(this.#list, 2); }

  static {
    entriesOf = (fd) => fd.#list;
    isFormDataImpl = (v) => #list in v;
  }
}
Object.defineProperty(FormData.prototype, Symbol.iterator, {
  value: FormData.prototype.entries, writable: true, configurable: true, enumerable: false,
});
Object.defineProperty(FormData.prototype, Symbol.toStringTag, { value: "FormData", configurable: true });

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

// FormDataIterator walks the live entry list, as WebIDL pair iterators do.
class FormDataIterator {
  #list; #kind; #i = 0;
  constructor(list, kind) {
    this.#list = list;
    this.#kind = kind;
  }
  next() {
    const l = this.#list;
    if (l === null || this.#i >= l.length) {
      this.#list = null;
      return { value: undefined, done: true };
    }
    const e = l[this.#i++];
    const k = this.#kind;
    return { value: k === 0 ? [e.name, e.value] : k === 1 ? e.name : e.value, done: false };
  }
}
Object.setPrototypeOf(FormDataIterator.prototype, IteratorPrototype);
Object.defineProperty(FormDataIterator.prototype, Symbol.toStringTag, { value: "FormData Iterator", configurable: true });

/** isFormData reports whether v is a FormData. */
export function isFormData(v) {
  return v !== null && typeof v === "object" && isFormDataImpl(v);
}

// ---------------------------------------------------------------- serialize

// escapeQuoted escapes a name or filename for a Content-Disposition
// parameter as workerd does (after Chrome): '"' → %22, LF → %0A, '\' → '\\';
// a trailing backslash is refused.
function escapeQuoted(s) {
  if (s.endsWith("\\")) throw new TypeError("Name or filename can't end with backslash");
  if (!/["\n\\]/.test(s)) return s;
  return s.replace(/["\n\\]/g, (c) => (c === '"' ? "%22" : c === "\n" ? "%0A" : "\\\\"));
}

function randomBoundary() {
  const b = new Uint8Array(16);
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  let s = "";
  for (let i = 0; i < 16; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/**
 * serializeMultipart encodes fd as a multipart/form-data body with a fresh
 * random boundary (32 hex digits, as workerd) and returns the bytes and the
 * Content-Type to send with them. boundary may be given for tests.
 */
export function serializeMultipart(fd, boundary = randomBoundary()) {
  if (boundary.length === 0 || boundary.length > 70) {
    throw new TypeError("Length of multipart/form-data boundary string must be in the range [1, 70].");
  }
  const list = entriesOf(fd);
  const chunks = [];
  let size = 0;
  let text = "";
  const flush = () => {
    if (text === "") return;
    const u = utf8(text);
    chunks.push(u);
    size += u.byteLength;
    text = "";
  };
  for (const { name, value } of list) {
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"`;
    if (typeof value === "string") {
      text += `\r\n\r\n${value}\r\n`;
    } else {
      const type = value.type === "" ? "application/octet-stream" : value.type;
      text += `; filename="${escapeQuoted(value.name)}"\r\nContent-Type: ${type}\r\n\r\n`;
      flush();
      const b = blobBytes(value);
      chunks.push(b);
      size += b.byteLength;
      text = "\r\n";
    }
  }
  text += `--${boundary}--`;
  flush();
  const body = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    body.set(c, off);
    off += c.byteLength;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

// ---------------------------------------------------------------- parse

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// parseParams parses "; name=value" parameters (token or quoted-string
// values) starting at s[i]; it returns a Map with lowercased names, or null
// when the text is malformed.
function parseParams(s, i) {
  const params = new Map();
  const n = s.length;
  for (;;) {
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
    if (i >= n) return params;
    if (s[i] !== ";") return null;
    i++;
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
    if (i >= n) return params; // a trailing ';'
    let j = i;
    while (j < n && s[j] !== "=" && s[j] !== ";" && s[j] !== " " && s[j] !== "\t") j++;
    const pname = s.slice(i, j).toLowerCase();
    if (!TOKEN.test(pname)) return null;
    i = j;
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
    if (s[i] !== "=") return null;
    i++;
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
    let value;
    if (s[i] === '"') {
      i++;
      value = "";
      for (;;) {
        if (i >= n) return null;
        const c = s[i];
        if (c === '"') { i++; break; }
        if (c === "\\" && i + 1 < n) { value += s[i + 1]; i += 2; continue; }
        value += c;
        i++;
      }
    } else {
      j = i;
      while (j < n && s[j] !== ";") j++;
      value = s.slice(i, j).trimEnd();
      i = j;
      if (value === "") return null;
    }
    if (!params.has(pname)) params.set(pname, value);
  }
}

// parseMediaType splits a Content-Type into its lowercased essence and its
// parameters, or returns null.
function parseMediaType(ct) {
  const s = `${ct}`;
  let i = s.indexOf(";");
  if (i < 0) i = s.length;
  const essence = s.slice(0, i).trim().toLowerCase();
  const params = parseParams(s, i);
  return params === null ? null : { essence, params };
}

// extValue decodes an RFC 8187 ext-value (charset'lang'pct-encoded), or
// returns undefined if it is malformed or not UTF-8/ASCII.
function extValue(v) {
  const a = v.indexOf("'");
  const b = a < 0 ? -1 : v.indexOf("'", a + 1);
  if (b < 0) return undefined;
  const charset = v.slice(0, a).toLowerCase();
  if (charset !== "utf-8" && charset !== "us-ascii" && charset !== "iso-8859-1") return undefined;
  const enc = v.slice(b + 1);
  const bytes = [];
  for (let i = 0; i < enc.length; i++) {
    const c = enc.charCodeAt(i);
    if (c === 0x25 && i + 2 < enc.length && /^[0-9A-Fa-f]{2}$/.test(enc.slice(i + 1, i + 3))) {
      bytes.push(parseInt(enc.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      return undefined;
    }
  }
  const u8 = new Uint8Array(bytes);
  if (charset === "iso-8859-1") return String.fromCharCode(...u8);
  return fromUTF8(u8);
}

// indexOfBytes finds needle in hay at or after from; -1 if absent.
function indexOfBytes(hay, needle, from) {
  const first = needle[0], m = needle.length, last = hay.length - m;
  let i = from;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    let k = 1;
    while (k < m && hay[i + k] === needle[k]) k++;
    if (k === m) return i;
    i++;
  }
  return -1;
}

const fail = (msg) => { throw new TypeError(msg); };

const UNRECOGNIZED = "Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded";

// parseHeaders parses a part's header block into a Map of lowercased names
// to values; it throws workerd's TypeError for malformed lines.
function parseHeaders(text) {
  const headers = new Map();
  const lines = text.split(/\r?\n/);
  let last = null;
  for (const line of lines) {
    if (line === "") continue;
    if ((line[0] === " " || line[0] === "\t") && last !== null) {
      headers.set(last, headers.get(last) + " " + line.trim());
      continue;
    }
    const c = line.indexOf(":");
    if (c <= 0) fail("FormData part had invalid headers.");
    const name = line.slice(0, c).toLowerCase();
    if (!TOKEN.test(name)) fail("FormData part had invalid headers.");
    const value = line.slice(c + 1).trim();
    if (!headers.has(name)) headers.set(name, value);
    last = name;
  }
  return headers;
}

/**
 * parseMultipart parses a multipart/form-data body (u8: bytes; contentType:
 * the full Content-Type with its boundary parameter) into a FormData. Parts
 * with a filename become Files. Malformed input throws a TypeError, and
 * nothing else (fuzzed in testdata/formdata_fuzz.js).
 */
export function parseMultipart(u8, contentType) {
  if (!(u8 instanceof Uint8Array)) {
    u8 = ArrayBuffer.isView(u8) ? new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength) : new Uint8Array(u8);
  }
  const mt = parseMediaType(contentType);
  if (mt === null || mt.essence !== "multipart/form-data") {
    fail(UNRECOGNIZED);
  }
  const boundary = mt.params.get("boundary");
  if (boundary === undefined || boundary === "") {
    fail("No boundary string in Content-Type header. The multipart/form-data MIME type requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; boundary=\"abcd\"'. See RFC 7578, section 4.");
  }
  const delim = utf8("\n--" + boundary);
  const fd = new FormData();
  const list = entriesOf(fd);

  // The first delimiter needs no preceding newline; anything before it is
  // preamble.
  let pos = indexOfBytes(u8, delim.subarray(1), 0);
  if (pos < 0) fail("No initial boundary string (or you have a truncated message).");
  pos += delim.length - 1;
  const n = u8.length;
  for (;;) {
    // After a delimiter: transport padding, then CRLF/LF (another part) or
    // "--" (the end; the epilogue is ignored).
    while (pos < n && (u8[pos] === 0x20 || u8[pos] === 0x09)) pos++;
    if (u8[pos] === 0x2d && u8[pos + 1] === 0x2d) break;
    if (u8[pos] === 0x0a) pos += 1;
    else if (u8[pos] === 0x0d && u8[pos + 1] === 0x0a) pos += 2;
    else fail("Boundary string was not succeeded by CRLF, LF, or '--'.");

    // The header block ends at an empty line.
    let hEnd, bodyStart;
    if (u8[pos] === 0x0a) { hEnd = pos; bodyStart = pos + 1; }
    else if (u8[pos] === 0x0d && u8[pos + 1] === 0x0a) { hEnd = pos; bodyStart = pos + 2; }
    else {
      hEnd = -1;
      for (let i = u8.indexOf(0x0a, pos); i >= 0; i = u8.indexOf(0x0a, i + 1)) {
        if (u8[i + 1] === 0x0a) { hEnd = i; bodyStart = i + 2; break; }
        if (u8[i + 1] === 0x0d && u8[i + 2] === 0x0a) { hEnd = i; bodyStart = i + 3; break; }
      }
      if (hEnd < 0) fail("No multipart message header termination found.");
    }
    const headers = parseHeaders(fromUTF8(u8.subarray(pos, hEnd)));
    const disposition = headers.get("content-disposition");
    if (disposition === undefined) fail("No valid Content-Disposition header found in FormData part.");
    const semi = disposition.indexOf(";");
    const dtype = (semi < 0 ? disposition : disposition.slice(0, semi)).trim();
    const params = parseParams(disposition, semi < 0 ? disposition.length : semi);
    if (params === null || !TOKEN.test(dtype)) fail("Invalid Content-Disposition header found in FormData part.");
    if (dtype.toLowerCase() !== "form-data") {
      fail(`Content-Disposition header for FormData part must have the value "form-data", possibly followed by parameters. Got: "${dtype}"`);
    }
    let name = params.get("name");
    if (params.has("name*")) name = extValue(params.get("name*")) ?? name;
    if (name === undefined) fail("Content-Disposition header in FormData part is missing a name.");
    let filename = params.get("filename");
    if (params.has("filename*")) filename = extValue(params.get("filename*")) ?? filename;

    const end = indexOfBytes(u8, delim, bodyStart);
    if (end < 0) fail("No subsequent boundary string after multipart message.");
    let bodyEnd = end;
    if (bodyEnd > bodyStart && u8[bodyEnd - 1] === 0x0d) bodyEnd--;
    const body = u8.subarray(bodyStart, Math.max(bodyStart, bodyEnd));
    pos = end + delim.length;

    let value;
    if (filename !== undefined) {
      value = newFile(body.slice(), filename, headers.get("content-type") ?? "", Date.now());
    } else {
      value = usv(fromUTF8(body));
    }
    list.push({ name: usv(name), value });
  }
  return fd;
}

// percentDecode decodes an application/x-www-form-urlencoded name or value:
// '+' is a space, %XX a byte; the bytes are UTF-8.
function percentDecode(s) {
  if (s.indexOf("+") >= 0) s = s.replaceAll("+", " ");
  if (s.indexOf("%") < 0) return s;
  const b = utf8(s);
  const out = new Uint8Array(b.length);
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0x25 && i + 2 < b.length && isHex(b[i + 1]) && isHex(b[i + 2])) {
      out[j++] = (hexVal(b[i + 1]) << 4) | hexVal(b[i + 2]);
      i += 2;
    } else {
      out[j++] = c;
    }
  }
  return fromUTF8(out.subarray(0, j));
}
const isHex = (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const hexVal = (c) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);

/**
 * parseUrlEncoded parses an application/x-www-form-urlencoded body (a
 * string) into a FormData (WHATWG URL, "urlencoded parser").
 */
export function parseUrlEncoded(text) {
  const fd = new FormData();
  const list = entriesOf(fd);
  const s = `${text}`;
  if (s === "") return fd;
  for (const seq of s.split("&")) {
    if (seq === "") continue;
    const eq = seq.indexOf("=");
    const name = eq < 0 ? seq : seq.slice(0, eq);
    const value = eq < 0 ? "" : seq.slice(eq + 1);
    list.push({ name: usv(percentDecode(name)), value: usv(percentDecode(value)) });
  }
  return fd;
}

const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8"]);

/**
 * parseFormDataBody is Body.formData(): it parses bytes as multipart/form-data
 * or application/x-www-form-urlencoded according to contentType (the
 * Content-Type header value, or null), with workerd's TypeErrors for other
 * types and for urlencoded bodies in a charset other than UTF-8.
 */
export function parseFormDataBody(bytes, contentType) {
  const mt = contentType === null || contentType === undefined ? null : parseMediaType(contentType);
  if (mt !== null && mt.essence === "multipart/form-data") return parseMultipart(bytes, contentType);
  if (mt !== null && mt.essence === "application/x-www-form-urlencoded") {
    const cs = mt.params.get("charset");
    if (cs !== undefined && !UTF8_LABELS.has(cs.toLowerCase())) fail("Non-utf-8 application/x-www-form-urlencoded body.");
    if (!(bytes instanceof Uint8Array)) {
      bytes = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    }
    return parseUrlEncoded(fromUTF8(bytes));
  }
  fail(UNRECOGNIZED);
}

defineGlobal("FormData", FormData);
