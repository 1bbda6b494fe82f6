# Metropolis Hub. `make run` serves the hub; `make test` runs every check.
# Both set up what they need first: a virtualenv in .venv, the project with its
# test extras, the front-end assets (GraphiQL, and the explorer bundled by
# esbuild), the federation composers and gateway and the GraphQL-over-HTTP
# audit from npm, and (for the browser tests) Debian's Chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := web/node_modules/.package-lock.json
EXPLORER_MODULES := explorer/node_modules/.package-lock.json
EXPLORER := explorer/dist/explorer.js
COMPOSERS := federation/node_modules/.package-lock.json
AUDIT := audit/node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium

.PHONY: run federation test lint typecheck schema bench install assets browser redis clean

run: install assets
	HUB_DEVELOPMENT=true $(BIN)/metrohub serve

# The hub, the example partner subgraph and an Apollo gateway over both.
federation: install assets
	$(BIN)/metrohub federation up

test: install assets browser redis lint typecheck
	$(BIN)/metrohub export-schema --check
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

schema: install
	$(BIN)/metrohub export-schema

# Search latency (p50/p95 per kind of query, one core) on the seed data and on
# 100,000 demo partners; minutes, not part of `make test`. The databases stay
# in var/bench/ for the next run. Figures: bench/RESULTS.md.
bench: install
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.search --partners 100000

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

assets: $(ASSETS) $(EXPLORER) $(COMPOSERS) $(AUDIT)

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
