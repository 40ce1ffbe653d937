#!/usr/bin/env bash
# bench/soak.sh — memory over a long run: serves the hello worker with
# zerostack, sends REQUESTS requests (default 1,000,000) with wrk and prints
# the server's RSS after warm-up and at the end. The goal: within 10%.
# Usage: bench/soak.sh [requests]
set -euo pipefail
cd "$(dirname "$0")"
N=${1:-1000000}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT
[ -x "$ROOT/bin/zerostack" ] || (cd "$ROOT" && make build)
mkdir -p "$OUT/w"
cp workers/hello.js "$OUT/w/index.js"
printf 'name = "soak"\nmain = "index.js"\ncompatibility_date = "2025-07-18"\n' > "$OUT/w/wrangler.toml"
"$ROOT/bin/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18789 "$OUT/w" >"$OUT/zs.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18789/ && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }

# wrk runs for a duration, so send in slices and count.
sent=0
slice() { wrk -t2 -c32 -d"$1"s http://127.0.0.1:18789/ | awk '/requests in/ {print $1}'; }
# V8 sizes its young generation up under load during the first few hundred
# thousand requests; measure growth from a warmed-up state (20 s of load).
start=$(rss)
sent=$((sent + $(slice 20)))
base=$(rss)
printf 'at start: RSS %d MiB\n' $((start / 1024))
printf 'after warm-up (%d requests): RSS %d MiB\n' "$sent" $((base / 1024))
while [ "$sent" -lt "$N" ]; do
  sent=$((sent + $(slice 10)))
  printf '%9d requests: RSS %d MiB\n' "$sent" $(($(rss) / 1024))
done
end=$(rss)
printf 'growth after warm-up: %.1f%% (goal: within 10%%)\n' "$(echo "($end - $base) * 100 / $base" | bc -l)"
