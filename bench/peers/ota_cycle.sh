#!/usr/bin/env bash
# One Open Terms Archive engine cycle (`ota track`, once) over N documents of the workload server, then exit.
# (Copied from the shared harness, ../shared/bench/peers/, so the project runs it without ../shared.)
# usage: ota_cycle.sh WORKDIR BASE_URL N
# Collection layout made on the first call: WORKDIR/collection/{config/default.json,declarations/*.json};
# storage: the engine's default git repositories (data/snapshots, data/versions), publish=false.
# One service per document ("Doc0000" ... ), terms type "Privacy Policy", select "main".
# Notifier and Reporter stay off (no SendInBlue / GitHub / GitLab tokens in the environment).
set -euo pipefail
W=$1; BASE=${2%/}; N=$3
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
C="$W/collection"
if [ ! -d "$C/declarations" ]; then
  mkdir -p "$C/declarations" "$C/config"
  python3 - "$C" "$BASE" "$N" <<'PY'
import json, sys, os
c, base, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    decl = {"name": f"Doc{i:04d}", "terms": {"Privacy Policy": {"fetch": f"{base}/doc/{i}", "select": ["main"]}}}
    with open(os.path.join(c, "declarations", f"Doc{i:04d}.json"), "w") as f:
        json.dump(decl, f, indent=2)
cfg = {"@opentermsarchive/engine": {
    "collectionPath": "./",
    "recorder": {
        "versions": {"storage": {"type": "git", "git": {"path": "./data/versions", "publish": False}}},
        "snapshots": {"storage": {"type": "git", "git": {"path": "./data/snapshots", "publish": False}}}},
    "logger": {"sendMailOnError": False},
}}
with open(os.path.join(c, "config", "default.json"), "w") as f:
    json.dump(cfg, f, indent=2)
PY
fi
[ "${PREPARE_ONLY:-0}" = 1 ] && exit 0   # harness: write the config outside the timed cycle
cd "$C"
export PUPPETEER_EXECUTABLE_PATH="$PEERS_DIR/chromium-nosandbox" PUPPETEER_SKIP_DOWNLOAD=1
export SCARF_ANALYTICS=false DO_NOT_TRACK=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
exec node "$PEERS_DIR/ota/node_modules/@opentermsarchive/engine/bin/ota.js" track
