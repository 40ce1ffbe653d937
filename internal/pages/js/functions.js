// The Pages Functions router (appended to the generated entry module after
// the __zs_files table). It follows the behaviour of wrangler's Functions
// template worker: routes built from each module's onRequest* exports,
// sorted by specificity, middleware matched by prefix and run outermost
// first, then the first route matching the whole path; context.next()
// walks the chain and, at its end, hands the request to env.ASSETS.

const METHOD_EXPORTS = {
  onRequest: undefined, onRequestGet: "GET", onRequestHead: "HEAD", onRequestPost: "POST",
  onRequestPut: "PUT", onRequestPatch: "PATCH", onRequestDelete: "DELETE", onRequestOptions: "OPTIONS",
};

function buildRoutes(files) {
  const routes = [];
  for (const f of files) {
    for (const [name, method] of Object.entries(METHOD_EXPORTS)) {
      const h = f.module[name];
      if (h === undefined) continue;
      const handlers = [h].flat(Infinity).filter((x) => typeof x === "function");
      if (handlers.length === 0) continue;
      routes.push({
        routePath: f.routePath, mountPath: f.mountPath, method,
        segs: segments(f.routePath), mountSegs: segments(f.mountPath),
        middlewares: f.middleware ? handlers : [], modules: f.middleware ? [] : handlers,
      });
    }
  }
  routes.sort(compareRoutes);
  return routes;
}

function segments(p) {
  return p.split("/").filter((s) => s !== "");
}

// compareRoutes orders routes as wrangler's builder does: more segments
// first; at the first segment that differs in kind, literal before
// :param before wildcard; routes with a method before those without;
// otherwise by path.
function compareRoutes(a, b) {
  const sa = segments(a.routePath), sb = segments(b.routePath);
  if (sa.length !== sb.length) return sb.length - sa.length;
  for (let i = 0; i < sa.length; i++) {
    const wa = sa[i].includes("*"), wb = sb[i].includes("*");
    if (wa && !wb) return 1;
    if (!wa && wb) return -1;
    const pa = sa[i].includes(":"), pb = sb[i].includes(":");
    if (pa && !pb) return 1;
    if (!pa && pb) return -1;
  }
  if (a.method && !b.method) return -1;
  if (!a.method && b.method) return 1;
  return a.routePath < b.routePath ? -1 : a.routePath > b.routePath ? 1 : 0;
}

// matchRoute matches a route pattern (its segments) against a request
// path's segments: literal
// segments, ":name" (one segment) and ":name*" (zero or more, an array);
// with end false a prefix of the path may match (middleware). It returns
// { params, path } or null.
function matchRoute(ps, reqSegs, end) {
  const params = {};
  let i = 0;
  for (let k = 0; k < ps.length; k++) {
    const seg = ps[k];
    if (seg.startsWith(":") && seg.endsWith("*")) {
      const rest = reqSegs.slice(i);
      if (rest.length > 0) params[seg.slice(1, -1)] = rest;
      i = reqSegs.length;
      continue;
    }
    if (i >= reqSegs.length) return null;
    if (seg.startsWith(":")) {
      params[seg.slice(1)] = reqSegs[i++];
      continue;
    }
    if (seg !== reqSegs[i]) return null;
    i++;
  }
  if (end && i < reqSegs.length) return null;
  return { params, path: "/" + reqSegs.slice(0, i).join("/") };
}

// pathOf returns the pathname of a serialized absolute URL (request.url
// is one) without parsing it again.
function pathOf(url) {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  let end = url.length;
  const q = url.indexOf("?", start), h = url.indexOf("#", start);
  if (q >= 0) end = q;
  if (h >= 0 && h < end) end = h;
  return url.slice(start, end);
}

// chainFor lists the handlers a request runs, in order, each with its
// params and functionPath: the middleware of every route whose path is a
// prefix, outermost first, then the handlers of the first route matching
// the whole path. The list depends only on the method and the path.
function chainFor(routes, middlewareRoutes, method, path) {
  const reqSegs = segments(path);
  const steps = [];
  for (const route of middlewareRoutes) {
    if (route.method && route.method !== method) continue;
    const m = matchRoute(route.segs, reqSegs, false);
    const mount = matchRoute(route.mountSegs, reqSegs, false);
    if (m && mount) {
      for (const handler of route.middlewares) steps.push({ handler, params: m.params, path: mount.path });
    }
  }
  for (const route of routes) {
    if (route.modules.length === 0) continue;
    if (route.method && route.method !== method) continue;
    const m = matchRoute(route.segs, reqSegs, true);
    const mount = matchRoute(route.mountSegs, reqSegs, false);
    if (m && mount) {
      for (const handler of route.modules) steps.push({ handler, params: m.params, path: m.path });
      break;
    }
  }
  return steps;
}

// copyParams gives each handler its own params (a cached chain's object
// must not carry one request's changes into the next).
function copyParams(params) {
  const out = {};
  for (const k in params) {
    const v = params[k];
    out[k] = Array.isArray(v) ? v.slice() : v;
  }
  return out;
}

// A Response whose headers the next handler may change.
function mutable(response) {
  return new Response([101, 204, 205, 304].includes(response.status) ? null : response.body, response);
}

function isThenable(v) {
  return v !== null && typeof v === "object" && typeof v.then === "function";
}

function checkResponse(response) {
  if (!(response instanceof Response)) {
    throw new Error("Your Pages function should return a Response");
  }
  return response;
}

// EventContext is the context a Function gets. Cloudflare's is an object
// literal; this is a class because V8 builds an object literal with
// accessors slowly (13 µs against 0.1 µs for a class instance, measured in
// Node 20 on the benchmark machine; it was most of what a Function route
// cost over a Worker route). functionPath, params and env are own
// properties as on Cloudflare; request, data, next, waitUntil,
// passThroughOnException (and cf) are accessors on the prototype, made
// when first read (a handler that never calls next() costs no closure), so
// destructuring works as on Cloudflare but spreading a context
// ({ ...context }) copies only the own ones.
class EventContext {
  #inv;
  #request;
  #own = null;
  constructor(inv, request, path, params) {
    this.functionPath = path;
    this.params = params;
    this.env = inv.env;
    this.#inv = inv;
    this.#request = request;
  }
  // Each handler gets its own copy of the request (so each may read the
  // body), made when first used.
  get request() {
    return this.#own ??= new Request(this.#request.clone());
  }
  get data() {
    return this.#inv.data;
  }
  set data(value) {
    if (typeof value !== "object" || value === null) throw new Error("context.data must be an object");
    this.#inv.data = value;
  }
  // The functions below are bound to the request (a handler may take them
  // out of its context), one each per request.
  get next() {
    const inv = this.#inv;
    return inv.nextFn ??= (input, init) => inv.next(input, init);
  }
  get waitUntil() {
    const inv = this.#inv;
    return inv.waitUntilFn ??= (promise) => inv.ctx.waitUntil(promise);
  }
  get passThroughOnException() {
    const inv = this.#inv;
    return inv.passFn ??= () => { inv.failOpen = true; };
  }
  // Not in Cloudflare's EventContext: the guide's hello Function
  // (L376-384) reads context.cf.colo, which throws on Cloudflare. zerostack
  // offers request.cf there too (a harmless extension), made when first
  // read.
  get cf() {
    return this.#request.cf;
  }
}

// Invocation is one request's walk along its chain of handlers.
class Invocation {
  constructor(steps, request, env, ctx) {
    this.steps = steps;
    this.index = 0;
    this.depth = 0;
    this.request = request;
    this.env = env;
    this.ctx = ctx;
    this.data = {};
    this.failOpen = false;
    this.nextFn = null;
    this.waitUntilFn = null;
    this.passFn = null;
  }

  assets(request) {
    if (!this.env.ASSETS) throw new Error("env.ASSETS is not available: zerostack serves it for Pages projects");
    return this.env.ASSETS.fetch(request);
  }

  // step runs the next handler (or, past the last, the static assets)
  // and returns its Response, or a Promise of it when the handler is
  // asynchronous.
  step(input, init) {
    if (input !== undefined) {
      const url = typeof input === "string" ? new URL(input, this.request.url).toString() : input;
      this.request = new Request(url, init);
    }
    // A response handed back to a handler (through next()) gets mutable
    // headers; the outermost one goes to the client as it is.
    const nested = this.depth++ > 0;
    if (this.index >= this.steps.length) {
      const r = this.assets(this.request);
      return nested ? Promise.resolve(r).then(mutable) : r;
    }
    const { handler, params, path } = this.steps[this.index++];
    const response = handler(new EventContext(this, this.request, path, copyParams(params)));
    if (isThenable(response)) {
      return Promise.resolve(response).then((r) => (nested ? mutable(checkResponse(r)) : checkResponse(r)));
    }
    return nested ? mutable(checkResponse(response)) : checkResponse(response);
  }

  // next is context.next: always a Promise, as Cloudflare's is.
  next(input, init) {
    try {
      return Promise.resolve(this.step(input, init));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // fallback answers a failed chain from the static assets when a handler
  // called passThroughOnException, else rethrows.
  fallback(err) {
    if (this.failOpen) return Promise.resolve(this.assets(this.request)).then(mutable);
    throw err;
  }
}

// The chain of a (method, path) is computed once and kept (up to
// CHAIN_CACHE paths; then the cache starts over): routing is a property of
// the deployment, not of the request.
const CHAIN_CACHE = 1024;

function makePagesWorker(files) {
  const routes = buildRoutes(files);
  const middlewareRoutes = routes.filter((r) => r.middlewares.length > 0).reverse();
  const chains = new Map(); // method → Map(path → steps)
  const stepsFor = (method, path) => {
    let byPath = chains.get(method);
    if (byPath === undefined) chains.set(method, (byPath = new Map()));
    let steps = byPath.get(path);
    if (steps === undefined) {
      if (byPath.size >= CHAIN_CACHE) byPath.clear();
      steps = chainFor(routes, middlewareRoutes, method, path);
      byPath.set(path, steps);
    }
    return steps;
  };
  return {
    // fetch runs the chain synchronously as far as the handlers do: a
    // Function that returns a Response (not a Promise) answers without a
    // promise turn, as a Worker's fetch that returns one does.
    fetch(request, env, ctx) {
      const inv = new Invocation(stepsFor(request.method, pathOf(request.url)), request, env, ctx);
      let result;
      try {
        result = inv.step();
      } catch (err) {
        return inv.fallback(err);
      }
      return isThenable(result) ? Promise.resolve(result).catch((err) => inv.fallback(err)) : result;
    },
  };
}
