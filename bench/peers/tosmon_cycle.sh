#!/usr/bin/env bash
# One tosmon check cycle over N documents of the workload server, then exit.
# (Copied from the shared harness, ../shared/bench/peers/, so the project runs it without ../shared.)
# usage: tosmon_cycle.sh WORKDIR BASE_URL N      (TOSMON_BIN: the tosmon executable; default: tosmon on PATH)
set -euo pipefail
W=$1; BASE=${2%/}; N=$3
mkdir -p "$W/db"
if [ ! -f "$W/watchlist.yaml" ]; then
  python3 - "$W/watchlist.yaml" "$BASE" "$N" <<'PY'
import sys
path, base, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "w") as f:
    f.write("defaults:\n  interval: 1d\n  timeout: 30s\nservices:\n")
    for i in range(n):
        f.write(f"  doc-{i}:\n    name: Doc {i}\n    documents:\n      page:\n        url: {base}/doc/{i}\n")
PY
fi
[ "${PREPARE_ONLY:-0}" = 1 ] && exit 0
export TOSMON_DB="$W/db/monitor.db" TOSMON_WATCHLIST="$W/watchlist.yaml" NO_COLOR=1
exec "${TOSMON_BIN:-tosmon}" check
