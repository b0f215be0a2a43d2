#!/usr/bin/env bash
# One urlwatch check cycle over N documents of the workload server, then exit.
# (Copied from the shared harness, ../shared/bench/peers/, so the project runs it without ../shared.)
# usage: urlwatch_cycle.sh WORKDIR BASE_URL N [raw|text]
#   raw  : urlwatch defaults (stores and diffs the whole HTML)
#   text : filter "css: main" then "html2text" (regex stripper) -- stores and diffs the main text only
# The report goes to stdout (text reporter, colour off); all other reporters stay at their default (off).
set -euo pipefail
W=$1; BASE=${2%/}; N=$3; VARIANT=${4:-raw}
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
mkdir -p "$W/home"
if [ ! -f "$W/urls.yaml" ]; then
  python3 - "$W/urls.yaml" "$BASE" "$N" "$VARIANT" <<'PY'
import sys
path, base, n, variant = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
jobs = []
for i in range(n):
    j = f"name: doc-{i}\nurl: {base}/doc/{i}\n"
    if variant == "text":
        j += "filter:\n  - css: main\n  - html2text: re\n"
    jobs.append(j)
open(path, "w").write("---\n".join(jobs))
PY
  cat > "$W/urlwatch.yaml" <<'YAML'
report:
  stdout:
    enabled: true
    color: false
  text:
    details: true
    footer: false
    minimal: false
  email:
    enabled: false
YAML
fi
[ "${PREPARE_ONLY:-0}" = 1 ] && exit 0   # harness: write the config outside the timed cycle
export HOME="$W/home"   # keep urlwatch away from the real ~/.config and ~/.cache
exec "$PEERS_DIR/urlwatch-venv/bin/urlwatch" --urls "$W/urls.yaml" --config "$W/urlwatch.yaml" \
  --hooks "$W/hooks.py" --cache "$W/cache.db"
