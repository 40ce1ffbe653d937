// request.js: Request and Response, as workerd implements them.
import { defineGlobal } from "./host.js";
import { Headers, headersFromWire, fastGet, fastSetDefault, setGuard } from "./headers.js";
import { kBody, kUsed, extractBody, installBody, cloneBody, bodyUsed } from "./body.js";

const kMethod = Symbol("method");
const kUrl = Symbol("url");
const kHeaders = Symbol("headers");
const kSignal = Symbol("signal");
const kRedirect = Symbol("redirect");
const kCf = Symbol("cf");
const kCfRaw = Symbol("cfRaw");
const kStatus = Symbol("status");
const kStatusText = Symbol("statusText");
const kType = Symbol("type");
const kWebSocket = Symbol("webSocket");
const kRedirected = Symbol("redirected");
const kUrlList = Symbol("urlList");
const kEncodeBody = Symbol("encodeBody");

export { kBody, kHeaders, kStatus, kStatusText, kUrl, kMethod, kWebSocket, kCf, kRedirect, kSignal, kUrlList, kRedirected };

// workerd accepts the methods its HTTP library knows (in any case, made
// upper case) and rejects the others, CONNECT included.
const knownMethods = new Set([
  "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "PURGE", "OPTIONS", "TRACE",
  "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "ACL",
  "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE",
  "UNSUBSCRIBE", "QUERY", "BAN",
]);

function normalizeMethod(m) {
  m = String(m);
  const u = m.toUpperCase();
  if (knownMethods.has(u)) return u;
  throw new TypeError(`Invalid HTTP method string: ${m}`);
}

function parseURL(u, base) {
  try {
    return new globalThis.URL(u, base).href;
  } catch {
    throw new TypeError(`Invalid URL: ${u}`);
  }
}

export class Request {
  constructor(input, init = undefined) {
    let src = null;
    if (input instanceof Request) {
      src = input;
    } else if (typeof input === "object" && input !== null && !(globalThis.URL && input instanceof globalThis.URL) && typeof input.url === "string" && init === undefined) {
      // A Request-like object (not ours): treat it as a URL string.
      input = String(input.url);
    }
    if (init !== undefined && init !== null && typeof init !== "object") {
      throw new TypeError("Failed to construct 'Request': The provided value is not of type 'RequestInit'.");
    }
    init ??= {};
    this[kUsed] = false;
    if (src) {
      this[kMethod] = src[kMethod];
      this[kUrl] = src[kUrl];
      this[kRedirect] = src[kRedirect];
      this[kSignal] = src[kSignal];
      this[kCf] = src[kCf];
      this[kCfRaw] = src[kCfRaw];
    } else {
      this[kMethod] = "GET";
      this[kUrl] = parseURL(String(input));
      this[kRedirect] = "follow";
      this[kSignal] = null;
      this[kCf] = undefined;
      this[kCfRaw] = null;
    }
    if (init.method !== undefined) this[kMethod] = normalizeMethod(init.method);
    if (init.redirect !== undefined) {
      const r = String(init.redirect);
      if (r !== "follow" && r !== "manual" && r !== "error") {
        throw new TypeError(`Failed to construct 'Request': The provided value '${r}' is not a valid enum value of type RequestRedirect.`);
      }
      this[kRedirect] = r;
    }
    if (init.signal !== undefined) this[kSignal] = init.signal;
    if (init.cf !== undefined) {
      this[kCf] = init.cf;
      this[kCfRaw] = null;
    }
    if (init.headers !== undefined) this[kHeaders] = new Headers(init.headers);
    else this[kHeaders] = src ? new Headers(src[kHeaders]) : new Headers();

    let body = null;
    if (init.body !== undefined && init.body !== null) {
      if (this[kMethod] === "GET" || this[kMethod] === "HEAD") {
        throw new TypeError("Request with a GET or HEAD method cannot have a body.");
      }
      const [b, type] = extractBody(init.body);
      body = b;
      if (type !== null) fastSetDefault(this[kHeaders], "content-type", type);
    } else if (src && init.body === undefined) {
      if (bodyUsed(src)) throw new TypeError("Cannot reconstruct a Request with a used body.");
      body = src[kBody];
      if (body !== null) {
        // The new request takes over the body; the source becomes used.
        src[kUsed] = true;
      }
    }
    this[kBody] = body;
  }

  get method() { return this[kMethod]; }
  get url() { return this[kUrl]; }
  get headers() { return this[kHeaders]; }
  get redirect() { return this[kRedirect]; }
  get signal() {
    let s = this[kSignal];
    if (s === null || s === undefined) {
      s = this[kSignal] = new globalThis.AbortController().signal;
    }
    return s;
  }
  get cf() {
    const raw = this[kCfRaw];
    if (raw !== null) {
      this[kCf] = typeof raw === "function" ? raw() : JSON.parse(raw);
      this[kCfRaw] = null;
    }
    return this[kCf];
  }
  get fetcher() { return null; }
  get integrity() { return ""; }
  get keepalive() { return false; }
  get cache() { return undefined; }

  clone() {
    if (bodyUsed(this)) throw new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
    const r = Object.create(Request.prototype);
    r[kMethod] = this[kMethod];
    r[kUrl] = this[kUrl];
    r[kRedirect] = this[kRedirect];
    r[kSignal] = this[kSignal];
    r[kCf] = this.cf;
    r[kCfRaw] = null;
    r[kHeaders] = new Headers(this[kHeaders]);
    r[kUsed] = false;
    r[kBody] = cloneBody(this);
    return r;
  }

  get [Symbol.toStringTag]() { return "Request"; }
}
installBody(Request.prototype);

// requestFromHost builds an incoming request without validation: the host has
// parsed and checked everything already. Its headers are immutable, as in
// workerd. cfRaw is request.cf as JSON text, or a function that makes it.
export function requestFromHost(method, url, rawHeaders, bodyId, cfRaw) {
  const r = Object.create(Request.prototype);
  r[kMethod] = method;
  r[kUrl] = url;
  r[kHeaders] = headersFromWire(rawHeaders, "immutable");
  r[kRedirect] = "manual";
  r[kSignal] = null;
  r[kCf] = undefined;
  r[kCfRaw] = cfRaw || null;
  r[kUsed] = false;
  r[kBody] = bodyId > 0 ? { host: bodyId } : null;
  return r;
}

const nullBodyStatus = new Set([101, 204, 205, 304]);
const redirectStatus = new Set([301, 302, 303, 307, 308]);
const reasonRe = /^[\t\x20-\x7e\x80-\xff]*$/;

export class Response {
  constructor(body = null, init = undefined) {
    if (init !== undefined && init !== null && typeof init !== "object") {
      throw new TypeError("Failed to construct 'Response': The provided value is not of type 'ResponseInit'.");
    }
    init ??= {};
    const status = init.status === undefined ? 200 : Number(init.status) | 0;
    const webSocket = init.webSocket ?? null;
    if (webSocket !== null) {
      if (status !== 101) throw new RangeError("Responses with a WebSocket must have status code 101.");
    } else if (status < 200 || status > 599) {
      throw new RangeError(`Responses may only be constructed with status codes in the range 200 to 599, inclusive.`);
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (!reasonRe.test(statusText)) throw new TypeError("Invalid statusText");
    this[kStatus] = status;
    this[kStatusText] = statusText;
    this[kHeaders] = init.headers instanceof Headers || init.headers === undefined ? new Headers(init.headers) : new Headers(init.headers);
    this[kType] = "default";
    this[kWebSocket] = webSocket;
    this[kCf] = init.cf;
    this[kUsed] = false;
    this[kUrlList] = null;
    this[kRedirected] = false;
    this[kEncodeBody] = init.encodeBody === "manual" ? "manual" : "automatic";
    if (body !== null && body !== undefined) {
      if (nullBodyStatus.has(status)) {
        throw new TypeError("Response with null body status (101, 204, 205, or 304) cannot have a body.");
      }
      const [b, type] = extractBody(body);
      this[kBody] = b;
      if (type !== null) fastSetDefault(this[kHeaders], "content-type", type);
    } else {
      this[kBody] = null;
    }
  }

  static json(data, init = undefined) {
    const s = JSON.stringify(data);
    if (s === undefined) throw new TypeError("Value is not JSON serializable.");
    const r = new Response(s, init);
    const h = r[kHeaders];
    if (fastGet(h, "content-type") === "text/plain;charset=UTF-8") h.set("content-type", "application/json");
    return r;
  }

  static redirect(url, status = 302) {
    status = Number(status) | 0;
    if (!redirectStatus.has(status)) {
      throw new RangeError(`${status} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`);
    }
    const href = parseURL(String(url));
    return new Response(null, { status, headers: { location: href } });
  }

  static error() {
    const r = new Response(null, { status: 200 });
    r[kStatus] = 0;
    r[kType] = "error";
    setGuard(r[kHeaders], "immutable");
    return r;
  }

  get status() { return this[kStatus]; }
  get statusText() { return this[kStatusText]; }
  get ok() { return this[kStatus] >= 200 && this[kStatus] <= 299; }
  get headers() { return this[kHeaders]; }
  get type() { return this[kType]; }
  get url() {
    const l = this[kUrlList];
    return l && l.length ? l[l.length - 1] : "";
  }
  get redirected() { return this[kRedirected]; }
  get webSocket() { return this[kWebSocket]; }
  get cf() { return this[kCf]; }
  get encodeBody() { return this[kEncodeBody]; }

  clone() {
    if (this[kWebSocket] !== null) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
    const r = Object.create(Response.prototype);
    r[kStatus] = this[kStatus];
    r[kStatusText] = this[kStatusText];
    r[kHeaders] = new Headers(this[kHeaders]);
    r[kType] = this[kType];
    r[kWebSocket] = null;
    r[kCf] = this[kCf];
    r[kUsed] = false;
    r[kUrlList] = this[kUrlList];
    r[kRedirected] = this[kRedirected];
    r[kEncodeBody] = this[kEncodeBody];
    r[kBody] = cloneBody(this);
    return r;
  }

  get [Symbol.toStringTag]() { return "Response"; }
}
installBody(Response.prototype);

// responseFromHost builds a response that came from Go (fetch): immutable
// headers, body still in Go.
export function responseFromHost(status, statusText, rawHeaders, bodyId, url, redirected) {
  const r = Object.create(Response.prototype);
  r[kStatus] = status;
  r[kStatusText] = statusText;
  r[kHeaders] = headersFromWire(rawHeaders, "immutable");
  r[kType] = "basic";
  r[kWebSocket] = null;
  r[kCf] = undefined;
  r[kUsed] = false;
  r[kUrlList] = url ? [url] : null;
  r[kRedirected] = !!redirected;
  r[kEncodeBody] = "automatic";
  r[kBody] = bodyId > 0 ? { host: bodyId } : null;
  return r;
}

defineGlobal("Request", Request);
defineGlobal("Response", Response);
