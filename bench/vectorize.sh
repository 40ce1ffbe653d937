#!/usr/bin/env bash
# bench/vectorize.sh — zerostack's HNSW index against hnswlib and FAISS HNSW
# (Debian's python3-hnswlib and python3-faiss, run with /usr/bin/python3; `make
# tools` installs them) on the same generated clustered dataset, cosine, with
# the same build parameters. Prints build time, memory, recall@10 and
# queries/s at each ef, and the queries/s at recall@10 >= 0.95 with ratios.
#
# Usage: bench/vectorize.sh [--large] [--reps N] [--ef LIST]
#   default  100,000 × 768, 1,000 queries
#   --large  1,000,000 × 384 (the dataset alone is 1.5 GB; building takes
#            hours on a 2-core machine)
# Environment: M (16), EFC (200), LIBS ("zerostack hnswlib faiss"; add
# zerostack-int8 for the scalar-quantized index).
set -euo pipefail
cd "$(dirname "$0")/.."
N=100000 DIM=768 NQ=1000 REPS=3
EF=10,16,24,32,48,64,96,128,192,256
while [ $# -gt 0 ]; do
  case "$1" in
    --large) N=1000000 DIM=384 ;;
    --reps) REPS=$2; shift ;;
    --ef) EF=$2; shift ;;
    *) echo "usage: bench/vectorize.sh [--large] [--reps N] [--ef LIST]" >&2; exit 2 ;;
  esac
  shift
done
M=${M:-16} EFC=${EFC:-200}
LIBS=${LIBS:-"zerostack hnswlib faiss"}
PY=/usr/bin/python3
$PY -c 'import hnswlib, faiss, numpy' 2>/dev/null ||
  { echo "python3-hnswlib / python3-faiss are missing: run make tools" >&2; exit 1; }

DIR=bench/out/vectorize-$N-$DIM
RES=$DIR/results-$(date -u +%Y%m%dT%H%M%S).jsonl
mkdir -p "$DIR"
go build -o bench/out/vectorize-bench ./bench/vectorize
if [ ! -f "$DIR/meta.json" ]; then
  bench/out/vectorize-bench gen -dir "$DIR" -n "$N" -dim "$DIM" -queries "$NQ"
fi
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); n=$N dim=$DIM M=$M efConstruction=$EFC" | tee "$RES"
for lib in $LIBS; do
  case $lib in
    zerostack) bench/out/vectorize-bench run -dir "$DIR" -m "$M" -efc "$EFC" -ef "$EF" -reps "$REPS" ;;
    zerostack-int8) bench/out/vectorize-bench run -quantize -save=false -dir "$DIR" -m "$M" -efc "$EFC" -ef "$EF" -reps "$REPS" ;;
    # OpenMP threads spin while they wait; on a shared machine that steals
    # the cores the other threads need.
    hnswlib | faiss) OMP_WAIT_POLICY=PASSIVE $PY bench/vectorize/ann_bench.py "$lib" "$DIR" "$M" "$EFC" "$EF" "$REPS" ;;
  esac | tee -a "$RES"
done
echo "# done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES"
$PY bench/vectorize/report.py "$RES"
