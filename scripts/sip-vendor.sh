#!/usr/bin/env bash
# Vendors SIP.js (npm sip.js, pinned in package.json) into the demo as one ES module,
# demo/vendor/sip.js/sip.js, which the agent page imports to register over SIP-over-WebSocket.
# Served by the worker's static assets like the mixer; never loaded from a CDN. Not committed.
# Takes esbuild a fraction of a second, so it simply runs every time (called by build-demo.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
entry=node_modules/sip.js/lib/index.js
[ -f "$entry" ] || { echo "[sip-vendor] $entry missing: run bash scripts/bootstrap.sh" >&2; exit 1; }
out=demo/vendor/sip.js
mkdir -p "$out"
"$ESBUILD_BIN" "$entry" --bundle --format=esm --minify --target=es2020 --log-level=warning \
  --legal-comments=eof --outfile="$out/sip.js"
cp node_modules/sip.js/LICENSE.md "$out/LICENSE.md"
echo "[sip-vendor] $out/sip.js: $(wc -c < "$out/sip.js") bytes (sip.js $(node -p 'require("./node_modules/sip.js/package.json").version'))"
