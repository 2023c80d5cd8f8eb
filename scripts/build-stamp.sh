# Sourced by the build scripts (edge-worker/scripts/build.sh, scripts/build-demo.sh): the build stamp,
# which lets a build whose inputs did not change be skipped (a start with nothing changed spends no
# time in cargo, wasm-bindgen or wasm-opt) without ever keeping a stale output.
#
# A stamp is a text manifest a build writes after it succeeded, and the check regenerates and compares
# byte for byte; any difference is a rebuild, and the first differing line is the reason printed.
#   fact ...      what shapes the output besides files: the variant and features, rustc -vV, the
#                 versions of wasm-bindgen, worker-build, wasm-opt and esbuild, the environment cargo
#                 and rustc read (RUSTFLAGS, CARGO_PROFILE_*, ...), any .cargo/config, the text of the
#                 build scripts themselves. Recomputed from scratch on every check.
#   in SHA PATH   every input file: what rustc actually read for the artifact, from cargo's dep-info
#                 (the crate's and every path dependency's sources, include_str!/include_bytes! files
#                 too), the manifests of those packages, the workspace Cargo.toml and Cargo.lock, plus
#                 what the caller adds (JS sources). Registry and git crates are not hashed: Cargo.lock
#                 pins each by version and checksum, and cargo never edits them in place. A new source
#                 file only matters once an existing one names it (`mod`, `include_str!`), and that
#                 edit is seen.
#   out SHA PATH  every output file, so a build of another variant over the same directory, a
#                 half-written build or a hand edit is never taken for this one.
# Paths inside the repository are stored relative to it, so a copy of the tree checks the same way
# (tests/build/stamp.test.sh relies on that).

# The common facts: toolchain, tools, environment, cargo configuration, this file. $1: the directory
# cargo runs in (rustup picks the toolchain and cargo its config from there).
stamp_facts() {
  local dir=$1 d f
  (cd "$dir" && rustc -vV) | sed 's/^/fact rustc /'
  echo "fact wasm-bindgen $("$WASM_BINDGEN_BIN" --version 2>/dev/null)"
  # npm packages: their package.json names the version (wasm-opt --version costs ~0.4 s in Node).
  echo "fact wasm-opt $(stamp_npm_version "$WASM_OPT_BIN")"
  echo "fact esbuild $("$ESBUILD_BIN" --version 2>/dev/null)"
  env | LC_ALL=C sort | grep -E '^(RUSTFLAGS|RUSTDOCFLAGS|CARGO_ENCODED_RUSTFLAGS|RUSTC[A-Z_]*|RUSTUP_TOOLCHAIN|CARGO_PROFILE_[A-Z0-9_]*|CARGO_BUILD_(RUSTFLAGS|TARGET|RUSTC[A-Z_]*)|CARGO_TARGET_WASM32_[A-Z0-9_]*|CARGO_UNSTABLE_[A-Z0-9_]*|CARGO_FEATURE_[A-Z0-9_]*)=' \
    | sed 's/^/fact env /' || true
  d=$(cd "$dir" && pwd)
  while :; do
    for f in "$d/.cargo/config.toml" "$d/.cargo/config"; do
      if [ -f "$f" ]; then echo "fact cargo-config $(sha256sum < "$f" | cut -c1-64) $(stamp_rel "$f")"; fi
    done
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  for f in "${CARGO_HOME:-$HOME/.cargo}/config.toml" "${CARGO_HOME:-$HOME/.cargo}/config"; do
    if [ -f "$f" ]; then echo "fact cargo-config $(sha256sum < "$f" | cut -c1-64) $f"; fi
  done
  echo "fact script $(sha256sum < "$EARSHOT_ROOT/scripts/build-stamp.sh" | cut -c1-64) scripts/build-stamp.sh"
}

# The name and version in the package.json of the npm package that holds binary $1.
stamp_npm_version() {
  local d
  d=$(dirname "$1")
  while [ "$d" != / ] && ! grep -qs '"version"' "$d/package.json"; do d=$(dirname "$d"); done
  if [ "$d" != / ]; then
    sed -n 's/^  "\(name\|version\)": "\(.*\)",*$/\2/p' "$d/package.json" | paste -sd ' '
  else
    "$1" --version
  fi
}

# $1 relative to the repository when it lies inside it, else as it is.
stamp_rel() {
  case "$1" in "$EARSHOT_ROOT"/*) echo "${1#"$EARSHOT_ROOT"/}" ;; *) echo "$1" ;; esac
}

# The input files of a cargo build, one a line: the local files its dep-info files ($2...) name, the
# manifest (and build.rs) of each package they belong to, the workspace manifest and Cargo.lock.
# Fails (no list, so no stamp) when a dep-info file is not newer than the file $1 touched before the
# build: then it may describe another build (say, the other feature set), not this one.
stamp_cargo_inputs() {
  local marker=$1 cargo_home rustup_home f d
  shift
  for f in "$@"; do
    if [ ! "$f" -nt "$marker" ]; then
      echo "[build-stamp] $f was not written by this build: no stamp, the next run builds again" >&2
      return 1
    fi
  done
  cargo_home=$(cd "${CARGO_HOME:-$HOME/.cargo}" 2>/dev/null && pwd -P || echo /nonexistent)
  rustup_home=$(cd "${RUSTUP_HOME:-$HOME/.rustup}" 2>/dev/null && pwd -P || echo /nonexistent)
  {
    echo Cargo.toml
    echo Cargo.lock
    # A dep-info line is `output: input input ...`, spaces in paths escaped with a backslash.
    sed -e 's/^[^:]*: *//' -e 's/\\ /\x01/g' "$@" | tr ' ' '\n' | tr '\001' ' ' | grep -v '^$' | LC_ALL=C sort -u \
      | while IFS= read -r f; do
          case "$f" in "$cargo_home"/* | "$rustup_home"/* | "$HOME/.cargo"/* | "$HOME/.rustup"/*) continue ;; esac
          f=$(realpath -m "$f")
          stamp_rel "$f"
          d=$(dirname "$f")
          while [ "$d" != / ] && [ ! -f "$d/Cargo.toml" ]; do d=$(dirname "$d"); done
          if [ -f "$d/Cargo.toml" ]; then stamp_rel "$d/Cargo.toml"; fi
          if [ -f "$d/build.rs" ]; then stamp_rel "$d/build.rs"; fi
        done
  } | LC_ALL=C sort -u
}

# The manifest: facts ($1, text), inputs (the paths in file $2), outputs (every file under the paths
# $3...). Hashes are taken from the repository root, where the relative paths point.
stamp_manifest() {
  local facts=$1 list=$2 f outs=()
  shift 2
  for f in "$@"; do outs+=("$(stamp_rel "$(realpath -m "$f")")"); done
  list=$(realpath -m "$list")
  printf '%s\n' "$facts"
  (
    cd "$EARSHOT_ROOT"
    LC_ALL=C sort -u "$list" | while IFS= read -r f; do
      if [ -f "$f" ]; then echo "in $(sha256sum < "$f" | cut -c1-64) $f"; else echo "in missing $f"; fi
    done
    for f in "${outs[@]}"; do
      # (a stamp kept among the outputs is not one of them)
      if [ -e "$f" ]; then find "$f" -type f ! -name '.stamp*' | LC_ALL=C sort; else echo "$f"; fi
    done | while IFS= read -r f; do
      if [ -f "$f" ]; then echo "out $(sha256sum < "$f" | cut -c1-64) $f"; else echo "out missing $f"; fi
    done
  )
}

# Whether stamp $1 still describes the build: facts $2, outputs $3... Exit status 0 when fresh;
# otherwise prints why not (the first line that differs) and returns 1.
stamp_fresh() {
  local stamp=$1 facts=$2 list now first
  shift 2
  [ -f "$stamp" ] || { echo "no build stamp ($(stamp_rel "$stamp"))"; return 1; }
  list=$(mktemp)
  sed -n 's/^in [^ ]* //p' "$stamp" > "$list"
  now=$(stamp_manifest "$facts" "$list" "$@")
  rm -f "$list"
  [ "$now" = "$(cat "$stamp")" ] && return 0
  first=$(diff <(cat "$stamp") <(printf '%s\n' "$now") | grep -m1 '^[<>]' || true)
  case "$first" in
    '< in '* | '> in '*) echo "changed input: ${first##* }" ;;
    '< out '* | '> out '*) echo "changed output: ${first##* }" ;;
    *) echo "changed: ${first#[<>] }" ;;
  esac
  return 1
}

# Writes stamp $1 for the build that just finished: facts $2, the input list file $3, the file $4
# touched before the build started, outputs $5... An input modified since $4 may not be what the
# build read, so then no stamp is written and the next run builds again.
stamp_write() {
  local stamp=$1 facts=$2 list=$3 marker=$4 newer
  shift 4
  newer=$(cd "$EARSHOT_ROOT" && LC_ALL=C sort -u "$list" | while IFS= read -r f; do
    if [ "$f" -nt "$marker" ]; then echo "$f"; fi; done | head -1)
  if [ -n "$newer" ]; then
    echo "[build-stamp] $newer changed during the build: no stamp, the next run builds again" >&2
    return 0
  fi
  stamp_manifest "$facts" "$list" "$@" > "$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
}
