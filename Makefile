# Metropolis Hub. `make run` serves the hub; `make test` runs every check.
# Each sets up what it needs first, and no more. `make run`: a virtualenv in
# .venv with the hub's own dependencies, and the assets the hub serves from npm
# (GraphiQL, and the explorer bundled by esbuild). `make federation` adds the
# example partner subgraph's dependency and the federation composers and
# gateway. `make test` adds the test tool-chain, the GraphQL-over-HTTP audit
# and (for the browser tests) Debian's Chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
FEDERATED := $(VENV)/.federation
INSTALLED := $(VENV)/.installed
ASSETS := web/node_modules/.package-lock.json
EXPLORER_MODULES := explorer/node_modules/.package-lock.json
EXPLORER := explorer/dist/explorer.js
COMPOSERS := federation/node_modules/.package-lock.json
AUDIT := audit/node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium

.PHONY: run federation test test-standard-path lint typecheck schema bench bench-search-100k bench-peers load crash hostile wrk runtime install assets served browser redis clean

run: runtime served
	HUB_DEVELOPMENT=true $(BIN)/metrohub serve

# The hub, the example partner subgraph and an Apollo gateway over both.
federation: $(FEDERATED) served $(COMPOSERS)
	$(BIN)/metrohub federation up

# The suite runs on SQLite, then again on PostgreSQL when HUB_TEST_DATABASE_URL
# names a PostgreSQL database (.ci/run sets it; a server that does not answer
# fails that run).
test: install assets browser redis lint typecheck
	$(BIN)/metrohub export-schema --check
	env -u HUB_TEST_DATABASE_URL $(BIN)/python -m pytest
	@if [ -n "$$HUB_TEST_DATABASE_URL" ]; then \
	  echo "pytest on PostgreSQL ($$HUB_TEST_DATABASE_URL)"; \
	  $(BIN)/python -m pytest; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

schema: install
	$(BIN)/metrohub export-schema

# Read performance against the floor (hand-written SQL) and the stock path,
# in-process and over HTTP (wrk), then search latency (p50/p95 per kind of
# query, one core) on the seed data; minutes, not part of `make test`. The
# databases stay in var/bench/ for the next run. Figures: bench/RESULTS.md.
bench: install wrk
	$(BIN)/python -m bench.reads
	$(BIN)/python -m bench.search

# Search latency on 100,000 demo partners: its own target, because building
# that database takes ~10 minutes the first time (it is kept in var/bench/).
bench-search-100k: install
	$(BIN)/python -m bench.search --partners 100000

# The hub against PostGraphile 4.14 (bench/peers/) on the same full-scale
# network in PostgreSQL (database peers_bench on 127.0.0.1:5432, as user
# postgres; created and filled on the first run), the hub on SQLite too:
# answers compared fact by fact, then req/s, latency and CPU per request (the
# app's and its PostgreSQL backends') with wrk; 37 minutes on a busy 2-CPU
# machine (runs lengthen when requests are slow). Figures: bench/RESULTS.md.
bench-peers: install wrk
	npm ci --prefix bench/peers --no-audit --no-fund --loglevel=error
	$(BIN)/python -m bench.postgraphile

# The hub as its own process under 50 clients for 60 s (80 % reads, 20 %
# writes), and killed with SIGKILL under write load 20 times; both check that
# every acknowledged write is in the database. Figures: bench/RESULTS.md.
load: install
	$(BIN)/python -m bench.load --clients 50 --seconds 60

crash: install
	$(BIN)/python -m bench.crash --cycles 20

# Hostile requests (centrality after writes, huge filters, big variables,
# deep walks, slow clients) against the hub as its own process on 20,000 demo
# partners, with /health probed every 50 ms; 6-10 minutes. See bench/RESULTS.md.
hostile: install
	$(BIN)/python -m bench.hostile

wrk:
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }

# The whole suite on graphql-core's standard execution path (the compiled path off).
test-standard-path: install assets browser redis
	HUB_COMPILED_PATH=false $(BIN)/python -m pytest

runtime: $(RUNTIME)

install: $(INSTALLED)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(FEDERATED): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[federation]"
	touch $@

$(INSTALLED): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# What the running hub serves: GraphiQL's files and the explorer.
served: $(ASSETS) $(EXPLORER)

# Everything from npm: what the hub serves, the composers and the gateway, the audit.
assets: served $(COMPOSERS) $(AUDIT)

$(ASSETS): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	touch $@

$(EXPLORER_MODULES): explorer/package.json explorer/package-lock.json
	npm ci --prefix explorer --no-audit --no-fund
	touch $@

# The explorer's page assets, bundled by esbuild from explorer/src (never committed).
$(EXPLORER): $(EXPLORER_MODULES) $(wildcard explorer/src/*)
	npm run build --prefix explorer

$(COMPOSERS): federation/package.json federation/package-lock.json
	npm ci --prefix federation --no-audit --no-fund
	touch $@

$(AUDIT): audit/package.json audit/package-lock.json
	npm ci --prefix audit --no-audit --no-fund
	touch $@

browser:
	@test -x $(CHROMIUM) || { apt-get update -q && apt-get install -y -q chromium; }

# The rate-budget tests share a budget between two hubs through Redis.
redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null || { apt-get update -q && apt-get install -y -q redis-server; }; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  sleep 1; }

clean:
	rm -rf $(VENV) web/node_modules explorer/node_modules explorer/dist federation/node_modules audit/node_modules test-artifacts
