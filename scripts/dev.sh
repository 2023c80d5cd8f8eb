#!/usr/bin/env bash
# Starts the whole system locally: `wrangler dev` on workerd serving the edge worker (with the demo pages)
# and the archive worker behind it, on 127.0.0.1:8787, then prints the URLs to open. Ctrl-C stops everything.
#   EARSHOT_PORT=8787     the port
#   EARSHOT_LAN=1         serve on every interface over HTTPS (self-signed), so three machines on a LAN
#                         can run a call: browsers only grant the microphone to secure origins
#   EARSHOT_SIP=1         also start the telephony stack (scripts/sip-stack.sh: Kamailio + rtpengine) and
#                         print the SIP address a softphone dials to reach the agent (EARSHOT_SIP_HOST=
#                         the machine's LAN address lets softphones on the LAN call in)
# A start with nothing changed is ready in a few seconds (docs/bench/start.md): each build below (the
# demo's mixer package here, both workers in wrangler's [build] step) is skipped while its stamp says
# its inputs are unchanged (scripts/build-stamp.sh); an edit rebuilds what it touches.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$EARSHOT_ROOT/scripts/bootstrap.sh"
bash "$EARSHOT_ROOT/scripts/build-demo.sh"   # the mixer package the pages load
PORT="${EARSHOT_PORT:-8787}"
cd "$EARSHOT_ROOT/edge-worker"
# The dev build: the demo pages sign their users in through its dev token endpoint.
export EARSHOT_WORKER_DEV=1
bash scripts/dev-vars.sh   # dev-only signing keys; turns the demo's token endpoint on

listen_ip=127.0.0.1 scheme=http hosts=127.0.0.1 extra=()
if [ "${EARSHOT_LAN:-0}" = 1 ]; then
  listen_ip=0.0.0.0 scheme=https extra=(--local-protocol https)
  hosts="127.0.0.1 $(hostname -I 2>/dev/null || true)"
fi

export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false  # no prompts, no calls out
# Both workers on one workerd: the edge worker (with the demo pages) and the archive it binds.
setsid wrangler dev -c wrangler.toml -c archive/wrangler.toml --local --ip "$listen_ip" --port "$PORT" "${extra[@]}" \
  --show-interactive-dev-session=false </dev/null &
wrangler_pid=$!
sip_pid=
trap 'kill -- -"$wrangler_pid" 2>/dev/null || true; [ -z "$sip_pid" ] || kill "$sip_pid" 2>/dev/null || true' EXIT INT TERM
agent_extra=
if [ "${EARSHOT_SIP:-0}" = 1 ]; then
  sip_host=${EARSHOT_SIP_HOST:-127.0.0.1}
  EARSHOT_SIP_HOST=$sip_host bash "$EARSHOT_ROOT/scripts/sip-stack.sh" &
  sip_pid=$!
  agent_extra="&sip=ws://$sip_host:${EARSHOT_SIP_WS_PORT:-8088}"
fi

for _ in $(seq 1 1500); do   # up to 5 minutes: a first start builds both workers from scratch
  curl -fsSk "$scheme://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$wrangler_pid" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.2
done
curl -fsSk "$scheme://127.0.0.1:$PORT/healthz" >/dev/null || { echo "wrangler dev did not become ready" >&2; exit 1; }
echo
for host in $hosts; do
  echo "Earshot is running on $scheme://$host:$PORT/ — open three tabs (or machines):"
  printf '  %-11s %s\n' "customer:" "$scheme://$host:$PORT/customer.html?user=c1" \
    "agent:" "$scheme://$host:$PORT/agent.html?user=a1$agent_extra" \
    "supervisor:" "$scheme://$host:$PORT/console.html?user=s1" \
    "every user:" "$scheme://$host:$PORT/"
done
echo "The agent clicks 'Become available', the customer 'Call team blue', the agent 'Answer';"
echo "the supervisor then monitors, whispers, barges or takes over from the console. Ctrl-C stops."
[ -z "$sip_pid" ] || echo "Phone: once agent a1 is available, dial sip:agent-a1@${sip_host}:${EARSHOT_SIP_PORT:-5060} from a softphone (UDP, G.711 or Opus)."
wait "$wrangler_pid"
