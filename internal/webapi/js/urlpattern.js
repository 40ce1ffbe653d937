// urlpattern.js: URLPattern (the WHATWG URLPattern Standard).
//
// Pattern strings are tokenized and parsed into parts here and compiled to
// one RegExp per component; fixed text is canonicalized by the URL parser in
// Go (host.urlCanon), once per pattern. Matching a string input parses it
// with URL (which has a JS fast path for canonical URLs) and runs the eight
// RegExps.

import { host, defineGlobal } from "./host.js";
import { parseURLOrNull } from "./url.js";

const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];

// Canonicalizer ids, mirrored in urlpattern.go.
const C_PROTOCOL = 0, C_USERNAME = 1, C_PASSWORD = 2, C_HOSTNAME = 3, C_PORT = 4,
  C_PATHNAME = 5, C_OPAQUE_PATHNAME = 6, C_SEARCH = 7, C_HASH = 8, C_HOSTNAME_PATTERN = 9;

function fail(msg) {
  return new TypeError(msg);
}

// Values that canonicalize to themselves, by canonicalizer (checked here to
// avoid a call into Go; anything else goes to host.urlCanon).
const CANON_SAME = [
  /^[a-z][a-z0-9+.-]*$/, // protocol
  /^[A-Za-z0-9._~!$&'()*+,%-]*$/, // username
  /^[A-Za-z0-9._~!$&'()*+,%-]*$/, // password
  /^\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/, // hostname
  null, // port: see canon
  /^[^\x00-\x20"#<>?`{}\\\x7f-\uffff]*$/, // pathname (no dot segments: checked apart)
  /^[\x20-\x22\x24-\x3e\x40-\x7e]*$/, // opaque pathname
  /^[^\x00-\x20"#<>\x7f-\uffff]*$/, // search
  /^[^\x00-\x20"<>`\x7f-\uffff]*$/, // hash
  /^\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/, // hostname pattern text
];
const HOST_NUMERIC = /(?:^|\.)(?:[0-9]+|0[xX][0-9a-fA-F]*)\.?$/;
const PATH_DOTS = /\/\.|%2[eE]/;

function canon(kind, value, protocol = undefined) {
  if (value === "") return "";
  const same = CANON_SAME[kind];
  if (same !== null) {
    if (same.test(value)) {
      if (kind === C_HOSTNAME || kind === C_HOSTNAME_PATTERN) {
        if (!value.includes("xn--") && !HOST_NUMERIC.test(value) && protocol !== "file") return value;
      } else if (kind === C_PATHNAME) {
        if (!PATH_DOTS.test(value)) return value;
      } else {
        return value;
      }
    }
  } else if (value.length <= 5 && /^[0-9]+$/.test(value)) {
    const n = +value;
    if (n <= 65535) return DEFAULT_PORTS[protocol] === "" + n ? "" : "" + n;
  }
  const r = host.urlCanon(kind, value, protocol);
  if (r === undefined) throw fail(`Invalid ${["protocol", "username", "password", "hostname", "port", "pathname", "pathname", "search", "hash", "hostname"][kind]} "${value}".`);
  return r;
}

const canonProtocol = (v) => canon(C_PROTOCOL, v);
const canonUsername = (v) => canon(C_USERNAME, v);
const canonPassword = (v) => canon(C_PASSWORD, v);
const canonHostnamePattern = (v) => canon(C_HOSTNAME_PATTERN, v);
const canonPort = (v) => canon(C_PORT, v);
const canonPathname = (v) => canon(C_PATHNAME, v);
const canonOpaquePathname = (v) => canon(C_OPAQUE_PATHNAME, v);
const canonSearch = (v) => canon(C_SEARCH, v);
const canonHash = (v) => canon(C_HASH, v);

function canonIPv6Hostname(v) {
  let out = "";
  for (const c of v) {
    if (!/^[0-9a-fA-F[\]:]$/.test(c)) throw fail(`Invalid IPv6 hostname "${v}".`);
    out += c.toLowerCase();
  }
  return out;
}

const SPECIAL_SCHEMES = ["ftp", "file", "http", "https", "ws", "wss"];
const DEFAULT_PORTS = { ftp: "21", http: "80", https: "443", ws: "80", wss: "443" };

// Tokenizer.

const T_OPEN = 0, T_CLOSE = 1, T_REGEXP = 2, T_NAME = 3, T_CHAR = 4, T_ESCAPED = 5,
  T_MODIFIER = 6, T_ASTERISK = 7, T_END = 8, T_INVALID = 9;

const ID_START = /^[\p{ID_Start}$_]$/u;
const ID_PART = /^[\p{ID_Continue}$\u200C\u200D]$/u;

function isNameCodePoint(c, first) {
  return (first ? ID_START : ID_PART).test(c);
}

// tokenize returns the token list of input: tokens are {type, index, value}.
function tokenize(input, lenient) {
  const tokens = [];
  const len = input.length;
  let index = 0;
  const cpAt = (i) => String.fromCodePoint(input.codePointAt(i));
  const add = (type, next, valueStart, valueLen) => {
    tokens.push({ type, index, value: input.substring(valueStart, valueStart + valueLen) });
    index = next;
  };
  // error is "process a tokenizing error" (next position, value position).
  const error = (next, valueStart) => {
    if (!lenient) throw fail(`Invalid pattern "${input}".`);
    add(T_INVALID, next, valueStart, next - valueStart);
  };
  while (index < len) {
    const c = cpAt(index);
    let next = index + c.length;
    if (c === "*") { add(T_ASTERISK, next, index, next - index); continue; }
    if (c === "+" || c === "?") { add(T_MODIFIER, next, index, next - index); continue; }
    if (c === "\\") {
      if (next >= len) { error(next, index); continue; }
      const esc = cpAt(next);
      add(T_ESCAPED, next + esc.length, next, esc.length);
      continue;
    }
    if (c === "{") { add(T_OPEN, next, index, next - index); continue; }
    if (c === "}") { add(T_CLOSE, next, index, next - index); continue; }
    if (c === ":") {
      let pos = next;
      const start = pos;
      while (pos < len) {
        const d = cpAt(pos);
        if (!isNameCodePoint(d, pos === start)) break;
        pos += d.length;
      }
      if (pos <= start) { error(start, index); continue; }
      add(T_NAME, pos, start, pos - start);
      continue;
    }
    if (c === "(") {
      let depth = 1, pos = next, bad = false;
      const start = pos;
      while (pos < len) {
        const d = cpAt(pos);
        if (d.codePointAt(0) > 0x7f) { error(start, index); bad = true; break; }
        if (pos === start && d === "?") { error(start, index); bad = true; break; }
        if (d === "\\") {
          if (pos === len - 1) { error(start, index); bad = true; break; }
          const e = cpAt(pos + 1);
          if (e.codePointAt(0) > 0x7f) { error(start, index); bad = true; break; }
          pos += 1 + e.length;
          continue;
        }
        if (d === ")") {
          depth--;
          if (depth === 0) { pos++; break; }
        } else if (d === "(") {
          depth++;
          if (pos === len - 1) { error(start, index); bad = true; break; }
          if (input[pos + 1] !== "?") { error(start, index); bad = true; break; }
        }
        pos += d.length;
      }
      if (bad) continue;
      if (depth !== 0) { error(start, index); continue; }
      const rlen = pos - start - 1;
      if (rlen === 0) { error(start, index); continue; }
      add(T_REGEXP, pos, start, rlen);
      continue;
    }
    add(T_CHAR, next, index, next - index);
  }
  tokens.push({ type: T_END, index, value: "" });
  return tokens;
}

// Pattern parser.

const P_FIXED = 0, P_REGEXP = 1, P_SEGMENT = 2, P_FULL = 3;
const M_NONE = 0, M_OPTIONAL = 1, M_ZERO_OR_MORE = 2, M_ONE_OR_MORE = 3;
const MODIFIER_STR = ["", "?", "*", "+"];
const FULL_WILDCARD = ".*";

function escapeRegexp(s) {
  return s.replace(/[.+*?^${}()[\]|/\\]/g, "\\$&");
}

function escapePattern(s) {
  return s.replace(/[+*?:{}()\\]/g, "\\$&");
}

function segmentWildcard(options) {
  return "[^" + escapeRegexp(options.delimiter) + "]+?";
}

// parsePattern is "parse a pattern string": it returns the part list.
function parsePattern(input, options, encode) {
  const tokens = tokenize(input, false);
  const parts = [];
  const segWild = segmentWildcard(options);
  let pending = "";
  let i = 0;
  let nextNumeric = 0;
  const names = new Set();

  const tryConsume = (type) => {
    const t = tokens[i];
    if (t.type !== type) return null;
    i++;
    return t;
  };
  const tryModifier = () => {
    const t = tokens[i];
    if (t.type === T_MODIFIER || t.type === T_ASTERISK) { i++; return t; }
    return null;
  };
  const tryRegexpOrWildcard = (nameToken) => {
    let t = tryConsume(T_REGEXP);
    if (t === null && nameToken === null) t = tryConsume(T_ASTERISK);
    return t;
  };
  const consumeRequired = (type) => {
    const t = tryConsume(type);
    if (t === null) throw fail(`Invalid pattern "${input}".`);
    return t;
  };
  const consumeText = () => {
    let s = "";
    for (;;) {
      const t = tryConsume(T_CHAR) || tryConsume(T_ESCAPED);
      if (t === null) return s;
      s += t.value;
    }
  };
  const flushPending = () => {
    if (pending === "") return;
    const value = encode(pending);
    pending = "";
    parts.push({ type: P_FIXED, value, modifier: M_NONE, name: "", prefix: "", suffix: "" });
  };
  const addPart = (prefix, nameToken, regexpToken, suffix, modifierToken) => {
    let modifier = M_NONE;
    if (modifierToken !== null) {
      modifier = modifierToken.value === "?" ? M_OPTIONAL : modifierToken.value === "*" ? M_ZERO_OR_MORE : M_ONE_OR_MORE;
    }
    if (nameToken === null && regexpToken === null && modifier === M_NONE) {
      pending += prefix;
      return;
    }
    flushPending();
    if (nameToken === null && regexpToken === null) {
      if (prefix === "") return;
      parts.push({ type: P_FIXED, value: encode(prefix), modifier, name: "", prefix: "", suffix: "" });
      return;
    }
    let value;
    if (regexpToken === null) value = segWild;
    else if (regexpToken.type === T_ASTERISK) value = FULL_WILDCARD;
    else value = regexpToken.value;
    let type = P_REGEXP;
    if (value === segWild) { type = P_SEGMENT; value = ""; }
    else if (value === FULL_WILDCARD) { type = P_FULL; value = ""; }
    let name = "";
    if (nameToken !== null) name = nameToken.value;
    else name = String(nextNumeric++);
    if (names.has(name)) throw fail(`Invalid pattern "${input}": duplicate name "${name}".`);
    names.add(name);
    parts.push({ type, value, modifier, name, prefix: encode(prefix), suffix: encode(suffix) });
  };

  while (i < tokens.length) {
    const charToken = tryConsume(T_CHAR);
    let nameToken = tryConsume(T_NAME);
    let regexpToken = tryRegexpOrWildcard(nameToken);
    if (nameToken !== null || regexpToken !== null) {
      let prefix = charToken !== null ? charToken.value : "";
      if (prefix !== "" && prefix !== options.prefix) {
        pending += prefix;
        prefix = "";
      }
      flushPending();
      addPart(prefix, nameToken, regexpToken, "", tryModifier());
      continue;
    }
    const fixed = charToken !== null ? charToken : tryConsume(T_ESCAPED);
    if (fixed !== null) {
      pending += fixed.value;
      continue;
    }
    if (tryConsume(T_OPEN) !== null) {
      const prefix = consumeText();
      nameToken = tryConsume(T_NAME);
      regexpToken = tryRegexpOrWildcard(nameToken);
      const suffix = consumeText();
      consumeRequired(T_CLOSE);
      addPart(prefix, nameToken, regexpToken, suffix, tryModifier());
      continue;
    }
    flushPending();
    consumeRequired(T_END);
  }
  return parts;
}

// generateRegexp returns the regular expression source and group names of
// a part list.
function generateRegexp(parts, options) {
  let re = "^";
  const names = [];
  const segWild = segmentWildcard(options);
  for (const p of parts) {
    const mod = MODIFIER_STR[p.modifier];
    if (p.type === P_FIXED) {
      re += p.modifier === M_NONE ? escapeRegexp(p.value) : "(?:" + escapeRegexp(p.value) + ")" + mod;
      continue;
    }
    names.push(p.name);
    const value = p.type === P_SEGMENT ? segWild : p.type === P_FULL ? FULL_WILDCARD : p.value;
    if (p.prefix === "" && p.suffix === "") {
      re += p.modifier === M_NONE || p.modifier === M_OPTIONAL
        ? "(" + value + ")" + mod
        : "((?:" + value + ")" + mod + ")";
      continue;
    }
    const pre = escapeRegexp(p.prefix), suf = escapeRegexp(p.suffix);
    if (p.modifier === M_NONE || p.modifier === M_OPTIONAL) {
      re += "(?:" + pre + "(" + value + ")" + suf + ")" + mod;
      continue;
    }
    re += "(?:" + pre + "((?:" + value + ")(?:" + suf + pre + "(?:" + value + "))*)" + suf + ")";
    if (p.modifier === M_ZERO_OR_MORE) re += "?";
  }
  return { source: re + "$", names };
}

// generatePatternString is "generate a pattern string".
function generatePatternString(parts, options) {
  let out = "";
  const segWild = segmentWildcard(options);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const prev = i > 0 ? parts[i - 1] : null;
    const next = i < parts.length - 1 ? parts[i + 1] : null;
    const mod = MODIFIER_STR[p.modifier];
    if (p.type === P_FIXED) {
      out += p.modifier === M_NONE ? escapePattern(p.value) : "{" + escapePattern(p.value) + "}" + mod;
      continue;
    }
    const c0 = p.name.charCodeAt(0);
    const customName = !(c0 >= 48 && c0 <= 57);
    let grouping = p.suffix !== "" || (p.prefix !== "" && p.prefix !== options.prefix);
    if (!grouping && customName && p.type === P_SEGMENT && p.modifier === M_NONE &&
        next !== null && next.prefix === "" && next.suffix === "") {
      if (next.type === P_FIXED) {
        if (next.value !== "" && isNameCodePoint(String.fromCodePoint(next.value.codePointAt(0)), false)) grouping = true;
      } else {
        const n0 = next.name.charCodeAt(0);
        if (n0 >= 48 && n0 <= 57) grouping = true;
      }
    }
    if (!grouping && p.prefix === "" && prev !== null && prev.type === P_FIXED && prev.value !== "" &&
        prev.value[prev.value.length - 1] === options.prefix) {
      grouping = true;
    }
    if (grouping) out += "{";
    out += escapePattern(p.prefix);
    if (customName) out += ":" + p.name;
    if (p.type === P_REGEXP) {
      out += "(" + p.value + ")";
    } else if (p.type === P_SEGMENT && !customName) {
      out += "(" + segWild + ")";
    } else if (p.type === P_FULL) {
      if (!customName && (prev === null || prev.type === P_FIXED || prev.modifier !== M_NONE || grouping || p.prefix !== "")) {
        out += "*";
      } else {
        out += "(" + FULL_WILDCARD + ")";
      }
    }
    if (p.type === P_SEGMENT && customName && p.suffix !== "" &&
        isNameCodePoint(String.fromCodePoint(p.suffix.codePointAt(0)), false)) {
      out += "\\";
    }
    out += escapePattern(p.suffix);
    if (grouping) out += "}";
    out += mod;
  }
  return out;
}

const DEFAULT_OPTIONS = { delimiter: "", prefix: "", ignoreCase: false };
const HOSTNAME_OPTIONS = { delimiter: ".", prefix: "", ignoreCase: false };
const PATHNAME_OPTIONS = { delimiter: "/", prefix: "/", ignoreCase: false };

// compileComponent is "compile a component".
function compileComponent(input, encode, options) {
  const parts = parsePattern(input, options, encode);
  const { source, names } = generateRegexp(parts, options);
  let regexp;
  try {
    regexp = new RegExp(source, options.ignoreCase ? "vi" : "v");
  } catch (e) {
    throw fail(`Invalid pattern "${input}": ${e.message}`);
  }
  let hasGroups = false;
  for (const p of parts) if (p.type === P_REGEXP) { hasGroups = true; break; }
  // Common shapes match without the RegExp: "*" (anything, one group),
  // "" (only the empty string) and plain fixed text.
  let kind = K_REGEXP, exact = "";
  if (parts.length === 0) {
    kind = K_EMPTY;
  } else if (parts.length === 1 && parts[0].type === P_FULL && parts[0].modifier === M_NONE &&
      parts[0].prefix === "" && parts[0].suffix === "") {
    kind = K_ANY;
  } else if (parts.length === 1 && parts[0].type === P_FIXED && parts[0].modifier === M_NONE && !options.ignoreCase) {
    kind = K_EXACT;
    exact = parts[0].value;
  }
  return { pattern: generatePatternString(parts, options), regexp, names, hasGroups, kind, exact };
}

const K_REGEXP = 0, K_EMPTY = 1, K_ANY = 2, K_EXACT = 3;

function matchesSpecialScheme(component) {
  for (const s of SPECIAL_SCHEMES) if (component.regexp.test(s)) return true;
  return false;
}

// Constructor string parser.

const S_INIT = 0, S_PROTOCOL = 1, S_AUTHORITY = 2, S_USERNAME = 3, S_PASSWORD = 4,
  S_HOSTNAME = 5, S_PORT = 6, S_PATHNAME = 7, S_SEARCH = 8, S_HASH = 9, S_DONE = 10;
const STATE_KEY = [null, "protocol", null, "username", "password", "hostname", "port", "pathname", "search", "hash", null];

function parseConstructorString(input) {
  const tokens = tokenize(input, true);
  const result = {};
  let componentStart = 0, tokenIndex = 0, tokenIncrement = 1, groupDepth = 0, ipv6Depth = 0;
  let protocolSpecial = false;
  let state = S_INIT;

  const safeToken = (i) => (i < tokens.length ? tokens[i] : tokens[tokens.length - 1]);
  const isNonSpecial = (i, value) => {
    const t = safeToken(i);
    if (t.value !== value) return false;
    return t.type === T_CHAR || t.type === T_ESCAPED || t.type === T_INVALID;
  };
  const isSearchPrefix = () => {
    if (isNonSpecial(tokenIndex, "?")) return true;
    if (tokens[tokenIndex].value !== "?") return false;
    if (tokenIndex - 1 < 0) return true;
    const prev = safeToken(tokenIndex - 1);
    return !(prev.type === T_NAME || prev.type === T_REGEXP || prev.type === T_CLOSE || prev.type === T_ASTERISK);
  };
  const componentString = () => {
    const t = tokens[tokenIndex];
    const start = safeToken(componentStart).index;
    return input.substring(start, t.index);
  };
  const rewind = () => { tokenIndex = componentStart; tokenIncrement = 0; };
  const changeState = (next, skip) => {
    if (state !== S_INIT && state !== S_AUTHORITY && state !== S_DONE) result[STATE_KEY[state]] = componentString();
    if (state !== S_INIT && next !== S_DONE) {
      if ((state === S_PROTOCOL || state === S_AUTHORITY || state === S_USERNAME || state === S_PASSWORD) &&
          (next === S_PORT || next === S_PATHNAME || next === S_SEARCH || next === S_HASH) && !("hostname" in result)) {
        result.hostname = "";
      }
      if (state >= S_PROTOCOL && state <= S_PORT && (next === S_SEARCH || next === S_HASH) && !("pathname" in result)) {
        result.pathname = protocolSpecial ? "/" : "";
      }
      if (state >= S_PROTOCOL && state <= S_PATHNAME && next === S_HASH && !("search" in result)) {
        result.search = "";
      }
    }
    state = next;
    tokenIndex += skip;
    componentStart = tokenIndex;
    tokenIncrement = 0;
  };

  while (tokenIndex < tokens.length) {
    tokenIncrement = 1;
    const tok = tokens[tokenIndex];
    if (tok.type === T_END) {
      if (state === S_INIT) {
        rewind();
        if (isNonSpecial(tokenIndex, "#")) changeState(S_HASH, 1);
        else if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else changeState(S_PATHNAME, 0);
        tokenIndex += tokenIncrement;
        continue;
      }
      if (state === S_AUTHORITY) {
        rewind();
        state = S_HOSTNAME;
        tokenIndex += tokenIncrement;
        continue;
      }
      changeState(S_DONE, 0);
      break;
    }
    if (tok.type === T_OPEN) {
      groupDepth++;
      tokenIndex += tokenIncrement;
      continue;
    }
    if (groupDepth > 0) {
      if (tok.type === T_CLOSE) {
        groupDepth--;
      } else {
        tokenIndex += tokenIncrement;
        continue;
      }
    }
    switch (state) {
      case S_INIT:
        if (isNonSpecial(tokenIndex, ":")) { rewind(); state = S_PROTOCOL; }
        break;
      case S_PROTOCOL:
        if (isNonSpecial(tokenIndex, ":")) {
          const proto = compileComponent(componentString(), canonProtocol, DEFAULT_OPTIONS);
          protocolSpecial = matchesSpecialScheme(proto);
          let next = S_PATHNAME, skip = 1;
          if (isNonSpecial(tokenIndex + 1, "/") && isNonSpecial(tokenIndex + 2, "/")) {
            next = S_AUTHORITY;
            skip = 3;
          } else if (protocolSpecial) {
            next = S_AUTHORITY;
          }
          changeState(next, skip);
        }
        break;
      case S_AUTHORITY:
        if (isNonSpecial(tokenIndex, "@")) { rewind(); state = S_USERNAME; }
        else if (isNonSpecial(tokenIndex, "/") || isSearchPrefix() || isNonSpecial(tokenIndex, "#")) { rewind(); state = S_HOSTNAME; }
        break;
      case S_USERNAME:
        if (isNonSpecial(tokenIndex, ":")) changeState(S_PASSWORD, 1);
        else if (isNonSpecial(tokenIndex, "@")) changeState(S_HOSTNAME, 1);
        break;
      case S_PASSWORD:
        if (isNonSpecial(tokenIndex, "@")) changeState(S_HOSTNAME, 1);
        break;
      case S_HOSTNAME:
        if (isNonSpecial(tokenIndex, "[")) ipv6Depth++;
        else if (isNonSpecial(tokenIndex, "]")) ipv6Depth--;
        else if (isNonSpecial(tokenIndex, ":") && ipv6Depth === 0) changeState(S_PORT, 1);
        else if (isNonSpecial(tokenIndex, "/")) changeState(S_PATHNAME, 0);
        else if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else if (isNonSpecial(tokenIndex, "#")) changeState(S_HASH, 1);
        break;
      case S_PORT:
        if (isNonSpecial(tokenIndex, "/")) changeState(S_PATHNAME, 0);
        else if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else if (isNonSpecial(tokenIndex, "#")) changeState(S_HASH, 1);
        break;
      case S_PATHNAME:
        if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else if (isNonSpecial(tokenIndex, "#")) changeState(S_HASH, 1);
        break;
      case S_SEARCH:
        if (isNonSpecial(tokenIndex, "#")) changeState(S_HASH, 1);
        break;
    }
    tokenIndex += tokenIncrement;
  }
  if ("hostname" in result && !("port" in result)) result.port = "";
  return result;
}

// URLPatternInit processing.

function isAbsolutePathname(s, isPattern) {
  if (s === "") return false;
  if (s[0] === "/") return true;
  if (!isPattern) return false;
  if (s.length < 2) return false;
  return (s[0] === "\\" || s[0] === "{") && s[1] === "/";
}

// INIT_KEYS are the URLPatternInit members in the order WebIDL reads them.
const INIT_KEYS = ["baseURL", "hash", "hostname", "password", "pathname", "port", "protocol", "search", "username"];

// readInit converts a URLPatternInit dictionary: each member is read once
// and converted to a string.
function readInit(init) {
  const d = {};
  for (const k of INIT_KEYS) {
    const v = init[k];
    if (v !== undefined) d[k] = usvString(v);
  }
  return d;
}

function usvString(v) {
  const s = String(v);
  return s.isWellFormed() ? s : s.toWellFormed();
}

// processInit is "process a URLPatternInit"; isPattern selects type
// "pattern" (else "url"); defaults is the starting value of every
// component (undefined or "").
function processInit(init, isPattern, defaults) {
  const r = {};
  if (defaults !== undefined) for (const c of COMPONENTS) r[c] = defaults;
  init = readInit(init);
  const get = (k) => init[k];
  const has = (k) => init[k] !== undefined;
  const base = (s) => (isPattern ? escapePattern(s) : s);
  const baseURLString = get("baseURL");
  let baseURL = null;
  if (baseURLString !== undefined) {
    baseURL = parseURLOrNull(baseURLString);
    if (baseURL === null) throw fail(`Invalid baseURL "${baseURLString}".`);
    if (!has("protocol")) r.protocol = base(baseURL.protocol.slice(0, -1));
    if (!isPattern && !has("protocol") && !has("hostname") && !has("port") && !has("username")) r.username = base(baseURL.username);
    if (!isPattern && !has("protocol") && !has("hostname") && !has("port") && !has("username") && !has("password")) r.password = base(baseURL.password);
    if (!has("protocol") && !has("hostname")) r.hostname = base(baseURL.hostname);
    if (!has("protocol") && !has("hostname") && !has("port")) r.port = baseURL.port;
    if (!has("protocol") && !has("hostname") && !has("port") && !has("pathname")) r.pathname = base(baseURL.pathname);
    if (!has("protocol") && !has("hostname") && !has("port") && !has("pathname") && !has("search")) r.search = base(baseURL.search.slice(1));
    if (!has("protocol") && !has("hostname") && !has("port") && !has("pathname") && !has("search") && !has("hash")) r.hash = base(baseURL.hash.slice(1));
  }
  if (has("protocol")) {
    let p = get("protocol");
    if (p.endsWith(":")) p = p.slice(0, -1);
    r.protocol = isPattern ? p : canonProtocol(p);
  }
  if (has("username")) r.username = isPattern ? get("username") : canonUsername(get("username"));
  if (has("password")) r.password = isPattern ? get("password") : canonPassword(get("password"));
  if (has("hostname")) {
    const h = get("hostname");
    r.hostname = isPattern ? h : canon(C_HOSTNAME, h, r.protocol);
  }
  if (has("port")) {
    const p = get("port");
    r.port = isPattern ? p : canon(C_PORT, p, r.protocol === undefined ? "" : r.protocol);
  }
  if (has("pathname")) {
    let p = get("pathname");
    if (baseURL !== null && !baseURLHasOpaquePath(baseURL) && !isAbsolutePathname(p, isPattern)) {
      const bp = base(baseURL.pathname);
      const slash = bp.lastIndexOf("/");
      if (slash >= 0) p = bp.slice(0, slash + 1) + p;
    }
    if (!isPattern) {
      const proto = r.protocol === undefined ? "" : r.protocol;
      p = proto === "" || SPECIAL_SCHEMES.includes(proto) ? canonPathname(p) : canonOpaquePathname(p);
    }
    r.pathname = p;
  }
  if (has("search")) {
    let s = get("search");
    if (s[0] === "?") s = s.slice(1);
    r.search = isPattern ? s : canonSearch(s);
  }
  if (has("hash")) {
    let s = get("hash");
    if (s[0] === "#") s = s.slice(1);
    r.hash = isPattern ? s : canonHash(s);
  }
  return r;
}

function baseURLHasOpaquePath(u) {
  // A URL without a host whose path does not start with "/" has an opaque
  // path ("sc:foo"); a hierarchical path always starts with "/".
  return !u.pathname.startsWith("/") && !u.href.startsWith(u.protocol + "//");
}

// componentResult is "create a component match result".
function componentResult(c, input, m) {
  const groups = {};
  if (c.kind === K_ANY) {
    groups[c.names[0]] = input;
  } else if (m !== null) {
    const names = c.names;
    for (let j = 1; j < m.length; j++) groups[names[j - 1]] = m[j];
  }
  return { input, groups };
}

function isIPv6Pattern(s) {
  if (s.length < 2) return false;
  return s[0] === "[" || ((s[0] === "{" || s[0] === "\\") && s[1] === "[");
}

function isDict(v) {
  return v !== null && (typeof v === "object" || typeof v === "function");
}

class URLPattern {
  #c; // components, in COMPONENTS order
  #hasGroups = false;

  constructor(input = undefined, baseURL = undefined, options = undefined) {
    if (baseURL !== undefined && typeof baseURL !== "string" && options === undefined && !(baseURL instanceof String)) {
      options = baseURL;
      baseURL = undefined;
    }
    if (options !== undefined && options !== null && typeof options !== "object") {
      throw fail("URLPattern options must be an object.");
    }
    const ignoreCase = options != null && !!options.ignoreCase;
    let init;
    if (input !== undefined && !isDict(input)) {
      init = parseConstructorString(usvString(input));
      if (baseURL === undefined && init.protocol === undefined) {
        throw fail("A relative pattern requires a baseURL.");
      }
      if (baseURL !== undefined) init.baseURL = usvString(baseURL);
    } else {
      if (baseURL !== undefined) throw fail("A baseURL is not allowed with a URLPatternInit.");
      init = input === undefined ? {} : input;
    }
    const p = processInit(init, true, undefined);
    for (const c of COMPONENTS) if (p[c] === undefined) p[c] = "*";
    if (SPECIAL_SCHEMES.includes(p.protocol)) {
      // A literal port that canonicalizes to the default port ("80", "80 "
      // for http) is the empty pattern.
      if (p.port === DEFAULT_PORTS[p.protocol]) p.port = "";
      else if (p.port !== "" && !/[:*?+{}()\\]/.test(p.port) && host.urlCanon(C_PORT, p.port, p.protocol) === "") p.port = "";
    }
    const protocol = compileComponent(p.protocol, canonProtocol, DEFAULT_OPTIONS);
    const username = compileComponent(p.username, canonUsername, DEFAULT_OPTIONS);
    const password = compileComponent(p.password, canonPassword, DEFAULT_OPTIONS);
    const hostname = isIPv6Pattern(p.hostname)
      ? compileComponent(p.hostname, canonIPv6Hostname, HOSTNAME_OPTIONS)
      : compileComponent(p.hostname, canonHostnamePattern, HOSTNAME_OPTIONS);
    const port = compileComponent(p.port, canonPort, DEFAULT_OPTIONS);
    const opts = ignoreCase ? { delimiter: "", prefix: "", ignoreCase: true } : DEFAULT_OPTIONS;
    const pathname = matchesSpecialScheme(protocol)
      ? compileComponent(p.pathname, canonPathname, ignoreCase ? { delimiter: "/", prefix: "/", ignoreCase: true } : PATHNAME_OPTIONS)
      : compileComponent(p.pathname, canonOpaquePathname, opts);
    const search = compileComponent(p.search, canonSearch, opts);
    const hash = compileComponent(p.hash, canonHash, opts);
    this.#c = [protocol, username, password, hostname, port, pathname, search, hash];
    for (const c of this.#c) if (c.hasGroups) this.#hasGroups = true;
  }

  // #match is "match": it returns the URLPatternResult or null; with
  // wantResult false it returns true instead of a result.
  #match(input, baseURL, wantResult) {
    let values;
    let b;
    if (isDict(input)) {
      if (baseURL !== undefined) throw fail("A baseURL is not allowed with a URLPatternInit.");
      let r;
      try {
        r = processInit(input, false, "");
      } catch {
        return null;
      }
      values = [r.protocol, r.username, r.password, r.hostname, r.port, r.pathname, r.search, r.hash];
    } else {
      const s = usvString(input);
      let url;
      if (baseURL !== undefined) {
        b = usvString(baseURL);
        url = parseURLOrNull(s, b);
      } else {
        url = parseURLOrNull(s);
      }
      if (url === null) return null;
      values = [url.protocol.slice(0, -1), url.username, url.password, url.hostname, url.port,
        url.pathname, url.search.slice(1), url.hash.slice(1)];
    }
    const comps = this.#c;
    const execs = wantResult ? [null, null, null, null, null, null, null, null] : null;
    for (let i = 0; i < 8; i++) {
      const c = comps[i], v = values[i];
      switch (c.kind) {
        case K_ANY: break;
        case K_EMPTY: if (v !== "") return null; break;
        case K_EXACT: if (v !== c.exact) return null; break;
        default: {
          const m = c.regexp.exec(v);
          if (m === null) return null;
          if (wantResult) execs[i] = m;
        }
      }
    }
    if (!wantResult) return true;
    return {
      inputs: b === undefined ? [input] : [input, b],
      protocol: componentResult(comps[0], values[0], execs[0]),
      username: componentResult(comps[1], values[1], execs[1]),
      password: componentResult(comps[2], values[2], execs[2]),
      hostname: componentResult(comps[3], values[3], execs[3]),
      port: componentResult(comps[4], values[4], execs[4]),
      pathname: componentResult(comps[5], values[5], execs[5]),
      search: componentResult(comps[6], values[6], execs[6]),
      hash: componentResult(comps[7], values[7], execs[7]),
    };
  }

  test(input = undefined, baseURL = undefined) {
    return this.#match(input === undefined ? {} : input, baseURL, false) !== null;
  }

  exec(input = undefined, baseURL = undefined) {
    return this.#match(input === undefined ? {} : input, baseURL, true);
  }

  get protocol() { return this.#c[0].pattern; }
  get username() { return this.#c[1].pattern; }
  get password() { return this.#c[2].pattern; }
  get hostname() { return this.#c[3].pattern; }
  get port() { return this.#c[4].pattern; }
  get pathname() { return this.#c[5].pattern; }
  get search() { return this.#c[6].pattern; }
  get hash() { return this.#c[7].pattern; }
  get hasRegExpGroups() { return this.#hasGroups; }
}

for (const k of Object.getOwnPropertyNames(URLPattern.prototype)) {
  if (k !== "constructor") Object.defineProperty(URLPattern.prototype, k, { enumerable: true });
}
Object.defineProperty(URLPattern.prototype, Symbol.toStringTag, { value: "URLPattern", configurable: true });

defineGlobal("URLPattern", URLPattern);

export { URLPattern };
