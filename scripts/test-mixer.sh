#!/usr/bin/env bash
# Runs every test of the mixer (mixer-wasm/): native unit, integration and property tests, the wasm
# API under wasm-bindgen-test in headless Chromium, then the built npm package's worklet and its
# packed tarball in headless Chromium (node --test). Assumes scripts/bootstrap.sh has run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
step() { printf '\n[test-mixer] %s\n' "$*"; }

step "native: cargo test -p earshot-mixer"
cargo test -p earshot-mixer

step "wasm: wasm-bindgen-test in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p earshot-mixer --target wasm32-unknown-unknown --test web

step "wasm: wasm-bindgen-test in headless Firefox ESR (geckodriver)"
env -u CHROMEDRIVER GECKODRIVER="$EARSHOT_TOOLS/bin/geckodriver" \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p earshot-mixer --target wasm32-unknown-unknown --test web

step "build the npm package (SIMD)"
bash mixer-wasm/scripts/build.sh

step "browser: the worklet and the packed npm tarball in headless Chromium"
node --test mixer-wasm/tests/browser/*.test.mjs

step "all mixer tests passed"
