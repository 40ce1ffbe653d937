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

function* executeRequest(routes, middlewareRoutes, request) {
  const reqSegs = segments(pathOf(request.url));
  // Middleware: every route whose path is a prefix, outermost first.
  for (const route of middlewareRoutes) {
    if (route.method && route.method !== request.method) continue;
    const m = matchRoute(route.segs, reqSegs, false);
    const mount = matchRoute(route.mountSegs, reqSegs, false);
    if (m && mount) {
      for (const handler of route.middlewares) yield { handler, params: m.params, path: mount.path };
    }
  }
  // Then the handlers of the first route matching the whole path.
  for (const route of routes) {
    if (route.modules.length === 0) continue;
    if (route.method && route.method !== request.method) continue;
    const m = matchRoute(route.segs, reqSegs, true);
    const mount = matchRoute(route.mountSegs, reqSegs, false);
    if (m && mount) {
      for (const handler of route.modules) yield { handler, params: m.params, path: m.path };
      break;
    }
  }
}

// A Response whose headers the next handler may change.
function mutable(response) {
  return new Response([101, 204, 205, 304].includes(response.status) ? null : response.body, response);
}

function makePagesWorker(files) {
  const routes = buildRoutes(files);
  const middlewareRoutes = routes.filter((r) => r.middlewares.length > 0).reverse();
  return {
    async fetch(originalRequest, env, ctx) {
      let request = originalRequest;
      const chain = executeRequest(routes, middlewareRoutes, request);
      let data = {};
      let failOpen = false;
      const assets = (req) => {
        if (!env.ASSETS) throw new Error("env.ASSETS is not available: zerostack serves it for Pages projects");
        return env.ASSETS.fetch(req);
      };
      let depth = 0;
      const next = async (input, init) => {
        if (input !== undefined) {
          const url = typeof input === "string" ? new URL(input, request.url).toString() : input;
          request = new Request(url, init);
        }
        // A response handed back to a handler (through next()) gets
        // mutable headers; the outermost one goes to the client as it is.
        const wrap = depth++ > 0 ? mutable : (r) => r;
        const step = chain.next();
        if (step.done) return wrap(await assets(request));
        const { handler, params, path } = step.value;
        const current = request;
        let own = null;
        const context = {
          // Each handler gets its own copy of the request (so each may read
          // the body), made when first used.
          get request() { return own ??= new Request(current.clone()); },
          functionPath: path,
          next,
          params,
          get data() { return data; },
          set data(value) {
            if (typeof value !== "object" || value === null) throw new Error("context.data must be an object");
            data = value;
          },
          env,
          // Not in Cloudflare's EventContext: the guide's hello Function
          // (L376-384) reads context.cf.colo, which throws on Cloudflare.
          // zerostack offers request.cf there too (a harmless extension).
          cf: request.cf,
          waitUntil: ctx.waitUntil.bind(ctx),
          passThroughOnException: () => { failOpen = true; },
        };
        const response = await handler(context);
        if (!(response instanceof Response)) {
          throw new Error("Your Pages function should return a Response");
        }
        return wrap(response);
      };
      try {
        return await next();
      } catch (err) {
        if (failOpen) return mutable(await assets(request));
        throw err;
      }
    },
  };
}
