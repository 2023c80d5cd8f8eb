#!/usr/bin/env bash
# Starts the whole system locally: `wrangler dev` on workerd serving the edge worker and the demo pages
# on 127.0.0.1:8787, then prints the URLs to open. Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$EARSHOT_ROOT/scripts/bootstrap.sh"
bash "$EARSHOT_ROOT/scripts/build-demo.sh"   # the mixer package the pages load
PORT="${EARSHOT_PORT:-8787}"
cd "$EARSHOT_ROOT/edge-worker"
[ -x scripts/dev-vars.sh ] && bash scripts/dev-vars.sh   # dev-only signing keys, when the worker has them

export CI=true  # wrangler: no interactive prompts
setsid wrangler dev --local --ip 127.0.0.1 --port "$PORT" --show-interactive-dev-session=false </dev/null &
wrangler_pid=$!
trap 'kill -- -"$wrangler_pid" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$wrangler_pid" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.5
done
echo
echo "Earshot is running on http://127.0.0.1:$PORT/"
for page in customer:customer.html agent:agent.html supervisor:console.html; do
  # Each role's page is listed once the demo ships it.
  if [ -f "$EARSHOT_ROOT/demo/${page#*:}" ]; then
    printf '  %-11s http://127.0.0.1:%s/%s\n' "${page%%:*}:" "$PORT" "${page#*:}"
  fi
done
printf '  %-11s http://127.0.0.1:%s/\n' "start:" "$PORT"
echo "Press Ctrl-C to stop."
wait "$wrangler_pid"
