import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  n = 0;
  // RPC: an in-memory increment, so that the call itself is measured.
  inc() {
    return ++this.n;
  }
  // fetch: one storage.put (not awaited: coalesced, committed before the
  // response leaves) and a response.
  async fetch() {
    this.n++;
    this.ctx.storage.put("n", this.n);
    return new Response(String(this.n));
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/hello":
        return new Response("hello");
      case "/rpc": {
        // n sequential RPC calls to one warm object.
        const stub = env.COUNTER.getByName("rpc");
        const n = Number(url.searchParams.get("n") ?? 100);
        let v = 0;
        for (let i = 0; i < n; i++) v = await stub.inc();
        return new Response(String(v));
      }
      case "/put":
        return env.COUNTER.getByName("put").fetch(request);
      case "/ws":
        return env.ROOM.getByName("room").fetch(request);
    }
    return new Response("not found", { status: 404 });
  },
};

// Room holds WebSockets on the Hibernation API (bench/durable.sh's idle
// connections): it hibernates when idle, leaving them open in Go.
export class Room extends DurableObject {
  fetch() {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }
  webSocketMessage(ws, msg) {
    ws.send(msg);
  }
}
