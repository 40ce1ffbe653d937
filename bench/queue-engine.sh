#!/usr/bin/env bash
# bench/queue-engine.sh — the embedded Queues engine: zerostack's SQLite store
# (internal/queues/queueslocal) against an embedded NATS JetStream server (file
# store, in-process connection) doing the same work (queue-engine/main.go):
#   - 100,000 messages of ~60 bytes sent in batches of 100 (one durable write a
#     batch) while a consumer takes them in batches of 100 with explicit acks;
#     messages/s end to end, CPU seconds (getrusage), peak RSS;
#   - p50/p99 from send to receipt at a fixed 1,000 messages/s (5 s);
#   - with fsync on every acknowledged write (SQLite synchronous=FULL,
#     JetStream sync_always), throughput only, 5,000 messages;
#   - SIGKILL while sending: how many acknowledged messages survive.
# Engines alternate (ROUNDS rounds, each run a fresh process and store) so that
# the machine's changing load moves both alike; the tables give medians.
# queue-engine/ is its own Go module, so zerostack's go.mod gets no NATS.
# Usage: bench/queue-engine.sh [messages]   (ROUNDS=3, ZEROSTACK_SRC=tree)
set -euo pipefail
cd "$(dirname "$0")/queue-engine"
N=${1:-100000}
ROUNDS=${ROUNDS:-3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# ZEROSTACK_SRC=dir builds against another zerostack tree (e.g. a `git archive`
# of one commit) instead of this working tree, which others may be editing.
if [ -n "${ZEROSTACK_SRC:-}" ]; then
  sed "s#=> ../..#=> $(cd "$ZEROSTACK_SRC" && pwd)#" go.mod >"$OUT/alt.mod"
  cp go.sum "$OUT/alt.sum"
  GOFLAGS=-mod=mod go build -modfile "$OUT/alt.mod" -o "$OUT/queue-engine" .
else
  GOFLAGS=-mod=mod go build -o "$OUT/queue-engine" .
fi
Q="$OUT/queue-engine"

echo "# zerostack tree: ${ZEROSTACK_SRC:-$(cd ../.. && pwd)}"
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $N messages, $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
  for e in sqlite jetstream; do
    "$Q" -engine "$e" -n "$N" | tee -a "$OUT/results.jsonl"
  done
done
for e in sqlite jetstream; do
  "$Q" -engine "$e" -fsync -n 5000 -latsecs 0 | tee -a "$OUT/results.jsonl"
done
for f in false true; do
  for e in sqlite jetstream; do
    "$Q" -engine "$e" -kill -fsync=$f | tee -a "$OUT/results.jsonl"
  done
done
echo "# end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
"$Q" -summarize <"$OUT/results.jsonl"
