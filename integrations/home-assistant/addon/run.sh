#!/bin/sh
# The add-on's process: the bridge on the options the Supervisor wrote, talking to Home Assistant
# through the Supervisor's proxy with the add-on's own token, its state in /data. `exec`, so the
# SIGTERM the Supervisor sends on stop reaches the bridge, which hands the devices back.
set -eu
data="${OPENLEM_ADDON_DATA:-/data}"
if [ -z "${SUPERVISOR_TOKEN:-}" ]; then
  echo "openlem-bridge: SUPERVISOR_TOKEN is not set (the add-on needs homeassistant_api: true)" >&2
  exit 2
fi
export OPENLEM_HA_URL="${OPENLEM_HA_URL:-http://supervisor/core}"
exec openlem-ha-bridge --addon "$data/options.json"
