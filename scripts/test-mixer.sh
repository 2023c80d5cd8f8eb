#!/usr/bin/env bash
# Runs every test of the mixer (mixer-wasm/): native unit, integration and property tests, the wasm
# API under wasm-bindgen-test in headless Chromium and Firefox ESR, then the built npm package's worklet
# in both (node --test), and the packed tarball installed into one production app per bundler (Vite,
# webpack, Rollup, esbuild, a plain page) run in both, plus `tsc --strict` over a TypeScript app
# (tests/bundlers: each fixture installs its pinned bundler from npm itself, into target/bundlers).
# Assumes scripts/bootstrap.sh has run.
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

step "browser: the worklet and the health probe in headless Chromium"
node --test mixer-wasm/tests/browser/*.test.mjs

step "browser: the same tests in headless Firefox ESR (puppeteer-core over WebDriver BiDi)"
EARSHOT_BROWSER=firefox node --test mixer-wasm/tests/browser/*.test.mjs

step "bundlers: the packed tarball in Vite, webpack, Rollup, esbuild and plain-page apps, each in Chromium and Firefox; tsc --strict"
node --test tests/bundlers/bundlers.test.mjs

step "all mixer tests passed"
