// Headers, Request, Response and bodies: values and error messages.
export default {
  async fetch(request) {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    t("headers", () => { const h = new Headers({ B: "2", a: "1" }); h.append("a", "3"); h.append("set-cookie", "x=1"); h.append("set-cookie", "y=2"); return [...h]; });
    t("headersBadName", () => new Headers({ "a b": "1" }));
    t("headersBadValue", () => new Headers({ a: "x\ny" }));
    t("headersTrim", () => new Headers({ a: "  v \t" }).get("a"));
    t("headersIter", () => { const h = new Headers([["b", "1"], ["A", "2"], ["a", "3"]]); return [[...h.keys()], h.get("a")]; });
    t("headersGetAll", () => new Headers([["x", "1"]]).getAll("x"));
    t("headersSetCookie", () => { const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("Set-Cookie", "b=2"); return [h.get("set-cookie"), h.getSetCookie()]; });
    t("req", () => { const r = new Request("https://x.test/p", { method: "post", body: "b" }); return [r.method, r.url, r.headers.get("content-type"), r.redirect, r.bodyUsed]; });
    t("reqGetBody", () => new Request("https://x.test/", { body: "x" }));
    t("reqBadUrl", () => new Request("nope"));
    t("reqBadMethod", () => new Request("https://a.b/", { method: "GE T" }));
    for (const m of ["propfind", "Purge", "TRACE", "connect", "QUERY", "get", "mkcol", "custom"]) t("method_" + m, () => new Request("https://a.b/", { method: m }).method);
    t("resp", () => { const r = new Response("x", { status: 201, statusText: "Made" }); return [r.status, r.statusText, r.ok, r.type, r.url, r.redirected, r.headers.get("content-type")]; });
    t("respJson", () => { const r = Response.json({ a: 1 }); return [r.headers.get("content-type"), r.status]; });
    t("respBadStatus", () => new Response("x", { status: 700 }));
    t("respNullBody", () => new Response("x", { status: 204 }));
    t("respStatusText", () => new Response("x", { statusText: "a\nb" }));
    t("respError", () => { const r = Response.error(); return [r.status, r.type, r.ok]; });
    t("redirect", () => { const r = Response.redirect("https://a.b/", 301); return [r.status, r.headers.get("location")]; });
    t("redirectBad", () => Response.redirect("https://a.b/", 200));
    t("bodyInitNumber", () => new Response(42).headers.get("content-type"));
    t("bodyInitParams", () => new Response(new URLSearchParams("a=1")).headers.get("content-type"));
    t("incomingImmutable", () => { request.headers.set("x", "1"); return "mutable"; });
    t("incomingMethod", () => request.method);
    t("cfType", () => typeof request.cf);
    await ta("used", async () => { const r = new Response("x"); await r.text(); return r.text(); });
    await ta("jsonBad", async () => new Response("{x").json());
    await ta("formDataBad", async () => new Response("x", { headers: { "content-type": "text/plain" } }).formData());
    await ta("formdata", async () => { const f = new FormData(); f.append("a", "1"); f.append("f", new Blob(["x"]), "f.txt"); const g = await new Response(f).formData(); return [g.get("a"), g.get("f").name, g.get("f").size]; });
    await ta("clone", async () => { const r = new Response("abc"); const c = r.clone(); return [await r.text(), await c.text()]; });
    await ta("arrayBuffer", async () => (await new Response(new Uint8Array([1, 2, 3])).arrayBuffer()).byteLength);
    await ta("streamBody", async () => { const { readable, writable } = new TransformStream(); const w = writable.getWriter(); w.write(new TextEncoder().encode("a")); w.close(); return new Response(readable).text(); });
    return Response.json(out);
  },
};
