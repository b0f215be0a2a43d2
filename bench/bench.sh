#!/usr/bin/env bash
# `make bench`: install the peers into their own environments ($PEERS_DIR, default /tmp/peers), run tosmon and the
# peers side by side on the workload, then the extra measurements; print Markdown (also saved under bench/results/).
# Settings (environment; the Makefile passes its variables through):
#   N=200,1000  REPS=3  PEERS=tosmon,urlwatch,urlwatch-text,changedetection.io (add ota with BENCH_OTA=1)
#   EXTRAS=profile,log,daemon,scale,micro,follow (empty: none)  DAEMON_CHECKS=10000  PROFILE_N=1000  TOSMON_BIN=.venv/bin/tosmon
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export PEERS_DIR=${PEERS_DIR:-/tmp/peers}
export TOSMON_BIN=${TOSMON_BIN:-$HERE/../.venv/bin/tosmon}
TOSMON_BIN=$(cd "$(dirname "$TOSMON_BIN")" && pwd)/$(basename "$TOSMON_BIN")
N=${N:-200,1000}; REPS=${REPS:-3}
PEERS=${PEERS:-tosmon,urlwatch,urlwatch-text,changedetection.io}
if [ "${BENCH_OTA:-0}" = 1 ] && [[ ",$PEERS," != *",ota,"* ]]; then PEERS="$PEERS,ota"; fi
EXTRAS=${EXTRAS-profile,log,daemon,scale,micro,follow}
bash "$HERE/peers/setup_peers.sh"
PY=$PEERS_DIR/harness-venv/bin/python
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$HERE/results/run-$STAMP
mkdir -p "$HERE/results"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
echo "== side by side: N=$N reps=$REPS peers=$PEERS"
"$PY" "$HERE/run_bench.py" --n "$N" --reps "$REPS" --peers "$PEERS" --out "$OUT.jsonl" | tee "$OUT.log"
echo
"$PY" "$HERE/run_bench.py" --summarize "$OUT.jsonl" | tee "$OUT.md"
for p in ${PEERS//,/ }; do
  "$PY" - "$OUT.jsonl" "$p" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["peer"] == sys.argv[2]:
        print(f"version: {r['peer']}: {r['version']}"); break
PY
done | tee -a "$OUT.md"
if [ -n "$EXTRAS" ]; then
  echo
  echo "== extras: $EXTRAS"
  "$PY" "$HERE/extras.py" --tosmon-bin "$TOSMON_BIN" --only "$EXTRAS" --daemon-checks "${DAEMON_CHECKS:-10000}" \
    --profile-n "${PROFILE_N:-1000}" --out "$OUT.extras.json" | tee -a "$OUT.md"
fi
echo
echo "== saved: $OUT.md (raw: $OUT.jsonl)"
