#!/usr/bin/env bash
# bench/run.sh — the same workers on workerd (npm, pinned in package.json)
# and on zerostack, loaded with wrk from this machine; prints requests/s,
# p99 latency and the ratios. Usage: bench/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")"
DUR=${1:-10}
CONC=${CONC:-32}
THREADS=${THREADS:-2}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
# Servers run with $OUT in their arguments: stop any left behind on exit.
trap 'pkill -f "$OUT" 2>/dev/null || true; rm -rf "$OUT"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
[ -x "$ROOT/bin/zerostack" ] || (cd "$ROOT" && make build)
WORKERD=node_modules/.bin/workerd

# Bundle each worker to one ES module for workerd; zerostack bundles itself.
for w in hello hono echo; do
  node_modules/.bin/esbuild "workers/$w.js" --bundle --format=esm --log-level=warning --outfile="$OUT/$w.mjs"
  mkdir -p "$OUT/zs-$w"
  cp "workers/$w.js" "$OUT/zs-$w/index.js"
  printf 'name = "%s"\nmain = "index.js"\ncompatibility_date = "2025-07-18"\n' "$w" > "$OUT/zs-$w/wrangler.toml"
  ln -s "$PWD/node_modules" "$OUT/zs-$w/node_modules"
done

# free_port prints a TCP port nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WD_PORT=$(free_port)
ZS_PORT=$(free_port)

# stop PID: servers are started in command substitutions, so they are not
# this shell's children; kill and poll until the process is gone.
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

start_workerd() { # name port
  cat > "$OUT/$1.capnp" <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:$2", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "$1.mjs") ],
  compatibilityDate = "2025-07-18",
);
CAPNP
  $WORKERD serve "$OUT/$1.capnp" >"$OUT/workerd-$1.log" 2>&1 &
  echo $!
}

start_zerostack() { # name port
  "$ROOT/bin/zerostack" dev --no-watch --log-level warn --ip 127.0.0.1 --port "$2" "$OUT/zs-$1" >"$OUT/zs-$1.log" 2>&1 &
  echo $!
}

# cpu_ticks PID -> user+system clock ticks used so far
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# load URL PID -> "rps p99ms cpu_us_per_request"
load() {
  local t0 t1 hz reqs
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$2")
  wrk -t"$THREADS" -c"$CONC" -d"${DUR}s" --latency "$1" >"$OUT/wrk.txt"
  t1=$(cpu_ticks "$2")
  reqs=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$OUT/wrk.txt")
  echo "$rps $p99 $(echo "($t1 - $t0) * 1000000 / $hz / $reqs" | bc -l)"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

printf '%-10s %-10s %12s %10s %14s\n' case runtime "req/s" "p99 ms" "server CPU/req"
run_case() { # name path
  local name=$1 path=$2 pid r1 r2
  pid=$(start_workerd "$name" $WD_PORT); wait_port $WD_PORT
  curl -s -o /dev/null "http://127.0.0.1:$WD_PORT$path"
  r1=$(load "http://127.0.0.1:$WD_PORT$path" "$pid"); stop "$pid"
  pid=$(start_zerostack "$name" $ZS_PORT); wait_port $ZS_PORT
  curl -s -o /dev/null "http://127.0.0.1:$ZS_PORT$path"
  r2=$(load "http://127.0.0.1:$ZS_PORT$path" "$pid")
  ZS_RSS=$(rss_kb "$pid")
  stop "$pid"
  set -- $r1 $r2
  printf '%-10s %-10s %12.0f %10.2f %11.1f us\n' "$name" workerd "$1" "$2" "$3"
  printf '%-10s %-10s %12.0f %10.2f %11.1f us\n' "$name" zerostack "$4" "$5" "$6"
  printf '%-10s %-10s %12.2fx %9.2fx %12.2fx   (zerostack RSS after run: %d MiB)\n' "$name" ratio "$(echo "$4 / $1" | bc -l)" "$(echo "$5 / $2" | bc -l)" "$(echo "$6 / $3" | bc -l)" "$((ZS_RSS / 1024))"
}

run_case hello /
run_case hono /api/users/123

# 1 MiB body echo throughput (sequential requests through curl would measure
# curl; use wrk with a Lua body).
head -c 786432 /dev/urandom | base64 -w0 > "$OUT/body.txt" # exactly 1 MiB of text
cat > "$OUT/post.lua" <<LUA
local f = io.open("$OUT/body.txt", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
LUA
echo_case() { # runtime port
  wrk -t2 -c4 -d"${DUR}s" -s "$OUT/post.lua" "http://127.0.0.1:$2/" >"$OUT/wrk-echo.txt"
  awk -v rt="$1" '/Requests\/sec/ {printf "%-10s %-10s %12.0f MiB/s (1 MiB bodies echoed)\n", "echo", rt, $2}' "$OUT/wrk-echo.txt"
}
pid=$(start_workerd echo $WD_PORT); wait_port $WD_PORT; echo_case workerd $WD_PORT; stop "$pid"
pid=$(start_zerostack echo $ZS_PORT); wait_port $ZS_PORT; echo_case zerostack $ZS_PORT; stop "$pid"
