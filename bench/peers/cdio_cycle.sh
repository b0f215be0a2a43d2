#!/usr/bin/env bash
# One changedetection.io check cycle over N documents of the workload server, then exit.
# (Copied from the shared harness, ../shared/bench/peers/, so the project runs it without ../shared.)
# usage: cdio_cycle.sh WORKDIR BASE_URL N
# Uses changedetection.io's own batch mode (-b): no web UI is started; it processes the queue and exits.
#   first call : creates the datastore (-C) and adds the N URLs (-u ...), which queues them
#   later calls: -r all queues every watch for a recheck
# Settings: 127.0.0.1 only; DISABLE_VERSION_CHECK (batch mode skips the version/stats ping anyway);
# ALLOW_IANA_RESTRICTED_ADDRESSES=true is required, else its SSRF guard refuses to fetch 127.0.0.1;
# log level WARNING. Everything else (5 fetch workers, html_requests fetcher, text snapshots) is default.
set -euo pipefail
W=$1; BASE=${2%/}; N=$3
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
[ "${PREPARE_ONLY:-0}" = 1 ] && exit 0   # nothing to prepare: adding the watches is part of cycle 1
export DISABLE_VERSION_CHECK=true ALLOW_IANA_RESTRICTED_ADDRESSES=true
export LITELLM_LOCAL_MODEL_COST_MAP=True
# batch mode refuses to run if its (unused) web port is taken, so give it a free one
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
args=(-d "$W/datastore" -b -h 127.0.0.1 -p "$PORT" -l "${CDIO_LOG_LEVEL:-WARNING}")
if [ ! -f "$W/datastore/changedetection.json" ]; then
  args+=(-C)
  for ((i = 0; i < N; i++)); do args+=(-u "$BASE/doc/$i"); done
else
  args+=(-r all)
fi
cd "$W"
exec "$PEERS_DIR/cdio-venv/bin/changedetection.io" "${args[@]}"
