// console.js: the console object, formatting its arguments the way
// workerd's dev log shows them (Node's util.inspect style and printf-like
// format strings), and handing each line to host.log(level, text).
//
// Exports inspect(value, options) and format(...args) for other modules.
import { host, defineGlobal } from "./host.js";

const CUSTOM = Symbol.for("nodejs.util.inspect.custom");

/**
 * INSPECT_INTERNALS names an optional method of platform objects that
 * returns an object of internal state for console output, shown as
 * "[key]: value" after the getters (workerd shows e.g. ReadableStream's
 * [state] and Headers' [immutable] this way).
 */
export const INSPECT_INTERNALS = Symbol.for("zerostack.inspect.internals");
const hasOwn = Object.prototype.hasOwnProperty;
const objToString = Object.prototype.toString;
const getProto = Object.getPrototypeOf;
const typedArrayTag = Object.getOwnPropertyDescriptor(getProto(Uint8Array.prototype), Symbol.toStringTag).get;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_ARRAY = 100;
const MAX_STRING = 10000;

// ---------------------------------------------------------------- strings

const ESC = [];
for (let i = 0; i < 0x20; i++) ESC[i] = "\\x" + i.toString(16).toUpperCase().padStart(2, "0");
ESC[8] = "\\b"; ESC[9] = "\\t"; ESC[10] = "\\n"; ESC[12] = "\\f"; ESC[13] = "\\r";
ESC[0x27] = "\\'"; ESC[0x5c] = "\\\\"; ESC[0x7f] = "\\x7F";
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\x00-\x1f\x27\x5c\x7f]/;

// quote renders a string the way util.inspect does: single quotes unless the
// string contains them (then double quotes, then backticks).
function quote(s) {
  let q = 0x27;
  if (s.includes("'")) {
    if (!s.includes('"')) q = 0x22;
    else if (!s.includes("`") && !s.includes("${")) q = 0x60;
  }
  let extra = "";
  if (s.length > MAX_STRING) {
    extra = `... ${s.length - MAX_STRING} more character${s.length - MAX_STRING > 1 ? "s" : ""}`;
    s = s.slice(0, MAX_STRING);
  }
  const qs = String.fromCharCode(q);
  if (q === 0x27 ? NEEDS_ESCAPE.test(s) : /[\x00-\x1f\x5c\x7f]/.test(s) || s.includes(qs)) {
    let out = "";
    let last = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x5c || c === 0x7f || c === q) {
        out += s.slice(last, i) + (c === q ? "\\" + qs : ESC[c]);
        last = i + 1;
      }
    }
    s = out + s.slice(last);
  }
  return qs + s + qs + extra;
}

function formatNumber(n) {
  return Object.is(n, -0) ? "-0" : `${n}`;
}

function formatPrimitive(v) {
  switch (typeof v) {
    case "string": return quote(v);
    case "number": return formatNumber(v);
    case "bigint": return `${v}n`;
    case "boolean": return `${v}`;
    case "undefined": return "undefined";
    case "symbol": return v.toString();
  }
  return String(v);
}

function keyName(k) {
  if (typeof k === "symbol") return `[${k.toString()}]`;
  return IDENT.test(k) ? k : quote(k);
}

// ---------------------------------------------------------------- inspect

/**
 * inspect formats value as Node's util.inspect does (depth 2, breakLength
 * 128, compact 3, no colors). Options: depth (number, or Infinity/null for
 * no limit), showHidden, breakLength, customInspect (default true).
 */
export function inspect(value, options = undefined) {
  const ctx = {
    depth: 2,
    showHidden: false,
    breakLength: 128,
    customInspect: true,
    seen: [],
    circular: null,
    indent: 0,
    currentDepth: 0,
  };
  if (options !== undefined && options !== null && typeof options === "object") {
    if (options.depth !== undefined) ctx.depth = options.depth === null ? Infinity : options.depth;
    if (options.showHidden !== undefined) ctx.showHidden = !!options.showHidden;
    if (options.breakLength !== undefined) ctx.breakLength = options.breakLength;
    if (options.customInspect !== undefined) ctx.customInspect = !!options.customInspect;
  }
  return formatValue(ctx, value, 0);
}

function formatValue(ctx, v, depth) {
  if (v === null) return "null";
  if (typeof v !== "object" && typeof v !== "function") return formatPrimitive(v);
  const seen = ctx.seen.length, indent = ctx.indent;
  try {
    return formatObject(ctx, v, depth);
  } catch (e) {
    // A revoked proxy, a throwing getter or inspect hook: the dev log must
    // not fail the request, so show the failure instead.
    ctx.seen.length = seen;
    ctx.indent = indent;
    let why;
    try { why = e instanceof Error ? `${e.name}: ${e.message}` : String(e); } catch { why = "unknown error"; }
    return `[Uninspectable: ${why}]`;
  }
}

function formatObject(ctx, v, depth) {
  if (ctx.customInspect) {
    const custom = v[CUSTOM];
    if (typeof custom === "function" && custom !== inspect) {
      const opts = { depth: ctx.depth, showHidden: ctx.showHidden, breakLength: ctx.breakLength, customInspect: true };
      const r = custom.call(v, ctx.depth - depth, opts, inspect);
      if (r !== v) {
        if (typeof r !== "string") return formatValue(ctx, r, depth);
        return r.replaceAll("\n", "\n" + " ".repeat(ctx.indent));
      }
    }
  }

  if (ctx.seen.includes(v)) {
    ctx.circular ??= new Map();
    let id = ctx.circular.get(v);
    if (id === undefined) {
      id = ctx.circular.size + 1;
      ctx.circular.set(v, id);
    }
    return `[Circular *${id}]`;
  }
  return formatRaw(ctx, v, depth);
}

// ctorName is the name of the nearest constructor on v's prototype chain,
// or null for objects without a prototype.
function ctorName(v) {
  for (let p = v; p !== null; p = getProto(p)) {
    const d = Object.getOwnPropertyDescriptor(p, "constructor");
    if (d !== undefined && typeof d.value === "function" && d.value.name !== "") return d.value.name;
  }
  return null;
}

function ownKeys(ctx, v, filterIndices) {
  let keys;
  if (ctx.showHidden) {
    keys = Object.getOwnPropertyNames(v);
  } else {
    keys = Object.keys(v);
  }
  if (filterIndices) keys = keys.filter((k) => !isIndex(k));
  const syms = Object.getOwnPropertySymbols(v);
  for (const s of syms) {
    if (ctx.showHidden || Object.prototype.propertyIsEnumerable.call(v, s)) keys.push(s);
  }
  return keys;
}

function isIndex(k) {
  const n = +k;
  return n >= 0 && n < 4294967295 && `${n >>> 0}` === k;
}

function prefix(ctor, tag, fallback, size = "") {
  if (ctor === null) {
    return tag !== "" && fallback !== tag ? `[${fallback}${size}: null prototype] [${tag}] ` : `[${fallback}${size}: null prototype] `;
  }
  if (tag !== "" && ctor !== tag) return `${ctor}${size} [${tag}] `;
  return `${ctor}${size} `;
}

function functionBase(v, ctor, tag) {
  let src = "";
  try { src = Function.prototype.toString.call(v); } catch { /* native */ }
  if (src.startsWith("class") && /^class\s*[{\s\w$]/.test(src)) {
    let s = `[class ${v.name || "(anonymous)"}`;
    const sup = getProto(v);
    if (sup !== Function.prototype && sup !== null && sup.name) s += ` extends ${sup.name}`;
    return s + "]";
  }
  let type = "Function";
  const t = objToString.call(v).slice(8, -1);
  if (t === "AsyncFunction" || t === "GeneratorFunction" || t === "AsyncGeneratorFunction") type = t;
  let s = `[${type}`;
  if (ctor === null) s += " (null prototype)";
  s += v.name === "" ? " (anonymous)" : `: ${v.name}`;
  s += "]";
  if (ctor !== type && ctor !== null && ctor !== "Function") s += ` ${ctor}`;
  if (tag !== "" && ctor !== tag && tag !== type) s += ` [${tag}]`;
  return s;
}

function errorBase(ctx, err) {
  let stack;
  try { stack = err.stack; } catch { /* none */ }
  let name, message;
  try { name = err.name; message = err.message; } catch { /* none */ }
  if (typeof stack !== "string" || stack === "") {
    const head = message ? `${name ?? "Error"}: ${message}` : `${name ?? "Error"}`;
    return `[${head}]`;
  }
  if (ctx.indent !== 0) stack = stack.replaceAll("\n", "\n" + " ".repeat(ctx.indent));
  return stack;
}

function formatRaw(ctx, v, depth) {
  const ctor = ctorName(v);
  let rawTag = "";
  try {
    const t = v[Symbol.toStringTag];
    if (typeof t === "string") rawTag = t;
  } catch { /* ignore */ }
  const tag = rawTag === ctor ? "" : rawTag;

  let keys;
  let base = "";
  let braces;
  let formatter = null; // (ctx, v, depth) => string[]
  let kind = 0; // 0 object, 1 array-like (grouping applies)
  let noEntries = false;

  if (Array.isArray(v)) {
    keys = ownKeys(ctx, v, true);
    const p = ctor !== "Array" || tag !== "" ? prefix(ctor, tag, "Array", `(${v.length})`) : "";
    braces = [`${p}[`, "]"];
    if (v.length === 0 && keys.length === 0) return `${braces[0]}]`;
    kind = 1;
    formatter = formatArray;
  } else if (typeof v === "function") {
    keys = ownKeys(ctx, v, false);
    if (ctx.showHidden) keys = keys.filter((k) => k !== "length" && k !== "name" && k !== "prototype" && k !== "arguments" && k !== "caller");
    base = functionBase(v, ctor, tag);
    if (keys.length === 0) return base;
    braces = ["{", "}"];
  } else if (ArrayBuffer.isView(v) && typedArrayTag.call(v) !== undefined) {
    keys = ownKeys(ctx, v, true);
    const name = typedArrayTag.call(v);
    const p = prefix(ctor, tag === name ? "" : tag, name, `(${v.length})`);
    braces = [`${p}[`, "]"];
    if (v.length === 0 && keys.length === 0) return `${braces[0]}]`;
    kind = 1;
    formatter = formatTypedArray;
  } else {
    const t = objToString.call(v);
    keys = ownKeys(ctx, v, false);
    if (t === "[object Map]" && isMap(v)) {
      braces = [`${prefix(ctor, tag, "Map", `(${v.size})`)}{`, "}"];
      if (v.size === 0 && keys.length === 0) return `${braces[0]}}`;
      formatter = formatMap;
    } else if (t === "[object Set]" && isSet(v)) {
      braces = [`${prefix(ctor, tag, "Set", `(${v.size})`)}{`, "}"];
      if (v.size === 0 && keys.length === 0) return `${braces[0]}}`;
      formatter = formatSet;
    } else {
      braces = ["{", "}"];
      if (t === "[object Error]" || v instanceof Error) {
        base = errorBase(ctx, v);
        const cause = Object.getOwnPropertyDescriptor(v, "cause");
        if (cause !== undefined && !cause.enumerable) keys.push(CAUSE);
        keys = keys.filter((k) => k !== "stack" && k !== "message");
        if (keys.length === 0) return base;
      } else if (t === "[object Date]" && isDate(v)) {
        base = Number.isNaN(Date.prototype.getTime.call(v)) ? "Invalid Date" : Date.prototype.toISOString.call(v);
        if (ctor !== "Date" && ctor !== null) base = `${ctor} ${base}`;
        if (keys.length === 0) return base;
      } else if (t === "[object RegExp]" && isRegExp(v)) {
        base = RegExp.prototype.toString.call(v);
        if (keys.length === 0) return base;
      } else if (isBoxed(t, v)) {
        const prim = v.valueOf();
        const type = t.slice(8, -1);
        base = `[${type}${ctor !== type ? ` (${ctor})` : ""}: ${formatPrimitive(prim)}]`;
        if (type === "String") keys = keys.filter((k) => !isIndex(k) && k !== "length");
        if (keys.length === 0) return base;
      } else if (t === "[object ArrayBuffer]" || t === "[object SharedArrayBuffer]") {
        braces[0] = `${prefix(ctor, tag, t.slice(8, -1))}{`;
        formatter = formatArrayBuffer;
      } else if (t === "[object DataView]") {
        braces[0] = `${prefix(ctor, tag, "DataView")}{`;
        formatter = formatDataView;
      } else if (t === "[object Promise]") {
        braces[0] = `${prefix(ctor, tag, "Promise")}{`;
        if (keys.length === 0) return `${braces[0]}}`;
      } else if (t === "[object WeakMap]" || t === "[object WeakSet]") {
        return `${prefix(ctor, tag, t.slice(8, -1))}{ <items unknown> }`;
      } else if (t === "[object Module]") {
        braces[0] = "[Module: null prototype] {";
      } else {
        if (ctor === null) braces[0] = `${prefix(null, tag, "Object")}{`;
        else if (ctor !== "Object" || tag !== "") braces[0] = `${prefix(ctor, tag, "Object")}{`;
        if (rawTag !== "" && ctor !== null && ctor !== "Object" && !hasOwn.call(v, Symbol.toStringTag)) {
          // A platform object (Request, Headers, Blob, ...): show what
          // workerd's inspect shows: its entries when it has entries()
          // (FormData(3) { 'k' => v }), then the values of its prototype
          // getters and constants, then internals from INSPECT_INTERNALS.
          let pairs = null;
          if (typeof v.entries === "function" && typeof v[Symbol.iterator] === "function") {
            try { pairs = [...v.entries()]; } catch { pairs = null; }
          }
          if (pairs !== null) braces[0] = `${ctor}(${pairs.length}) {`;
          formatter = (c, o, d) => formatPlatform(c, o, d, pairs);
        } else if (keys.length === 0) {
          return `${braces[0]}}`;
        }
      }
    }
  }

  if (depth > ctx.depth) {
    if (Array.isArray(v)) return "[Array]";
    return `[${ctor === null ? "Object: null prototype" : ctor || tag || "Object"}]`;
  }

  ctx.seen.push(v);
  ctx.currentDepth = depth;
  let output;
  try {
    output = formatter === null ? [] : formatter(ctx, v, depth);
    for (const k of keys) output.push(formatProperty(ctx, v, depth, k, kind));
  } finally {
    ctx.seen.pop();
  }
  if (output.length === 0) return `${braces[0]}}`;

  let res = reduce(ctx, output, base, braces, kind, depth);
  const ref = ctx.circular?.get(v);
  if (ref !== undefined) res = `<ref *${ref}> ${res}`;
  return res;
}

const CAUSE = Symbol("cause");

function isMap(v) { try { Map.prototype.has.call(v, undefined); return true; } catch { return false; } }
function isSet(v) { try { Set.prototype.has.call(v, undefined); return true; } catch { return false; } }
function isDate(v) { try { Date.prototype.getTime.call(v); return true; } catch { return false; } }
function isRegExp(v) {
  try { Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get.call(v); return true; } catch { return false; }
}
function isBoxed(t, v) {
  const P = { "[object Number]": Number, "[object String]": String, "[object Boolean]": Boolean, "[object BigInt]": BigInt, "[object Symbol]": Symbol }[t];
  if (P === undefined) return false;
  try { P.prototype.valueOf.call(v); return true; } catch { return false; }
}

function formatProperty(ctx, v, depth, key, kind) {
  let name, str;
  if (key === CAUSE) {
    name = "[cause]";
    ctx.indent += 2;
    str = formatValue(ctx, v.cause, depth + 1);
    ctx.indent -= 2;
    return `${name}: ${str}`;
  }
  const d = Object.getOwnPropertyDescriptor(v, key);
  if (d === undefined) {
    str = formatValue(ctx, v[key], depth + 1);
  } else if ("value" in d) {
    ctx.indent += 2;
    str = formatValue(ctx, d.value, depth + 1);
    ctx.indent -= 2;
  } else if (d.get !== undefined) {
    str = d.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  } else {
    str = d.set !== undefined ? "[Setter]" : "undefined";
  }
  name = keyName(key);
  if (d !== undefined && !d.enumerable) name = `[${name}]`;
  return `${name}: ${str}`;
}

function formatArray(ctx, v, depth) {
  const n = v.length;
  if (n > 100000) return formatSparseArray(ctx, v, depth);
  const out = [];
  const limit = Math.min(n, MAX_ARRAY);
  let holes = 0;
  let i = 0;
  for (; i < n && out.length < limit; i++) {
    if (!hasOwn.call(v, i)) {
      holes++;
      continue;
    }
    if (holes > 0) {
      out.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      holes = 0;
      if (out.length >= limit) break;
    }
    ctx.indent += 2;
    out.push(formatValue(ctx, v[i], depth + 1));
    ctx.indent -= 2;
  }
  if (holes > 0) out.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
  const rest = n - i;
  if (rest > 0) out.push(`... ${rest} more item${rest > 1 ? "s" : ""}`);
  return out;
}

// formatSparseArray is formatArray for huge arrays: it walks the indices
// that exist instead of every position.
function formatSparseArray(ctx, v, depth) {
  const out = [];
  let next = 0;
  let shown = 0;
  const holes = (k) => `<${k} empty item${k > 1 ? "s" : ""}>`;
  for (const k of Object.keys(v)) {
    if (!isIndex(k)) continue;
    const i = +k;
    if (out.length >= MAX_ARRAY) break;
    if (i > next) out.push(holes(i - next));
    if (out.length >= MAX_ARRAY) break;
    ctx.indent += 2;
    out.push(formatValue(ctx, v[i], depth + 1));
    ctx.indent -= 2;
    shown = i + 1;
    next = i + 1;
  }
  if (out.length < MAX_ARRAY && next < v.length) {
    out.push(holes(v.length - next));
    next = v.length;
  }
  const rest = v.length - Math.max(shown, next);
  if (rest > 0) out.push(`... ${rest} more item${rest > 1 ? "s" : ""}`);
  return out;
}

function formatTypedArray(ctx, v, depth) {
  const n = v.length;
  const limit = Math.min(n, MAX_ARRAY);
  const out = new Array(limit);
  for (let i = 0; i < limit; i++) out[i] = formatPrimitive(v[i]);
  if (n > limit) out.push(`... ${n - limit} more item${n - limit > 1 ? "s" : ""}`);
  if (ctx.showHidden) {
    out.push(`[BYTES_PER_ELEMENT]: ${v.BYTES_PER_ELEMENT}`, `[length]: ${v.length}`, `[byteLength]: ${v.byteLength}`,
      `[byteOffset]: ${v.byteOffset}`, `[buffer]: ${formatValue(ctx, v.buffer, depth + 1)}`);
  }
  return out;
}

function formatMap(ctx, v, depth) {
  const out = [];
  ctx.indent += 2;
  for (const [k, x] of Map.prototype.entries.call(v)) {
    out.push(`${formatValue(ctx, k, depth + 1)} => ${formatValue(ctx, x, depth + 1)}`);
  }
  ctx.indent -= 2;
  return out;
}

function formatSet(ctx, v, depth) {
  const out = [];
  ctx.indent += 2;
  for (const x of Set.prototype.values.call(v)) out.push(formatValue(ctx, x, depth + 1));
  ctx.indent -= 2;
  return out;
}

function formatArrayBuffer(ctx, v) {
  let u8;
  try { u8 = new Uint8Array(v); } catch { return ["[Uint8Contents]: <detached>", "byteLength: 0"]; }
  const n = Math.min(u8.length, 50);
  let hex = "";
  for (let i = 0; i < n; i++) hex += (i ? " " : "") + u8[i].toString(16).padStart(2, "0");
  if (u8.length > n) hex += ` ... ${u8.length - n} more byte${u8.length - n > 1 ? "s" : ""}`;
  return [`[Uint8Contents]: <${hex}>`, `byteLength: ${u8.length}`];
}

function formatDataView(ctx, v, depth) {
  ctx.indent += 2;
  const buf = formatValue(ctx, v.buffer, depth + 1);
  ctx.indent -= 2;
  return [`byteLength: ${v.byteLength}`, `byteOffset: ${v.byteOffset}`, `buffer: ${buf}`];
}

function formatPlatform(ctx, v, depth, pairs) {
  const out = [];
  ctx.indent += 2;
  if (pairs !== null) {
    for (const [k, x] of pairs) out.push(`${formatValue(ctx, k, depth + 1)} => ${formatValue(ctx, x, depth + 1)}`);
  }
  const seen = new Set();
  for (let p = getProto(v); p !== null && p !== Object.prototype; p = getProto(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (seen.has(k) || k === "constructor") continue;
      seen.add(k);
      const d = Object.getOwnPropertyDescriptor(p, k);
      let x;
      if (d.get !== undefined) {
        try { x = d.get.call(v); } catch { continue; }
      } else if ("value" in d && typeof d.value !== "function") {
        x = d.value;
      } else {
        continue;
      }
      if (typeof x === "function") continue;
      out.push(`${keyName(k)}: ${formatValue(ctx, x, depth + 1)}`);
    }
  }
  const hook = v[INSPECT_INTERNALS];
  if (typeof hook === "function") {
    const internals = hook.call(v);
    if (internals !== null && typeof internals === "object") {
      for (const k of Object.keys(internals)) out.push(`[${k}]: ${formatValue(ctx, internals[k], depth + 1)}`);
    }
  }
  ctx.indent -= 2;
  return out;
}

// group lays out many short array entries in aligned columns (numbers to
// the right), as util.inspect does for arrays of more than six entries.
const NUMERIC = /^(-?\d[\d.e+-]*n?|NaN|-?Infinity)$/;

function group(ctx, output) {
  let total = 0, max = 0;
  let n = output.length;
  const more = n > 0 && output[n - 1].startsWith("... ") && output[n - 1].includes(" more item");
  if (more) n--;
  const lens = new Array(n);
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const o = output[i];
    if (o.includes("\n")) return output;
    if (numeric && !NUMERIC.test(o)) numeric = false;
    const len = o.length;
    lens[i] = len;
    total += len + 2;
    if (len > max) max = len;
  }
  const cell = max + 2;
  if (cell * 3 + ctx.indent >= ctx.breakLength || !(total / cell > 5 || max <= 6)) return output;
  const bias = Math.sqrt(cell - total / output.length);
  const biased = Math.max(cell - 3 - bias, 1);
  const cols = Math.min(
    Math.round(Math.sqrt(2.5 * biased * n) / biased),
    Math.floor((ctx.breakLength - ctx.indent) / cell),
    12,
    15,
  );
  if (cols <= 1) return output;
  const widths = [];
  for (let c = 0; c < cols; c++) {
    let w = 0;
    for (let j = c; j < n; j += cols) if (lens[j] > w) w = lens[j];
    widths.push(w + 2);
  }
  const rows = [];
  for (let i = 0; i < n; i += cols) {
    const end = Math.min(i + cols, n);
    let line = "";
    for (let j = i; j < end; j++) {
      const cellText = j < end - 1 ? `${output[j]}, ` : output[j];
      const w = j < end - 1 ? widths[j - i] : widths[j - i] - 2;
      line += numeric ? cellText.padStart(w) : j < end - 1 ? cellText.padEnd(w) : cellText;
    }
    rows.push(line);
  }
  if (more) rows.push(output[n]);
  return rows;
}

function reduce(ctx, output, base, braces, kind, depth) {
  const entries = output.length;
  if (kind === 1 && entries > 6) output = group(ctx, output);
  if (ctx.currentDepth - depth < 3 && entries === output.length) {
    const start = output.length + ctx.indent + braces[0].length + base.length + 10;
    let total = start;
    for (const o of output) total += o.length;
    if (total + output.length <= ctx.breakLength && !base.includes("\n")) {
      const joined = output.join(", ");
      if (!joined.includes("\n")) return `${base ? `${base} ` : ""}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const ind = "\n" + " ".repeat(ctx.indent);
  return `${base ? `${base} ` : ""}${braces[0]}${ind}  ${output.join(`,${ind}  `)}${ind}${braces[1]}`;
}

// ---------------------------------------------------------------- format

function hasUserToString(v) {
  for (let p = v; p !== null; p = getProto(p)) {
    if (p === Object.prototype || p === Array.prototype || p === Error.prototype) return false;
    if (hasOwn.call(p, "toString")) return true;
  }
  return false;
}

function jsonOf(v) {
  try {
    return JSON.stringify(v);
  } catch (e) {
    if (e instanceof TypeError && /circular/i.test(e.message)) return "[Circular]";
    throw e;
  }
}

/**
 * format formats console arguments: a leading string may hold %s %d %i %f
 * %j %o %O %c (and %% for a percent sign); every remaining argument is
 * appended after a space, strings as they are and other values inspected.
 */
export function format(...args) {
  return formatArgs(args);
}

function formatArgs(args) {
  const n = args.length;
  if (n === 0) return "";
  const first = args[0];
  let out = "";
  let a = 0;
  if (typeof first === "string") {
    if (n === 1) return first;
    a = 1;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue;
      const c = first[i + 1];
      if (c === "%") {
        out += first.slice(last, i);
        last = i + 1;
        i++;
        continue;
      }
      if (a >= n) continue;
      let s;
      const v = args[a];
      switch (c) {
        case "s":
          if (typeof v === "string") s = v;
          else if (typeof v === "bigint") s = `${v}n`;
          else if (typeof v === "number") s = formatNumber(v);
          else if (typeof v === "symbol") s = v.toString();
          else if (v !== null && typeof v === "object" && !hasUserToString(v) && !(v instanceof Error)) s = inspect(v, { depth: 0 });
          else s = String(v);
          break;
        case "d":
          s = typeof v === "bigint" ? `${v}n` : typeof v === "symbol" ? "NaN" : formatNumber(Number(v));
          break;
        case "i":
          s = typeof v === "bigint" ? `${v}n` : typeof v === "symbol" ? "NaN" : formatNumber(parseInt(v));
          break;
        case "f":
          s = typeof v === "symbol" ? "NaN" : formatNumber(parseFloat(v));
          break;
        case "j":
          s = jsonOf(v);
          break;
        case "o":
          s = inspect(v, { showHidden: true, depth: 4 });
          break;
        case "O":
          s = inspect(v);
          break;
        case "c":
          s = "";
          break;
        default:
          continue;
      }
      out += first.slice(last, i) + s;
      last = i + 2;
      i++;
      a++;
    }
    out += first.slice(last);
  } else {
    out = inspect(first);
    a = 1;
  }
  for (; a < n; a++) {
    const v = args[a];
    out += " " + (typeof v === "string" ? v : inspect(v));
  }
  return out;
}

// ---------------------------------------------------------------- console

let indent = "";

function emit(level, text) {
  if (indent !== "") text = indent + text.replaceAll("\n", "\n" + indent);
  host.log(level, text);
}

// logger makes a console method for level. A single string argument goes
// straight to the host, without formatting or allocation.
function logger(level) {
  return function (first) {
    if (arguments.length === 1 && typeof first === "string" && indent === "") {
      host.log(level, first);
      return;
    }
    emit(level, formatArgs(Array.prototype.slice.call(arguments)));
  };
}

const counts = new Map();
const timers = new Map();

function now() {
  const p = globalThis.performance;
  return p !== undefined && typeof p.now === "function" ? p.now() : Date.now();
}

function formatDuration(ms) {
  if (ms >= 60000) {
    const m = Math.floor(ms / 60000);
    const s = (ms - m * 60000) / 1000;
    return `${m}:${s.toFixed(3).padStart(6, "0")} (m:ss.mmm)`;
  }
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)}s`;
  return `${ms.toFixed(3)}ms`;
}

function tableCell(v) {
  if (typeof v === "string") return quote(v);
  return inspect(v, { depth: v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 2 ? -1 : 0, breakLength: Infinity });
}

// renderTable draws a box table with the given header and rows of cells.
function renderTable(head, rows) {
  const widths = head.map((h) => h.length + 2);
  for (const r of rows) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i], (r[i] ?? "").length + 2);
  const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const row = (cells) => "│" + widths.map((w, i) => ` ${(cells[i] ?? "").padEnd(w - 2)} `).join("│") + "│";
  const out = [line("┌", "┬", "┐"), row(head), line("├", "┼", "┤")];
  for (const r of rows) out.push(row(r));
  out.push(line("└", "┴", "┘"));
  return out.join("\n");
}

function table(data, properties = undefined) {
  if (data === null || typeof data !== "object") {
    emit("log", formatArgs([data]));
    return;
  }
  const isMapData = data instanceof Map;
  const indexHead = isMapData ? "(iteration index)" : "(index)";
  const entries = [];
  if (isMapData) {
    let i = 0;
    for (const [k, v] of data) entries.push([String(i++), v, k]);
  } else if (data instanceof Set) {
    let i = 0;
    for (const v of data) entries.push([String(i++), v]);
  } else {
    for (const k of Object.keys(data)) entries.push([k, data[k]]);
  }
  const cols = [];
  const colSet = new Set();
  let hasValues = false;
  for (const [, v] of entries) {
    if (v !== null && typeof v === "object") {
      for (const k of properties ?? Object.keys(v)) {
        if (!colSet.has(k)) { colSet.add(k); cols.push(k); }
      }
    } else if (typeof v !== "function") {
      hasValues = true;
    }
  }
  const head = [indexHead];
  if (isMapData) head.push("Key");
  head.push(...cols);
  if (hasValues || isMapData && cols.length === 0) head.push("Values");
  const rows = [];
  for (const e of entries) {
    const [k, v] = e;
    const r = [k];
    if (isMapData) r.push(tableCell(e[2]));
    const isObj = v !== null && typeof v === "object";
    for (const c of cols) r.push(isObj && hasOwn.call(v, c) ? tableCell(v[c]) : "");
    if (head[head.length - 1] === "Values") r.push(isObj ? "" : tableCell(v));
    rows.push(r);
  }
  emit("log", renderTable(head, rows));
}

const console = {
  log: logger("log"),
  info: logger("info"),
  debug: logger("debug"),
  warn: logger("warn"),
  error: logger("error"),
  dirxml: logger("log"),
  trace(...args) {
    const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
    emit("debug", `Trace${args.length ? ": " + formatArgs(args) : ""}${stack ? "\n" + stack : ""}`);
  },
  dir(obj, options = undefined) {
    emit("log", inspect(obj, { customInspect: false, ...(options ?? {}) }));
  },
  table,
  assert(condition, ...args) {
    if (condition) return;
    if (args.length === 0) args = ["Assertion failed"];
    else if (typeof args[0] === "string") args[0] = `Assertion failed: ${args[0]}`;
    else args.unshift("Assertion failed");
    emit("error", formatArgs(args));
  },
  count(label = "default") {
    label = `${label}`;
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    emit("log", `${label}: ${n}`);
  },
  countReset(label = "default") {
    label = `${label}`;
    if (!counts.delete(label)) emit("warn", `Count for '${label}' does not exist`);
  },
  time(label = "default") {
    label = `${label}`;
    if (timers.has(label)) {
      emit("warn", `Warning: Label '${label}' already exists for console.time()`);
      return;
    }
    timers.set(label, now());
  },
  timeEnd(label = "default") {
    label = `${label}`;
    const t = timers.get(label);
    if (t === undefined) {
      emit("warn", `Warning: No such label '${label}' for console.timeEnd()`);
      return;
    }
    timers.delete(label);
    emit("log", `${label}: ${formatDuration(now() - t)}`);
  },
  timeLog(label = "default", ...data) {
    label = `${label}`;
    const t = timers.get(label);
    if (t === undefined) {
      emit("warn", `Warning: No such label '${label}' for console.timeLog()`);
      return;
    }
    emit("log", `${label}: ${formatDuration(now() - t)}${data.length ? " " + formatArgs(data) : ""}`);
  },
  group(...label) {
    if (label.length) emit("log", formatArgs(label));
    indent += "  ";
  },
  groupCollapsed(...label) {
    if (label.length) emit("log", formatArgs(label));
    indent += "  ";
  },
  groupEnd() {
    indent = indent.slice(0, -2);
  },
  clear() {},
  profile() {},
  profileEnd() {},
  timeStamp() {},
  // V8's console.context(name) makes a console for a named context; the
  // dev log has one context, so it returns this console.
  context() {
    return console;
  },
};
Object.defineProperty(console, Symbol.toStringTag, { value: "console", configurable: true });

defineGlobal("console", console);
