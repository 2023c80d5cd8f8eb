#!/usr/bin/env bash
# End-to-end browser tests: real Chromium (and Firefox ESR for the agent's page in firefox.test.mjs),
# real WebRTC, inside a fresh network namespace whose only interface is loopback, so ICE can use
# nothing but 127.0.0.1 (Firefox's test: a private address that leads nowhere, see below). Everything a test starts (servers,
# wrangler dev, browsers) starts inside that namespace too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
# What the pages and the worker need, built outside the namespace (cargo may fetch crates).
bash edge-worker/scripts/dev-vars.sh
(cd edge-worker && EARSHOT_WORKER_DEV=1 bash scripts/build.sh)
(cd edge-worker && bash scripts/build.sh archive)
bash scripts/build-demo.sh
chromium_only=$(ls tests/e2e/*.test.mjs | grep -v '/firefox\.test\.mjs$')
status=0
unshare --net sh -c "ip link set lo up && exec node --test --test-concurrency=1 $(echo $chromium_only)" || status=1
# Firefox gathers no ICE candidate at all in a namespace that has only loopback (whatever
# media.peerconnection.ice.loopback says): it wants a default route. Its test gets a namespace with
# one veth pair, 10.203.0.1 on one end, the default route via the other end, which has no address
# and leads nowhere: still nothing outside the namespace is reachable.
unshare --net sh -c 'ip link set lo up && ip link add earshot0 type veth peer name earshot1 &&
  ip addr add 10.203.0.1/24 dev earshot0 && ip link set earshot0 up && ip link set earshot1 up &&
  ip route add default via 10.203.0.2 dev earshot0 && exec node --test tests/e2e/firefox.test.mjs' || status=1
exit $status
