// node:url — the WHATWG URL classes (the Workers globals) with Node's
// helpers: fileURLToPath, pathToFileURL (POSIX), urlToHttpOptions,
// domainToASCII/domainToUnicode, and the legacy parse/format/resolve
// (implemented over URL, so relative legacy URLs keep only what URL can
// express).

import { invalidArgType, nodeError } from "zerostack:node/errors";

export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;

export function fileURLToPath(path) {
  const u = typeof path === "string" ? new URL(path) : path;
  if (!(u instanceof URL)) throw invalidArgType("path", "of type string or an instance of URL", path);
  if (u.protocol !== "file:") throw nodeError(Error, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file"); // an Error in workerd
  if (u.hostname !== "") throw nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", `File URL host must be "localhost" or empty on linux`);
  const p = u.pathname;
  if (/%2f/i.test(p)) throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  return decodeURIComponent(p);
}

export function pathToFileURL(filepath) {
  if (typeof filepath !== "string") throw invalidArgType("path", "of type string", filepath);
  let p = filepath.startsWith("/") ? filepath : `/${filepath}`;
  const u = new URL("file://");
  u.pathname = p.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/\t/g, "%09").replace(/#/g, "%23").replace(/\?/g, "%3F");
  return u;
}

export function urlToHttpOptions(url) {
  const o = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ""}${url.search || ""}`,
    href: url.href,
  };
  if (url.port !== "") o.port = Number(url.port);
  if (url.username || url.password) o.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return o;
}

export function domainToASCII(domain) {
  try { return new URL(`http://${domain}`).hostname; } catch { return ""; }
}
export function domainToUnicode(domain) {
  // Without a punycode decoder here, ASCII domains come back as given.
  try { return new URL(`http://${domain}`).hostname; } catch { return ""; }
}

export function Url() {
  this.protocol = null; this.slashes = null; this.auth = null; this.host = null; this.port = null;
  this.hostname = null; this.hash = null; this.search = null; this.query = null; this.pathname = null;
  this.path = null; this.href = null;
}

export function parse(urlStr, parseQueryString) {
  if (typeof urlStr !== "string") throw invalidArgType("url", "of type string", urlStr);
  const r = new Url();
  let u;
  try { u = new URL(urlStr); } catch { u = null; }
  if (u) {
    r.protocol = u.protocol;
    r.slashes = /^[a-z][a-z0-9+.-]*:\/\//i.test(urlStr) ? true : null;
    r.auth = u.username ? (u.password ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : decodeURIComponent(u.username)) : null;
    r.host = u.host || (r.slashes ? "" : null);
    r.port = u.port || null;
    r.hostname = u.hostname || (r.slashes ? "" : null);
    r.hash = u.hash || null;
    r.search = u.search || null;
    r.pathname = u.pathname || null;
    r.href = u.href;
  } else {
    // A relative reference: split off the hash and the query.
    let rest = urlStr;
    const h = rest.indexOf("#");
    if (h >= 0) { r.hash = rest.slice(h); rest = rest.slice(0, h); }
    const q = rest.indexOf("?");
    if (q >= 0) { r.search = rest.slice(q); rest = rest.slice(0, q); }
    r.pathname = rest || null;
    r.href = urlStr;
  }
  r.query = r.search ? r.search.slice(1) : (parseQueryString ? "" : null);
  if (parseQueryString) r.query = Object.fromEntries(new URLSearchParams(r.query || ""));
  r.path = r.pathname || r.search ? `${r.pathname ?? ""}${r.search ?? ""}` : null;
  return r;
}

export function format(obj) {
  if (typeof obj === "string") obj = parse(obj);
  if (obj instanceof URL) return obj.href;
  if (obj === null || typeof obj !== "object") throw invalidArgType("urlObject", "of type object or string", obj);
  const protocol = obj.protocol ? (obj.protocol.endsWith(":") ? obj.protocol : `${obj.protocol}:`) : "";
  let host = "";
  if (obj.host) host = obj.host;
  else if (obj.hostname) host = obj.hostname + (obj.port ? `:${obj.port}` : "");
  const auth = obj.auth ? `${encodeURIComponent(obj.auth).replace(/%3A/i, ":")}@` : "";
  const slashes = obj.slashes || /^(https?|ftp|gopher|file|wss?):$/.test(protocol) || host ? "//" : "";
  let search = obj.search || "";
  if (!search && obj.query && typeof obj.query === "object") {
    const q = new URLSearchParams(obj.query).toString();
    if (q) search = `?${q}`;
  } else if (search && search[0] !== "?") search = `?${search}`;
  let hash = obj.hash || "";
  if (hash && hash[0] !== "#") hash = `#${hash}`;
  let pathname = obj.pathname || "";
  if (host && pathname && pathname[0] !== "/") pathname = `/${pathname}`;
  return `${protocol}${host || slashes ? slashes : ""}${auth}${host}${pathname}${search}${hash}`;
}

export function resolve(from, to) {
  try { return new URL(to, new URL(from)).href; } catch {}
  const base = new URL(from, "resolve://");
  const r = new URL(to, base);
  if (r.protocol === "resolve:") {
    const { pathname, search, hash } = r;
    if (from.startsWith("/")) return pathname + search + hash;
    return pathname.slice(1) + search + hash;
  }
  return r.href;
}

export default { URL, URLSearchParams, fileURLToPath, pathToFileURL, urlToHttpOptions, domainToASCII, domainToUnicode, Url, parse, format, resolve };
