// service.js: service bindings ([[services]]), a Fetcher that reaches
// another Worker served by the same zerostack process. fetch() goes
// through the serviceFetch host function of internal/binding/service.go,
// request and response bodies streaming through Go pipes and readers.
// Every other property is an RPC method of the bound Worker's entrypoint
// (its default export, or the class the entry's entrypoint names), called
// through the Durable Object RPC machinery of durable.js, which leaves its
// service side in globalThis.__zs_rpc for this file.
const { registerBinding, responseFromHost, callAsync, host, bodyForHost, pumpToHost, headersToWire } = globalThis.__zs_internal;
const rpc = globalThis.__zs_rpc; // undefined when Durable Objects are off (no store)
delete globalThis.__zs_rpc;

const kService = Symbol("service"), kName = Symbol("name"), kBinding = Symbol("binding");

class Fetcher {
  constructor(name, service, entrypoint, props) {
    this[kName] = name;
    this[kService] = service;
    this[kBinding] = { name, service, entrypoint: entrypoint || "", props: props ?? {} };
  }
  async fetch(input, init = undefined) {
    const req = new Request(input, init);
    const b = this[kBinding];
    if (rpc !== undefined && (b.entrypoint !== "" || Object.keys(b.props).length > 0)) {
      // A named entrypoint, or props for ctx.props: the request goes to
      // that entrypoint's fetch as an RPC call (the HTTP path below
      // reaches the default export only, without props).
      return rpc.fetch(b, req);
    }
    let [kind, a, c] = bodyForHost(req);
    let pump = null;
    if (kind === 3) {
      const wid = host.pipe();
      pump = pumpToHost(a, wid).catch(() => {});
      a = wid;
    }
    try {
      const head = await callAsync("serviceFetch", this[kName], this[kService], req.method, req.url, headersToWire(req.headers), kind, a, c);
      return responseFromHost(head.status, head.statusText, head.headers, head.body, req.url, false);
    } finally {
      if (pump) await pump;
    }
  }
  connect() {
    throw new Error(`env.${this[kName]}: connect() on a service binding is not supported by zerostack.`);
  }
}
Object.defineProperty(Fetcher.prototype, Symbol.toStringTag, { value: "Fetcher" });

// makeFetcher returns the binding: a Fetcher whose other properties are
// RPC properties (a stub is not a thenable: "then" stays undefined).
function makeFetcher(name, config) {
  const f = new Fetcher(name, config.service, config.entrypoint, config.props);
  const b = f[kBinding];
  const props = new Map();
  return new Proxy(f, {
    get(t, prop) {
      if (typeof prop === "symbol" || prop in t) return Reflect.get(t, prop);
      if (prop === "then") return undefined;
      let m = props.get(prop);
      if (m === undefined) {
        m = rpc !== undefined ? rpc.property(b, prop) : unavailable(name, prop);
        props.set(prop, m);
      }
      return m;
    },
  });
}

// unavailable is an RPC property when the RPC machinery is missing (the
// Durable Objects store, which holds it, could not be opened).
function unavailable(name, prop) {
  return () => Promise.reject(new Error(`env.${name}.${prop}(): RPC over service bindings is unavailable because zerostack could not open its Durable Objects state (see the log for why); fetch() still works.`));
}

registerBinding("zs_service", makeFetcher);
