#!/usr/bin/env bash
# Builds what the demo pages load besides their own files: the earshot-mixer package (wasm, glue,
# worklet processor, helper) into demo/vendor/earshot-mixer/, SIP.js into demo/vendor/sip.js/, the phone
# callers' spoken disclosure into demo/vendor/prompts/ (espeak-ng, scripts/phone-prompts.sh), and the
# OpenID Connect client library (npm oauth4webapi, as published, with its licence) into
# demo/vendor/oauth4webapi/, all served by the worker's static assets. The pages import them from
# there, exactly as a web app would ship the npm packages: nothing comes from a CDN. Not committed.
#   build-demo.sh [--check]     --check: only say whether it is up to date (exit 0) or not (1)
# Skipped when nothing it is built from changed: target/stamps/demo-vendor.stamp (scripts/build-stamp.sh)
# records the toolchain and tool versions, every Rust source rustc read for the mixer and the health
# probe (cargo's dep-info), the manifests, Cargo.lock, mixer-wasm/js/ and mixer-wasm/scripts/build.sh,
# and the package's files; kept out of demo/ because that directory is served (and deployed) as is.
# EARSHOT_REBUILD=1 builds regardless.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$EARSHOT_ROOT/scripts/build-stamp.sh"
cd "$EARSHOT_ROOT"
check=0
case "${1:-}" in
  --check) check=1 ;;
  '') ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
# SIP.js for the agent's phone line (demo/vendor/sip.js/, scripts/sip-vendor.sh): rebuilt every time, it takes well under a second.
[ "$check" = 1 ] || bash scripts/sip-vendor.sh
# The phone callers' spoken disclosure (demo/vendor/prompts/, scripts/phone-prompts.sh): espeak-ng, well under a second.
[ "$check" = 1 ] || bash scripts/phone-prompts.sh
# The sign-in library: copied whenever it differs from the installed package (a copy, no build).
oauth_from=node_modules/oauth4webapi oauth_out=demo/vendor/oauth4webapi
[ -f "$oauth_from/build/index.js" ] || { echo "[build-demo] $oauth_from is missing: run scripts/bootstrap.sh" >&2; exit 1; }
if ! cmp -s "$oauth_from/build/index.js" "$oauth_out/index.js" 2>/dev/null; then
  [ "$check" = 1 ] && { echo "[build-demo] $oauth_out: not the installed oauth4webapi"; exit 1; }
  mkdir -p "$oauth_out" && cp "$oauth_from/build/index.js" "$oauth_from/LICENSE.md" "$oauth_out/"
  echo "[build-demo] $oauth_out: oauth4webapi $(node -p "require('./$oauth_from/package.json').version")"
fi
out=demo/vendor/earshot-mixer
target="${CARGO_TARGET_DIR:-$EARSHOT_ROOT/target}"   # where mixer-wasm/scripts/build.sh builds
facts="$(stamp_facts mixer-wasm)
fact variant simd
fact script $(sha256sum < scripts/build-demo.sh | cut -c1-64) scripts/build-demo.sh
fact script $(sha256sum < mixer-wasm/scripts/build.sh | cut -c1-64) mixer-wasm/scripts/build.sh"
stamp=target/stamps/demo-vendor.stamp
if [ "${EARSHOT_REBUILD:-0}" != 1 ] && reason=$(stamp_fresh "$stamp" "$facts" "$out"); then
  echo "[build-demo] $out: up to date"
  exit 0
fi
[ "$check" = 1 ] && { echo "[build-demo] $out: ${reason:-EARSHOT_REBUILD=1}"; exit 1; }
echo "[build-demo] $out: building (${reason:-EARSHOT_REBUILD=1})"
mkdir -p target/stamps && rm -f "$stamp"
marker=$(mktemp) inputs=$(mktemp)
trap 'rm -f "$marker" "$inputs"' EXIT

bash mixer-wasm/scripts/build.sh --out "$out"

if stamp_cargo_inputs "$marker" "$target/mixer-wasm-simd/wasm32-unknown-unknown/release/earshot_mixer.d" \
  "$target/health-wasm/wasm32-unknown-unknown/release/earshot_health.d" > "$inputs"; then
  find mixer-wasm/js -type f >> "$inputs"   # the processor, polyfill, helpers and types of the package
  stamp_write "$stamp" "$facts" "$inputs" "$marker" "$out"
fi
