#!/usr/bin/env bash
# bench/pages-ab.sh — two zerostack builds (A and B) side by side on the
# pages.sh workload, with nginx (pages.sh's Debian-defaults config) as the
# anchor, interleaved round by round so that a loaded machine moves both
# alike: the 10 KiB static file on A, B and nginx; with STATIC_ONLY unset
# also the Function route and the same handler as a Worker on A and B.
# Prints req/s with the server's CPU µs per request in parentheses.
# Usage: bench/pages-ab.sh A-binary B-binary [seconds-per-run] [rounds]
# (build A from an older commit with: go build -o /tmp/zs-a ./cmd/zerostack)
set -euo pipefail
A=$1; B=$2; DUR=${3:-5}; ROUNDS=${4:-3}
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 0.5; rm -rf "$OUT"' EXIT
mkdir -p "$OUT/site/public/static" "$OUT/site/functions/api" "$OUT/worker/src"
head -c 10240 /dev/urandom | base64 -w 76 | head -c 10240 >"$OUT/site/public/static/10k.js"
echo '<h1>bench</h1>' >"$OUT/site/public/index.html"
HANDLER='() => new Response("Hello from the edge!")'
echo "export const onRequest = $HANDLER;" >"$OUT/site/functions/api/hello.js"
printf 'name = "bench-worker"\nmain = "src/index.js"\ncompatibility_date = "2025-07-18"\n' >"$OUT/worker/wrangler.toml"
echo "export default { fetch: $HANDLER };" >"$OUT/worker/src/index.js"
chmod 755 "$OUT"; chmod -R a+rX "$OUT/site"
cat >"$OUT/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000; ${NGINX_EXTRA:-}
  client_body_temp_path $OUT/nb; proxy_temp_path $OUT/np; fastcgi_temp_path $OUT/nf; uwsgi_temp_path $OUT/nu; scgi_temp_path $OUT/ns;
  server { listen 127.0.0.1:18903; root $OUT/site/public; etag on; }
}
NGINX
(cd "$OUT/site" && exec "$A" pages dev public --no-watch --log-level warn --ip 127.0.0.1 --port 18901 --persist-to "$OUT/a" >"$OUT/a.log" 2>&1) &
(cd "$OUT/site" && exec "$B" pages dev public --no-watch --log-level warn --ip 127.0.0.1 --port 18902 --persist-to "$OUT/b" >"$OUT/b.log" 2>&1) &
"$(command -v nginx || echo /usr/sbin/nginx)" -c "$OUT/nginx.conf" -e "$OUT/nginx-error.log" >/dev/null 2>&1 &
"$A" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18904 --persist-to "$OUT/aw" "$OUT/worker" >"$OUT/aw.log" 2>&1 &
"$B" dev --no-watch --log-level warn --ip 127.0.0.1 --port 18905 --persist-to "$OUT/bw" "$OUT/worker" >"$OUT/bw.log" 2>&1 &
for p in 18901 18902 18903 18904 18905; do for _ in $(seq 600); do curl -sf -o /dev/null http://127.0.0.1:$p/ && break; sleep 0.1; done; done
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
# rps URL PIDS...: prints req/s and server CPU µs per request
rps() { local u=$1; shift; local t0; t0=$(ticks "$@"); wrk -t2 -c32 -d${DUR}s "$u" >"$OUT/wrk.txt"; local t1; t1=$(ticks "$@")
  awk -v t=$((t1 - t0)) -v hz=$(getconf CLK_TCK) '/requests in/ {n=$1} /Requests\/sec/ {printf "%d(%.0fus)", $2, t/hz*1e6/n}' "$OUT/wrk.txt"; }
num() { echo "${1%%(*}"; }
PA=$(pgrep -f "port 18901"); PB=$(pgrep -f "port 18902"); NM=$(cat $OUT/nginx.pid); PN="$NM $(pgrep -P $NM | tr '\n' ' ')"
PWA=$(pgrep -f "port 18904"); PWB=$(pgrep -f "port 18905")
echo "# $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq $ROUNDS); do
  sa=$(rps http://127.0.0.1:18901/static/10k.js $PA); sb=$(rps http://127.0.0.1:18902/static/10k.js $PB); n=$(rps http://127.0.0.1:18903/static/10k.js $PN)
  line="static A $sa B $sb nginx $n  A/n $(awk -v a=$(num $sa) -v b=$(num $n) 'BEGIN{printf "%.2f",a/b}') B/n $(awk -v a=$(num $sb) -v b=$(num $n) 'BEGIN{printf "%.2f",a/b}')"
  if [ -z "${STATIC_ONLY:-}" ]; then
    fa=$(rps http://127.0.0.1:18901/api/hello $PA); fb=$(rps http://127.0.0.1:18902/api/hello $PB); wa=$(rps http://127.0.0.1:18904/ $PWA); wb=$(rps http://127.0.0.1:18905/ $PWB)
    line="$line | fn A $fa B $fb worker A $wa B $wb  fA/wA $(awk -v a=$(num $fa) -v b=$(num $wa) 'BEGIN{printf "%.2f",a/b}') fB/wB $(awk -v a=$(num $fb) -v b=$(num $wb) 'BEGIN{printf "%.2f",a/b}')"
  fi
  echo "$line  load $(cut -d' ' -f1 /proc/loadavg)"
done
