#!/usr/bin/env bash
# Benchmark of a live call through the demo pages (not a test): mode-switch latency (click → audible
# change) and mouth-to-ear through the agent's hub, over real WebRTC on loopback in a network
# namespace. Writes docs/bench/call.json and docs/bench/call.md. Rounds: EARSHOT_BENCH_ROUNDS (5).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
bash scripts/bootstrap.sh >/dev/null
bash edge-worker/scripts/dev-vars.sh
(cd edge-worker && EARSHOT_WORKER_DEV=1 bash scripts/build.sh)
(cd edge-worker && bash scripts/build.sh archive)
bash scripts/build-demo.sh
# The call's latencies (docs/bench/call.json), then what the agent's echo-referenced playback adds
# (docs/bench/echo.json).
exec unshare --net sh -c 'ip link set lo up && node tests/e2e/bench-call.mjs && exec node tests/e2e/bench-echo.mjs'
