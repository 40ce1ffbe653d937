// structuredClone, events, abort, Blob/File, streams, crypto, timers.
export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    t("structured", () => { const d = structuredClone({ a: new Date(0), m: new Map([[1, 2]]), s: new Set([1]) }); return [d.a.toISOString(), [...d.m], [...d.s]]; });
    t("structuredFn", () => structuredClone(() => 1));
    t("dom", () => { const e = new DOMException("m", "AbortError"); return [e.name, e.code, e.message, e instanceof Error]; });
    t("domCodes", () => [new DOMException("x", "NotFoundError").code, new DOMException("x").name]);
    t("abort", () => { const c = new AbortController(); c.abort(); return [c.signal.aborted, c.signal.reason.name]; });
    t("signalAny", () => AbortSignal.any([AbortSignal.abort("r")]).reason);
    t("event", () => { const et = new EventTarget(); let n = 0; et.addEventListener("x", () => n++, { once: true }); et.dispatchEvent(new Event("x")); et.dispatchEvent(new Event("x")); return n; });
    t("customEvent", () => { const e = new CustomEvent("x", { detail: 5, cancelable: true }); e.preventDefault(); return [e.detail, e.defaultPrevented, e.type]; });
    t("blob", () => { const b = new Blob(["ab", new Uint8Array([99])], { type: "TEXT/Plain" }); return [b.size, b.type]; });
    t("blobSlice", () => new Blob(["abcdef"]).slice(-3, -1).size);
    t("file", () => { const f = new File(["x"], "a.txt", { lastModified: 5 }); return [f.name, f.lastModified, f.type]; });
    t("uuid", () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
    t("grv", () => crypto.getRandomValues(new Uint8Array(8)).length);
    t("grvBig", () => crypto.getRandomValues(new Uint8Array(70000)));
    t("grvFloat", () => crypto.getRandomValues(new Float32Array(2)));
    t("errorShape", () => { try { null.x; } catch (e) { return [e.name, e instanceof TypeError]; } });
    await ta("digest", async () => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc")))]);
    await ta("md5", async () => [...new Uint8Array(await crypto.subtle.digest("MD5", new TextEncoder().encode("abc")))]);
    await ta("hmac", async () => { const k = await crypto.subtle.importKey("raw", new TextEncoder().encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]); return [...new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode("m")))]; });
    await ta("subtleBadAlg", async () => crypto.subtle.digest("SHA-999", new Uint8Array(1)));
    await ta("keyShape", async () => { const k = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]); return [k.type, k.extractable, k.algorithm.name, k.algorithm.hash.name, k.algorithm.length, k.usages]; });
    await ta("ecdsa", async () => { const k = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]); const s = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, k.privateKey, new Uint8Array(3)); return [s.byteLength, await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, k.publicKey, s, new Uint8Array(3))]; });
    await ta("aesBadKey", async () => crypto.subtle.importKey("raw", new Uint8Array(5), "AES-GCM", false, ["encrypt"]));
    await ta("pbkdf2", async () => { const k = await crypto.subtle.importKey("raw", new TextEncoder().encode("pw"), "PBKDF2", false, ["deriveBits"]); return [...new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", salt: new Uint8Array(8), iterations: 1000, hash: "SHA-256" }, k, 64))]; });
    await ta("tee", async () => { const [a, b] = new Response("hi").body.tee(); return [await new Response(a).text(), await new Response(b).text()]; });
    await ta("lockedRead", async () => { const s = new ReadableStream(); s.getReader(); return s.getReader(); });
    await ta("fixedLength", async () => { const { readable, writable } = new FixedLengthStream(3); const w = writable.getWriter(); w.write(new Uint8Array([1, 2, 3])); w.close(); return (await new Response(readable).arrayBuffer()).byteLength; });
    await ta("gzip", async () => new Response(new Blob(["hello hello hello"]).stream().pipeThrough(new CompressionStream("gzip")).pipeThrough(new DecompressionStream("gzip"))).text());
    await ta("gunzipBad", async () => new Response(new Blob(["not gzip"]).stream().pipeThrough(new DecompressionStream("gzip"))).text());
    await ta("schedulerWait", async () => { await scheduler.wait(1); return "ok"; });
    await ta("timerOrder", async () => { const o = []; await new Promise((r) => { setTimeout(() => { o.push(2); r(); }, 5); setTimeout(() => o.push(1), 0); queueMicrotask(() => o.push(0)); }); return o; });
    return Response.json(out);
  },
};
