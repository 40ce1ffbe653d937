// assets.js: the static-assets Fetcher (env.ASSETS in Pages Functions, the
// [assets] binding of a Worker) over the assetsFetch host function of
// internal/binding/assets.go, which runs the Go static asset server.
const { registerBinding, responseFromHost, host } = globalThis.__zs_internal;

// Relative URLs are resolved against this origin (a zerostack extension:
// Cloudflare wants an absolute URL or a Request).
const BASE = "http://assets.local/";

class Fetcher {
  async fetch(input, init = undefined) {
    if (typeof input === "string" || input instanceof URL) input = new URL(String(input), BASE).toString();
    const req = new Request(input, init);
    let wire = "";
    for (const [k, v] of req.headers) wire += k + "\n" + v + "\n";
    const head = JSON.parse(host.assetsFetch(req.method, req.url, wire));
    return responseFromHost(head.status, head.statusText, head.headers, head.body, req.url, false);
  }
  connect() {
    throw new Error("connect() is not available on a static assets binding.");
  }
}
Object.defineProperty(Fetcher.prototype, Symbol.toStringTag, { value: "Fetcher" });

registerBinding("zs_assets", () => new Fetcher());
