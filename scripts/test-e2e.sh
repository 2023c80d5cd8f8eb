#!/usr/bin/env bash
# End-to-end browser tests: real Chromium, real WebRTC, inside a fresh network namespace whose only
# interface is loopback, so ICE can use nothing but 127.0.0.1. Everything a test starts (servers,
# wrangler dev, browsers) starts inside that namespace too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
# What the pages and the worker need, built outside the namespace (cargo may fetch crates).
bash edge-worker/scripts/dev-vars.sh
(cd edge-worker && EARSHOT_WORKER_DEV=1 EARSHOT_WORKER_PREBUILT=0 bash scripts/build.sh)
(cd edge-worker && EARSHOT_WORKER_PREBUILT=0 bash scripts/build.sh archive)
bash scripts/build-demo.sh
exec unshare --net sh -c 'ip link set lo up && exec node --test --test-concurrency=1 tests/e2e/*.test.mjs'
