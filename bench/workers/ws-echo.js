// A WebSocket echo: each message comes back as sent.
export default {
  fetch(req) {
    if (req.headers.get("Upgrade") !== "websocket") return new Response("WebSocket echo: connect with Upgrade: websocket\n");
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (e) => server.send(e.data));
    // Answer the client's Close (workerd at this compatibility date does
    // not do it by itself); a dropped connection (1006) needs no answer.
    server.addEventListener("close", (e) => {
      if (e.code !== 1006) server.close(e.code === 1005 ? 1000 : e.code, e.reason);
    });
    return new Response(null, { status: 101, webSocket: client });
  },
};
