#!/usr/bin/env bash
# Builds what the demo pages load besides their own files: the earshot-mixer package (wasm, glue,
# worklet processor, helper) into demo/vendor/earshot-mixer/, served by the worker's static assets.
# The pages import it from there, exactly as a web app would ship the npm package. Not committed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
bash mixer-wasm/scripts/build.sh --out demo/vendor/earshot-mixer
