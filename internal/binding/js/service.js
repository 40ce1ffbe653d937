// service.js: service bindings ([[services]]), a Fetcher whose fetch()
// runs another Worker served by the same zerostack process, through the
// serviceFetch host function of internal/binding/service.go. Request and
// response bodies stream through Go pipes and readers.
const { registerBinding, responseFromHost, callAsync, host, bodyForHost, pumpToHost, headersToWire } = globalThis.__zs_internal;

const kService = Symbol("service"), kName = Symbol("name");

class Fetcher {
  constructor(name, service) {
    this[kName] = name;
    this[kService] = service;
  }
  async fetch(input, init = undefined) {
    const req = new Request(input, init);
    let [kind, a, b] = bodyForHost(req);
    let pump = null;
    if (kind === 3) {
      const wid = host.pipe();
      pump = pumpToHost(a, wid).catch(() => {});
      a = wid;
    }
    try {
      const head = await callAsync("serviceFetch", this[kName], this[kService], req.method, req.url, headersToWire(req.headers), kind, a, b);
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

registerBinding("zs_service", (name, config) => new Fetcher(name, config.service));
