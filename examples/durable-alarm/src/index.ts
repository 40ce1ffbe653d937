import { DurableObject } from "cloudflare:workers";

interface Env {
  TICKER: DurableObjectNamespace<Ticker>;
}

export class Ticker extends DurableObject<Env> {
  // start arms the alarm: it fires `times` times, every `every` ms; with
  // failFirst, the first run throws and is retried.
  async start(every: number, times: number, failFirst = false) {
    await this.ctx.storage.put({ every, times, ticks: 0, failFirst, runs: [] });
    await this.ctx.storage.setAlarm(Date.now() + every);
    return await this.ctx.storage.getAlarm();
  }

  async alarm(info: { retryCount: number; isRetry: boolean }) {
    const runs = (await this.ctx.storage.get<any[]>("runs")) ?? [];
    runs.push(info);
    await this.ctx.storage.put("runs", runs);
    if ((await this.ctx.storage.get("failFirst")) && !info.isRetry) {
      throw new Error("first run fails");
    }
    const ticks = ((await this.ctx.storage.get<number>("ticks")) ?? 0) + 1;
    await this.ctx.storage.put("ticks", ticks);
    const times = (await this.ctx.storage.get<number>("times")) ?? 0;
    if (ticks < times) {
      await this.ctx.storage.setAlarm(Date.now() + ((await this.ctx.storage.get<number>("every")) ?? 0));
    }
  }

  async status() {
    return {
      ticks: (await this.ctx.storage.get("ticks")) ?? 0,
      runs: (await this.ctx.storage.get("runs")) ?? [],
      alarm: await this.ctx.storage.getAlarm(),
    };
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const t = env.TICKER.getByName(url.searchParams.get("name") ?? "t");
    if (url.pathname === "/start") {
      const at = await t.start(Number(url.searchParams.get("every")), Number(url.searchParams.get("times")), url.searchParams.has("fail"));
      return Response.json({ armed: typeof at === "number" });
    }
    return Response.json(await t.status());
  },
};
