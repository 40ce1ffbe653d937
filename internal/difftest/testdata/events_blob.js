// Events, AbortSignal, Blob, FormData and structuredClone details.
export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + ": " + e.message; } };
    t("eventProps", () => { const e = new Event("x"); return [e.type, e.bubbles, e.cancelable, e.defaultPrevented, e.isTrusted, e.eventPhase]; });
    t("eventNoType", () => new Event());
    t("abortDefaultReason", () => { const c = new AbortController(); c.abort(); return [c.signal.reason instanceof DOMException, c.signal.reason.name, c.signal.reason.message]; });
    t("throwIfAborted", () => AbortSignal.abort("r").throwIfAborted());
    t("signalTimeoutReason", () => typeof AbortSignal.timeout);
    t("removeListener", () => { const et = new EventTarget(); let n = 0; const f = () => n++; et.addEventListener("a", f); et.removeEventListener("a", f); et.dispatchEvent(new Event("a")); return n; });
    t("blobType", () => [new Blob([], { type: "A/B" }).type, new Blob([], { type: "a\u0001b" }).type]);
    t("blobParts", () => new Blob(["a", new Blob(["b"]), new Uint8Array([99]).buffer]).size);
    t("formDataIter", () => { const f = new FormData(); f.append("a", "1"); f.append("a", "2"); f.set("b", "3"); return [...f]; });
    t("formDataFileName", () => { const f = new FormData(); f.append("f", new Blob(["x"])); return f.get("f").name; });
    t("cloneError", () => { const e = structuredClone(new RangeError("r")); return [e.name, e.message, e instanceof RangeError]; });
    t("cloneSymbol", () => structuredClone(Symbol("s")));
    t("cloneCycle", () => { const a = { x: 1 }; a.self = a; const b = structuredClone(a); return b.self === b; });
    await ta("blobText", async () => [await new Blob(["héllo"]).text(), (await new Blob(["abc"]).arrayBuffer()).byteLength]);
    return Response.json(out);
  },
};
