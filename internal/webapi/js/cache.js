// cache.js: the Cache API (caches.default, caches.open) with Cloudflare's
// rules for what put() stores and for how long. Entries live in Go (see
// cache.go), shared by all isolates of the process.
//
// What put() keeps, as Cloudflare documents it:
//   - Cache-Control s-maxage, then max-age, then Expires give the TTL;
//     no-store, no-cache and private (without a field list) store nothing;
//   - without those headers, the Edge TTL defaults by status: 200, 206, 301
//     for 120 min; 302, 303 for 20 min; 404, 410 for 3 min; others are not
//     cached;
//   - responses with Set-Cookie are not cached, unless Cache-Control says
//     private=Set-Cookie, and then they are stored without it.
// match() answers If-None-Match / If-Modified-Since with 304 and adds
// cf-cache-status: HIT.
import { host, toHost, defineGlobal } from "./host.js";
import { Request, Response, responseFromHost, kHeaders, kStatus, kBody } from "./request.js";
import { headersToWire, headersFromWire, Headers } from "./headers.js";
import { consume, utf8Encode } from "./body.js";

const defaultTTL = { 200: 7200, 206: 7200, 301: 7200, 302: 1200, 303: 1200, 404: 180, 410: 180 };

function toRequest(req) {
  return req instanceof Request ? req : new Request(req);
}

function directives(cc) {
  const out = new Map();
  for (const part of (cc || "").split(",")) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf("=");
    const k = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    let v = eq < 0 ? "" : p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.set(k, v);
  }
  return out;
}

// ttlOf returns the seconds to keep res, or 0 not to store it, and the
// names of headers to drop before storing.
function ttlOf(res) {
  const h = res[kHeaders];
  const d = directives(h.get("cache-control"));
  const drop = [];
  if (d.has("no-store") || d.has("no-cache")) return [0, drop];
  if (d.has("private")) {
    const fields = d.get("private");
    if (!fields) return [0, drop];
    for (const f of fields.split(",")) drop.push(f.trim().toLowerCase());
  }
  if (h.has("set-cookie") && !drop.includes("set-cookie")) return [0, drop];
  for (const k of ["s-maxage", "max-age"]) {
    if (d.has(k)) {
      const n = parseInt(d.get(k), 10);
      return [Number.isFinite(n) && n > 0 ? n : 0, drop];
    }
  }
  const exp = h.get("expires");
  if (exp !== null) {
    const t = Date.parse(exp);
    return [Number.isFinite(t) ? Math.max(0, (t - Date.now()) / 1000) : 0, drop];
  }
  return [defaultTTL[res[kStatus]] ?? 0, drop];
}

class Cache {
  #name;
  constructor(name) {
    this.#name = name;
  }

  async put(request, response) {
    const req = toRequest(request);
    if (req.method !== "GET") throw new TypeError("Cannot cache response to non-GET request.");
    if (!(response instanceof Response)) throw new TypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.");
    if (response.status === 206) throw new TypeError("Cannot cache response to a range request (206 Partial Content).");
    const vary = response.headers.get("vary");
    if (vary !== null && vary.split(",").some((v) => v.trim() === "*")) {
      throw new TypeError("Cannot cache response with 'Vary: *' header.");
    }
    const [ttl, drop] = ttlOf(response);
    const v = await consume(response);
    if (ttl <= 0) return undefined;
    const headers = new Headers(response[kHeaders]);
    for (const name of drop) headers.delete(name);
    const bytes = typeof v === "string" ? utf8Encode(v) : v;
    host.cachePut(this.#name, req.url, response.status, headersToWire(headers) || "", ttl, toHost(bytes), bytes.byteLength);
    return undefined;
  }

  async match(request, options = undefined) {
    const req = toRequest(request);
    if (req.method !== "GET" && !options?.ignoreMethod) return undefined;
    const hit = host.cacheGet(this.#name, req.url);
    if (hit === undefined || hit === null) return undefined;
    let a = hit.indexOf("\n");
    const status = +hit.slice(0, a);
    const b = hit.indexOf("\n", a + 1);
    const bodyId = +hit.slice(a + 1, b);
    const wire = hit.slice(b + 1) + "cf-cache-status\nHIT\n";
    const headers = headersFromWire(wire, "none");
    const etag = headers.get("etag");
    const inm = req.headers.get("if-none-match");
    const ims = req.headers.get("if-modified-since");
    const lm = headers.get("last-modified");
    const notModified =
      (inm !== null && etag !== null && inm.split(",").some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === etag.replace(/^W\//, ""))) ||
      (inm === null && ims !== null && lm !== null && Date.parse(lm) <= Date.parse(ims));
    if (notModified) {
      host.cancelRead(bodyId);
      return new Response(null, { status: 304, headers });
    }
    const r = responseFromHost(status, "", "", bodyId, "", false);
    r[kHeaders] = headers;
    return r;
  }

  async delete(request, options = undefined) {
    const req = toRequest(request);
    if (req.method !== "GET" && !options?.ignoreMethod) return false;
    return host.cacheDelete(this.#name, req.url);
  }

  get [Symbol.toStringTag]() { return "Cache"; }
}

class CacheStorage {
  #default = new Cache("");
  get default() { return this.#default; }
  async open(name) {
    name = String(name);
    if (name === "") throw new TypeError("Cache name cannot be empty.");
    return new Cache("named:" + name);
  }
  get [Symbol.toStringTag]() { return "CacheStorage"; }
}

defineGlobal("Cache", Cache);
defineGlobal("CacheStorage", CacheStorage);
defineGlobal("caches", new CacheStorage());
