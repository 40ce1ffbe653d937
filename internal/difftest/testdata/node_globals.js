// nodejs_compat: the globals the flag adds, process, events and timers.
import process from "node:process";
import { EventEmitter } from "node:events";
import timers from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import util from "node:util";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    t("globals", () => ["Buffer", "process"].map((n) => [n, typeof globalThis[n], Object.getOwnPropertyDescriptor(globalThis, n)?.enumerable ?? null]));
    t("otherGlobals", () => ["global", "setImmediate", "clearImmediate", "navigator", "performance"].map((n) => typeof globalThis[n]));
    t("processSame", () => globalThis.process === process);
    t("processVals", () => [process.version, process.versions, process.platform, process.arch, process.title, process.pid, process.argv, process.release]);
    t("processShape", () => [typeof process.nextTick, typeof process.env, process.platform, typeof process.version, process.cwd(), typeof process.hrtime, typeof process.hrtime.bigint(), process.env.NOPE, process instanceof EventEmitter]);
    await ta("nextTick", () => new Promise((res) => { const log = []; process.nextTick((a) => log.push("tick" + a), 1); Promise.resolve().then(() => log.push("micro")); log.push("sync"); setTimeout(() => res(log), 1); }));
    t("envWrite", () => { process.env.FOO = 5; const r = [process.env.FOO, "FOO" in process.env]; delete process.env.FOO; return [...r, process.env.FOO]; });
    await ta("timers", async () => { const r = []; await new Promise((res) => timers.setTimeout(() => { r.push("t"); res(); }, 1)); await new Promise((res) => timers.setImmediate(() => { r.push("i"); res(); })); r.push(await sleep(1, "v")); return r; });
    await ta("sleepAbort", () => { const c = new AbortController(); const p = sleep(1000, 1, { signal: c.signal }); c.abort(); return p; });
    t("emitterErr", () => { const e = new EventEmitter(); e.on("error", (x) => { throw new Error("handled " + x.message); }); return e.emit("error", new Error("y")); });
    t("maxListeners", () => [new EventEmitter().getMaxListeners(), EventEmitter.defaultMaxListeners]);
    t("removeListener", () => { const e = new EventEmitter(); const f = () => {}; e.on("a", f); e.on("a", f); e.off("a", f); const n1 = e.listenerCount("a"); e.removeAllListeners("a"); return [n1, e.listenerCount("a"), e.listeners("a").length]; });
    t("onceRaw", () => { const e = new EventEmitter(); const f = () => 1; e.once("a", f); return [e.listeners("a")[0] === f, e.rawListeners("a")[0] === f, typeof e.rawListeners("a")[0].listener]; });
    t("timerObjects", () => { const a = timers.setTimeout(() => {}, 1000); const b = globalThis.setTimeout(() => {}, 1000); const r = [typeof a, typeof b, typeof a?.unref, typeof a?.ref, typeof a?.hasRef, typeof a?.refresh, typeof a?.[Symbol.toPrimitive], a?.hasRef?.(), a?.unref?.() === a]; timers.clearTimeout(a); clearTimeout(b); return r; });
    t("immediateObject", () => { const i = timers.setImmediate(() => {}); const r = [typeof i, typeof i?.unref, typeof i?.hasRef]; timers.clearImmediate(i); return r; });
    t("utilTypesOf", () => [util.types.isBoxedPrimitive(Object(1)), util.types.isNativeError(new TypeError()), util.isArray([]), util.types.isGeneratorFunction(function* () {})]);
    return Response.json(out);
  },
};
