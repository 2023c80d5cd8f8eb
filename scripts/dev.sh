#!/usr/bin/env bash
# Starts the whole system locally: `wrangler dev` on workerd serving the edge worker (with the demo pages)
# and the archive worker behind it, on 127.0.0.1:8787, then prints the URLs to open. Ctrl-C stops everything.
#   EARSHOT_PORT=8787     the port
#   EARSHOT_LAN=1         serve on every interface over HTTPS (self-signed), so three machines on a LAN
#                         can run a call: browsers only grant the microphone to secure origins
#   EARSHOT_SIP=1         also start the telephony stack (scripts/sip-stack.sh: Kamailio + rtpengine) and
#                         print the SIP address a softphone dials to reach the agent (EARSHOT_SIP_HOST=
#                         the machine's LAN address lets softphones on the LAN call in)
#   EARSHOT_OIDC_PORT=8790  the local OpenID provider's port (staff sign in there; not with EARSHOT_LAN)
#   EARSHOT_SIGN_IN=dev   no provider: every page signs in through the dev token endpoint, as before
# Staff sign in at a real OpenID provider (npm oidc-provider, tests/oidc/serve.mjs) with the demo's
# people as its accounts; the worker gets EARSHOT_OIDC with the example group mapping
# (tests/oidc/accounts.mjs). Customers always get their tokens from the dev endpoint.
# A start with nothing changed is ready in a few seconds (docs/bench/start.md): each build below (the
# demo's mixer package here, both workers in wrangler's [build] step) is skipped while its stamp says
# its inputs are unchanged (scripts/build-stamp.sh); an edit rebuilds what it touches.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$EARSHOT_ROOT/scripts/bootstrap.sh"
bash "$EARSHOT_ROOT/scripts/build-demo.sh"   # the mixer package the pages load
PORT="${EARSHOT_PORT:-8787}"
cd "$EARSHOT_ROOT/edge-worker"
# The dev build: customers (and staff, with EARSHOT_SIGN_IN=dev) get tokens from its dev token endpoint.
export EARSHOT_WORKER_DEV=1
bash scripts/dev-vars.sh   # dev-only signing keys; turns the demo's token endpoint on

listen_ip=127.0.0.1 scheme=http hosts=127.0.0.1 extra=()
sign_in="${EARSHOT_SIGN_IN:-provider}"
if [ "${EARSHOT_LAN:-0}" = 1 ]; then
  listen_ip=0.0.0.0 scheme=https extra=(--local-protocol https)
  hosts="127.0.0.1 $(hostname -I 2>/dev/null || true)"
  # The local provider speaks plain HTTP on loopback: other machines could not reach it.
  sign_in=dev
fi
pids=()
trap 'for pid in "${pids[@]}"; do kill -- -"$pid" 2>/dev/null || true; done' EXIT INT TERM
oidc_port="${EARSHOT_OIDC_PORT:-8790}"
serve_oidc=(node "$EARSHOT_ROOT/tests/oidc/serve.mjs" --port "$oidc_port")
if [ "$sign_in" = provider ]; then
  extra+=(--var "EARSHOT_OIDC:$("${serve_oidc[@]}" --config 2>/dev/null)")
  setsid "${serve_oidc[@]}" --pages "$scheme://127.0.0.1:$PORT" </dev/null 2>/dev/null &
  pids+=($!)
fi

export CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false  # no prompts, no calls out
# Both workers on one workerd: the edge worker (with the demo pages) and the archive it binds.
setsid wrangler dev -c wrangler.toml -c archive/wrangler.toml --local --ip "$listen_ip" --port "$PORT" "${extra[@]}" \
  --show-interactive-dev-session=false </dev/null &
wrangler_pid=$!
pids+=("$wrangler_pid")
agent_sip=
if [ "${EARSHOT_SIP:-0}" = 1 ]; then
  sip_host=${EARSHOT_SIP_HOST:-127.0.0.1}
  EARSHOT_SIP_HOST=$sip_host setsid bash "$EARSHOT_ROOT/scripts/sip-stack.sh" </dev/null &
  pids+=($!)
  agent_sip="sip=ws://$sip_host:${EARSHOT_SIP_WS_PORT:-8088}"
fi

for _ in $(seq 1 1500); do   # up to 5 minutes: a first start builds both workers from scratch
  curl -fsSk "$scheme://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$wrangler_pid" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.2
done
curl -fsSk "$scheme://127.0.0.1:$PORT/healthz" >/dev/null || { echo "wrangler dev did not become ready" >&2; exit 1; }
echo
# With the provider, staff pages name nobody: the person signs in (ana, dana); without, the URL names them.
staff_as_ana='?user=a1' staff_as_dana='?user=s1'
[ "$sign_in" = provider ] && staff_as_ana=' (sign in as ana)' staff_as_dana=' (sign in as dana)'
if [ -n "$agent_sip" ]; then   # the agent page opens its phone line when the URL names the SIP server
  if [ "$sign_in" = provider ]; then staff_as_ana="?$agent_sip (sign in as ana)"; else staff_as_ana="?user=a1&$agent_sip"; fi
fi
for host in $hosts; do
  echo "Earshot is running on $scheme://$host:$PORT/ — open three tabs (or machines):"
  printf '  %-11s %s\n' "customer:" "$scheme://$host:$PORT/customer.html?user=c1" \
    "agent:" "$scheme://$host:$PORT/agent.html$staff_as_ana" \
    "supervisor:" "$scheme://$host:$PORT/console.html$staff_as_dana" \
    "every user:" "$scheme://$host:$PORT/"
done
if [ "$sign_in" = provider ]; then
  curl -fsS "http://127.0.0.1:$oidc_port/.well-known/openid-configuration" >/dev/null \
    || { echo "the OpenID provider on port $oidc_port did not start (EARSHOT_OIDC_PORT picks another)" >&2; exit 1; }
  echo "Staff sign in at the demo's OpenID provider, http://127.0.0.1:$oidc_port (its development login"
  echo "page takes ANY password: it is for trying Earshot out, never for real people). Login names:"
  "${serve_oidc[@]}" --accounts 2>/dev/null
  echo "(nia signs in but is in no group Earshot maps: she is refused, with the reason.)"
fi
echo "The agent clicks 'Become available', the customer 'Call team blue', the agent 'Answer';"
echo "the supervisor then monitors, whispers, barges or takes over from the console. Ctrl-C stops."
[ -z "$agent_sip" ] || echo "Phone: once agent a1 (ana) is available, dial sip:agent-a1@${sip_host}:${EARSHOT_SIP_PORT:-5060} from a softphone (UDP, G.711 or Opus)."
wait "$wrangler_pid"
