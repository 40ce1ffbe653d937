#!/usr/bin/env bash
# bench/s3.sh — the S3 API (internal/s3api over r2local) against the local
# disk: PUT and GET of 64 MiB objects next to dd's sequential write
# (conv=fsync: r2local fsyncs every object before it answers) and read on
# the same file system, and 1 KiB PUT/GET operations per second from 32
# concurrent clients. The Go benchmarks run client and server in one
# process; the test binary is built once, before anything is timed.
#
# The machine this runs on is often shared, so the script alternates: each
# round measures dd, then the S3 benchmarks, and the ratios are computed
# per round; the summary gives the median round (and every round). Reads
# are warm on both sides: dd reads the files it has just written, and each
# GET benchmark reads the object it has just PUT (both from the page cache).
#
# Usage: bench/s3.sh [count] [rounds]   (TMPDIR chooses the file system;
# count is the number of 64 MiB objects per measurement, default 8; rounds
# default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-8}
R=${2:-3}
DIR=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$DIR"' EXIT

go test -c -o "$DIR/s3api.test" ./internal/s3api

mbps() { # bytes seconds
  awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / s / 1e6 }'
}
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

bytes=$((N * 64 * 1024 * 1024))
dd if=/dev/urandom of="$DIR/src" bs=1M count=64 status=none
rows=()
for round in $(seq "$R"); do
  t0=$(date +%s.%N)
  for i in $(seq "$N"); do dd if="$DIR/src" of="$DIR/dd.$i" bs=1M conv=fsync status=none; done
  disk_write=$(mbps "$bytes" "$(since "$t0")")
  t1=$(date +%s.%N)
  for i in $(seq "$N"); do dd if="$DIR/dd.$i" of=/dev/null bs=1M status=none; done
  disk_read=$(mbps "$bytes" "$(since "$t1")")
  rm -f "$DIR"/dd.*

  out=$(cd internal/s3api && TMPDIR="$DIR" "$DIR/s3api.test" -test.run '^$' -test.bench 'Put64MiB|Get64MiB' -test.benchtime "${N}x" &&
        TMPDIR="$DIR" "$DIR/s3api.test" -test.run '^$' -test.bench '1KiB' -test.benchtime 5000x)
  put=$(echo "$out" | awk '/BenchmarkPut64MiB/ { print int($(NF-1)) }')
  get=$(echo "$out" | awk '/BenchmarkGet64MiB/ { print int($(NF-1)) }')
  sput=$(echo "$out" | awk '/BenchmarkPut1KiB/ { print int($(NF-1)) }')
  sget=$(echo "$out" | awk '/BenchmarkGet1KiB/ { print int($(NF-1)) }')
  cpu() { echo "$out" | awk -v b="$1" '$0 ~ b { for (i = 2; i <= NF; i++) if ($i == "cpu-us/op") print int($(i-1)) }'; }
  cput=$(cpu BenchmarkPut1KiB)
  cget=$(cpu BenchmarkGet1KiB)
  row="$round $put $disk_write $((100 * put / disk_write)) $get $disk_read $((100 * get / disk_read)) $sput $sget $(cut -d' ' -f1 /proc/loadavg) $cput $cget"
  rows+=("$row")
  echo "round $row" | awk '{ printf "round %s: PUT %s MB/s vs dd %s MB/s (%s%%), GET %s MB/s vs dd %s MB/s (%s%%), 1 KiB PUT %s/s (%s CPU-us/op), GET %s/s (%s CPU-us/op), load %s\n", $2, $3, $4, $5, $6, $7, $8, $9, $12, $10, $13, $11 }'
done

col() { for r in "${rows[@]}"; do echo "$r" | awk -v c="$1" '{ print $c }'; done | median; }
echo
printf '%-28s %s rounds, medians\n' "" "$R"
printf '%-28s %7s MB/s vs dd %5s MB/s: %s%% (goal 60%%)\n' "64 MiB PUT" "$(col 2)" "$(col 3)" "$(col 4)"
printf '%-28s %7s MB/s vs dd %5s MB/s: %s%% (goal 60%%)\n' "64 MiB GET" "$(col 5)" "$(col 6)" "$(col 7)"
ncpu=$(nproc)
printf '%-28s %7s ops/s (goal 5,000); %s CPU-us/op = %s ops/s on %s idle CPUs\n' "1 KiB PUT, 32 clients" "$(col 8)" "$(col 11)" "$((ncpu * 1000000 / $(col 11)))" "$ncpu"
printf '%-28s %7s ops/s (goal 10,000); %s CPU-us/op = %s ops/s on %s idle CPUs\n' "1 KiB GET, 32 clients" "$(col 9)" "$(col 12)" "$((ncpu * 1000000 / $(col 12)))" "$ncpu"
echo "(each median is taken on its own column; the ratios are medians of the per-round ratios. CPU-us/op is"
echo " the benchmark process's user+system time per operation, client and server together; the ops/s it"
echo " implies assume the CPUs are the only limit, which holds for GET and, with group commit, for PUT)"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(go env GOVERSION), $(date -u +%FT%TZ)"
