// Encoding, base64, URL and URLSearchParams, URLPattern.
export default {
  fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    t("textenc", () => [...new TextEncoder().encode("héllo€")]);
    t("textdec", () => new TextDecoder().decode(new Uint8Array([0xe2, 0x82, 0xac, 0xff])));
    t("textdecFatal", () => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff])));
    t("textdecLabels", () => [new TextDecoder("latin1").encoding, new TextDecoder("utf-16").encoding]);
    t("textdecBadLabel", () => new TextDecoder("nope"));
    t("encodeInto", () => new TextEncoder().encodeInto("héllo", new Uint8Array(3)));
    t("atob", () => [btoa("hello"), atob("aGVsbG8="), atob(" aGVs bG8 ")]);
    t("atobBad", () => atob("***"));
    t("btoaBad", () => btoa("€"));
    t("url1", () => { const u = new URL("https://user:pw@EXAMPLE.com:443/a/../b/./c?x=1&y=%20#h"); return [u.href, u.origin, u.host, u.pathname, u.search, u.hash, u.username]; });
    t("url2", () => new URL("/p?q", "http://a.b/c/d").href);
    t("urlBad", () => new URL("nope"));
    t("urlSetters", () => { const u = new URL("https://a.b/c"); u.pathname = "x y"; u.search = "q=1 2"; u.hash = "h h"; u.port = "8080"; return u.href; });
    t("urlCanParse", () => [URL.canParse("https://x"), URL.canParse("x"), typeof URL.parse]);
    t("urlIdn", () => new URL("https://bücher.example/").host);
    t("usp", () => { const p = new URLSearchParams("a=1&b=2&a=3"); p.append("c", "x y"); p.sort(); return [p.toString(), p.getAll("a"), p.size]; });
    t("usp2", () => new URLSearchParams({ a: "b c", "d&": "é" }).toString());
    t("pattern", () => new URLPattern({ pathname: "/users/:id" }).exec("https://x.y/users/42").pathname.groups);
    t("patternTest", () => [new URLPattern("https://*.example.com/*").test("https://a.example.com/x"), new URLPattern({ pathname: "/a/*" }).test("https://z/b/c")]);
    return Response.json(out);
  },
};
