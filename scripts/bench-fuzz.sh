#!/usr/bin/env bash
# Fuzzes every wire parser of the edge worker and the archive (fuzz/, proptest mutating valid seeds)
# for many inputs, optimized, and writes the counts and times to docs/bench/fuzz.json; the figures are
# quoted in docs/bench/worker.md. A command, not a test: the gate runs 3,000 inputs per target.
# Usage: bash scripts/bench-fuzz.sh [INPUTS_PER_TARGET]   (default 1,500,000: 10.5 million in all)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
per_target=${1:-1500000}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
EARSHOT_FUZZ_CASES=$per_target cargo test --release --locked -p earshot-fuzz --test wire -- --nocapture 2>&1 | tee "$log"
grep -q '^fuzz total .* 0 panics$' "$log"
{
  printf '{\n  "date": "%s",\n  "machine": "%s, %s cores",\n  "inputs_per_target": %s,\n  "targets": [\n' \
    "$(date -u +%Y-%m-%d)" "$(uname -m)" "$(nproc)" "$per_target"
  sed -nE 's/^fuzz (.+[^ ]) +([0-9]+) inputs, +([0-9.]+) % parsed, +([0-9.]+) s, seed ([0-9]+)$/    {"target": "\1", "inputs": \2, "parsed_percent": \3, "seconds": \4, "seed": \5}/p' "$log" | sed '$!s/$/,/'
  total=$(sed -nE 's/^fuzz total ([0-9]+) inputs in ([0-9.]+) s, 0 panics$/\1 \2/p' "$log")
  printf '  ],\n  "total_inputs": %s,\n  "total_seconds": %s,\n  "panics": 0\n}\n' ${total% *} ${total#* }
} > docs/bench/fuzz.json
echo "wrote docs/bench/fuzz.json"
