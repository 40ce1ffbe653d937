// url.js: URL and URLSearchParams (WHATWG URL Standard).
//
// A URL is its serialized form (href, always ASCII) plus the offsets of its
// components, so that getters are string slices. Parsing runs in Go
// (internal/webapi/url_parse.go) through host.urlParse, one host call per
// parse, which leaves the offsets in the scratch area. Simple http(s) URLs
// (the common `new URL(request.url)`, and "/path" references against them)
// are parsed here without crossing into Go: see fastParse. Setters call
// host.urlSet.
//
// Internal exports for other modules: parseURLOrNull(input, base) → URL or
// null; urlEncodedParse(string) → flat [name, value, …] array;
// urlEncodedSerialize(flat) → string; searchParamsList(usp) → the flat list
// of a URLSearchParams (live; do not mutate); isURLSearchParams(v).

import { host, scratch, defineGlobal } from "./host.js";

const offs = new Int32Array(scratch, 0, 10);

// Setter ids, mirrored in url_parse.go.
const S_PROTOCOL = 0, S_USERNAME = 1, S_PASSWORD = 2, S_HOST = 3, S_HOSTNAME = 4,
  S_PORT = 5, S_PATHNAME = 6, S_SEARCH = 7, S_HASH = 8;

const INVALID_URL = "Invalid URL string.";

function usv(v) {
  const s = typeof v === "string" ? v : String(v);
  return s.isWellFormed() ? s : s.toWellFormed();
}

function typeError(msg) {
  return new TypeError(msg);
}

// The JS fast path: absolute http(s) URLs with a plain ASCII host (no
// percent-escapes, IDNA or IPv4 forms), no credentials, and a path, query
// and fragment that need no percent-encoding or dot-segment processing.
// Such URLs are serialized here (lower-cased scheme and host, default port
// dropped, empty path made "/"); an already canonical one is its own href.
// Everything else goes to the Go parser.
const PATH_CHARS = "[^\\x00-\\x20\"#<>?`{}\\\\\\x7f-\\uffff]*";
const QUERY_CHARS = "[^\\x00-\\x20\"#<>'\\x7f-\\uffff]*";
const FRAG_CHARS = "[^\\x00-\\x20\"<>`\\x7f-\\uffff]*";
const SIMPLE = new RegExp("^([hH][tT][tT][pP][sS]?)://([A-Za-z0-9_.-]+)(?::([0-9]{1,5}))?(/" + PATH_CHARS + ")?(\\?" + QUERY_CHARS + ")?(#" + FRAG_CHARS + ")?$");
// A path-absolute relative reference ("/a/b?c#d", not "//host").
const REL_PATH = new RegExp("^(/(?!/)" + PATH_CHARS + "|/)(\\?" + QUERY_CHARS + ")?(#" + FRAG_CHARS + ")?$");
const NUMERIC_LABEL = /(?:^|\.)(?:[0-9]+|0[xX][0-9a-fA-F]*)\.?$/;
const DOT_SEGMENT = /\/\.|%2[eE]/;
const HAS_UPPER = /[A-Z]/;
// Setter values the fast setters take.
const SCHEME_HTTP = /^[hH][tT][tT][pP][sS]?$/;
const HOST_ONLY = /^([A-Za-z0-9_.-]+)$/;
const HOST_PORT = /^([A-Za-z0-9_.-]+)(?::([0-9]{1,5}))?$/;
const PORT_ONLY = /^[0-9]{1,5}$/;
const PATH_FULL = new RegExp("^/" + PATH_CHARS + "$");
const QUERY_FULL = new RegExp("^" + QUERY_CHARS + "$");
const FRAG_FULL = new RegExp("^" + FRAG_CHARS + "$");

// fastOffs receives the offsets of a fast-path parse (layout of putOffsets
// in url.go).
const fastOffs = [0, 0, 0, 0, 0, 0, -1, 0, -1, -1];

// fastParse returns the href of s when the fast path applies (offsets in
// fastOffs), else null.
function fastParse(s) {
  const m = SIMPLE.exec(s);
  if (m === null) return null;
  let scheme = m[1], hostname = m[2];
  const portStr = m[3], path = m[4], q = m[5], f = m[6];
  let canonical = true;
  if (scheme !== "http" && scheme !== "https") {
    scheme = scheme.toLowerCase();
    canonical = false;
  }
  if (HAS_UPPER.test(hostname)) {
    hostname = hostname.toLowerCase();
    canonical = false;
  }
  if (hostname.includes("xn--") || NUMERIC_LABEL.test(hostname)) return null;
  if (path !== undefined && DOT_SEGMENT.test(path)) return null;
  let port = -1, portOut = "";
  if (portStr !== undefined) {
    port = +portStr;
    if (port > 65535) return null;
    if (port === (scheme === "http" ? 80 : 443)) {
      port = -1;
      canonical = false;
    } else {
      portOut = "" + port;
      if (portOut !== portStr) canonical = false;
    }
  }
  let p = path;
  if (p === undefined) {
    p = "/";
    canonical = false;
  }
  const se = scheme.length, hs = se + 3, he = hs + hostname.length;
  const ps = port >= 0 ? he + 1 + portOut.length : he;
  const qs = q === undefined ? -1 : ps + p.length;
  const fs = f === undefined ? -1 : ps + p.length + (q === undefined ? 0 : q.length);
  const o = fastOffs;
  o[0] = se; o[1] = hs; o[2] = hs; o[3] = hs; o[4] = hs; o[5] = he; o[6] = port; o[7] = ps; o[8] = qs; o[9] = fs;
  if (canonical) return s;
  let href = scheme + "://" + hostname;
  if (port >= 0) href += ":" + portOut;
  href += p;
  if (q !== undefined) href += q;
  if (f !== undefined) href += f;
  return href;
}

// fastResolve returns the href of the path-absolute reference s against
// base when both take the fast path (offsets in fastOffs), else null.
function fastResolve(s, base) {
  if (s.charCodeAt(0) !== 47) return null;
  const m = REL_PATH.exec(s);
  if (m === null || DOT_SEGMENT.test(m[1])) return null;
  const b = fastParse(base);
  if (b === null) return null;
  const o = fastOffs;
  const ps = o[7];
  const q = m[2], f = m[3];
  const plen = m[1].length;
  o[8] = q === undefined ? -1 : ps + plen;
  o[9] = f === undefined ? -1 : ps + plen + (q === undefined ? 0 : q.length);
  return b.slice(0, ps) + s;
}

let fromFast = false;

// parseHref returns the href of s parsed against the base URL string b
// (undefined: none), or undefined on failure. The offsets are in fastOffs
// when fromFast is set, else in the scratch area.
function parseHref(s, b) {
  let href;
  if (b === undefined) {
    href = fastParse(s);
  } else {
    href = fastResolve(s, b);
    // An absolute URL ignores its base, which must still be valid.
    if (href === null && fastParse(b) !== null) href = fastParse(s);
  }
  if (href !== null) {
    fromFast = true;
    return href;
  }
  fromFast = false;
  return b === undefined ? host.urlParse(s) : host.urlParse(s, b);
}

let urlSetQueryFromParams; // (url, serialized) → updates href after a URLSearchParams change
let paramsReset; // (params, query) → re-parse the list from a query string
let paramsNew; // (url, query) → a URLSearchParams linked to url
let paramsList; // (params) → flat list
let paramsBrand; // (value) → whether value is a URLSearchParams

const SPECIAL_ORIGIN = { "http:": 1, "https:": 1, "ws:": 1, "wss:": 1, "ftp:": 1 };

class URL {
  #href = "";
  #se = 0; #us = 0; #ue = 0; #pe = 0; #hs = 0; #he = 0; #port = -1; #ps = 0; #qs = -1; #fs = -1;
  #params = null;

  constructor(url, base = undefined) {
    if (arguments.length === 0) throw typeError("Failed to construct 'URL': 1 argument required, but only 0 present.");
    const href = parseHref(usv(url), base === undefined ? undefined : usv(base));
    if (href === undefined) throw typeError(INVALID_URL);
    this.#href = href;
    this.#take(fromFast ? fastOffs : offs);
  }

  #take(o) {
    this.#se = o[0]; this.#us = o[1]; this.#ue = o[2]; this.#pe = o[3]; this.#hs = o[4];
    this.#he = o[5]; this.#port = o[6]; this.#ps = o[7]; this.#qs = o[8]; this.#fs = o[9];
  }

  static {
    urlSetQueryFromParams = (u, q) => u.#setQuery(q);
  }

  #pathEnd() {
    return this.#qs >= 0 ? this.#qs : this.#fs >= 0 ? this.#fs : this.#href.length;
  }

  #query() {
    if (this.#qs < 0) return "";
    return this.#href.slice(this.#qs + 1, this.#fs >= 0 ? this.#fs : this.#href.length);
  }

  #set(which, value) {
    const v = usv(value);
    if (this.#fastSet(which, v)) return;
    const href = host.urlSet(this.#href, which, v);
    if (href === undefined) return;
    this.#href = href;
    this.#take(offs);
  }

  // #splice replaces href[start:end) with r and moves the offsets at or
  // after end.
  #splice(start, end, r) {
    const h = this.#href;
    this.#href = h.slice(0, start) + r + h.slice(end);
    const d = r.length - (end - start);
    if (d === 0) return;
    if (this.#se >= end) this.#se += d;
    if (this.#us >= end) this.#us += d;
    if (this.#ue >= end) this.#ue += d;
    if (this.#pe >= end) this.#pe += d;
    if (this.#hs >= end) this.#hs += d;
    if (this.#he >= end) this.#he += d;
    if (this.#ps >= end) this.#ps += d;
    if (this.#qs >= end) this.#qs += d;
    if (this.#fs >= end) this.#fs += d;
  }

  // #setPort sets the port of an http(s) URL (-1: none), dropping the
  // scheme's default port.
  #setPort(port) {
    if (port === (this.#se === 4 ? 80 : 443)) port = -1;
    const he = this.#he; // the port starts where the host ends
    this.#splice(he, this.#ps, port >= 0 ? ":" + port : "");
    this.#he = he;
    this.#port = port;
  }

  // #fastSet runs the setters that proxies and routers use on http(s) URLs
  // with simple values in JavaScript; it returns false to leave the work
  // to Go (which implements every case).
  #fastSet(which, v) {
    const se = this.#se;
    if (se !== 4 && se !== 5) return false;
    const href = this.#href;
    if (!href.startsWith(se === 4 ? "http:" : "https:")) return false;
    switch (which) {
      case S_PROTOCOL: {
        const c = v.indexOf(":");
        const p = c >= 0 ? v.slice(0, c) : v;
        const m = SCHEME_HTTP.exec(p);
        if (m === null) return false;
        const scheme = p.toLowerCase();
        this.#splice(0, se, scheme);
        if (this.#port >= 0) this.#setPort(this.#port);
        return true;
      }
      case S_HOST:
      case S_HOSTNAME: {
        const m = (which === S_HOST ? HOST_PORT : HOST_ONLY).exec(v);
        if (m === null) return false;
        const h = HAS_UPPER.test(m[1]) ? m[1].toLowerCase() : m[1];
        if (h.includes("xn--") || NUMERIC_LABEL.test(h)) return false;
        let port = -1;
        if (m[2] !== undefined) {
          port = +m[2];
          if (port > 65535) return false;
        }
        this.#splice(this.#hs, this.#he, h);
        if (m[2] !== undefined) this.#setPort(port);
        return true;
      }
      case S_PORT: {
        if (v === "") {
          this.#setPort(-1);
          return true;
        }
        if (!PORT_ONLY.test(v)) return false;
        const port = +v;
        if (port > 65535) return false;
        this.#setPort(port);
        return true;
      }
      case S_PATHNAME: {
        const p = v.charCodeAt(0) === 47 ? v : "/" + v;
        if (!PATH_FULL.test(p) || DOT_SEGMENT.test(p)) return false;
        this.#splice(this.#ps, this.#pathEnd(), p);
        return true;
      }
      case S_SEARCH: {
        const end = this.#fs >= 0 ? this.#fs : href.length;
        if (v === "") {
          if (this.#qs >= 0) {
            this.#splice(this.#qs, end, "");
            this.#qs = -1;
          }
          return true;
        }
        const q = v.charCodeAt(0) === 63 ? v.slice(1) : v;
        if (!QUERY_FULL.test(q)) return false;
        if (this.#qs >= 0) {
          this.#splice(this.#qs, end, "?" + q);
        } else {
          const at = this.#pathEnd();
          this.#splice(at, at, "?" + q);
          this.#qs = at;
        }
        return true;
      }
      case S_HASH: {
        if (v === "") {
          if (this.#fs >= 0) {
            this.#href = href.slice(0, this.#fs);
            this.#fs = -1;
          }
          return true;
        }
        const f = v.charCodeAt(0) === 35 ? v.slice(1) : v;
        if (!FRAG_FULL.test(f)) return false;
        if (this.#fs >= 0) {
          this.#href = href.slice(0, this.#fs) + "#" + f;
        } else {
          this.#fs = href.length;
          this.#href = href + "#" + f;
        }
        return true;
      }
    }
    return false;
  }

  // #setQuery is the URLSearchParams update steps: serialized is the
  // list's serialization.
  #setQuery(serialized) {
    const href = this.#href;
    const fs = this.#fs;
    if (serialized === "") {
      if (this.#qs < 0) return;
      this.#set(S_SEARCH, "");
      return;
    }
    const base = href.slice(0, this.#pathEnd());
    const frag = fs >= 0 ? href.slice(fs) : "";
    this.#href = base + "?" + serialized + frag;
    this.#qs = base.length;
    if (fs >= 0) this.#fs = base.length + 1 + serialized.length;
  }

  get href() { return this.#href; }
  set href(value) {
    const href = parseHref(usv(value), undefined);
    if (href === undefined) throw typeError(INVALID_URL);
    this.#href = href;
    this.#take(fromFast ? fastOffs : offs);
    if (this.#params !== null) paramsReset(this.#params, this.#query());
  }

  get origin() {
    const p = this.protocol;
    if (SPECIAL_ORIGIN[p] === 1) return p + "//" + this.host;
    if (p === "blob:") return host.urlOrigin(this.#href);
    return "null";
  }

  get protocol() { return this.#href.slice(0, this.#se + 1); }
  set protocol(v) { this.#set(S_PROTOCOL, v); }

  get username() { return this.#href.slice(this.#us, this.#ue); }
  set username(v) { this.#set(S_USERNAME, v); }

  get password() { return this.#pe > this.#ue ? this.#href.slice(this.#ue + 1, this.#pe) : ""; }
  set password(v) { this.#set(S_PASSWORD, v); }

  get host() { return this.#href.slice(this.#hs, this.#port >= 0 ? this.#ps : this.#he); }
  set host(v) { this.#set(S_HOST, v); }

  get hostname() { return this.#href.slice(this.#hs, this.#he); }
  set hostname(v) { this.#set(S_HOSTNAME, v); }

  get port() { return this.#port >= 0 ? this.#href.slice(this.#he + 1, this.#ps) : ""; }
  set port(v) { this.#set(S_PORT, v); }

  get pathname() { return this.#href.slice(this.#ps, this.#pathEnd()); }
  set pathname(v) { this.#set(S_PATHNAME, v); }

  get search() {
    const qs = this.#qs;
    if (qs < 0) return "";
    const end = this.#fs >= 0 ? this.#fs : this.#href.length;
    return end - qs > 1 ? this.#href.slice(qs, end) : "";
  }
  set search(v) {
    this.#set(S_SEARCH, v);
    if (this.#params !== null) paramsReset(this.#params, this.#query());
  }

  get searchParams() {
    if (this.#params === null) this.#params = paramsNew(this, this.#query());
    return this.#params;
  }

  get hash() {
    const fs = this.#fs;
    return fs >= 0 && this.#href.length - fs > 1 ? this.#href.slice(fs) : "";
  }
  set hash(v) { this.#set(S_HASH, v); }

  toString() { return this.#href; }
  toJSON() { return this.#href; }

  static canParse(url, base = undefined) {
    if (arguments.length === 0) throw typeError("Failed to execute 'canParse' on 'URL': 1 argument required, but only 0 present.");
    return parseHref(usv(url), base === undefined ? undefined : usv(base)) !== undefined;
  }

  static parse(url, base = undefined) {
    if (arguments.length === 0) throw typeError("Failed to execute 'parse' on 'URL': 1 argument required, but only 0 present.");
    return parseURLOrNull(url, base);
  }
}

// parseURLOrNull parses url against the optional base and returns a URL,
// or null on failure.
export function parseURLOrNull(url, base = undefined) {
  try {
    return base === undefined ? new URL(url) : new URL(url, base);
  } catch {
    return null;
  }
}

// Form-urlencoded parsing and serialization.

const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;
const FORM_EXTRA = /%20|[!'()~]/g;
const FORM_EXTRA_MAP = { "%20": "+", "!": "%21", "'": "%27", "(": "%28", ")": "%29", "~": "%7E" };

function formEncode(s) {
  if (FORM_SAFE.test(s)) return s;
  return encodeURIComponent(s).replace(FORM_EXTRA, (m) => FORM_EXTRA_MAP[m]);
}

function hexVal(c) {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

// slowDecode percent-decodes s to bytes and decodes them as UTF-8 with
// replacement, for input that decodeURIComponent rejects.
function slowDecode(s) {
  const bytes = new globalThis.TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 37 && i + 2 < bytes.length) {
      const h = hexVal(bytes[i + 1]), l = hexVal(bytes[i + 2]);
      if (h >= 0 && l >= 0) {
        out[n++] = h * 16 + l;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return new globalThis.TextDecoder().decode(out.subarray(0, n));
}

function formDecode(s) {
  if (s.indexOf("+") >= 0) s = s.replaceAll("+", " ");
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return slowDecode(s);
  }
}

// urlEncodedParse is the application/x-www-form-urlencoded parser: it
// returns the name-value pairs of s as a flat array.
export function urlEncodedParse(s) {
  const list = [];
  if (s === "") return list;
  let start = 0;
  const len = s.length;
  while (start <= len) {
    let end = s.indexOf("&", start);
    if (end < 0) end = len;
    if (end > start) {
      const eq = s.indexOf("=", start);
      if (eq >= 0 && eq < end) {
        list.push(formDecode(s.slice(start, eq)), formDecode(s.slice(eq + 1, end)));
      } else {
        list.push(formDecode(s.slice(start, end)), "");
      }
    }
    start = end + 1;
  }
  return list;
}

// urlEncodedSerialize is the application/x-www-form-urlencoded
// serializer over a flat name-value array.
export function urlEncodedSerialize(list) {
  let out = "";
  for (let i = 0; i < list.length; i += 2) {
    if (i > 0) out += "&";
    out += formEncode(list[i]) + "=" + formEncode(list[i + 1]);
  }
  return out;
}

// URLSearchParams.

const ITER_KEYS = 0, ITER_VALUES = 1, ITER_ENTRIES = 2;

function needArgs(n, min, method) {
  if (n < min) {
    throw typeError(`Failed to execute '${method}' on 'URLSearchParams': ${min} argument${min > 1 ? "s" : ""} required, but only ${n} present.`);
  }
}

class URLSearchParams {
  #list = [];
  #url = null;

  constructor(init = undefined) {
    if (init === undefined) return;
    if (init !== null && (typeof init === "object" || typeof init === "function")) {
      const iter = init[Symbol.iterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== "function") throw typeError("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
        if (#list in init && iter === URLSearchParams.prototype[Symbol.iterator]) {
          this.#list = init.#list.slice();
          return;
        }
        const list = this.#list;
        for (const pair of init) {
          if (pair === null || (typeof pair !== "object" && typeof pair !== "function") || typeof pair[Symbol.iterator] !== "function") {
            throw typeError("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
          }
          const p = Array.from(pair);
          if (p.length !== 2) {
            throw typeError("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements");
          }
          list.push(usv(p[0]), usv(p[1]));
        }
        return;
      }
      const list = this.#list;
      for (const key of Reflect.ownKeys(init)) {
        const desc = Reflect.getOwnPropertyDescriptor(init, key);
        if (desc === undefined || !desc.enumerable) continue;
        if (typeof key === "symbol") throw typeError("Failed to construct 'URLSearchParams': Cannot convert a Symbol value to a string");
        list.push(usv(key), usv(init[key]));
      }
      return;
    }
    let s = usv(init);
    if (s.charCodeAt(0) === 63) s = s.slice(1);
    this.#list = urlEncodedParse(s);
  }

  static {
    paramsReset = (p, q) => { p.#list = urlEncodedParse(q); };
    paramsNew = (url, q) => {
      const p = new URLSearchParams();
      p.#list = urlEncodedParse(q);
      p.#url = url;
      return p;
    };
    paramsList = (p) => p.#list;
    paramsBrand = (v) => v !== null && typeof v === "object" && #list in v;
  }

  #update() {
    if (this.#url !== null) urlSetQueryFromParams(this.#url, urlEncodedSerialize(this.#list));
  }

  get size() { return this.#list.length >> 1; }

  append(name, value) {
    needArgs(arguments.length, 2, "append");
    this.#list.push(usv(name), usv(value));
    this.#update();
  }

  delete(name, value = undefined) {
    needArgs(arguments.length, 1, "delete");
    name = usv(name);
    const list = this.#list;
    const out = [];
    if (value === undefined) {
      for (let i = 0; i < list.length; i += 2) if (list[i] !== name) out.push(list[i], list[i + 1]);
    } else {
      value = usv(value);
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] !== name || list[i + 1] !== value) out.push(list[i], list[i + 1]);
      }
    }
    this.#list = out;
    this.#update();
  }

  get(name) {
    needArgs(arguments.length, 1, "get");
    name = usv(name);
    const list = this.#list;
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
    return null;
  }

  getAll(name) {
    needArgs(arguments.length, 1, "getAll");
    name = usv(name);
    const list = this.#list;
    const out = [];
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) out.push(list[i + 1]);
    return out;
  }

  has(name, value = undefined) {
    needArgs(arguments.length, 1, "has");
    name = usv(name);
    const list = this.#list;
    if (value === undefined) {
      for (let i = 0; i < list.length; i += 2) if (list[i] === name) return true;
      return false;
    }
    value = usv(value);
    for (let i = 0; i < list.length; i += 2) if (list[i] === name && list[i + 1] === value) return true;
    return false;
  }

  set(name, value) {
    needArgs(arguments.length, 2, "set");
    name = usv(name);
    value = usv(value);
    const list = this.#list;
    let found = -1;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === name) { found = i; break; }
    }
    if (found < 0) {
      list.push(name, value);
    } else {
      list[found + 1] = value;
      let w = found + 2;
      for (let i = found + 2; i < list.length; i += 2) {
        if (list[i] !== name) { list[w++] = list[i]; list[w++] = list[i + 1]; }
      }
      list.length = w;
    }
    this.#update();
  }

  sort() {
    const list = this.#list;
    const pairs = [];
    for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1]]);
    // Compare by UTF-16 code units; Array.prototype.sort is stable.
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 0; i < pairs.length; i++) { list[2 * i] = pairs[i][0]; list[2 * i + 1] = pairs[i][1]; }
    this.#update();
  }

  toString() { return urlEncodedSerialize(this.#list); }

  forEach(callback, thisArg = undefined) {
    needArgs(arguments.length, 1, "forEach");
    if (typeof callback !== "function") throw typeError("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
    for (let i = 0; i < this.#list.length; i += 2) {
      callback.call(thisArg, this.#list[i + 1], this.#list[i], this);
    }
  }

  entries() { return new URLSearchParamsIterator(this, ITER_ENTRIES); }
  keys() { return new URLSearchParamsIterator(this, ITER_KEYS); }
  values() { return new URLSearchParamsIterator(this, ITER_VALUES); }
}

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

class URLSearchParamsIterator {
  #params; #kind; #index = 0;
  constructor(params, kind) { this.#params = params; this.#kind = kind; }
  next() {
    const list = paramsList(this.#params);
    const i = this.#index;
    if (i >= list.length) return { value: undefined, done: true };
    this.#index = i + 2;
    const kind = this.#kind;
    const value = kind === ITER_KEYS ? list[i] : kind === ITER_VALUES ? list[i + 1] : [list[i], list[i + 1]];
    return { value, done: false };
  }
}
Object.setPrototypeOf(URLSearchParamsIterator.prototype, IteratorPrototype);
Object.defineProperty(URLSearchParamsIterator.prototype, Symbol.toStringTag, { value: "URLSearchParams Iterator", configurable: true });
Object.defineProperty(URLSearchParamsIterator.prototype, "next", { enumerable: true });

Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
  value: URLSearchParams.prototype.entries, writable: true, configurable: true,
});
Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag, { value: "URLSearchParams", configurable: true });
Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: "URL", configurable: true });

// WebIDL members are enumerable.
for (const C of [URL, URLSearchParams]) {
  for (const k of Object.getOwnPropertyNames(C.prototype)) {
    if (k !== "constructor") Object.defineProperty(C.prototype, k, { enumerable: true });
  }
}
for (const k of ["canParse", "parse"]) Object.defineProperty(URL, k, { enumerable: true });

// isURLSearchParams reports whether v is a URLSearchParams (a brand check,
// not instanceof), e.g. for body extraction.
export function isURLSearchParams(v) {
  return paramsBrand(v);
}

// searchParamsList returns the live flat list of a URLSearchParams.
export function searchParamsList(p) {
  return paramsList(p);
}

defineGlobal("URL", URL);
defineGlobal("URLSearchParams", URLSearchParams);

export { URL, URLSearchParams };
