#!/usr/bin/env bash
# Installs Home Assistant core VERSION from PyPI into a cached venv for the tests that run a
# real Home Assistant (test-support/home-assistant.ts). A venv that is ready is kept: the
# first install takes a few minutes, later runs on the same machine none.
#   test-support/home-assistant/setup.sh 2025.4.4
# Environment: OPENLEM_HA_CACHE (default ~/.cache/openlem-ha), OPENLEM_HA_PYTHON (default
# pyenv's 3.13.0). Prints the venv's path.
set -euo pipefail
version=${1:?which Home Assistant version? e.g. 2025.4.4}
cache=${OPENLEM_HA_CACHE:-$HOME/.cache/openlem-ha}
venv=$cache/v$version
# the integrations the tests configure (their requirements, which Home Assistant would
# otherwise install from PyPI at its first start); the frontend needs conversation's hassil, and
# its service list imports the base entity components (homeassistant/helpers/service.py,
# _base_components: camera with stream's numpy and av, assist_satellite with tts's mutagen, ...)
integrations="mqtt onboarding config template input_boolean input_number api logbook history recorder frontend lovelace energy conversation
  ai_task alarm_control_panel assist_satellite calendar camera climate cover fan humidifier light lock media_player notify
  remote siren todo update vacuum water_heater"
reqs_marker="$venv/.openlem-reqs-$(echo "$integrations" | cksum | cut -d' ' -f1)"
if [ -f "$venv/.openlem-ready" ] && [ -f "$reqs_marker" ]; then echo "$venv"; exit 0; fi
python=${OPENLEM_HA_PYTHON:-}
if [ -z "$python" ]; then
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  python=$root/versions/3.13.0/bin/python3
fi
[ -x "$python" ] || { echo "no Python 3.13 at $python: set OPENLEM_HA_PYTHON" >&2; exit 1; }
pip() { "$venv/bin/pip" --disable-pip-version-check -q "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
constraints() {
  # Home Assistant's own pins, from its wheel: without them pip backtracks for a long time
  [ -f "$work/constraints.txt" ] && return
  pip download --no-deps --ignore-requires-python -d "$work" "homeassistant==$version" >&2
  "$venv/bin/python" - "$work" <<'PY' >&2
import sys, zipfile, glob
wheel = glob.glob(sys.argv[1] + "/homeassistant-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    open(sys.argv[1] + "/constraints.txt", "wb").write(z.read("homeassistant/package_constraints.txt"))
PY
}
if [ ! -f "$venv/.openlem-ready" ]; then
  mkdir -p "$cache"
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  pip install --upgrade pip >&2
  constraints
  # releases from 2025.10 on declare Python >= 3.13.2; they run on 3.13.0 (see run.py)
  pip install --ignore-requires-python -c "$work/constraints.txt" "homeassistant==$version" >&2
fi
# a venv from before the integrations list changed gets only their requirements
constraints
# shellcheck disable=SC2086 # one argument per integration
reqs=$("$venv/bin/python" - $integrations <<'PY'
import json, pathlib, sys, homeassistant.components as c
root = pathlib.Path(c.__path__[0])
wanted, seen, out = sys.argv[1:], set(), set()
while wanted:
    name = wanted.pop()
    if name in seen or not (root / name / "manifest.json").exists():
        continue
    seen.add(name)
    m = json.loads((root / name / "manifest.json").read_text())
    out.update(m.get("requirements", []))
    wanted += m.get("dependencies", [])
print(" ".join(sorted(out)))
PY
)
if [ -n "$reqs" ]; then pip install --ignore-requires-python -c "$work/constraints.txt" $reqs >&2; fi
touch "$venv/.openlem-ready" "$reqs_marker"
echo "$venv"
