#!/usr/bin/env bash
# bench/websocket.sh — WebSockets on workerd (npm, pinned in package.json) and
# on zerostack, with the same echo worker (workers/ws-echo.js) and the same
# Go client (wsload): echo round trips per second over CONNS connections, and
# the server's memory for IDLE idle connections (RSS of the server process
# with them open, minus its RSS before they opened).
# workerd holds WD_IDLE connections (default 5000: with 10,000 it runs out of
# file descriptors under a 20,000 limit and exits); memory is compared per
# connection.
# Usage: bench/websocket.sh [seconds-per-echo-run]   (env: CONNS, IDLE, WD_IDLE)
set -euo pipefail
cd "$(dirname "$0")"
DUR=${1:-10}
CONNS=${CONNS:-16}
IDLE=${IDLE:-10000}
WD_IDLE=${WD_IDLE:-$((IDLE < 5000 ? IDLE : 5000))}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
# Servers and clients started here note their pids in $OUT/pids; stop them on exit.
trap '[ -f "$OUT/pids" ] && kill $(cat "$OUT/pids") 2>/dev/null; rm -rf "$OUT"' EXIT

[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
# Build from this tree (bin/zerostack may be older than the code).
(cd "$ROOT" && go build -o "$OUT/zerostack" ./cmd/zerostack && go build -o "$OUT/wsload" ./bench/wsload)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt $((IDLE + 1000)) ]; then
  echo "ulimit -n is $(ulimit -n): too low for $IDLE connections" >&2; exit 1
fi
WORKERD=node_modules/.bin/workerd

node_modules/.bin/esbuild workers/ws-echo.js --bundle --format=esm --log-level=warning --outfile="$OUT/ws-echo.mjs"
mkdir -p "$OUT/zs-ws-echo"
cp workers/ws-echo.js "$OUT/zs-ws-echo/index.js"
printf 'name = "ws-echo"\nmain = "index.js"\ncompatibility_date = "2025-07-18"\n' > "$OUT/zs-ws-echo/wrangler.toml"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 100); do [ -e "/proc/$1" ] || return 0; sleep 0.05; done
  kill -9 "$1" 2>/dev/null || true
}
wait_port() {
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; exit 1
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

start() { # runtime port -> pid
  if [ "$1" = workerd ]; then
    cat > "$OUT/ws.capnp" <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:$2", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "ws-echo.mjs") ],
  compatibilityDate = "2025-07-18",
);
CAPNP
    $WORKERD serve "$OUT/ws.capnp" >"$OUT/workerd.log" 2>&1 &
    echo $! >>"$OUT/pids"
  else
    "$OUT/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port "$2" "$OUT/zs-ws-echo" >"$OUT/zs.log" 2>&1 &
    echo $! >>"$OUT/pids"
  fi
  echo $!
}

declare -A RT RSS0 RSS1 OPEN N
N[workerd]=$WD_IDLE
N[zerostack]=$IDLE
for rt in workerd zerostack; do
  port=$(free_port)
  pid=$(start $rt "$port"); wait_port "$port"
  # Idle connections first, on a fresh server warmed by a few round trips
  # (memory freed by a heavier run would hide what the connections cost).
  "$OUT/wsload" -url "ws://127.0.0.1:$port/" -mode echo -conns 2 -dur 1s >/dev/null
  sleep 2
  RSS0[$rt]=$(rss_kb "$pid")
  "$OUT/wsload" -url "ws://127.0.0.1:$port/" -mode idle -conns "${N[$rt]}" -hold 20s >"$OUT/idle.txt" &
  lp=$!
  echo $lp >>"$OUT/pids"
  for _ in $(seq 600); do grep -q open "$OUT/idle.txt" 2>/dev/null && break; sleep 0.2; done
  sleep 10 # let the server settle (GC) with the connections idle
  [ -e "/proc/$pid" ] || { echo "$rt exited while holding ${N[$rt]} connections:" >&2; tail -5 "$OUT"/*.log >&2; exit 1; }
  RSS1[$rt]=$(rss_kb "$pid")
  OPEN[$rt]=$(awk '{print $2 " open, " $4 " failed"}' "$OUT/idle.txt")
  wait "$lp" || true
  RT[$rt]=$("$OUT/wsload" -url "ws://127.0.0.1:$port/" -mode echo -conns "$CONNS" -dur "${DUR}s" | awk '{print $2}')
  stop "$pid"
done

printf '%-10s %14s %14s %16s %14s %s\n' runtime "echo rt/s" "RSS before" "RSS with idle" "per conn" "connections"
for rt in workerd zerostack; do
  printf '%-10s %14.0f %11d MiB %13d MiB %11.1f KiB   %s\n' "$rt" "${RT[$rt]}" $((RSS0[$rt] / 1024)) $((RSS1[$rt] / 1024)) \
    "$(echo "(${RSS1[$rt]} - ${RSS0[$rt]}) / ${N[$rt]}" | bc -l)" "${OPEN[$rt]}"
done
printf 'ratio zerostack/workerd: echo %.2fx, memory per idle connection %.2fx\n' \
  "$(echo "${RT[zerostack]} / ${RT[workerd]}" | bc -l)" \
  "$(echo "((${RSS1[zerostack]} - ${RSS0[zerostack]}) / ${N[zerostack]}) / ((${RSS1[workerd]} - ${RSS0[workerd]}) / ${N[workerd]})" | bc -l)"
echo "goal: ${IDLE} idle connections in < 200 MiB of zerostack RSS: $((RSS1[zerostack] / 1024)) MiB"
