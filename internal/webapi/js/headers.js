// headers.js: Headers as workerd implements it. Names are stored lowercased,
// iteration is sorted by name and combines repeated values with ", " except
// for set-cookie, which iterates once per value (getSetCookie returns them).
//
// Headers made from the host's wire form (name\nvalue\n...) are parsed only
// when first used: most requests never look at most headers.
import { defineGlobal } from "./host.js";

const kMap = Symbol("headers.map");
const kRaw = Symbol("headers.raw");
const kGuard = Symbol("headers.guard");

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const badValueRe = /[\0\r\n]/;

function normalizeName(name) {
  name = String(name);
  if (!tokenRe.test(name)) throw new TypeError("Invalid header name.");
  return name.toLowerCase();
}

function normalizeValue(value) {
  value = String(value);
  // Strip leading and trailing HTTP whitespace.
  let s = 0, e = value.length;
  while (s < e && (value.charCodeAt(s) === 32 || value.charCodeAt(s) === 9 || value.charCodeAt(s) === 10 || value.charCodeAt(s) === 13)) s++;
  while (e > s && (value.charCodeAt(e - 1) === 32 || value.charCodeAt(e - 1) === 9 || value.charCodeAt(e - 1) === 10 || value.charCodeAt(e - 1) === 13)) e--;
  if (s !== 0 || e !== value.length) value = value.slice(s, e);
  if (badValueRe.test(value)) throw new TypeError("Invalid header value.");
  return value;
}

function map(h) {
  let m = h[kMap];
  if (m === null) {
    m = h[kMap] = new Map();
    const raw = h[kRaw];
    h[kRaw] = null;
    if (raw) {
      const parts = raw.split("\n");
      for (let i = 0; i + 1 < parts.length; i += 2) {
        const name = parts[i];
        const cur = m.get(name);
        if (cur === undefined) m.set(name, [parts[i + 1]]);
        else cur.push(parts[i + 1]);
      }
    }
  }
  return m;
}

function checkMutable(h) {
  if (h[kGuard] === "immutable") throw new TypeError("Can't modify immutable headers.");
}

export class Headers {
  constructor(init = undefined) {
    this[kMap] = new Map();
    this[kRaw] = null;
    this[kGuard] = "none";
    if (init === undefined || init === null) return;
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    }
    if (init instanceof Headers) {
      const m = this[kMap];
      for (const [k, v] of map(init)) m.set(k, v.slice());
      return;
    }
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const p = typeof pair === "string" ? null : Array.from(pair);
        if (p === null || p.length !== 2) {
          throw new TypeError("Failed to construct 'Headers': Header pair must contain exactly two items.");
        }
        this.append(p[0], p[1]);
      }
      return;
    }
    for (const k of Object.keys(init)) this.append(k, init[k]);
  }

  append(name, value) {
    checkMutable(this);
    name = normalizeName(name);
    value = normalizeValue(value);
    const m = map(this);
    const cur = m.get(name);
    if (cur === undefined) m.set(name, [value]);
    else cur.push(value);
  }

  delete(name) {
    checkMutable(this);
    map(this).delete(normalizeName(name));
  }

  get(name) {
    const v = map(this).get(normalizeName(name));
    if (v === undefined) return null;
    return v.length === 1 ? v[0] : v.join(", ");
  }

  getAll(name) {
    // Cloudflare's non-standard getAll, only for Set-Cookie.
    name = normalizeName(name);
    if (name !== "set-cookie") throw new TypeError("getAll() can only be used with the header name \"Set-Cookie\".");
    return this.getSetCookie();
  }

  getSetCookie() {
    const v = map(this).get("set-cookie");
    return v === undefined ? [] : v.slice();
  }

  has(name) {
    return map(this).has(normalizeName(name));
  }

  set(name, value) {
    checkMutable(this);
    name = normalizeName(name);
    value = normalizeValue(value);
    map(this).set(name, [value]);
  }

  forEach(callback, thisArg = undefined) {
    for (const [k, v] of this) callback.call(thisArg, v, k, this);
  }

  *entries() {
    const m = map(this);
    const names = [...m.keys()].sort();
    for (const name of names) {
      const v = m.get(name);
      if (v === undefined) continue;
      if (name === "set-cookie") {
        for (const c of v) yield [name, c];
      } else {
        yield [name, v.length === 1 ? v[0] : v.join(", ")];
      }
    }
  }

  *keys() {
    for (const [k] of this.entries()) yield k;
  }

  *values() {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  get [Symbol.toStringTag]() {
    return "Headers";
  }
}

// headersFromWire makes a Headers from the host's "name\nvalue\n..." form
// (names already lowercase), parsed lazily. guard is "none" or "immutable".
export function headersFromWire(raw, guard) {
  const h = Object.create(Headers.prototype);
  h[kMap] = raw ? null : new Map();
  h[kRaw] = raw || null;
  h[kGuard] = guard;
  return h;
}

// headersToWire serialises h for the host: "name\nvalue\n...". Repeated
// values are combined with ", " as workerd sends them, except Set-Cookie,
// which gets one entry per value.
export function headersToWire(h) {
  if (h[kMap] === null) return h[kRaw];
  let out = "";
  for (const [name, vals] of h[kMap]) {
    if (vals.length === 1) out += name + "\n" + vals[0] + "\n";
    else if (name === "set-cookie") for (const v of vals) out += name + "\n" + v + "\n";
    else out += name + "\n" + vals.join(", ") + "\n";
  }
  return out;
}

// setGuard changes the guard of h ("none" or "immutable").
export function setGuard(h, guard) {
  h[kGuard] = guard;
}

// fastGet returns the value of an already-lowercased header name without
// validation.
export function fastGet(h, lname) {
  const v = map(h).get(lname);
  if (v === undefined) return null;
  return v.length === 1 ? v[0] : v.join(", ");
}

// fastSetDefault sets a lowercased header only if it is absent.
export function fastSetDefault(h, lname, value) {
  const m = map(h);
  if (!m.has(lname)) m.set(lname, [value]);
}

defineGlobal("Headers", Headers);
