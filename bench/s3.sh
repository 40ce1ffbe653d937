#!/usr/bin/env bash
# bench/s3.sh — the S3 API (internal/s3api over r2local) against the local
# disk: PUT and GET of 64 MiB objects next to dd's sequential write
# (oflag=direct conv=fsync, bs=1M: the disk itself, synced, as r2local syncs
# every object before it answers) and read (iflag=direct) of as many 64 MiB
# files on the same file system, and 1 KiB PUT/GET operations per second
# from 32 concurrent clients. A buffered write (conv=fsync) is printed for
# reference only: on this VM it is no measure of the disk (the host absorbs
# a burst of ~128 MiB, then 64 MiB files went at 0.2 s each against a
# steady 0.08-0.10 s with O_DIRECT; 320 to 1,130 MB/s within a minute). The Go
# benchmarks run client and server in one process; the test binary is built
# once, before anything is timed.
#
# The 64 MiB PUT is also measured with four clients at once (the total
# throughput; aws s3 cp and rclone keep several requests in flight) and
# against its ceiling on this machine: the same client sending the same
# PUT to a server that stores nothing and only computes the MD5 every
# single-part object's ETag is (BenchmarkPutCeiling64MiB).
#
# The machine this runs on is often shared, and its virtual disk's speed
# varies from one second to the next, so the script alternates: each round
# measures dd, then the S3 benchmarks, and the ratios are computed per
# round; the summary gives the median round (and every round), and the
# ratios against the fastest dd of all rounds, the conservative figure.
# Each GET benchmark reads the object it has just PUT (from the page
# cache); a warm page-cache dd read is printed too, for reference.
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
  sleep 2 # let the disk settle after the last round's writes
  t0=$(date +%s.%N)
  for i in $(seq "$N"); do dd if="$DIR/src" of="$DIR/dd.$i" bs=1M oflag=direct conv=fsync status=none; done
  disk_write=$(mbps "$bytes" "$(since "$t0")")
  rm -f "$DIR"/dd.*
  sleep 1
  t0=$(date +%s.%N)
  for i in $(seq "$N"); do dd if="$DIR/src" of="$DIR/dd.$i" bs=1M conv=fsync status=none; done
  buf_write=$(mbps "$bytes" "$(since "$t0")")
  t1=$(date +%s.%N)
  for i in $(seq "$N"); do dd if="$DIR/dd.$i" of=/dev/null bs=1M iflag=direct status=none; done
  disk_read=$(mbps "$bytes" "$(since "$t1")")
  t2=$(date +%s.%N)
  for i in $(seq "$N"); do dd if="$DIR/dd.$i" of=/dev/null bs=1M status=none; done
  cache_read=$(mbps "$bytes" "$(since "$t2")")
  rm -f "$DIR"/dd.*

  out=$(cd internal/s3api && TMPDIR="$DIR" "$DIR/s3api.test" -test.run '^$' -test.bench 'Put64MiB|Get64MiB|PutCeiling64MiB' -test.benchtime "${N}x" &&
        TMPDIR="$DIR" "$DIR/s3api.test" -test.run '^$' -test.bench '1KiB' -test.benchtime 5000x)
  mb() { echo "$out" | awk -v b="$1" '$1 ~ "^" b "-" { for (i = 2; i <= NF; i++) if ($i == "MB/s") print int($(i-1)) }'; }
  put=$(mb BenchmarkPut64MiB)
  putc=$(mb BenchmarkPut64MiBConcurrent)
  ceil=$(mb BenchmarkPutCeiling64MiB)
  get=$(mb BenchmarkGet64MiB)
  sput=$(echo "$out" | awk '/BenchmarkPut1KiB/ { print int($(NF-1)) }')
  sget=$(echo "$out" | awk '/BenchmarkGet1KiB/ { print int($(NF-1)) }')
  cpu() { echo "$out" | awk -v b="$1" '$0 ~ b { for (i = 2; i <= NF; i++) if ($i == "cpu-us/op") print int($(i-1)) }'; }
  cput=$(cpu BenchmarkPut1KiB)
  cget=$(cpu BenchmarkGet1KiB)
  row="$round $put $disk_write $((100 * put / disk_write)) $get $disk_read $((100 * get / disk_read)) $sput $sget $(cut -d' ' -f1 /proc/loadavg) $cput $cget $putc $((100 * putc / disk_write)) $ceil $((100 * ceil / disk_write)) $cache_read $buf_write"
  rows+=("$row")
  echo "round $row" | awk '{ printf "round %s: PUT %s MB/s vs dd %s MB/s (%s%%; 4 clients %s MB/s, %s%%; MD5 ceiling %s MB/s, %s%%), GET %s MB/s vs dd %s MB/s (%s%%; page cache %s MB/s), buffered dd write %s MB/s, 1 KiB PUT %s/s (%s CPU-us/op), GET %s/s (%s CPU-us/op), load %s\n", $2, $3, $4, $5, $14, $15, $16, $17, $6, $7, $8, $18, $19, $9, $12, $10, $13, $11 }'
done

col() { for r in "${rows[@]}"; do echo "$r" | awk -v c="$1" '{ print $c }'; done | median; }
maxcol() { for r in "${rows[@]}"; do echo "$r" | awk -v c="$1" '{ print $c }'; done | sort -n | tail -1; }
DW=$(maxcol 3); DR=$(maxcol 6)
echo
printf '%-28s %s rounds, medians; against the fastest dd of all rounds (write %s, read %s MB/s) in brackets\n' "" "$R" "$DW" "$DR"
printf '%-28s %7s MB/s vs dd %5s MB/s: %s%% [%s%%] (goal 60%%)\n' "64 MiB PUT" "$(col 2)" "$(col 3)" "$(col 4)" "$((100 * $(col 2) / DW))"
printf '%-28s %7s MB/s vs dd %5s MB/s: %s%% [%s%%]\n' "64 MiB PUT, 4 clients" "$(col 13)" "$(col 3)" "$(col 14)" "$((100 * $(col 13) / DW))"
printf '%-28s %7s MB/s vs dd %5s MB/s: %s%% [%s%%]; the PUT is %s%% of it\n' "64 MiB MD5-only ceiling" "$(col 15)" "$(col 3)" "$(col 16)" "$((100 * $(col 15) / DW))" "$((100 * $(col 2) / $(col 15)))"
printf '%-28s %7s MB/s vs dd %5s MB/s: %s%% [%s%%] (goal 60%%); page-cache dd read %s MB/s\n' "64 MiB GET" "$(col 5)" "$(col 6)" "$(col 7)" "$((100 * $(col 5) / DR))" "$(col 17)"
printf '%-28s %7s MB/s (fastest round %s); the PUT is %s%% of the fastest\n' "buffered dd write (reference)" "$(col 18)" "$(maxcol 18)" "$((100 * $(col 2) / $(maxcol 18)))"
ncpu=$(nproc)
printf '%-28s %7s ops/s (goal 5,000); %s CPU-us/op = %s ops/s on %s idle CPUs\n' "1 KiB PUT, 32 clients" "$(col 8)" "$(col 11)" "$((ncpu * 1000000 / $(col 11)))" "$ncpu"
printf '%-28s %7s ops/s (goal 10,000); %s CPU-us/op = %s ops/s on %s idle CPUs\n' "1 KiB GET, 32 clients" "$(col 9)" "$(col 12)" "$((ncpu * 1000000 / $(col 12)))" "$ncpu"
echo "(each median is taken on its own column; the ratios are medians of the per-round ratios. CPU-us/op is"
echo " the benchmark process's user+system time per operation, client and server together; the ops/s it"
echo " implies assume the CPUs are the only limit, which holds for GET and, with group commit, for PUT)"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(go env GOVERSION), $(date -u +%FT%TZ)"
