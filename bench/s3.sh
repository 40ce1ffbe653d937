#!/usr/bin/env bash
# bench/s3.sh — the S3 API (internal/s3api over r2local) against the local
# disk: PUT and GET of 64 MiB objects next to dd's sequential write
# (conv=fdatasync, as r2local fsyncs every object) and read on the same file
# system, and 1 KiB PUT/GET operations per second from 32 concurrent
# clients. The Go benchmarks run client and server in one process.
# Usage: bench/s3.sh [count]   (TMPDIR chooses the file system; count is
# the number of 64 MiB objects per run, default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-8}
DIR=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$DIR"' EXIT

mbps() { # bytes seconds
  awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / s / 1e6 }'
}
bytes=$((N * 64 * 1024 * 1024))
t0=$(date +%s.%N)
dd if=/dev/urandom of="$DIR/src" bs=1M count=64 status=none
for i in $(seq "$N"); do dd if="$DIR/src" of="$DIR/dd.$i" bs=1M conv=fdatasync status=none; done
t1=$(date +%s.%N)
for i in $(seq "$N"); do dd if="$DIR/dd.$i" of=/dev/null bs=1M status=none; done
t2=$(date +%s.%N)
disk_write=$(mbps "$bytes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
disk_read=$(mbps "$bytes" "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')")
rm -f "$DIR"/dd.* "$DIR/src"

out=$(TMPDIR="$DIR" go test -run '^$' -bench 'Put64MiB|Get64MiB' -benchtime "${N}x" ./internal/s3api;
      TMPDIR="$DIR" go test -run '^$' -bench '1KiB' -benchtime 5000x ./internal/s3api)
echo "$out" | grep '^Benchmark'
put=$(echo "$out" | awk '/BenchmarkPut64MiB/ { print int($(NF-1)) }')
get=$(echo "$out" | awk '/BenchmarkGet64MiB/ { print int($(NF-1)) }')
sput=$(echo "$out" | awk '/BenchmarkPut1KiB/ { print int($(NF-1)) }')
sget=$(echo "$out" | awk '/BenchmarkGet1KiB/ { print int($(NF-1)) }')
echo
printf '%-28s %10s %10s %7s\n' "" "S3 API" "disk (dd)" "ratio"
printf '%-28s %7s MB/s %5s MB/s %6s%%\n' "64 MiB PUT vs dd write" "$put" "$disk_write" "$((100 * put / disk_write))"
printf '%-28s %7s MB/s %5s MB/s %6s%%\n' "64 MiB GET vs dd read" "$get" "$disk_read" "$((100 * get / disk_read))"
printf '%-28s %7s ops/s  (goal 5,000)\n' "1 KiB PUT, 32 clients" "$sput"
printf '%-28s %7s ops/s  (goal 10,000)\n' "1 KiB GET, 32 clients" "$sget"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(go env GOVERSION), $(date -u +%FT%TZ)"
