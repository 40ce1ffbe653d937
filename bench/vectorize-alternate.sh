#!/usr/bin/env bash
# bench/vectorize-alternate.sh — query-only passes of zerostack's HNSW and
# hnswlib on the dataset and saved indexes of bench/vectorize.sh, alternating
# between the two ROUNDS times, so that on a shared machine both see the
# same load. The indexes are built (and saved) on first use.
#
# Usage: bench/vectorize-alternate.sh [ROUNDS] [EF-LIST]   (3, 16,24,32,48,64)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3} EF=${2:-16,24,32,48,64}
N=${N:-100000} DIM=${DIM:-768} M=${M:-16} EFC=${EFC:-200}
DIR=bench/out/vectorize-$N-$DIM
[ -f "$DIR/meta.json" ] || { echo "no dataset in $DIR: run bench/vectorize.sh first" >&2; exit 1; }
RES=$DIR/alternate-$(date -u +%Y%m%dT%H%M%S).jsonl
go build -o bench/out/vectorize-bench ./bench/vectorize
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); alternating $ROUNDS rounds" | tee "$RES"
for r in $(seq "$ROUNDS"); do
  bench/out/vectorize-bench run -dir "$DIR" -m "$M" -efc "$EFC" -index "$DIR/zerostack.hnsw" -ef "$EF" -reps 1 -save=false | tee -a "$RES"
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/vectorize/ann_bench.py hnswlib "$DIR" "$M" "$EFC" "$EF" 1 "$DIR/hnswlib.idx" | tee -a "$RES"
done
echo "# done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES"
/usr/bin/python3 bench/vectorize/report.py "$RES" --rounds
