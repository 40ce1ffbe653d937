// inspect.js (zerostack:node/inspect): util.inspect and util.format, after
// Node.js's documented output: strings single-quoted, objects as
// "{ a: 1 }", nested objects past depth 2 as [Object], arrays past 100
// items summarised, entries on one line while it fits in 80 columns (else
// one per line, indented by two spaces), circular references as
// [Circular *1] with <ref *1> on the target. Colors and showProxy are
// accepted and ignored. Not done: Node's grouping of arrays of more than six
// items into aligned columns (such arrays print one line, or one item per
// line).

import * as types from "node:util/types";

export const customInspect = Symbol.for("nodejs.util.inspect.custom");

const defaults = { showHidden: false, depth: 2, colors: false, customInspect: true, maxArrayLength: 100, maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false };

export function inspect(value, opts, depthArg) {
  let o = { ...defaults };
  if (typeof opts === "boolean") { o.showHidden = opts; if (depthArg !== undefined) o.depth = depthArg; }
  else if (opts && typeof opts === "object") Object.assign(o, opts);
  if (o.depth === null) o.depth = Infinity;
  const ctx = { ...o, seen: [], circular: new Map(), indent: "" };
  return formatValue(ctx, value, 0, true);
}
inspect.custom = customInspect;
inspect.defaultOptions = defaults;

const strEscapes = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v", "\\": "\\\\" };

export function quote(s) {
  let q = "'";
  if (s.includes("'")) {
    if (!s.includes('"')) q = '"';
    else if (!s.includes("`") && !s.includes("${")) q = "`";
  }
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === q || strEscapes[ch] !== undefined) out += ch === q ? "\\" + ch : strEscapes[ch];
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).toUpperCase().padStart(2, "0");
    else out += ch;
  }
  return q + out + q;
}

function formatNumber(n) { return Object.is(n, -0) ? "-0" : String(n); }

function formatPrimitive(ctx, v) {
  switch (typeof v) {
    case "string": {
      let s = v, tail = "";
      if (s.length > ctx.maxStringLength) { tail = `... ${s.length - ctx.maxStringLength} more character${s.length - ctx.maxStringLength > 1 ? "s" : ""}`; s = s.slice(0, ctx.maxStringLength); }
      return quote(s) + tail;
    }
    case "number": return formatNumber(v);
    case "bigint": return `${v}n`;
    case "boolean": return String(v);
    case "undefined": return "undefined";
    case "symbol": return v.toString();
  }
  return String(v);
}

const identRe = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
function formatKey(k) {
  if (typeof k === "symbol") return `[${k.toString()}]`;
  return identRe.test(k) ? k : quote(k);
}

function ctorName(v) {
  let p = v;
  while (p !== null && p !== undefined) {
    const d = Object.getOwnPropertyDescriptor(p, "constructor");
    if (d && typeof d.value === "function" && d.value.name !== "") return d.value.name;
    p = Object.getPrototypeOf(p);
  }
  return null;
}

function fnBase(fn) {
  const src = Function.prototype.toString.call(fn);
  if (src.startsWith("class") && /^class\b/.test(src)) {
    const ext = Object.getPrototypeOf(fn);
    return `[class ${fn.name || "(anonymous)"}${ext && ext.name ? ` extends ${ext.name}` : ""}]`;
  }
  let kind = "Function";
  if (types.isGeneratorFunction(fn)) kind = types.isAsyncFunction(fn) ? "AsyncGeneratorFunction" : "GeneratorFunction";
  else if (types.isAsyncFunction(fn)) kind = "AsyncFunction";
  return `[${kind}${fn.name ? `: ${fn.name}` : " (anonymous)"}]`;
}

function formatError(e) {
  let s = e.stack ? String(e.stack) : Error.prototype.toString.call(e);
  if (!e.stack || !s.includes(e.message)) s = `[${Error.prototype.toString.call(e)}]`;
  return s;
}

function formatValue(ctx, v, depth, top) {
  if (typeof v !== "object" && typeof v !== "function") return formatPrimitive(ctx, v);
  if (v === null) return "null";
  if (ctx.customInspect && typeof v[customInspect] === "function" && v[customInspect] !== inspect) {
    const r = v[customInspect](ctx.depth - depth, { ...ctx, stylize: (s) => s }, inspect);
    if (r !== v) return typeof r === "string" ? r : formatValue(ctx, r, depth);
  }
  if (ctx.seen.includes(v)) {
    let id = ctx.circular.get(v);
    if (id === undefined) { id = ctx.circular.size + 1; ctx.circular.set(v, id); }
    return `[Circular *${id}]`;
  }
  const out = formatRaw(ctx, v, depth);
  const id = ctx.circular.get(v);
  return id !== undefined ? `<ref *${id}> ${out}` : out;
}

function formatRaw(ctx, v, depth) {
  let keys = Object.keys(v);
  if (ctx.showHidden) keys = Object.getOwnPropertyNames(v);
  const syms = Object.getOwnPropertySymbols(v).filter((s) => ctx.showHidden || Object.prototype.propertyIsEnumerable.call(v, s));
  const name = ctorName(v);
  const nullProto = name === null;
  const tagged = v[Symbol.toStringTag];
  let prefix = nullProto ? "[Object: null prototype] " : (name !== "Object" ? `${name} ` : "");
  if (typeof tagged === "string" && tagged !== "" && tagged !== name) prefix = `${name ?? "Object"} [${tagged}] `;
  let braces = ["{", "}"], entries = [], base = "", extra = [];
  let isArrayLike = false;
  if (Array.isArray(v)) {
    isArrayLike = true;
    braces = [`${name !== "Array" ? prefix : ""}${name !== "Array" && name !== null ? `(${v.length}) ` : ""}[`, "]"];
    if (name === "Array") braces[0] = "[";
    keys = keys.filter((k) => !(String(k >>> 0) === k && (k >>> 0) < v.length));
    if (depth > ctx.depth) return "[Array]";
    if (v.length) ctx.currentDepth = depth;
    extra = formatList(ctx, v, depth);
  } else if (types.isTypedArray(v)) {
    isArrayLike = true;
    braces = [`${name}(${v.length}) [`, "]"];
    keys = keys.filter((k) => String(k >>> 0) !== k);
    if (depth > ctx.depth) return `[${name}]`;
    const n = Math.min(v.length, ctx.maxArrayLength);
    for (let i = 0; i < n; i++) extra.push(typeof v[i] === "bigint" ? `${v[i]}n` : formatNumber(v[i]));
    if (v.length > n) extra.push(`... ${v.length - n} more item${v.length - n > 1 ? "s" : ""}`);
  } else if (types.isMap(v)) {
    braces = [`${prefix.trimEnd()}(${v.size}) {`, "}"];
    if (depth > ctx.depth) return `[${name}]`;
    if (v.size) ctx.currentDepth = depth;
    ctx.seen.push(v);
    for (const [k, x] of v) extra.push(`${formatValue(ctx, k, depth + 1)} => ${formatValue(ctx, x, depth + 1)}`);
    ctx.seen.pop();
  } else if (types.isSet(v)) {
    braces = [`${prefix.trimEnd()}(${v.size}) {`, "}"];
    if (depth > ctx.depth) return `[${name}]`;
    if (v.size) ctx.currentDepth = depth;
    ctx.seen.push(v);
    for (const x of v) extra.push(formatValue(ctx, x, depth + 1));
    ctx.seen.pop();
  } else if (typeof v === "function") {
    base = fnBase(v);
    keys = keys.filter((k) => k !== "prototype");
    if (keys.length === 0 && syms.length === 0) return base;
  } else if (types.isRegExp(v)) {
    base = RegExp.prototype.toString.call(v);
    if (keys.length === 0 && syms.length === 0) return base;
  } else if (types.isDate(v)) {
    base = Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (keys.length === 0 && syms.length === 0) return base;
  } else if (types.isNativeError(v)) {
    base = formatError(v);
    keys = keys.filter((k) => k !== "stack" && k !== "message");
    if (keys.length === 0 && syms.length === 0) return base;
  } else if (types.isBoxedPrimitive(v)) {
    const p = v.valueOf();
    const t = typeof p === "string" ? "String" : typeof p === "number" ? "Number" : typeof p === "boolean" ? "Boolean" : typeof p === "bigint" ? "BigInt" : "Symbol";
    base = `[${t}: ${formatPrimitive(ctx, p)}]`;
    if (t === "String") keys = keys.filter((k) => String(k >>> 0) !== k);
    if (keys.length === 0 && syms.length === 0) return base;
  } else if (types.isAnyArrayBuffer(v)) {
    const u8 = new Uint8Array(v);
    let hex = "";
    for (let i = 0; i < Math.min(u8.length, 50); i++) hex += (i ? " " : "") + u8[i].toString(16).padStart(2, "0");
    if (u8.length > 50) hex += ` ... ${u8.length - 50} more byte${u8.length - 50 > 1 ? "s" : ""}`;
    braces = [`${name} {`, "}"];
    extra = [`[Uint8Contents]: <${hex}>`, `byteLength: ${v.byteLength}`];
  } else if (types.isPromise(v)) {
    braces = ["Promise {", "}"];
    extra = ["<unknown>"];
  } else if (types.isWeakMap(v) || types.isWeakSet(v)) {
    return `${name} { <items unknown> }`;
  } else {
    if (prefix === "" && keys.length === 0 && syms.length === 0) return "{}";
    braces[0] = `${prefix}{`;
    if (keys.length === 0 && syms.length === 0) return `${braces[0]}}`;
  }
  if (depth > ctx.depth) return `[${name ?? "Object"}]`;
  if (ctx.sorted) keys.sort(typeof ctx.sorted === "function" ? ctx.sorted : undefined);
  if (keys.length || syms.length) ctx.currentDepth = depth;
  ctx.seen.push(v);
  for (const k of [...keys, ...syms]) entries.push(formatProperty(ctx, v, k, depth));
  ctx.seen.pop();
  const output = [...extra, ...entries];
  if (base !== "") {
    if (output.length === 0) return base;
    braces[0] = `${base} {`;
  }
  if (output.length === 0) {
    if (isArrayLike) return `${braces[0]}]`;
    return `${braces[0]}}`;
  }
  return reduce(ctx, output, braces, depth);
}

function formatList(ctx, arr, depth) {
  const out = [];
  const n = Math.min(arr.length, ctx.maxArrayLength);
  ctx.seen.push(arr);
  let holes = 0;
  const flush = () => { if (holes) { out.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`); holes = 0; } };
  for (let i = 0; i < n; i++) {
    if (!Object.prototype.hasOwnProperty.call(arr, i)) { holes++; continue; }
    flush();
    out.push(formatValue(ctx, arr[i], depth + 1));
  }
  flush();
  ctx.seen.pop();
  if (arr.length > n) out.push(`... ${arr.length - n} more item${arr.length - n > 1 ? "s" : ""}`);
  return out;
}

function formatProperty(ctx, obj, key, depth) {
  const d = Object.getOwnPropertyDescriptor(obj, key) || { value: obj[key], enumerable: true };
  let val;
  if (d.value !== undefined || !("get" in d)) {
    const saved = ctx.indent;
    ctx.indent += "  ";
    val = formatValue(ctx, d.value, depth + 1);
    ctx.indent = saved;
  } else if (d.get) val = d.set ? "[Getter/Setter]" : "[Getter]";
  else val = d.set ? "[Setter]" : "undefined";
  const k = d.enumerable === false ? `[${formatKey(key)}]` : formatKey(key);
  return `${k}: ${val}`;
}

// reduce joins an object's entries: on one line when the object is among
// the innermost `compact` levels of what was printed inside it, the line
// fits breakLength, and neither the entries nor the prefix (an error's
// stack) span lines; else one entry per line.
function reduce(ctx, output, braces, depth) {
  const start = output.length + ctx.indent.length + braces[0].length + 10;
  const total = output.reduce((n, s) => n + s.length, 0) + output.length;
  const inner = typeof ctx.compact !== "number" || (ctx.currentDepth ?? depth) - depth < ctx.compact;
  if (ctx.compact !== false && inner && total + start <= ctx.breakLength && !braces[0].includes("\n") && !output.some((s) => s.includes("\n"))) {
    return `${braces[0]} ${output.join(", ")} ${braces[1]}`;
  }
  const ind = ctx.indent;
  return `${braces[0]}\n${ind}  ${output.map((s) => s.split("\n").join(`\n${ind}  `)).join(`,\n${ind}  `)}\n${ind}${braces[1]}`;
}

// format implements util.format's printf-like substitutions.
export function formatWithOptions(opts, ...args) {
  const first = args[0];
  let i = 0, str = "";
  if (typeof first === "string") {
    if (args.length === 1) return first;
    i = 1;
    let last = 0;
    for (let p = 0; p < first.length - 1; p++) {
      if (first.charCodeAt(p) !== 37) continue; // "%"
      const c = first[p + 1];
      if (c === "%") { str += first.slice(last, p) + "%"; last = p + 2; p++; continue; }
      if (i >= args.length) continue;
      let rep;
      const a = args[i];
      switch (c) {
        case "s":
          if (typeof a === "number") rep = formatNumber(a);
          else if (typeof a === "bigint") rep = `${a}n`;
          else if (typeof a === "object" && a !== null && !hasOwnToString(a)) rep = inspect(a, { ...opts, depth: 0, colors: false, compact: 3 });
          else rep = String(a);
          break;
        case "j":
          try { rep = JSON.stringify(a); } catch (e) { rep = "[Circular]"; }
          break;
        case "d":
          rep = typeof a === "bigint" ? `${a}n` : typeof a === "symbol" ? "NaN" : (typeof a === "object" && a !== null ? formatNumber(Number(a)) : formatNumber(Number(a)));
          break;
        case "O": rep = inspect(a, opts); break;
        case "o": rep = inspect(a, { ...opts, showHidden: true, showProxy: true, depth: 4 }); break;
        case "i":
          rep = typeof a === "bigint" ? `${a}n` : typeof a === "symbol" ? "NaN" : formatNumber(parseInt(a));
          break;
        case "f": rep = typeof a === "symbol" ? "NaN" : formatNumber(parseFloat(a)); break;
        case "c": rep = ""; break;
        default: continue;
      }
      str += first.slice(last, p) + rep;
      last = p + 2;
      p++;
      i++;
    }
    str += first.slice(last);
  }
  for (; i < args.length; i++) {
    const a = args[i];
    str += (str.length || i > 0 ? " " : "") + (typeof a === "string" ? a : inspect(a, opts));
  }
  return str;
}

const builtinProtos = new Set([Object.prototype, Error.prototype, Array.prototype, Date.prototype, RegExp.prototype,
  Function.prototype, Map.prototype, Set.prototype, Number.prototype, String.prototype, Boolean.prototype,
  Object.getPrototypeOf(Uint8Array.prototype)]);

// hasOwnToString reports whether o's toString comes from user code (then
// %s uses String(o), else inspect), as Node decides.
function hasOwnToString(o) {
  let p = o;
  while (p !== null) {
    if (Object.prototype.hasOwnProperty.call(p, "toString")) return !builtinProtos.has(p);
    p = Object.getPrototypeOf(p);
  }
  return false;
}

export function format(...args) { return formatWithOptions(undefined, ...args); }
