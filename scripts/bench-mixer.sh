#!/usr/bin/env bash
# Benchmarks the mixer (a command, not a test): native Rust, then in one headless Chromium run the
# kernel inside the worklet (SIMD wasm, scalar wasm, JS) and whole-graph renders (native GainNodes,
# wasm worklet, JS worklet) for 3×4 and 32×32, and the output limiter's distortion and latency
# (mixer-wasm/examples/limiter_thd.rs). Writes docs/bench/mixer.md and docs/bench/mixer.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"

bash mixer-wasm/scripts/build.sh
bash mixer-wasm/scripts/build.sh --scalar --out mixer-wasm/npm/dist-scalar
native=$(cargo run --quiet --release -p earshot-mixer --example bench)
echo "native Rust: $native"
limiter=$(cargo run --quiet --release -p earshot-mixer --example limiter_thd)
echo "limiter: $limiter"
gzip_bytes=$(gzip -9c mixer-wasm/npm/dist/earshot_mixer_bg.wasm | wc -c)
mkdir -p docs/bench
node mixer-wasm/bench/bench.mjs "$native" "$gzip_bytes" "$limiter"
