#!/usr/bin/env bash
# Load benchmark of the edge worker (a command, not a test): concurrent calls (agent, customer and
# supervisor sockets each; every supervisor switching modes on an interval) on one local wrangler dev at
# 127.0.0.1. Runs the series quoted in docs/bench/worker.md and writes docs/bench/worker.json: each
# scenario twice, with the Durable Objects' SQLite files on disk (/tmp) and in memory (/dev/shm, tmpfs),
# because on this VM's virtual disk every storage commit's fsync runs on workerd's one busy thread.
# Usage: bash scripts/bench-worker.sh                      (the documented series, ~12 minutes)
#        bash scripts/bench-worker.sh CALLS SECONDS INTERVAL_MS [PROBE_EVERY]   (one run, printed only)
#        bash scripts/bench-worker.sh flood [SECONDS]      (flood fairness: docs/bench/flood.json, ~5 minutes)
# The 400-call run also probes the worker's own share of a switch (see tests/worker/bench.mjs).
# Assumes scripts/bootstrap.sh ran. Every loop in the driver is bounded; it exits 1 on lost or
# reordered messages.
set -euo pipefail
# wrangler dev (4.164) records a trace of every invocation in a SQLite Durable Object of its own, in
# the same workerd, for its local dashboard: ~40 % of the CPU of a switch (docs/bench/floor.md).
# Production has no such thing, so the series measures without it; EARSHOT_BENCH_OBSERVABILITY=1
# keeps wrangler's default.
[ "${EARSHOT_BENCH_OBSERVABILITY:-0}" = 1 ] || export X_LOCAL_OBSERVABILITY=false
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
bash edge-worker/scripts/dev-vars.sh
(cd edge-worker && EARSHOT_WORKER_DEV=1 bash scripts/build.sh >/dev/null)
(cd edge-worker && bash scripts/build.sh archive >/dev/null)
if [ "${1:-}" = flood ]; then
  exec node tests/worker/bench-flood.mjs "${@:2}"
fi
if [ $# -gt 0 ]; then
  exec node tests/worker/bench.mjs "$@"
fi
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
status=0
states=(/tmp)
[ -d /dev/shm ] && states+=(/dev/shm)
for spec in "1 30 150 1" "400 30 1000 5" "1000 30 1000 0" "1000 30 1500 0"; do
  set -- $spec
  for state in "${states[@]}"; do
    echo "[bench-worker] $1 calls, $2 s, one switch per supervisor every $3 ms, state in $state"
    TMPDIR=$state EARSHOT_BENCH_OUT="$runs/$(printf %04d "$1")-$3-${state//\//_}.json" \
      node tests/worker/bench.mjs "$1" "$2" "$3" "$4" >/dev/null || status=1
  done
done
node -e '
const fs = require("fs"); const dir = process.argv[1];
const runs = fs.readdirSync(dir).sort().map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")));
fs.writeFileSync("docs/bench/worker.json", JSON.stringify(runs, null, 2) + "\n");
for (const r of runs) console.log(`${r.calls_requested} calls @ ${r.switch_interval_ms_per_supervisor} ms, state on ${r.state_directory_filesystem}: held ${r.calls_held_to_the_end}, ${r.matrices_per_second_while_switching} switches/s completed, p50 ${r.mode_switch_latency_ms.p50} ms, p99 ${r.mode_switch_latency_ms.p99} ms, lost ${r.lost_messages}, reordered ${r.reordered_messages}, stale feed lines ${r.stale_feed_lines}, workerd ${r.workerd_cpu.busiest_thread_ms_per_completed_switch} ms CPU per switch, worker share p50/p99 ${r.worker_share_ms?.difference.p50 ?? "-"}/${r.worker_share_ms?.difference.p99 ?? "-"} ms`);
' "$runs"
exit $status
