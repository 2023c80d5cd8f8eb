#!/usr/bin/env bash
# Runs Earshot's telephony stack in the foreground: rtpengine (media relay, userspace) and Kamailio
# (SIP registrar/proxy, SIP over UDP for phones and over WebSocket for agent pages), both as ordinary
# child processes of this script, on loopback unless told otherwise. Prints one line
#   [sip-stack] ready sip=HOST:PORT ws=ws://HOST:WSPORT
# once both answer, and stops both when it gets SIGTERM/SIGINT or either of them dies.
# Settings (environment): EARSHOT_SIP_HOST (127.0.0.1), EARSHOT_SIP_PORT (5060, UDP),
# EARSHOT_SIP_WS_PORT (8088, TCP), EARSHOT_RTPENGINE_PORT (2223, UDP control),
# EARSHOT_RTP_PORTS (30000-30999, the media ports), EARSHOT_SIP_LOG (where both processes log;
# default: stderr).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"

host=${EARSHOT_SIP_HOST:-127.0.0.1}
sip_port=${EARSHOT_SIP_PORT:-5060}
ws_port=${EARSHOT_SIP_WS_PORT:-8088}
ng_port=${EARSHOT_RTPENGINE_PORT:-2223}
rtp_ports=${EARSHOT_RTP_PORTS:-30000-30999}
say() { printf '[sip-stack] %s\n' "$*" >&2; }
for tool in kamailio rtpengine; do
  command -v "$tool" >/dev/null || { say "$tool is not installed: run bash scripts/bootstrap.sh"; exit 1; }
done
[[ $rtp_ports =~ ^[0-9]+-[0-9]+$ ]] || { say "EARSHOT_RTP_PORTS must look like 30000-30999, not '$rtp_ports'"; exit 2; }

run_dir=$(mktemp -d -t earshot-sip.XXXXXX)
exec 3>&2   # where both processes log: this script's stderr, or EARSHOT_SIP_LOG
[ -n "${EARSHOT_SIP_LOG:-}" ] && exec 3>>"$EARSHOT_SIP_LOG"
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run_dir"
}
trap stop EXIT
trap 'exit 0' INT TERM

# rtpengine first: Kamailio's rtpengine module checks its control socket once at startup.
# --config-file=none: the Debian package's /etc/rtpengine/rtpengine.conf is for its systemd service.
rtpengine --config-file=none --table=-1 --foreground --log-stderr --log-level=5 \
  --interface="$host" --listen-ng="$host:$ng_port" \
  --port-min="${rtp_ports%-*}" --port-max="${rtp_ports#*-}" \
  --pidfile="$run_dir/rtpengine.pid" >&3 2>&3 &
pids+=($!)
bound() { ss -Hln "$1" "sport = :$2" | grep -q .; }   # is something listening on this port?
for _ in $(seq 100); do
  bound -u "$ng_port" && break
  kill -0 "${pids[0]}" 2>/dev/null || { say "rtpengine did not start (see its log above)"; exit 1; }
  sleep 0.1
done
bound -u "$ng_port" || { say "rtpengine not listening on $host:$ng_port after 10 s"; exit 1; }

# -DD: stay in the foreground (Kamailio still forks its worker processes, which die with it).
kamailio -f telephony/kamailio.cfg -DD -E -m 64 -M 8 -Y "$run_dir" -P "$run_dir/kamailio.pid" -w "$run_dir" \
  -l "udp:$host:$sip_port" -l "tcp:$host:$ws_port" -A "RTPENGINE_SOCK=\"udp:$host:$ng_port\"" >&3 2>&3 &
pids+=($!)
for _ in $(seq 100); do
  bound -t "$ws_port" && bound -u "$sip_port" && break
  kill -0 "${pids[1]}" 2>/dev/null || { say "kamailio did not start (see its log above)"; exit 1; }
  sleep 0.1
done
bound -t "$ws_port" || { say "kamailio not listening on $host:$ws_port after 10 s"; exit 1; }

say "ready sip=$host:$sip_port ws=ws://$host:$ws_port"
# Whichever stops first stops the other (trap above).
wait -n "${pids[@]}"
say "a telephony process exited; stopping"
exit 1
