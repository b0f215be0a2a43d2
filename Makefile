# Everything a fresh clone needs: `make run` and `make test` create .venv and install what they use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint install install-test clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The browser extra (Playwright) lets render: true and the bot-wall retry use the system Chromium when it
# is installed (apt-get install chromium); without Chromium those documents fail with an install hint.
# The notify extra (apprise) sends alerts.channels: e-mail, ntfy, Telegram, Matrix, Teams ...
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[browser,notify]'
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $@

install: $(STAMP)
install-test: $(TSTAMP)

# make run WATCHLIST=my.yaml DB=/var/lib/tosmon/monitor.db; else $TOSMON_WATCHLIST / $TOSMON_DB; else the defaults.
WATCHLIST ?= $(or $(TOSMON_WATCHLIST),watchlist.yaml)
DB        ?= $(or $(TOSMON_DB),db/monitor.db)
run: $(STAMP)
	$(BIN)/tosmon --watchlist '$(WATCHLIST)' --db '$(DB)' run

# mypy --strict, ruff and the import layers (pyproject.toml); `make test` runs it first.
lint: $(TSTAMP)
	$(BIN)/mypy
	$(BIN)/ruff check monitor tests
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) .pytest_cache

# Side-by-side benchmark (bench/README.md): peers go to $(PEERS_DIR), never into .venv.
#   make bench REPS=1 N=200      BENCH_OTA=1 adds the Open Terms Archive engine (~90 s per cycle, 1.5 GB)
N       ?= 200,1000
REPS    ?= 3
PEERS   ?= tosmon,urlwatch,urlwatch-text,changedetection.io
EXTRAS  ?= profile,log,daemon,scale,micro,follow
DAEMON_CHECKS ?= 10000
PEERS_DIR ?= /tmp/peers
bench: $(STAMP)
	# byte-compile monitor/ as a pip install does (the editable install never is when PYTHONDONTWRITEBYTECODE is
	# set; the peers are): otherwise every cycle recompiles it, ~0.35 s per tosmon process on this machine
	$(BIN)/python -m compileall -q monitor
	N=$(N) REPS=$(REPS) PEERS=$(PEERS) EXTRAS=$(EXTRAS) DAEMON_CHECKS=$(DAEMON_CHECKS) PEERS_DIR=$(PEERS_DIR) \
	BENCH_OTA=$(BENCH_OTA) TOSMON_BIN=$(CURDIR)/$(BIN)/tosmon bash bench/bench.sh
