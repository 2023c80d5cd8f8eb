# Sourced by every script: puts the project-local tools first on PATH and names them for worker-build.
# Tools live in .tools/ (ignored) and are always referred to by their own path, never whatever is on PATH.
EARSHOT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EARSHOT_ROOT
export EARSHOT_TOOLS="$EARSHOT_ROOT/.tools"
export PATH="$EARSHOT_TOOLS/bin:$EARSHOT_TOOLS/node/bin:$EARSHOT_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# worker-build never looks on PATH and would download from GitHub otherwise.
export WASM_BINDGEN_BIN="$EARSHOT_TOOLS/bin/wasm-bindgen"
export WASM_OPT_BIN="$EARSHOT_ROOT/node_modules/binaryen/bin/wasm-opt"
export ESBUILD_BIN="$EARSHOT_ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"
export CHROME_BIN=/usr/bin/chromium
export CHROMEDRIVER=/usr/bin/chromedriver
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
