// nodejs_compat: node:stream Readable, Writable, Transform, PassThrough,
// pipeline and finished: events, order, backpressure, errors.
import { Readable, Writable, Transform, PassThrough, Duplex, pipeline, finished } from "node:stream";
import { pipeline as pipelineP } from "node:stream/promises";
import stream from "stream";
import { Buffer } from "node:buffer";

const collect = () => {
  const chunks = [];
  const w = new Writable({ write(chunk, enc, cb) { chunks.push(Buffer.isBuffer(chunk) ? chunk.toString() : chunk); cb(); } });
  w.chunks = chunks;
  return w;
};
const settle = (ms = 5) => new Promise((r) => setTimeout(r, ms));

export default {
  async fetch() {
    const out = {};
    const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    await ta("shape", () => [typeof stream, stream.Readable === Readable, typeof stream.Stream, new PassThrough() instanceof stream.Stream, new Duplex() instanceof Readable, new Duplex() instanceof Writable, new Transform() instanceof Duplex]);
    await ta("readableEvents", async () => {
      const log = [];
      const r = new Readable({ read() {} });
      r.on("data", (c) => log.push("data:" + c));
      r.on("end", () => log.push("end"));
      r.on("close", () => log.push("close"));
      r.push("a"); r.push("b"); r.push(null);
      await settle();
      return [log, r.readableEnded, r.destroyed];
    });
    await ta("readableRead", async () => {
      const r = new Readable({ read() {} });
      r.push("hello "); r.push("world"); r.push(null);
      const log = [];
      r.on("readable", () => { let c; while ((c = r.read()) !== null) log.push(String(c)); });
      await new Promise((res) => r.on("end", res));
      return log;
    });
    await ta("readSize", () => { const r = new Readable({ read() {} }); r.push("abcdef"); return [String(r.read(2)), String(r.read(10)), r.readableLength]; });
    await ta("objectMode", async () => {
      const r = Readable.from([1, { a: 2 }, "three"]);
      const got = [];
      for await (const x of r) got.push(x);
      return [got, r.readableObjectMode];
    });
    await ta("fromAsync", async () => {
      async function* gen() { yield "x"; await settle(1); yield "y"; }
      const got = [];
      for await (const x of Readable.from(gen())) got.push(x);
      return got;
    });
    await ta("encoding", async () => {
      const r = new Readable({ read() {} });
      r.setEncoding("utf8");
      const e = Buffer.from("€");
      r.push(e.subarray(0, 1)); r.push(e.subarray(1)); r.push(null);
      const got = [];
      for await (const c of r) got.push(c);
      return got;
    });
    await ta("writableEvents", async () => {
      const log = [];
      const w = new Writable({ highWaterMark: 3, write(chunk, enc, cb) { log.push("write:" + chunk + ":" + enc); setTimeout(cb, 1); } });
      w.on("drain", () => log.push("drain"));
      w.on("finish", () => log.push("finish"));
      w.on("close", () => log.push("close"));
      log.push("ret:" + w.write("ab"));
      log.push("ret:" + w.write("cd"));
      log.push("len:" + w.writableLength);
      w.end("e", () => log.push("endcb"));
      await settle(20);
      return [log, w.writableFinished, w.writableEnded, w.destroyed];
    });
    await ta("writeAfterEnd", async () => {
      const w = collect();
      const errs = [];
      w.on("error", (e) => errs.push(e.code));
      w.end();
      let cbErr;
      w.write("x", (e) => { cbErr = e && e.code; });
      await settle();
      return [errs, cbErr];
    });
    await ta("final", async () => {
      const log = [];
      const w = new Writable({ write(c, e, cb) { log.push("w"); cb(); }, final(cb) { log.push("final"); setTimeout(cb, 1); } });
      w.on("prefinish", () => log.push("prefinish"));
      w.on("finish", () => log.push("finish"));
      w.write("a"); w.end();
      await settle(10);
      return log;
    });
    await ta("writeError", async () => {
      const log = [];
      const w = new Writable({ write(c, e, cb) { cb(new Error("bad write")); } });
      w.on("error", (e) => log.push("error:" + e.message));
      w.on("close", () => log.push("close"));
      w.write("x", (e) => log.push("cb:" + (e && e.message)));
      await settle();
      return [log, w.destroyed, w.writable];
    });
    await ta("transform", async () => {
      const upper = new Transform({ transform(chunk, enc, cb) { cb(null, String(chunk).toUpperCase()); }, flush(cb) { this.push("!"); cb(); } });
      const w = collect();
      await new Promise((res, rej) => pipeline(Readable.from(["a", "b", "c"]), upper, w, (err) => (err ? rej(err) : res())));
      return w.chunks;
    });
    await ta("passThrough", async () => {
      const p = new PassThrough();
      p.write("one"); p.end("two");
      const got = [];
      for await (const c of p) got.push(String(c));
      return got;
    });
    await ta("pipelineError", async () => {
      const bad = new Transform({ transform(c, e, cb) { cb(new Error("boom")); } });
      const src = Readable.from(["a"]);
      const sink = collect();
      const err = await new Promise((res) => pipeline(src, bad, sink, res));
      await settle();
      return [err && err.message, src.destroyed, sink.destroyed];
    });
    await ta("pipelinePromise", async () => {
      const chunks = [];
      await pipelineP(Readable.from(["x", "y"]), new Transform({ objectMode: true, transform(c, e, cb) { cb(null, c + c); } }), new Writable({ objectMode: true, write(c, e, cb) { chunks.push(c); cb(); } }));
      return chunks;
    });
    await ta("pipelineGenerators", async () => {
      let total = "";
      await pipelineP(Readable.from(["a", "b"]), async function* (src) { for await (const c of src) yield c + "!"; }, async function (src) { for await (const c of src) total += c; });
      return total;
    });
    await ta("finished", async () => {
      const r = Readable.from(["a"]);
      const p = new Promise((res) => finished(r, (err) => res(err === undefined ? "ok" : String(err))));
      r.resume();
      return await p;
    });
    await ta("prematureClose", async () => {
      const r = new Readable({ read() {} });
      const p = new Promise((res) => finished(r, (err) => res(err && err.code)));
      r.destroy();
      return await p;
    });
    await ta("destroyError", async () => {
      const log = [];
      const r = new Readable({ read() {} });
      r.on("error", (e) => log.push("error:" + e.message));
      r.on("close", () => log.push("close"));
      r.destroy(new Error("gone"));
      await settle();
      return [log, r.destroyed, r.errored && r.errored.message];
    });
    await ta("backpressure", async () => {
      let reads = 0;
      const r = new Readable({ highWaterMark: 4, read() { reads++; if (reads < 10) this.push("xx"); else this.push(null); } });
      const log = [];
      const w = new Writable({ highWaterMark: 2, write(c, e, cb) { log.push(String(c)); setTimeout(cb, 1); } });
      await new Promise((res) => r.pipe(w).on("finish", res));
      return [reads, log.join("").length];
    });
    await ta("pauseResume", async () => {
      const r = new Readable({ read() {} });
      const got = [];
      r.on("data", (c) => got.push(String(c)));
      r.pause();
      r.push("a");
      await settle();
      const paused = [got.length, r.isPaused()];
      r.resume();
      await settle();
      return [paused, got, r.isPaused()];
    });
    await ta("duplex", async () => {
      const log = [];
      const d = new Duplex({ read() { this.push("from read"); this.push(null); }, write(c, e, cb) { log.push(String(c)); cb(); } });
      d.write("to write"); d.end();
      for await (const c of d) log.push(String(c));
      await settle();
      return [log, d.destroyed];
    });
    await ta("bigPipeline", async () => {
      let n = 0;
      const src = new Readable({ read() { n++; this.push(n <= 200 ? "chunk" + n + ";" : null); } });
      const t1 = new Transform({ transform(c, e, cb) { cb(null, String(c).replace(/chunk/g, "c")); } });
      const t2 = new PassThrough({ highWaterMark: 8 });
      let total = "";
      const sink = new Writable({ highWaterMark: 16, write(c, e, cb) { total += c; if (total.length % 3 === 0) setTimeout(cb, 0); else cb(); } });
      await pipelineP(src, t1, t2, sink);
      return [total.length, total.slice(0, 12), total.slice(-8)];
    });
    await ta("corkWritev", async () => {
      const log = [];
      const w = new Writable({ writev(chunks, cb) { log.push(chunks.map((c) => String(c.chunk)).join("+")); cb(); }, write(c, e, cb) { log.push("single:" + c); cb(); } });
      w.cork(); w.write("a"); w.write("b"); w.write("c");
      queueMicrotask(() => w.uncork());
      await settle();
      w.write("d");
      w.end();
      await settle();
      return log;
    });
    await ta("iterBreak", async () => {
      const r = Readable.from(["a", "b", "c"]);
      for await (const x of r) { if (x === "a") break; }
      await settle();
      return [r.destroyed, r.readableEnded];
    });
    await ta("iterError", async () => {
      const r = new Readable({ read() {} });
      setTimeout(() => r.destroy(new Error("mid")), 1);
      r.push("a");
      const got = [];
      try { for await (const x of r) got.push(String(x)); } catch (e) { got.push("caught:" + e.message); }
      return got;
    });
    await ta("unpipe", async () => {
      const r = new Readable({ read() {} });
      const w = collect();
      r.pipe(w);
      r.push("a");
      await settle();
      r.unpipe(w);
      r.push("b");
      await settle();
      return [w.chunks, r.readableFlowing];
    });
    await ta("writableObject", async () => {
      const got = [];
      const w = new Writable({ objectMode: true, write(c, e, cb) { got.push([typeof c, e]); cb(); } });
      w.write({ a: 1 }); w.write("s"); w.write(5);
      await new Promise((res) => w.end(res));
      return got;
    });
    await ta("writeBadChunk", () => new Writable({ write(c, e, cb) { cb(); } }).write(5));
    await ta("fromString", async () => { const got = []; for await (const c of Readable.from("whole")) got.push(c); return got; });
    await ta("destroyWritableEndCb", async () => {
      const w = new Writable({ write(c, e, cb) { setTimeout(cb, 5); } });
      w.on("error", () => {});
      w.write("a");
      const p = new Promise((res) => w.end((err) => res(err ? err.code || err.message : "no error")));
      w.destroy();
      return await p;
    });
    await ta("finishedWritable", async () => {
      const w = collect();
      const p = new Promise((res) => finished(w, (err) => res(err ? err.code : "done")));
      w.end("x");
      return await p;
    });
    await ta("readZero", async () => {
      const log = [];
      let calls = 0;
      const r = new Readable({ read(n) { calls++; log.push("read:" + n); if (calls === 1) this.push("x"); else this.push(null); } });
      r.once("readable", () => log.push("readable:" + r.readableLength));
      r.read(0);
      await settle();
      return log;
    });
    await ta("pushAfterEof", async () => {
      const r = new Readable({ read() {} });
      const errs = [];
      r.on("error", (e) => errs.push(e.code));
      r.push(null);
      r.push("late");
      await settle();
      return errs;
    });
    await ta("hwmZero", async () => {
      const got = [];
      const r = new Readable({ highWaterMark: 0, read() { this.push(got.length < 3 ? "z" : null); } });
      for await (const c of r) got.push(String(c));
      return got;
    });
    await ta("subclasses", async () => {
      class Counter extends Readable { constructor() { super({ objectMode: true }); this.n = 0; } _read() { this.n++; this.push(this.n <= 3 ? this.n : null); } }
      class Doubler extends Transform { constructor() { super({ objectMode: true }); } _transform(x, e, cb) { this.push(x * 2); cb(); } }
      class Sum extends Writable { constructor() { super({ objectMode: true }); this.total = 0; } _write(x, e, cb) { this.total += x; cb(); } }
      const sum = new Sum();
      await pipelineP(new Counter(), new Doubler(), sum);
      return [sum.total, sum instanceof Writable, new Doubler() instanceof Writable];
    });
    return Response.json(out);
  },
};
