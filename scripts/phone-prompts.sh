#!/usr/bin/env bash
# Speaks the consent disclosure for phone callers (issue 20) with espeak-ng into
# demo/vendor/prompts/: disclosure-stay.wav (consent by staying on the line) and
# disclosure-press-one.wav (consent by pressing 1), which the agent's hub plays into a phone caller's
# feed (demo/js/phone-consent.js). The sentence is customer.html's #disclosure-text, so a phone caller
# hears what a web customer reads. Made at build time, not shipped: espeak-ng takes well under a
# second, so it simply runs every time (called by build-demo.sh). Not committed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$EARSHOT_ROOT"
command -v espeak-ng >/dev/null || { echo "[phone-prompts] espeak-ng missing: run bash scripts/bootstrap.sh" >&2; exit 1; }
disclosure=$(sed -n 's:.*id="disclosure-text">\([^<]*\)</p>.*:\1:p' demo/customer.html)
[ -n "$disclosure" ] || { echo "[phone-prompts] no #disclosure-text in demo/customer.html" >&2; exit 1; }
out=demo/vendor/prompts
mkdir -p "$out"
speak() { espeak-ng -v en-us -s 165 -w "$out/$1" "$2"; }
speak disclosure-stay.wav "$disclosure Stay on the line to continue."
speak disclosure-press-one.wav "$disclosure To agree, press 1."
echo "[phone-prompts] $out: $(cd "$out" && ls *.wav | tr '\n' ' ')(\"$disclosure\")"
