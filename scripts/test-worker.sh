#!/usr/bin/env bash
# Every edge-worker test: host unit tests of earshot-edge, the wasm build, Node tests against real
# `wrangler dev` instances (tests/worker/*.test.mjs start and stop their own, by process group), and a
# dry-run deploy whose gzipped size is checked against the 250 KiB budget.
# Assumes scripts/bootstrap.sh has run. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
say() { printf '\n[test-worker] %s\n' "$*"; }
BUDGET_KIB=250
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT

say "host unit tests (cargo test -p earshot-edge)"
cargo test -q -p earshot-edge

say "dev keys (.dev.vars) and wasm build"
bash edge-worker/scripts/dev-vars.sh
(cd edge-worker && EARSHOT_WORKER_PREBUILT=0 bash scripts/build.sh)

say "node tests against wrangler dev"
# Each test file starts its own wrangler dev on a free port (harness.mjs), reusing the build above.
node --test --test-concurrency=1 --test-timeout=120000 tests/worker/

say "dry-run deploy and bundle size"
(cd edge-worker && EARSHOT_WORKER_PREBUILT=1 CI=true wrangler deploy --dry-run --outdir "$outdir" >/dev/null)
gz=$(cat "$outdir"/*.wasm "$outdir"/*.js 2>/dev/null | gzip -9 | wc -c)
kib=$(( (gz + 1023) / 1024 ))
echo "bundle (wasm + js), gzipped: ${kib} KiB (budget ${BUDGET_KIB} KiB)"
echo "{\"bundle_gzip_bytes\": $gz}" > "$EARSHOT_ROOT/target/worker-bundle-size.json"
if [ "$kib" -gt "$BUDGET_KIB" ]; then
  echo "[test-worker] bundle over budget" >&2
  exit 1
fi
say "all worker tests passed"
