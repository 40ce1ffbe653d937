import { DurableObject, RpcTarget } from "cloudflare:workers";

class Session extends RpcTarget {
  constructor(private user: string) {
    super();
  }
  greet(greeting: string) {
    return `${greeting}, ${this.user}`;
  }
}

interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
  PLAIN: DurableObjectNamespace;
}

// Counter uses the DurableObject base class: RPC methods, fetch, and the
// storage key-value and SQL APIs.
export class Counter extends DurableObject<Env> {
  async increment(by: number = 1): Promise<number> {
    // The classic read-modify-write: correct under concurrency because the
    // input gate holds other events while storage I/O is in flight.
    const value = ((await this.ctx.storage.get<number>("count")) ?? 0) + by;
    await this.ctx.storage.put("count", value);
    return value;
  }

  async get(): Promise<number> {
    return (await this.ctx.storage.get<number>("count")) ?? 0;
  }

  // Writes without await, coalesced into one atomic commit.
  async burst(n: number): Promise<number> {
    for (let i = 0; i < n; i++) this.ctx.storage.put(`k${i}`, { i, at: new Date(0), tags: new Set(["a"]) });
    const all = await this.ctx.storage.list({ prefix: "k" });
    return all.size;
  }

  // Values of every structured-clone type survive storage.
  async roundtrip(): Promise<unknown> {
    const shared = { s: 1 };
    const cyclic: any = { name: "c" };
    cyclic.self = cyclic;
    const sparse = [1, , 3];
    const value = {
      n: -0.5, big: 2n ** 70n, nan: NaN, inf: -Infinity, t: true, u: undefined, nul: null, str: "héllo 🌍",
      date: new Date(1234), re: /a+b/gi, map: new Map<any, any>([["k", 1], [2, { x: 1 }]]), set: new Set([1, "two"]),
      bytes: new Uint8Array([1, 2, 3]), f64: new Float64Array([1.5]), ab: new Uint8Array([9]).buffer,
      err: new RangeError("bad"), sparse, refs: [shared, shared], cyclic,
    };
    await this.ctx.storage.put("complex", value);
    const v = await this.ctx.storage.get<any>("complex");
    return {
      n: v.n === -0.5, big: v.big === 2n ** 70n, nan: Number.isNaN(v.nan), inf: v.inf === -Infinity, t: v.t === true,
      u: "u" in v && v.u === undefined, nul: v.nul === null, str: v.str === value.str,
      date: v.date instanceof Date && v.date.getTime() === 1234, re: v.re instanceof RegExp && v.re.source === "a+b" && v.re.flags === "gi",
      map: v.map instanceof Map && v.map.get("k") === 1 && v.map.get(2).x === 1, set: v.set instanceof Set && v.set.has("two"),
      bytes: v.bytes instanceof Uint8Array && v.bytes.join() === "1,2,3", f64: v.f64 instanceof Float64Array && v.f64[0] === 1.5,
      ab: v.ab instanceof ArrayBuffer && new Uint8Array(v.ab)[0] === 9,
      err: v.err instanceof RangeError && v.err.message === "bad",
      sparse: v.sparse.length === 3 && !(1 in v.sparse) && v.sparse[2] === 3,
      refs: v.refs[0] === v.refs[1], cyclic: v.cyclic.self === v.cyclic,
      fn: await this.ctx.storage.put("f", () => 1).then(() => "stored", (e) => e.name),
    };
  }

  async echo(v: unknown): Promise<unknown> {
    return v;
  }

  // A callback argument and an RpcTarget result, passed as stubs.
  async withCallback(cb: (n: number) => Promise<number>): Promise<number> {
    return (await cb(20)) + 1;
  }

  async session(user: string) {
    return new Session(user);
  }

  async fail(message: string): Promise<never> {
    throw new RangeError(message);
  }

  async sql(): Promise<unknown> {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, kind TEXT, data BLOB)");
    const w = sql.exec("INSERT INTO events (kind, data) VALUES (?, ?), (?, ?)", "a", new Uint8Array([1, 2]), "b", null);
    const rows = sql.exec("SELECT id, kind, data FROM events ORDER BY id").toArray();
    const one = sql.exec("SELECT count(*) AS n FROM events").one();
    const raw = [...sql.exec("SELECT kind FROM events ORDER BY id").raw()];
    const cur = sql.exec("SELECT kind FROM events");
    let refused = "";
    try {
      sql.exec("BEGIN TRANSACTION");
    } catch (e) {
      refused = (e as Error).message.slice(0, 40);
    }
    let reserved = "";
    try {
      sql.exec("SELECT * FROM _cf_KV");
    } catch (e) {
      reserved = (e as Error).message;
    }
    return {
      written: w.rowsWritten,
      rows: rows.map((r) => ({ ...r, data: r.data === null ? null : [...new Uint8Array(r.data as ArrayBuffer)] })),
      one,
      raw,
      columns: cur.columnNames,
      size: sql.databaseSize > 0,
      refused,
      reserved: reserved.includes("_cf_"),
    };
  }

  async txn(): Promise<unknown> {
    const s = this.ctx.storage;
    await s.put("t", 1);
    try {
      await s.transaction(async (tx) => {
        await tx.put("t", 2);
        throw new Error("undo");
      });
    } catch {}
    const afterThrow = await s.get("t");
    await s.transaction(async (tx) => {
      await tx.put("t", 3);
      tx.rollback();
    });
    const afterRollback = await s.get("t");
    s.transactionSync(() => s.sql.exec("CREATE TABLE IF NOT EXISTS x (v)"));
    return { afterThrow, afterRollback };
  }

  async kvApi(): Promise<unknown> {
    const s = this.ctx.storage;
    await s.deleteAll();
    await s.put({ a: 1, b: 2, c: 3, d: 4 });
    const many = await s.get(["d", "a", "zz"]);
    const deleted = await s.delete(["a", "zz"]);
    const listed = await s.list({ start: "b", end: "d" });
    const rev = await s.list({ reverse: true, limit: 2 });
    const after = await s.list({ startAfter: "b" });
    let big = "";
    try {
      await s.put("big", "x".repeat(200 * 1024));
    } catch (e) {
      big = (e as Error).name;
    }
    let tooMany = "";
    try {
      await s.get(Array.from({ length: 129 }, (_, i) => String(i)));
    } catch (e) {
      tooMany = (e as Error).name;
    }
    return {
      many: [...many],
      deleted,
      listed: [...listed.keys()],
      rev: [...rev.keys()],
      after: [...after.keys()],
      big,
      tooMany,
      id: this.ctx.id.toString().length,
    };
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "POST") {
      const n = await this.increment(Number(url.searchParams.get("by") ?? 1));
      return new Response(String(n));
    }
    return Response.json({ count: await this.get(), name: this.ctx.id.name ?? null, path: url.pathname });
  }
}

// PlainCounter is a plain class with constructor(state, env), as in the
// guide, using blockConcurrencyWhile to load its state once.
export class PlainCounter {
  state: DurableObjectState;
  value = 0;
  constructor(state: DurableObjectState, env: Env) {
    this.state = state;
    this.state.blockConcurrencyWhile(async () => {
      this.value = (await this.state.storage.get<number>("value")) ?? 0;
    });
  }
  async fetch(request: Request): Promise<Response> {
    this.value++;
    this.state.storage.put("value", this.value);
    return new Response(String(this.value));
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "default";
    const stub = env.COUNTER.getByName(name);
    switch (url.pathname) {
      case "/rpc/increment":
        return Response.json(await stub.increment(Number(url.searchParams.get("by") ?? 1)));
      case "/rpc/get":
        return Response.json(await stub.get());
      case "/fetch":
        return stub.fetch(request);
      case "/burst":
        return Response.json(await stub.burst(Number(url.searchParams.get("n") ?? 10)));
      case "/sql":
        return Response.json(await stub.sql());
      case "/txn":
        return Response.json(await stub.txn());
      case "/gate": {
        // 20 read-modify-write calls started at once from one request: the
        // input gate keeps each get/put pair from interleaving.
        const g = env.COUNTER.getByName("gate-" + name);
        await Promise.all(Array.from({ length: 20 }, () => g.increment(1)));
        return Response.json(await g.get());
      }
      case "/roundtrip":
        return Response.json(await stub.roundtrip());
      case "/kv":
        return Response.json(await stub.kvApi());
      case "/echo": {
        const v = await stub.echo({ d: new Date(5), m: new Map([[1, "x"]]), b: 10n, u: new Uint8Array([7]) });
        const o = v as { d: Date; m: Map<number, string>; b: bigint; u: Uint8Array };
        return Response.json({ d: o.d instanceof Date && o.d.getTime(), m: o.m.get(1), b: String(o.b), u: [...o.u] });
      }
      case "/stubs": {
        const viaCallback = await stub.withCallback(async (n: number) => n * 2);
        const session = await stub.session("ann");
        return Response.json({ viaCallback, greeting: await session.greet("hello") });
      }
      case "/fail":
        try {
          await stub.fail("too far");
          return new Response("no error");
        } catch (e) {
          return Response.json({ name: (e as Error).name, message: (e as Error).message });
        }
      case "/missing":
        try {
          await (stub as any).nope();
          return new Response("no error");
        } catch (e) {
          return Response.json({ name: (e as Error).name, message: (e as Error).message });
        }
      case "/ids": {
        const a = env.COUNTER.idFromName("x");
        const b = env.COUNTER.idFromName("x");
        const u = env.COUNTER.newUniqueId({ jurisdiction: "eu" });
        const parsed = env.COUNTER.idFromString(u.toString());
        let bad = "", foreign = "";
        try { env.COUNTER.idFromString("xyz"); } catch (e) { bad = `${(e as Error).name}: ${(e as Error).message}`; }
        try { env.COUNTER.idFromString(env.PLAIN.newUniqueId().toString()); } catch (e) { foreign = `${(e as Error).name}: ${(e as Error).message}`; }
        return Response.json({
          same: a.equals(b), name: a.name, hex: a.toString(), uniqueName: u.name ?? null,
          parsed: parsed.equals(u), bad, foreign, differ: !a.equals(env.COUNTER.idFromName("y")),
        });
      }
      case "/plain":
        return env.PLAIN.get(env.PLAIN.idFromName(name)).fetch(request);
    }
    return new Response("not found", { status: 404 });
  },
};
