#!/usr/bin/env bash
# wrangler's [build] command, for the edge worker (no argument) or the archive worker (`archive`).
# Builds the production edge worker unless EARSHOT_WORKER_DEV=1 asks for the dev build (with the dev
# token-minting endpoint: scripts/dev.sh and the tests set it); the archive has one variant. Test
# harnesses that start wrangler dev many times build once and set EARSHOT_WORKER_PREBUILT=1, so each
# start reuses build/ instead of re-running wasm-opt (~20 s) — but only a build of the same variant.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
worker_root=$PWD
variant=production
features=()
if [ "${1:-}" = archive ]; then
  cd archive
  variant=archive
elif [ "${EARSHOT_WORKER_DEV:-0}" = 1 ]; then
  variant=dev
  features=(--features dev-mint)
fi
if [ "${EARSHOT_WORKER_PREBUILT:-0}" = 1 ] && [ -f build/index.js ] && [ -f build/index_bg.wasm ] \
  && [ "$(cat build/variant 2>/dev/null)" = "$variant" ]; then
  exit 0
fi
# Size over speed for the workers only (the workspace profile stays opt-level 3 for the mixer); their
# own target directory keeps the builds from invalidating each other.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z
export CARGO_TARGET_DIR="${EARSHOT_WORKER_TARGET_DIR:-$worker_root/../target/edge-worker}"
worker-build --release "${features[@]}"
# worker-build keeps the function-names section (--debuginfo) for readable stack traces; it is ~19 % of
# the module and the bundle has a size budget, so strip it (and producer metadata) here, with one more
# -Oz pass over the stripped module (another ~2 KiB gzipped). That pass may also assume what holds for
# Rust's wasm: memory starts zeroed (the module defines it) and its first 1 KiB is never used (the stack
# sits below 1 MiB and grows down towards it; data lies above): ~1.6 KiB more.
"$WASM_OPT_BIN" build/index_bg.wasm -o build/index_bg.wasm --strip-debug --strip-producers \
  -Oz --zero-filled-memory --low-memory-unused \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
  --enable-mutable-globals --enable-multivalue --enable-exception-handling
echo "$variant" > build/variant
