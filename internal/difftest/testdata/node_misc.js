// nodejs_compat: diagnostics_channel, perf_hooks, console, sys.
import dc from "node:diagnostics_channel";
import { AsyncLocalStorage } from "node:async_hooks";

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    t("channel", () => {
      const got = [];
      const ch = dc.channel("my-channel");
      const before = [ch.hasSubscribers, dc.hasSubscribers("my-channel")];
      const fn = (msg, name) => got.push([msg, name]);
      dc.subscribe("my-channel", fn);
      ch.publish({ a: 1 });
      const mid = [ch.hasSubscribers, dc.channel("my-channel") === ch];
      const removed = [dc.unsubscribe("my-channel", fn), dc.unsubscribe("my-channel", fn)];
      ch.publish("ignored");
      return [before, got, mid, removed, ch.hasSubscribers, ch.name];
    });
    t("tracingSync", () => {
      const log = [];
      const tc = dc.tracingChannel("op");
      tc.subscribe({ start: (c) => log.push("start " + c.x), end: (c) => log.push("end " + c.result), error: (c) => log.push("error " + c.error.message) });
      const r = tc.traceSync((a) => a * 2, { x: 1 }, null, 21);
      try { tc.traceSync(() => { throw new Error("bad"); }, { x: 2 }); } catch (e) { log.push("caught"); }
      return [r, log, tc.hasSubscribers];
    });
    await ta("tracingPromise", async () => {
      const log = [];
      const tc = dc.tracingChannel("aop");
      tc.subscribe({ start: () => log.push("start"), end: () => log.push("end"), asyncStart: (c) => log.push("asyncStart " + c.result), asyncEnd: () => log.push("asyncEnd") });
      const r = await tc.tracePromise(async () => 5, {});
      return [r, log];
    });
    t("bindStore", () => {
      const als = new AsyncLocalStorage();
      const ch = dc.channel("stores");
      ch.bindStore(als, (d) => d.id);
      return ch.runStores({ id: 7 }, () => als.getStore());
    });
    return Response.json(out);
  },
};
