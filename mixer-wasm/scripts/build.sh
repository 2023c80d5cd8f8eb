#!/usr/bin/env bash
# Builds the earshot-mixer npm package into mixer-wasm/npm/dist: the mixer as wasm (SIMD unless
# --scalar), the worklet processor (one self-contained module with the wasm-bindgen glue inside) and
# the main-thread helper; and
# the call health probe (earshot-health with its `wasm` feature) with its glue and helper (health.js).
#   mixer-wasm/scripts/build.sh [--scalar] [--out DIR]
# SIMD is switched on here, through RUSTFLAGS and a target dir of its own, so no other crate's wasm
# build (the edge worker's) sees the flag or has its cache invalidated by it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$EARSHOT_ROOT"

variant=simd
out=mixer-wasm/npm/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --scalar) variant=scalar ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--scalar] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

flags=""
[ "$variant" = simd ] && flags="-C target-feature=+simd128"
target_dir="${CARGO_TARGET_DIR:-$EARSHOT_ROOT/target}/mixer-wasm-$variant"
RUSTFLAGS="$flags" cargo build --quiet --release --lib -p earshot-mixer \
  --target wasm32-unknown-unknown --target-dir "$target_dir"

rm -rf "$out" && mkdir -p "$out"
"$WASM_BINDGEN_BIN" --target web --no-typescript --out-dir "$out" --out-name earshot_mixer \
  "$target_dir/wasm32-unknown-unknown/release/earshot_mixer.wasm"
# npm binaryen's wasm-opt (never Debian's: it corrupts wasm-bindgen output); features as Chromium has them.
# The package has a size budget (16 KiB gzipped): no producers or debug sections, and -O3 may assume
# what holds for Rust's wasm (as edge-worker/scripts/build.sh does): memory starts zeroed (the module
# defines it) and its first 1 KiB is never used (the stack grows down towards it; data and the heap
# lie above). Together 305 bytes gzipped, measured when the limiter took the module to 16,566.
"$WASM_OPT_BIN" -O3 --strip-debug --strip-producers --zero-filled-memory --low-memory-unused --enable-simd --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$out/earshot_mixer_bg.wasm" -o "$out/earshot_mixer_bg.wasm"

# The health probe runs on the main thread, not in the worklet: no SIMD (its work is a few numbers per
# meter event). Built as a cdylib here (`cargo rustc --crate-type`) so the crate stays a plain rlib for
# the edge worker, which depends on it without the feature; its own target dir keeps the feature's
# build from invalidating anyone else's.
health_dir="${CARGO_TARGET_DIR:-$EARSHOT_ROOT/target}/health-wasm"
cargo rustc --quiet --release --lib -p earshot-health --features wasm --crate-type cdylib \
  --target wasm32-unknown-unknown --target-dir "$health_dir"
"$WASM_BINDGEN_BIN" --target web --no-typescript --out-dir "$out" --out-name earshot_health \
  "$health_dir/wasm32-unknown-unknown/release/earshot_health.wasm"
"$WASM_OPT_BIN" -O3 --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$out/earshot_health_bg.wasm" -o "$out/earshot_health_bg.wasm"

# The worklet processor ships as ONE self-contained ES module (text polyfill, then the wasm-bindgen
# glue, then the processor, no imports left), so an app's bundler only has to copy the file that
# `new URL('./processor.js', import.meta.url)` names: bundlers treat that URL as an asset and never
# follow its imports (Vite copied processor.js alone and the worklet failed to load). esbuild (the
# version wrangler pins, pinned in the root package.json too) keeps ES module evaluation order, so the
# polyfill still runs before the glue constructs its TextDecoder.
stage="$target_dir/processor-src"
rm -rf "$stage" && mkdir -p "$stage"
cp mixer-wasm/js/processor.js mixer-wasm/js/text-polyfill.js mixer-wasm/js/layout.js "$out/earshot_mixer.js" "$stage/"
"$ESBUILD_BIN" "$stage/processor.js" --bundle --format=esm --target=es2022 --legal-comments=none \
  --log-level=warning --outfile="$out/processor.js"
if grep -qE '^\s*import[ {*"]|^\s*export .* from ' "$out/processor.js"; then
  echo "build: $out/processor.js still imports something" >&2
  exit 1
fi
# earshot_mixer.js stays in dist for the kernel benchmark (bench/kernel-processor.js); the package
# does not ship it (see npm/package.json "files").
cp mixer-wasm/js/index.js mixer-wasm/js/checks.js mixer-wasm/js/health.js mixer-wasm/js/layout.js mixer-wasm/js/*.d.ts "$out/"
echo "built $out ($variant): $(gzip -9c "$out/earshot_mixer_bg.wasm" | wc -c) bytes of mixer wasm gzipped," \
  "$(gzip -9c "$out/earshot_health_bg.wasm" | wc -c) bytes of health wasm gzipped"
