#!/usr/bin/env bash
# The build stamp's skip is safe: the decision the builds themselves make (`build.sh --check`,
# `build-demo.sh --check`: the same stamp_fresh call that skips a build) says "current" when nothing
# changed and "rebuild" after each kind of change that alters what a build produces — a worker source,
# a path dependency's source, a manifest, Cargo.lock, the variant, a build flag in the environment, a
# .cargo/config, the build script, a JS source of the mixer package, a damaged output. Run by
# scripts/test-worker.sh after its builds; needs every stamp current. No build is run: the edits are
# made in a copy of the tree that holds just the stamps' inputs, outputs and the scripts, so the
# working tree is never touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$EARSHOT_ROOT"
say() { printf '[stamp-test] %s\n' "$*"; }
fail() { printf '[stamp-test] FAIL: %s\n' "$*" >&2; exit 1; }
stamps=(edge-worker/build/.stamp edge-worker/archive/build/.stamp target/stamps/demo-vendor.stamp)

# Runs one build's check in tree $1: edge (dev variant), archive or demo; prints its line, returns its status.
check() {
  local tree=$1 which=$2
  shift 2
  case "$which" in
    edge) (cd "$tree/edge-worker" && env EARSHOT_WORKER_DEV=1 "$@" bash scripts/build.sh --check) ;;
    archive) (cd "$tree/edge-worker" && env "$@" bash scripts/build.sh archive --check) ;;
    demo) (cd "$tree" && env "$@" bash scripts/build-demo.sh --check) ;;
  esac
}
expect_fresh() { local out; out=$(check "$@") || fail "$2 should be current: $out"; }
# expect_stale TREE WHICH WORD [VAR=value...]: the check asks for a rebuild and names WORD in its reason.
expect_stale() {
  local tree=$1 which=$2 word=$3 out
  shift 3
  if out=$(check "$tree" "$which" "$@"); then fail "$which should rebuild ($word): $out"; fi
  [ -z "${STAMP_TEST_VERBOSE:-}" ] || echo "    $out"
  case "$out" in *"$word"*) ;; *) fail "$which rebuilds, but for another reason than $word: $out" ;; esac
}

say "in the tree, right after the builds: all three current"
for which in edge archive demo; do expect_fresh . "$which"; done

say "the stamps name what rustc read: path dependencies, the dev variant's own module, include_str! files"
# (dev_tokens.rs is compiled only with the dev-mint feature: test-worker.sh builds the production
# variant just before the dev one, so this also shows the list is the dev build's own)
for pair in "0 edge-worker/src/lib.rs" "0 edge-worker/src/auth/dev_tokens.rs" "1 edge-worker/archive/migrations/0001_recordings.sql" "0 call-policy/src/routing.rs" "0 call-health/src/lib.rs" "0 edge-worker/Cargo.toml" \
  "0 Cargo.lock" "1 edge-worker/archive/src/lib.rs" "1 call-policy/src/lib.rs" "2 mixer-wasm/src/lib.rs" \
  "2 call-health/src/wasm.rs" "2 mixer-wasm/js/processor.js" "2 mixer-wasm/Cargo.toml"; do
  grep -q "^in [0-9a-f]\{64\} ${pair#* }\$" "${stamps[${pair%% *}]}" || fail "${stamps[${pair%% *}]} lacks ${pair#* }"
done

say "a copy of the tree with just the stamps' files: still current there"
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
{
  printf '%s\n' "${stamps[@]}" scripts/env.sh scripts/build-stamp.sh scripts/build-demo.sh \
    edge-worker/scripts/build.sh mixer-wasm/scripts/build.sh
  # The sign-in library is a plain copy of the installed package, compared rather than stamped.
  echo demo/vendor/oauth4webapi/index.js
  sed -n 's/^\(in\|out\) [0-9a-f]\{64\} //p' "${stamps[@]}"
} | sort -u | xargs -d '\n' cp --parents -p -t "$copy"
ln -s "$EARSHOT_TOOLS" "$copy/.tools"
ln -s "$EARSHOT_ROOT/node_modules" "$copy/node_modules"
for which in edge archive demo; do expect_fresh "$copy" "$which"; done

# mutate FILE: changes its content (a comment line at the end), keeping the original to restore.
mutate() { cp -p "$copy/$1" "$copy/$1.orig"; printf '\n// stamp test\n' >> "$copy/$1"; }
restore() { mv "$copy/$1.orig" "$copy/$1"; }

say "a touch alone (same content) rebuilds nothing"
touch "$copy/edge-worker/src/call/record.rs"
expect_fresh "$copy" edge

say "an edge source: the edge worker rebuilds, the archive and the demo do not"
mutate edge-worker/src/call/record.rs
expect_stale "$copy" edge edge-worker/src/call/record.rs
expect_fresh "$copy" archive
expect_fresh "$copy" demo
restore edge-worker/src/call/record.rs
expect_fresh "$copy" edge

say "a path dependency's source (call-policy): both workers rebuild"
mutate call-policy/src/routing.rs
expect_stale "$copy" edge call-policy/src/routing.rs
expect_stale "$copy" archive call-policy/src/routing.rs
restore call-policy/src/routing.rs

say "call-health's source: the edge worker and the demo's health probe rebuild"
mutate call-health/src/signals.rs
expect_stale "$copy" edge call-health/src/signals.rs
expect_stale "$copy" demo call-health/src/signals.rs
restore call-health/src/signals.rs

say "the archive's source, the mixer's source and a JS source of its package"
for pair in "archive edge-worker/archive/src/lib.rs" "demo mixer-wasm/src/lib.rs" "demo mixer-wasm/js/processor.js"; do
  mutate "${pair#* }"
  expect_stale "$copy" "${pair%% *}" "${pair#* }"
  restore "${pair#* }"
done

say "manifests and Cargo.lock"
for f in Cargo.lock Cargo.toml edge-worker/Cargo.toml; do
  mutate "$f"
  expect_stale "$copy" edge "$f"
  [ "$f" = edge-worker/Cargo.toml ] || { expect_stale "$copy" archive "$f"; expect_stale "$copy" demo "$f"; }
  restore "$f"
done

say "the build scripts themselves"
mutate edge-worker/scripts/build.sh
expect_stale "$copy" edge edge-worker/scripts/build.sh
restore edge-worker/scripts/build.sh
mutate mixer-wasm/scripts/build.sh
expect_stale "$copy" demo mixer-wasm/scripts/build.sh
restore mixer-wasm/scripts/build.sh

say "the variant, a flag in the environment, a .cargo/config"
expect_stale "$copy" edge "fact variant" EARSHOT_WORKER_DEV=0
expect_stale "$copy" edge "fact env RUSTFLAGS" RUSTFLAGS=-Cdebuginfo=1
expect_stale "$copy" demo "fact env CARGO_PROFILE_RELEASE_LTO" CARGO_PROFILE_RELEASE_LTO=false
mkdir "$copy/.cargo" && printf '[build]\nrustflags = ["-Cdebuginfo=1"]\n' > "$copy/.cargo/config.toml"
for which in edge archive demo; do expect_stale "$copy" "$which" "cargo-config"; done
rm -r "$copy/.cargo"

say "a damaged or missing output"
cp -p "$copy/edge-worker/build/index_bg.wasm" "$copy/wasm.orig"
printf 'x' >> "$copy/edge-worker/build/index_bg.wasm"
expect_stale "$copy" edge "changed output: edge-worker/build/index_bg.wasm"
mv "$copy/wasm.orig" "$copy/edge-worker/build/index_bg.wasm"
mv "$copy/demo/vendor/earshot-mixer/processor.js" "$copy/processor.orig"
expect_stale "$copy" demo "changed output: demo/vendor/earshot-mixer/processor.js"
mv "$copy/processor.orig" "$copy/demo/vendor/earshot-mixer/processor.js"
for which in edge archive demo; do expect_fresh "$copy" "$which"; done

say "an input edited while the build ran, or a dep-info file of another build: no stamp is written"
(
  cd "$copy/edge-worker"
  source "$copy/scripts/env.sh"
  source "$copy/scripts/build-stamp.sh"
  marker=$(mktemp)
  list=$(mktemp)
  echo edge-worker/src/call/record.rs > "$list"
  sleep 0.01
  touch src/call/record.rs
  stamp_write "$copy/race.stamp" "fact test" "$list" "$marker" build 2>/dev/null
  [ ! -e "$copy/race.stamp" ] || fail "stamp_write wrote a stamp over an input newer than the build"
  # A dep-info file older than the build's start was left by another build: no input list from it.
  old=$(mktemp)
  touch -d '2000-01-01' "$old"
  if stamp_cargo_inputs "$marker" "$old" > /dev/null 2>&1; then fail "an old dep-info file was taken as this build's"; fi
  rm -f "$marker" "$list" "$old"
)
say "all stamp checks passed"
