// node:querystring — the legacy query-string functions: parse (decode),
// stringify (encode), escape and unescape, as Node.js documents them.
// escape leaves what encodeURIComponent leaves; parse turns "+" into a
// space, keeps repeated keys as arrays and decodes malformed escapes
// leniently.

export function unescapeBuffer(s) { return new TextEncoder().encode(unescape(s)); }

export function unescape(s) {
  try { return decodeURIComponent(s); } catch { return lenientDecode(s); }
}

// lenientDecode decodes the valid %XX sequences of s and keeps the rest.
function lenientDecode(s) {
  const bytes = [];
  let out = "";
  const flush = () => { if (bytes.length) { out += new TextDecoder().decode(new Uint8Array(bytes)); bytes.length = 0; } };
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%" && /^[0-9a-fA-F]{2}$/.test(s.substr(i + 1, 2))) {
      bytes.push(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else {
      flush();
      out += s[i];
    }
  }
  flush();
  return out;
}

export function escape(s) {
  if (typeof s !== "string") {
    if (typeof s === "object") s = String(s);
    else s += "";
  }
  return encodeURIComponent(s);
}

function stringifyPrimitive(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return "" + v;
  if (typeof v === "bigint") return "" + v;
  if (typeof v === "boolean") return v ? "true" : "false";
  return "";
}

export function stringify(obj, sep = "&", eq = "=", options) {
  const enc = options?.encodeURIComponent ?? escape;
  if (obj === null || typeof obj !== "object") return "";
  const parts = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const ks = enc(stringifyPrimitive(k)) + eq;
    if (Array.isArray(v)) for (const x of v) parts.push(ks + enc(stringifyPrimitive(x)));
    else parts.push(ks + enc(stringifyPrimitive(v)));
  }
  return parts.join(sep);
}

export function parse(qs, sep = "&", eq = "=", options) {
  const obj = Object.create(null);
  if (typeof qs !== "string" || qs.length === 0) return obj;
  sep = sep || "&";
  eq = eq || "=";
  const max = options?.maxKeys ?? 1000;
  const dec = options?.decodeURIComponent ?? unescape;
  let pairs = qs.split(sep);
  if (max > 0) pairs = pairs.slice(0, max);
  for (const pair of pairs) {
    if (pair.length === 0 && pairs.length > 1) continue;
    const i = pair.indexOf(eq);
    const rawK = i >= 0 ? pair.slice(0, i) : pair;
    const rawV = i >= 0 ? pair.slice(i + eq.length) : "";
    const k = dec(rawK.replace(/\+/g, " "));
    const v = dec(rawV.replace(/\+/g, " "));
    if (!(k in obj)) obj[k] = v;
    else if (Array.isArray(obj[k])) obj[k].push(v);
    else obj[k] = [obj[k], v];
  }
  return obj;
}

export const decode = parse;
export const encode = stringify;
export default { parse, stringify, decode, encode, escape, unescape, unescapeBuffer };
