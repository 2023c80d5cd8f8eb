#!/usr/bin/env bash
# Runs every Earshot test and the whole quality gate, exactly as CI does (.ci/run calls this).
# Installs whatever is missing first. Exits non-zero if any step fails; ends with the total counts.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
log_dir=$(mktemp -d)
failed_steps=()
started=$SECONDS

step() { # step NAME COMMAND...: runs, shows and keeps the output, records a failure
  local name=$1; shift
  printf '\n==> %s\n' "$name"
  local t0=$SECONDS
  if "$@" 2>&1 | tee "$log_dir/$(echo "$name" | tr -c 'a-z0-9' '_').log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    printf '<== %s: ok (%ss)\n' "$name" $((SECONDS - t0))
  else
    printf '<== %s: FAILED (%ss)\n' "$name" $((SECONDS - t0))
    failed_steps+=("$name")
  fi
}

step "bootstrap" bash scripts/bootstrap.sh || true
[ ${#failed_steps[@]} -eq 0 ] || { echo "bootstrap failed: nothing else can run" >&2; exit 1; }

step "format" cargo fmt --all -- --check
step "clippy (host)" cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
step "clippy (wasm32)" cargo clippy -p earshot-mixer -p earshot-edge -p earshot-archive -p earshot-health --all-targets --locked \
  --features earshot-edge/dev-mint,earshot-edge/oidc,earshot-health/wasm --target wasm32-unknown-unknown -- -D warnings
step "clippy (wasm32, production worker)" cargo clippy -p earshot-edge --lib --locked --target wasm32-unknown-unknown -- -D warnings
step "docs" env RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --all-features
# The mixer and the worker have their own scripts (native, wasm and browser/wrangler layers together).
step "native tests" cargo test --workspace --locked --exclude earshot-mixer --exclude earshot-edge --exclude earshot-archive
step "demo unit tests" node --test tests/demo/*.test.mjs
step "mixer tests" bash scripts/test-mixer.sh
step "worker tests" bash scripts/test-worker.sh
step "end-to-end tests" bash scripts/test-e2e.sh

# Totals over every runner's closing lines (cargo test and node --test).
passed=$(cat "$log_dir"/*.log | sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed.*/\1/p; s/^(# |ℹ )pass ([0-9]+)$/\2/p' | awk '{ n += $1 } END { print n + 0 }')
failed=$(cat "$log_dir"/*.log | sed -nE 's/^test result: [a-zA-Z]+\. [0-9]+ passed; ([0-9]+) failed.*/\1/p; s/^(# |ℹ )fail ([0-9]+)$/\2/p' | awk '{ n += $1 } END { print n + 0 }')
rm -rf "$log_dir"
printf '\nWhole gate took %ss.\n' $((SECONDS - started))
if [ ${#failed_steps[@]} -gt 0 ]; then
  printf 'Failed steps: %s\n' "${failed_steps[*]}"
  failed=$(( ${failed:-0} > 0 ? ${failed:-0} : 1 ))
fi
echo "${passed:-0} passed, ${failed:-0} failed"
[ ${#failed_steps[@]} -eq 0 ]
