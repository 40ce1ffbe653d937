// node:path — POSIX path functions, as Node.js documents path.posix. The
// working directory of a Worker is "/" (process.cwd()). path.win32 is not
// provided.

import { invalidArgType, validateString } from "zerostack:node/errors";

export const sep = "/";
export const delimiter = ":";

// normalizeParts resolves "." and ".." in path (no leading slash handling):
// with allowAboveRoot, leading ".." segments are kept.
function normalizeParts(path, allowAboveRoot) {
  const out = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (allowAboveRoot) out.push("..");
      continue;
    }
    out.push(seg);
  }
  return out.join("/");
}

export function resolve(...args) {
  let resolved = "", absolute = false;
  for (let i = args.length - 1; i >= -1 && !absolute; i--) {
    const p = i >= 0 ? args[i] : "/";
    validateString(p, `paths[${i}]`);
    if (p.length === 0) continue;
    resolved = `${p}/${resolved}`;
    absolute = p.charCodeAt(0) === 47;
  }
  resolved = normalizeParts(resolved, !absolute);
  if (absolute) return `/${resolved}`;
  return resolved.length > 0 ? resolved : ".";
}

export function normalize(path) {
  validateString(path, "path");
  if (path.length === 0) return ".";
  const abs = path.charCodeAt(0) === 47;
  const trailing = path.charCodeAt(path.length - 1) === 47;
  let p = normalizeParts(path, !abs);
  if (p.length === 0) {
    if (abs) return "/";
    return trailing ? "./" : ".";
  }
  if (trailing) p += "/";
  return abs ? `/${p}` : p;
}

export function isAbsolute(path) {
  validateString(path, "path");
  return path.length > 0 && path.charCodeAt(0) === 47;
}

export function join(...args) {
  if (args.length === 0) return ".";
  const parts = [];
  for (let i = 0; i < args.length; i++) {
    validateString(args[i], "path");
    if (args[i].length > 0) parts.push(args[i]);
  }
  if (parts.length === 0) return ".";
  return normalize(parts.join("/"));
}

export function relative(from, to) {
  validateString(from, "from");
  validateString(to, "to");
  if (from === to) return "";
  from = resolve(from);
  to = resolve(to);
  if (from === to) return "";
  const f = from === "/" ? [] : from.slice(1).split("/");
  const t = to === "/" ? [] : to.slice(1).split("/");
  let i = 0;
  while (i < f.length && i < t.length && f[i] === t[i]) i++;
  return [...Array(f.length - i).fill(".."), ...t.slice(i)].join("/");
}

export function toNamespacedPath(path) { return path; }

export function dirname(path) {
  validateString(path, "path");
  if (path.length === 0) return ".";
  const abs = path.charCodeAt(0) === 47;
  let end = -1, matched = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path.charCodeAt(i) === 47) {
      if (!matched) { end = i; break; }
    } else matched = false;
  }
  if (end === -1) return abs ? "/" : ".";
  if (abs && end === 1) return "//";
  return path.slice(0, end);
}

export function basename(path, suffix) {
  if (suffix !== undefined) validateString(suffix, "suffix");
  validateString(path, "path");
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  if (end === 0) return "";
  let start = path.lastIndexOf("/", end - 1) + 1;
  let base = path.slice(start, end);
  // A suffix that is the whole path leaves nothing; one that is the whole
  // last segment is kept (Node's rule).
  if (suffix !== undefined && suffix === path && suffix.length > 0) return "";
  if (suffix !== undefined && suffix.length > 0 && suffix.length < base.length && base.endsWith(suffix)) {
    base = base.slice(0, base.length - suffix.length);
  }
  return base;
}

// extIndex returns where base's extension starts, or -1: the last dot,
// unless nothing but dots precede it (".profile", "..").
function extIndex(base) {
  let dot = -1, before = 0;
  for (let i = base.length - 1; i >= 0; i--) {
    if (base.charCodeAt(i) === 46) {
      if (dot === -1) dot = i;
      else if (before !== 1) before = 1;
    } else if (dot !== -1) before = -1;
  }
  if (dot === -1 || before === 0 || (before === 1 && dot === base.length - 1 && dot === 1)) return -1;
  return dot;
}

export function extname(path) {
  validateString(path, "path");
  const base = basename(path);
  const i = extIndex(base);
  return i < 0 ? "" : base.slice(i);
}

export function format(obj) {
  if (obj === null || typeof obj !== "object") throw invalidArgType("pathObject", "of type object", obj);
  const dir = obj.dir || obj.root;
  let base = obj.base;
  if (!base) {
    const ext = obj.ext ? (obj.ext[0] === "." ? obj.ext : `.${obj.ext}`) : "";
    base = `${obj.name || ""}${ext}`;
  }
  if (!dir) return base;
  return dir === obj.root ? `${dir}${base}` : `${dir}/${base}`;
}

export function parse(path) {
  validateString(path, "path");
  const ret = { root: "", dir: "", base: "", ext: "", name: "" };
  if (path.length === 0) return ret;
  const abs = path.charCodeAt(0) === 47;
  if (abs) ret.root = "/";
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47) end--;
  const trimmed = path.slice(0, end);
  const start = trimmed.lastIndexOf("/") + 1;
  ret.base = trimmed.slice(start);
  if (abs && ret.base === "" ) {
    ret.dir = "/";
    return ret;
  }
  const dot = extIndex(ret.base);
  if (dot < 0) {
    ret.name = ret.base;
  } else {
    ret.name = ret.base.slice(0, dot);
    ret.ext = ret.base.slice(dot);
  }
  if (start > 0) ret.dir = start === 1 && abs ? "/" : trimmed.slice(0, start - 1);
  return ret;
}

export function matchesGlob() { throw new Error("path.matchesGlob is not supported"); }

const path = { sep, delimiter, resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname, format, parse, matchesGlob };
path.posix = path;
export const posix = path;
export default path;
