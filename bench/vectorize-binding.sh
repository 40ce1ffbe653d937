#!/usr/bin/env bash
# bench/vectorize-binding.sh — Vectorize insert throughput through the
# binding (env.VEC.insert, batches of 1,000 vectors of 768 dimensions,
# Float32Array and number[] values) on `zerostack dev`, against the anchor
# of the same inserts made directly on the Go store in the same run
# (BenchmarkInsert in internal/vectorize/vectorizelocal). Goal: >= 10,000
# vectors/s through the binding.
# Usage: bench/vectorize-binding.sh [requests]   (each request inserts 10,000 vectors)
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-5}
DIM=${DIM:-768}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT
[ -x "$ROOT/bin/zerostack" ] || (cd "$ROOT" && make build)
cp -r vectorize-binding "$OUT/project"

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), dim $DIM, $RUNS requests x 10 batches x 1,000 vectors"
"$ROOT/bin/zerostack" vectorize create bench --dimensions "$DIM" --metric cosine -c "$OUT/project/wrangler.toml" >/dev/null
PORT=18799
"$ROOT/bin/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port $PORT "$OUT/project" >"$OUT/zerostack.log" 2>&1 &
ZPID=$!
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/?dry=1&batches=1&dim=$DIM" && break; sleep 0.1; done

run() { # query → vectors/s measured by the client (whole request)
  local t0 t1 n
  t0=$(date +%s.%N)
  n=$(curl -sf "http://127.0.0.1:$PORT/?$1" | sed -E 's/.*"vectors":([0-9]+).*/\1/')
  t1=$(date +%s.%N)
  awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Server CPU time (user+system, all threads, background graph building
# included) per vector: steadier than wall-clock rates on a loaded machine.
cpu() { awk '{print $14 + $15}' /proc/$ZPID/stat; }
TCK=$(getconf CLK_TCK)
dry=$(run "dry=1&batches=10&dim=$DIM&tag=d")
f32=""; num=""; cf=0; cn=0
for i in $(seq "$RUNS"); do
  c0=$(cpu); f32="$f32 $(run "batches=10&dim=$DIM&tag=f$i")"; c1=$(cpu)
  num="$num $(run "batches=10&dim=$DIM&tag=n$i&numbers=1")"; c2=$(cpu)
  cf=$((cf + c1 - c0)); cn=$((cn + c2 - c1))
done
sleep 1; c3=$(cpu)  # the graph builder catches up

info=$("$ROOT/bin/zerostack" vectorize info bench --json -c "$OUT/project/wrangler.toml" --persist-to "$OUT/project/.zerostack/state" 2>/dev/null | tr -d ' \n' || true)
kill %1 2>/dev/null || true; wait 2>/dev/null || true

# Anchor: the same 1,000-vector inserts straight into the Go store.
anchor=${ANCHOR:-$(cd "$ROOT" && go test -run "^$" -bench "^BenchmarkInsert$" -benchtime 20x ./internal/vectorize/vectorizelocal | awk '/vectors\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="vectors/s") print int($i)}')}

F=$(echo "$f32" | median); N=$(echo "$num" | median)
echo "JS side only (dry run, building batches):   $dry vectors/s"
echo "binding, Float32Array values (runs:$f32): median $F vectors/s"
echo "binding, number[] values     (runs:$num): median $N vectors/s"
echo "Go store directly (anchor):                  $anchor vectors/s"
awk -v cf="$cf" -v cn="$cn" -v r="$RUNS" -v t="$TCK" 'BEGIN { printf "server CPU per 1,000 vectors: Float32Array %.0f ms, number[] %.0f ms (1 core-second inserts %.0f / %.0f vectors)\n", cf*1000/t/(r*10), cn*1000/t/(r*10), (cf ? r*10000*t/cf : 0), (cn ? r*10000*t/cn : 0) }'
awk -v f="$F" -v n="$N" -v a="$anchor" 'BEGIN { printf "binding/anchor: Float32Array %.2f, number[] %.2f; goal >= 10,000 vectors/s: %s\n", f/a, n/a, (f >= 10000 && n >= 10000) ? "met" : "NOT met" }'
echo "index after the run: $info"
