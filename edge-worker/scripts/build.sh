#!/usr/bin/env bash
# wrangler's [build] command. Test harnesses that start wrangler dev many times build once and set
# EARSHOT_WORKER_PREBUILT=1, so each start reuses build/ instead of re-running wasm-opt (~20 s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${EARSHOT_WORKER_PREBUILT:-0}" = 1 ] && [ -f build/index.js ] && [ -f build/index_bg.wasm ]; then
  exit 0
fi
exec worker-build --release
