#!/usr/bin/env bash
# Installs schemathesis from PyPI into a cached venv for the hub's API conformance test
# (market-hub/server/test/schemathesis.test.ts). A venv that is ready is kept.
#   test-support/schemathesis/setup.sh
# Environment: OPENLEM_SCHEMATHESIS_CACHE (default ~/.cache/openlem-schemathesis),
# OPENLEM_HA_PYTHON (default pyenv's 3.13.0). Prints the path of the `st` command.
set -euo pipefail
version=4.32.5
venv=${OPENLEM_SCHEMATHESIS_CACHE:-$HOME/.cache/openlem-schemathesis}
if [ -x "$venv/bin/st" ] && "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then echo "$venv/bin/st"; exit 0; fi
python=${OPENLEM_HA_PYTHON:-}
if [ -z "$python" ]; then
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  python=$root/versions/3.13.0/bin/python3
fi
[ -x "$python" ] || python=$(command -v python3)
"$python" -m venv "$venv" >&2
"$venv/bin/pip" --disable-pip-version-check -q install "schemathesis==$version" >&2
echo "$venv/bin/st"
