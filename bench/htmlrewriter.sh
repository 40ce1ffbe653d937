#!/usr/bin/env bash
# bench/htmlrewriter.sh — CPU per 1 MiB page rewritten by HTMLRewriter on
# workerd (lol-html, native) and on zerostack (JavaScript in the prelude),
# each against its own anchor: the same page streamed through an identity
# TransformStream. Requests are sequential (one client, curl); CPU is the
# server process's user+system time over N requests.
# Usage: bench/htmlrewriter.sh [requests]   (ZEROSTACK=path to use another binary)
set -euo pipefail
cd "$(dirname "$0")"
N=${1:-30}
ROOT=$(cd .. && pwd)
ZS=${ZEROSTACK:-$ROOT/bin/zerostack}
OUT=$(mktemp -d)
trap 'for p in ${PIDS:-}; do kill "$p" 2>/dev/null || true; done; rm -rf "$OUT"' EXIT

[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
[ -x "$ZS" ] || (cd "$ROOT" && make build)
WORKERD=node_modules/.bin/workerd

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_port() {
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done
  echo "server on port $1 did not start" >&2; exit 1
}

cp htmlrewriter/worker.js "$OUT/worker.mjs"
mkdir -p "$OUT/zs"
cp htmlrewriter/worker.js "$OUT/zs/index.js"
printf 'name = "htmlrewriter"\nmain = "index.js"\ncompatibility_date = "2025-07-18"\n' > "$OUT/zs/wrangler.toml"

WD_PORT=$(free_port)
cat > "$OUT/wd.capnp" <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:$WD_PORT", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2025-07-18",
);
CAPNP
$WORKERD serve "$OUT/wd.capnp" >"$OUT/wd.log" 2>&1 &
WD_PID=$!
ZS_PORT=$(free_port)
"$ZS" dev --no-watch --log-level warn --ip 127.0.0.1 --port "$ZS_PORT" "$OUT/zs" >"$OUT/zs.log" 2>&1 &
ZS_PID=$!
PIDS="$WD_PID $ZS_PID"
wait_port "$WD_PORT"
wait_port "$ZS_PORT"

# measure PORT PID MODE -> CPU ms per request (after 5 warm-up requests);
# checks that both servers answer the same bytes.
measure() {
  local url="http://127.0.0.1:$1/?mode=$3" t0 t1 hz
  hz=$(getconf CLK_TCK)
  for _ in 1 2 3 4 5; do curl -sf -o "$OUT/body-$3-$1" "$url"; done
  t0=$(cpu_ticks "$2")
  for _ in $(seq "$N"); do curl -sf -o /dev/null "$url"; done
  t1=$(cpu_ticks "$2")
  echo "scale=1; ($t1 - $t0) * 1000 / $hz / $N" | bc
}

echo "date: $(date -u +%FT%TZ)  load: $(cut -d' ' -f1-3 /proc/loadavg)  requests: $N each  (ms of server CPU per 1 MiB page)"
printf '%-8s %10s %10s %10s\n' mode workerd zerostack "zs/wd"
for mode in pass idle links rewrite; do
  wd=$(measure "$WD_PORT" "$WD_PID" "$mode")
  zs=$(measure "$ZS_PORT" "$ZS_PID" "$mode")
  cmp -s "$OUT/body-$mode-$WD_PORT" "$OUT/body-$mode-$ZS_PORT" && same="" || same="  OUTPUT DIFFERS"
  printf '%-8s %10s %10s %9sx%s\n' "$mode" "$wd" "$zs" "$(echo "scale=2; $zs / $wd" | bc)" "$same"
done
