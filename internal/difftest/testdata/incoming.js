// The incoming request as the handler sees it, and the ExecutionContext.
export default {
  async fetch(request, env, ctx) {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    t("method", () => request.method);
    t("redirect", () => request.redirect);
    t("bodyNull", () => request.body === null);
    t("bodyUsed", () => request.bodyUsed);
    t("userAgent", () => request.headers.get("user-agent"));
    t("headerCase", () => [...request.headers.keys()].every((k) => k === k.toLowerCase()));
    t("signal", () => [typeof request.signal, request.signal.aborted]);
    t("clone", () => request.clone().method);
    t("isRequest", () => request instanceof Request);
    t("envType", () => typeof env);
    t("ctxMethods", () => [typeof ctx.waitUntil, typeof ctx.passThroughOnException]);
    t("waitUntilBad", () => ctx.waitUntil(Promise.resolve(1)));
    await t("text", async () => 0);
    out.textBody = await request.text();
    return Response.json(out);
  },
};
