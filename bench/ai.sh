#!/usr/bin/env bash
# bench/ai.sh — Workers AI's OpenAI-compatible provider against calling the
# server directly (bench/ai/main.go): added latency per request (in Go, and
# through a worker on zerostack dev) and time to the first streamed token.
# The server is a deterministic fake in the bench process (package aitest).
# Usage: bench/ai.sh [requests]   (make build first)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3000}
[ -x bin/zerostack ] || make build
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $N requests per series"
go run ./bench/ai -n "$N" -zerostack bin/zerostack -worker bench/ai/worker
