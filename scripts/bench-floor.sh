#!/usr/bin/env bash
# Floor benchmark (a command, not a test): bench-worker.sh's scenario against a minimal plain-JS worker
# doing a mode switch's I/O and nothing more (tests/worker/floor/worker.js), to show what one local
# wrangler dev (workerd) can complete at best on this machine.
# The series quoted in docs/bench/floor.md, written to docs/bench/floor.json: 1,000 and 300 calls
# switching once a second with the Durable Objects' SQLite files on disk (/tmp) and on tmpfs
# (/dev/shm); 1,000 × 1/s on tmpfs without the call's SQLite writes (storage=0); then, with wrangler's
# local observability (a trace of every invocation, on by default) turned off, 1,000 × 1/s on tmpfs,
# on disk, and on tmpfs without the per-switch team update (team_updates=0: the feed goes stale).
# Usage: bash scripts/bench-floor.sh                (the series, ~11 minutes)
#        bash scripts/bench-floor.sh CALLS SECONDS INTERVAL_MS [STORAGE [TEAM_UPDATES]]   (one run)
# Every run holds /tmp/earshot-bench.lock (flock), so it never overlaps another benchmark on this
# shared machine. Installs and builds nothing (assumes scripts/bootstrap.sh ran). Exits 1 if a run
# lost, reordered or left stale anything (expected where a run saturates workerd or skips updates).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
LOCK=/tmp/earshot-bench.lock
if [ $# -gt 0 ]; then
  exec flock "$LOCK" node tests/worker/bench-floor.mjs "$@"
fi
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
status=0
n=0
# calls seconds interval_ms storage team_updates state_parent local_observability
for spec in "1000 30 1000 1 1 /tmp true" "1000 30 1000 1 1 /dev/shm true" "300 20 1000 1 1 /tmp true" \
  "300 20 1000 1 1 /dev/shm true" "1000 30 1000 0 1 /dev/shm true" "1000 30 1000 1 1 /dev/shm false" \
  "1000 30 1000 1 1 /tmp false" "1000 30 1000 1 0 /dev/shm false"; do
  set -- $spec
  n=$((n + 1))
  echo "[bench-floor] $1 calls, $2 s, one switch per supervisor every $3 ms, storage=$4, team_updates=$5, state in $6, local observability $7"
  flock "$LOCK" env TMPDIR="$6" EARSHOT_STATE_PARENT="$6" X_LOCAL_OBSERVABILITY="$7" \
    EARSHOT_BENCH_OUT="$runs/$n.json" node tests/worker/bench-floor.mjs "$1" "$2" "$3" "$4" "$5" || status=1
done
node -e '
const fs = require("fs"); const dir = process.argv[1];
const runs = fs.readdirSync(dir).sort((a, b) => parseInt(a) - parseInt(b)).map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")));
fs.writeFileSync("docs/bench/floor.json", JSON.stringify(runs, null, 2) + "\n");
' "$runs"
exit $status
