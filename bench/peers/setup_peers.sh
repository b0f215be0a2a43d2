#!/usr/bin/env bash
# Install the peer tools, each in its own environment under $PEERS_DIR (default /tmp/peers).
# Nothing is installed into the project or its .venv. Re-running is cheap (skips what exists).
# Adapted from the shared harness (../shared/bench/peers/setup_peers.sh): py-spy joins the harness venv
# (profiles), and the Open Terms Archive engine (npm + Debian chromium, ~1.5 GB) is opt-in: BENCH_OTA=1.
set -euo pipefail
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
mkdir -p "$PEERS_DIR"
cd "$PEERS_DIR"

# Harness (psutil for RSS sampling); the workload server itself needs only the stdlib.
[ -x harness-venv/bin/py-spy ] || { python3 -m venv harness-venv && harness-venv/bin/pip install -q psutil py-spy; }

# urlwatch (PyPI)
[ -x urlwatch-venv/bin/urlwatch ] || { python3 -m venv urlwatch-venv && urlwatch-venv/bin/pip install -q urlwatch; }   # cssselect comes with it

# changedetection.io (PyPI). Playwright/Selenium fetchers are not used: the default "html_requests" fetcher is.
[ -x cdio-venv/bin/changedetection.io ] || { python3 -m venv cdio-venv && cdio-venv/bin/pip install -q changedetection-io; }

if [ "${BENCH_OTA:-0}" = 1 ]; then
  # Open Terms Archive engine (npm). npm 11 does not run dependency install scripts unless approved, so
  # puppeteer's browser download and @scarf/scarf's install-time analytics ping do not run; we also ask
  # puppeteer to skip the download explicitly. The engine launches a headless browser on every `ota track`,
  # so Debian's chromium is used instead, through a wrapper adding --no-sandbox (we run as root).
  if [ ! -x ota/node_modules/.bin/ota ]; then
    mkdir -p ota && (cd ota && [ -f package.json ] || npm init -y >/dev/null)
    (cd ota && PUPPETEER_SKIP_DOWNLOAD=1 SCARF_ANALYTICS=false npm install @opentermsarchive/engine)
  fi
  if ! command -v chromium >/dev/null; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  fi
  printf '#!/bin/sh\nexec /usr/bin/chromium --no-sandbox "$@"\n' > chromium-nosandbox
  chmod +x chromium-nosandbox
fi

echo "versions:"
urlwatch-venv/bin/urlwatch --version
cdio-venv/bin/changedetection.io --version
if [ "${BENCH_OTA:-0}" = 1 ]; then
  node -e "console.log('@opentermsarchive/engine ' + require('$PEERS_DIR/ota/node_modules/@opentermsarchive/engine/package.json').version)"
  chromium --version
fi
