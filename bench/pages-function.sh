#!/usr/bin/env bash
# bench/pages-function.sh — issue 7's Function-vs-Worker goal alone: the
# handler of pages.sh as a Pages Function (`zerostack pages dev`, /api/hello)
# and as a Worker (`zerostack dev`, /), loaded with wrk in alternating
# order for ROUNDS rounds. Prints req/s with the server's CPU µs per
# request, and the per-round ratios' medians (CPU per request is the
# steadier figure on a shared machine).
# Usage: bench/pages-function.sh [zerostack-binary] [seconds-per-run] [rounds]
set -euo pipefail
Z=${1:-$(cd "$(dirname "$0")/.." && pwd)/bin/zerostack}; DUR=${2:-3}; ROUNDS=${3:-8}
OUT=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; sleep 0.5; rm -rf "$OUT"' EXIT
mkdir -p "$OUT/site/public" "$OUT/site/functions/api" "$OUT/worker/src"; echo hi > "$OUT/site/public/index.html"
H='() => new Response("Hello from the edge!")'
echo "export const onRequest = $H;" >"$OUT/site/functions/api/hello.js"
printf 'name = "bench-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-07-18"\n' >"$OUT/worker/wrangler.toml"
echo "export default { fetch: $H };" >"$OUT/worker/src/index.js"
(cd "$OUT/site" && exec "$Z" pages dev public --no-watch --log-level warn --ip 127.0.0.1 --port 18981 --persist-to "$OUT/a" >/dev/null 2>&1) & pa=$!
"$Z" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18982 --persist-to "$OUT/b" "$OUT/worker" >/dev/null 2>&1 & pb=$!
for p in 18981 18982; do for _ in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:$p/ && break; sleep 0.1; done; done
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
rps() { local t0; t0=$(ticks $2); wrk -t2 -c32 -d${DUR}s "$1" >"$OUT/w"; local t1; t1=$(ticks $2)
  awk -v t=$((t1 - t0)) -v hz=$(getconf CLK_TCK) '/requests in/ {n=$1} /Requests\/sec/ {printf "%d %.0f", $2, t/hz*1e6/n}' "$OUT/w"; }
R=""; C=""
for r in $(seq $ROUNDS); do
  if [ $((r % 2)) = 1 ]; then f=$(rps http://127.0.0.1:18981/api/hello $pa); w=$(rps http://127.0.0.1:18982/ $pb); else w=$(rps http://127.0.0.1:18982/ $pb); f=$(rps http://127.0.0.1:18981/api/hello $pa); fi
  set -- $f; fr=$1; fc=$2; set -- $w; wr=$1; wc=$2
  R="$R $(awk -v a=$fr -v b=$wr 'BEGIN{printf "%.2f", a/b}')"; C="$C $(awk -v a=$fc -v b=$wc 'BEGIN{printf "%.2f", a/b}')"
  echo "fn $fr ($fc us) worker $wr ($wc us) load $(cut -d' ' -f1 /proc/loadavg)"
done
med() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "fn/worker req/s per round:$R median $(echo "$R" | med); CPU per request fn/worker:$C median $(echo "$C" | med)"
