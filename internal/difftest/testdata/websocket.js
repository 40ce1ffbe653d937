// WebSocketPair in one isolate: accept, send, close, events, errors.
export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    const tick = () => new Promise((r) => setTimeout(r, 0));
    const pair = () => Object.values(new WebSocketPair());

    t("pairShape", () => { const p = new WebSocketPair(); return [Object.keys(p), [...Object.values(p)].map((w) => w instanceof WebSocket), typeof p[Symbol.iterator]]; });
    t("fields", () => { const [a] = pair(); return [a.readyState, a.url, a.protocol, a.extensions, a.binaryType]; });
    t("constants", () => [WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED, WebSocket.READY_STATE_OPEN]);
    t("binaryTypeInvalid", () => { const [a] = pair(); a.binaryType = "nonsense"; return a.binaryType; });
    t("sendBeforeAccept", () => { const [a] = pair(); a.send("x"); });
    t("closeBeforeAccept", () => { const [a] = pair(); a.close(); });
    t("acceptTwice", () => { const [a] = pair(); a.accept(); a.accept(); return a.readyState; });
    for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000]) {
      t("closeCode" + code, () => { const [a] = pair(); a.accept(); a.close(code); return a.readyState; });
    }
    t("closeReasonNoCode", () => { const [a] = pair(); a.accept(); a.close(undefined, "why"); });
    t("closeReason123", () => { const [a] = pair(); a.accept(); a.close(1000, "x".repeat(123)); return a.readyState; });
    t("closeReason124", () => { const [a] = pair(); a.accept(); a.close(1000, "x".repeat(124)); return a.readyState; });
    t("sendAfterClose", () => { const [a] = pair(); a.accept(); a.close(1000); a.send("x"); });
    t("closeTwice", () => { const [a] = pair(); a.accept(); a.close(1000); a.close(1001); return a.readyState; });
    t("ctorNoArgs", () => new WebSocket());
    t("ctorBadURL", () => new WebSocket("not a url"));
    t("ctorHttpScheme", () => new WebSocket("http://example.com/"));
    t("ctorFragment", () => new WebSocket("ws://example.com/#x"));
    t("ctorBadProtocol", () => new WebSocket("ws://example.com/", "a b"));
    t("ctorBadProtocolList", () => new WebSocket("ws://example.com/", ["ok", "a b"]));
    t("ctorRepeatedProtocol", () => new WebSocket("ws://example.com/", ["a", "a"]));
    t("response101NoSocket", () => new Response(null, { status: 101 }));
    t("responseNon101", () => { const [a] = pair(); new Response(null, { status: 200, webSocket: a }); });

    {
      const [a, b] = pair();
      const log = [];
      a.accept();
      a.send("first");
      a.send(new Uint8Array([1, 2, 3]));
      b.addEventListener("message", (e) => log.push([e.constructor.name, typeof e.data, e.data instanceof ArrayBuffer ? [...new Uint8Array(e.data)] : e.data, e.isTrusted, e.target === b]));
      await tick();
      log.push("accept");
      b.accept();
      log.push("accepted");
      await tick();
      out.queuedUntilAccept = log;
    }
    {
      const [a, b] = pair();
      a.accept();
      b.accept();
      const log = [];
      a.addEventListener("close", (e) => log.push(["a", e.constructor.name, e.code, e.reason, e.wasClean, a.readyState]));
      b.addEventListener("close", (e) => log.push(["b", e.code, e.reason, e.wasClean, b.readyState]));
      a.close(4000, "bye");
      log.push(["afterClose", a.readyState, b.readyState]);
      await tick();
      await tick();
      log.push(["end", a.readyState, b.readyState]);
      try { b.send("x"); log.push("b sent"); } catch (e) { log.push(e.name + ": " + e.message); }
      out.closeHandshake = log;
    }
    {
      const [a, b] = pair();
      a.accept();
      b.accept();
      let ev;
      b.addEventListener("close", (e) => (ev = [e.code, e.reason, e.wasClean]));
      a.close();
      await tick();
      out.closeNoCode = ev;
    }
    {
      const [a, b] = pair();
      a.accept();
      b.accept({ allowHalfOpen: true });
      const got = [];
      a.addEventListener("message", (e) => got.push(e.data));
      a.close(1000, "done");
      await tick();
      const mid = [a.readyState, b.readyState];
      b.send("still here");
      b.close(1000, "now");
      await tick();
      out.halfOpen = [mid, got, a.readyState, b.readyState];
    }
    {
      const [a, b] = pair();
      a.accept();
      b.accept();
      b.binaryType = "blob";
      let data;
      b.onmessage = (e) => (data = e.data);
      a.send(new Uint8Array([104, 105]));
      await tick();
      out.blob = [data instanceof Blob, data && (await data.text())];
    }
    {
      const [a, b] = pair();
      a.accept();
      b.accept();
      const got = [];
      b.addEventListener("message", (e) => got.push(e.data));
      a.send(12);
      a.send(null);
      a.send({});
      await tick();
      out.sendCoerces = got;
    }
    return Response.json(out);
  },
};
