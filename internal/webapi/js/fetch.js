// fetch.js: fetch() to the outside world, through Go's HTTP client.
import { host, callAsync, startAsync, toHost, defineGlobal } from "./host.js";
import { Request, responseFromHost, kBody, kHeaders, kMethod, kUrl, kRedirect, kSignal } from "./request.js";
import { headersToWire } from "./headers.js";
import { kUsed } from "./body.js";
import { fetchWebSocket } from "./websocket.js";

// pumpToHost copies a ReadableStream of bytes into the Go writer wid,
// awaiting each write (backpressure), and closes or aborts the writer.
export async function pumpToHost(stream, wid) {
  let reader;
  try {
    reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let u8 = value;
      if (!(u8 instanceof Uint8Array)) {
        if (ArrayBuffer.isView(u8)) u8 = new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength);
        else if (u8 instanceof ArrayBuffer) u8 = new Uint8Array(u8);
        else throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
      }
      if (u8.byteLength === 0) continue;
      await callAsync("write", wid, toHost(u8), u8.byteLength);
    }
    host.closeWriter(wid);
  } catch (e) {
    host.abortWriter(wid, String(e && e.message || e));
    try { reader?.cancel(e); } catch {}
    throw e;
  }
}

// bodyForHost prepares a body for a host call: [kind, a, b] where kind is
// 0 none, 1 string, 2 bytes (sab, len), 3 stream (filled later), 4 Go reader.
export function bodyForHost(o) {
  const b = o[kBody];
  if (b === null) return [0];
  o[kUsed] = true;
  if (b.s !== undefined) return [1, b.s];
  if (b.b !== undefined) return [2, toHost(b.b), b.b.byteLength];
  if (b.host !== undefined) return [4, b.host];
  return [3, b.stream];
}

async function fetch(input, init = undefined) {
  const req = new Request(input, init);
  const signal = req[kSignal];
  if (signal && signal.aborted) throw signal.reason;
  const url = req[kUrl];
  if (!url.startsWith("http://") && !url.startsWith("https://")) {
    throw new TypeError(`Fetch API cannot load: ${url}`);
  }
  if (/(^|,)\s*websocket\s*(,|$)/i.test(req[kHeaders].get("upgrade") ?? "")) {
    return fetchWebSocket(url, headersToWire(req[kHeaders]));
  }
  const [kind, a, b] = bodyForHost(req);
  let pump = null;
  let bodyArg = a, lenArg = b;
  if (kind === 3) {
    const wid = host.pipe();
    bodyArg = wid;
    pump = pumpToHost(a, wid).catch(() => {});
  }
  const [id, p] = startAsync("fetch", [req[kMethod], url, headersToWire(req[kHeaders]), req[kRedirect], kind, bodyArg, lenArg]);
  if (signal) {
    const onAbort = () => host.abortFetch(id);
    signal.addEventListener("abort", onAbort, { once: true });
    p.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
  }
  let head;
  try {
    head = await p;
  } catch (e) {
    if (signal && signal.aborted) throw signal.reason;
    throw e;
  }
  return responseFromHost(head.status, head.statusText, head.headers, head.body, head.url, head.redirected);
}

defineGlobal("fetch", fetch);
