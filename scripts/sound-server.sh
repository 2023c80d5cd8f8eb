#!/usr/bin/env bash
# Makes sure a sound server with a silent output is running for Firefox, and prints the PULSE_SERVER
# value that reaches it. Headless Firefox opens a real audio output for every AudioContext; without
# one (these machines have no sound card) the context stays suspended forever. Headless Chromium fakes
# its output itself, and a PulseAudio it can find makes its realtime contexts crawl (11 ms of audio
# time a second, measured here), so the server listens only on a socket of its own that Firefox is
# given and Chromium never looks for. Idempotent: nothing starts when one already answers there.
set -euo pipefail
socket_dir=/tmp/earshot-pulse
server="unix:$socket_dir/native"
if ! PULSE_SERVER=$server pactl info >/dev/null 2>&1; then
  mkdir -p "$socket_dir"
  # As root PulseAudio warns that it is meant for a user session; a null sink needs nothing more.
  pulseaudio --daemonize=yes --exit-idle-time=-1 -n --use-pid-file=no \
    --load="module-null-sink sink_name=earshot" \
    --load="module-native-protocol-unix socket=$socket_dir/native auth-anonymous=1" 2>/dev/null
  for _ in $(seq 50); do PULSE_SERVER=$server pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  PULSE_SERVER=$server pactl info >/dev/null 2>&1 || { echo "[sound-server] PulseAudio did not start" >&2; exit 1; }
fi
echo "$server"
