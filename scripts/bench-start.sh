#!/usr/bin/env bash
# How long `bash scripts/dev.sh` takes until it is ready (healthz answering, URLs printed):
#   warm         nothing changed since the last build: every build is skipped by its stamp
#   after edit   one edge-worker source file edited (a comment line added, then removed again): the edge
#                worker rebuilds (cargo, wasm-bindgen, wasm-opt), the archive and the demo package do not
# Each is run $RUNS times (default 3); the medians and every run go to docs/bench/start.json, with the
# machine's load. Starts dev.sh on a free port of its own; leaves the tree as it found it.
# Holds /tmp/earshot-bench.lock (flock), as the other benchmarks do, so none overlaps it.
set -euo pipefail
[ -n "${EARSHOT_BENCH_LOCKED:-}" ] || EARSHOT_BENCH_LOCKED=1 exec flock /tmp/earshot-bench.lock bash "$0" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
RUNS=${RUNS:-3}
edit_file=edge-worker/src/lib.rs
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
log=$(mktemp)
backup=$(mktemp)
cp -p "$edit_file" "$backup"
dev_pid=
cleanup() {
  if [ -n "$dev_pid" ]; then kill -TERM -- -"$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; fi
  cmp -s "$backup" "$edit_file" || cp -p "$backup" "$edit_file"
  rm -f "$log" "$backup"
}
trap cleanup EXIT

# Seconds from starting dev.sh until it printed the URLs (it does so once healthz answers); then stops it.
start_once() {
  local t0 t1
  : > "$log"
  t0=$(date +%s%N)
  EARSHOT_PORT=$port setsid bash scripts/dev.sh > "$log" 2>&1 < /dev/null &
  dev_pid=$!
  until grep -q 'Earshot is running' "$log"; do
    kill -0 "$dev_pid" 2>/dev/null || { cat "$log" >&2; echo "[bench-start] dev.sh exited" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null
  kill -TERM -- -"$dev_pid" 2>/dev/null || true
  wait "$dev_pid" 2>/dev/null || true
  dev_pid=
  # wrangler's workerd lets go of the port a moment after the group is gone
  while curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1; do sleep 0.1; done
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_list() { local IFS=,; echo "[$*]"; }

echo "[bench-start] a first start to make every build current (not measured)"
start_once > /dev/null
warm=()
for i in $(seq 1 "$RUNS"); do
  warm+=("$(start_once)")
  echo "[bench-start] warm start $i: ${warm[-1]} s"
  grep -q 'up to date' "$log" || { echo "[bench-start] a warm start rebuilt something" >&2; exit 1; }
done
edit=()
for i in $(seq 1 "$RUNS"); do
  # Odd runs add a comment line, even runs take it out again: the content differs each time.
  if [ $((i % 2)) = 1 ]; then printf '\n// bench-start edit\n' >> "$edit_file"; else cp "$backup" "$edit_file"; fi
  edit+=("$(start_once)")
  echo "[bench-start] start after an edit of $edit_file $i: ${edit[-1]} s"
  grep -q 'earshot_edge (dev): building' "$log" || { echo "[bench-start] an edit did not rebuild" >&2; exit 1; }
done
if ! cmp -s "$backup" "$edit_file"; then
  cp "$backup" "$edit_file"
  echo "[bench-start] rebuilding the unedited source (not measured)"
  (cd edge-worker && EARSHOT_WORKER_DEV=1 bash scripts/build.sh > /dev/null)
fi

mkdir -p docs/bench
load=$(cut -d' ' -f1-3 /proc/loadavg)
cat > docs/bench/start.json <<JSON
{
  "what": "seconds from running scripts/dev.sh until it printed the URLs (healthz answering); see start.md",
  "date": "$(date -u +%Y-%m-%dT%H:%MZ)",
  "cores": $(nproc),
  "load_average_1_5_15_at_end": "$load",
  "warm_s": { "median": $(median "${warm[@]}"), "runs": $(json_list "${warm[@]}") },
  "after_edge_edit_s": { "median": $(median "${edit[@]}"), "runs": $(json_list "${edit[@]}"), "edited": "$edit_file" },
  "target_warm_s": 10
}
JSON
cat docs/bench/start.json
