#!/usr/bin/env bash
# Writes edge-worker/.dev.vars for local development: a fresh Ed25519 key pair (the worker verifies
# with the public key; the dev minting endpoint, enabled here only, signs with the private one).
# Idempotent: an existing .dev.vars is never overwritten. .dev.vars is git-ignored.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$dir/.dev.vars"
[ -f "$target" ] && exit 0
source "$dir/../scripts/env.sh"
umask 077
node -e '
const { generateKeyPairSync } = require("node:crypto");
const { privateKey } = generateKeyPairSync("ed25519");
const jwk = privateKey.export({ format: "jwk" });
process.stdout.write([
  "# Local development only (written by edge-worker/scripts/dev-vars.sh). Never deploy these.",
  `EARSHOT_TOKEN_PUBLIC_KEY="${jwk.x}"`,
  `EARSHOT_DEV_SIGNING_KEY="${jwk.d}"`,
  `EARSHOT_DEV_MINT="1"`,
  "",
].join("\n"));
' > "$target.tmp"
mv "$target.tmp" "$target"
echo "[dev-vars] wrote $target"
