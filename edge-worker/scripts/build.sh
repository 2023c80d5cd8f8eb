#!/usr/bin/env bash
# wrangler's [build] command, for the edge worker (no argument) or the archive worker (`archive`).
# Builds the production edge worker unless EARSHOT_WORKER_DEV=1 asks for the dev build (with the dev
# token-minting endpoint: scripts/dev.sh and the tests set it); the archive has one variant.
#   build.sh [archive] [--check]     --check: only say whether build/ is up to date (exit 0) or not (1)
# A build whose inputs did not change is skipped: build/.stamp (scripts/build-stamp.sh) records the
# variant, features, toolchain and tool versions, every source file rustc read (cargo's dep-info,
# path dependencies included), the manifests, Cargo.lock, and the outputs; when all of them still
# hash the same, build/ is what this build would produce and the ~30 s of cargo, wasm-bindgen and
# wasm-opt are not spent: every run (a test harness's many `wrangler dev` starts included) reuses
# build/ when, and only when, the stamp says it is current. EARSHOT_REBUILD=1 builds regardless.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source ../scripts/env.sh
source "$EARSHOT_ROOT/scripts/build-stamp.sh"
worker_root=$PWD
variant=production
features=()
check=0
for arg in "$@"; do
  case "$arg" in
    archive) cd archive; variant=archive ;;
    --check) check=1 ;;
    *) echo "usage: $0 [archive] [--check]" >&2; exit 2 ;;
  esac
done
if [ "$variant" != archive ] && [ "${EARSHOT_WORKER_DEV:-0}" = 1 ]; then
  variant=dev
  features=(--features dev-mint,oidc)
fi
crate=earshot_edge
[ "$variant" = archive ] && crate=earshot_archive
# Size over speed for the workers only (the workspace profile stays opt-level 3 for the mixer); their
# own target directory keeps the builds from invalidating each other.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z
export CARGO_TARGET_DIR="${EARSHOT_WORKER_TARGET_DIR:-$worker_root/../target/edge-worker}"

facts="$(stamp_facts .)
fact variant $variant
fact features ${features[*]}
fact worker-build $("$EARSHOT_TOOLS/bin/worker-build" --version 2>/dev/null)
fact script $(sha256sum < "$worker_root/scripts/build.sh" | cut -c1-64) edge-worker/scripts/build.sh"
stamp=build/.stamp
if [ "${EARSHOT_REBUILD:-0}" != 1 ] && reason=$(stamp_fresh "$stamp" "$facts" build); then
  echo "[build] $crate ($variant): up to date, build/ reused"
  exit 0
fi
[ "$check" = 1 ] && { echo "[build] $crate ($variant): ${reason:-EARSHOT_REBUILD=1}"; exit 1; }
echo "[build] $crate ($variant): building (${reason:-EARSHOT_REBUILD=1})"
rm -f "$stamp" build/variant
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

worker-build --release "${features[@]}"
# worker-build keeps the function-names section (--debuginfo) for readable stack traces; it is ~19 % of
# the module and the bundle has a size budget, so strip it (and producer metadata) here, with one more
# -Oz pass over the stripped module (another ~2 KiB gzipped). That pass may also assume what holds for
# Rust's wasm: memory starts zeroed (the module defines it) and its first 1 KiB is never used (the stack
# sits below 1 MiB and grows down towards it; data lies above): ~1.6 KiB more.
# EARSHOT_KEEP_NAMED=<path> keeps a copy of the module with its names, for size analysis (twiggy).
if [ -n "${EARSHOT_KEEP_NAMED:-}" ]; then cp build/index_bg.wasm "$EARSHOT_KEEP_NAMED"; fi
"$WASM_OPT_BIN" build/index_bg.wasm -o build/index_bg.wasm --strip-debug --strip-producers \
  -Oz --zero-filled-memory --low-memory-unused \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
  --enable-mutable-globals --enable-multivalue --enable-exception-handling

inputs=$(mktemp)
trap 'rm -f "$marker" "$inputs"' EXIT
if stamp_cargo_inputs "$marker" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$crate.d" > "$inputs"; then
  stamp_write "$stamp" "$facts" "$inputs" "$marker" build
fi
