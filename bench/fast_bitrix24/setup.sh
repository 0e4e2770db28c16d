#!/usr/bin/env bash
# Creates target/bench-venv (under the repository's gitignored target/ dir) and installs
# requirements.txt into it. Idempotent: does nothing when the venv already holds exactly
# these requirements. Prints nothing on success; errors go to stderr with a non-zero exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/target/bench-venv"
req="$here/requirements.txt"
stamp="$venv/.b24-bench-requirements.sha256"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
fail() { cat "$log" >&2; echo "setup.sh: $1" >&2; exit 1; }

mkdir -p "$repo/target"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" >"$log" 2>&1 || fail "python3 -m venv $venv failed"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$req" >"$log" 2>&1 || fail "pip install -r $req failed"
"$venv/bin/python" -c 'import fast_bitrix24' >"$log" 2>&1 || fail "fast_bitrix24 does not import"
echo "$want" >"$stamp"
