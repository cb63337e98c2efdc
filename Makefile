# The README's commands. `make run` serves the demo; `make test` runs the whole test suite.
# Every step is guarded by a stamp file, so running a target again only redoes what changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-n auto -k escalation"
PYTEST_ARGS ?=
# Restart the server when Python code changes; `make run RELOAD=` turns it off.
RELOAD ?= --reload $(foreach d,config common panels scrutiny surveys frontend,--reload-dir $(d))
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PY_STAMP := $(VENV)/.requirements-stamp
NODE_STAMP := node_modules/.install-stamp
ASSETS_STAMP := frontend/static/build/.stamp
SCSS := $(shell find frontend/scss -name '*.scss' 2>/dev/null)

.PHONY: help setup run test lint format typecheck migrations-check bench clean distclean requirements chromium

help:
	@echo "make run               set everything up, load the demo data and serve http://$(HOST):$(PORT)/"
	@echo "make test              set everything up and run the whole test suite (PYTEST_ARGS=... to pass options)"
	@echo "make lint              ruff check and ruff format --check"
	@echo "make format            ruff format and ruff check --fix"
	@echo "make typecheck         mypy"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make bench             run the benchmarks in bench/"
	@echo "make requirements      re-pin requirements*.txt from requirements*.in (UPGRADE=1 to take new releases)"
	@echo "make clean             remove built assets and caches (make distclean also removes .venv and node_modules)"

# --- Python -----------------------------------------------------------------------------------
# Django 6.1 needs Python 3.12 or newer: take the first one found (pyenv builds last, newest first).
PYENV_PYTHONS := $(shell ls -d $(HOME)/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null | sort -rV)
$(VENV)/pyvenv.cfg:
	@py=""; \
	for candidate in python3.13 python3.12 python3 $(PYENV_PYTHONS); do \
	  if command -v "$$candidate" >/dev/null 2>&1 && \
	     "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    py="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.12 or newer is needed (Django 6.1), but none was found." >&2; \
	  echo "       Tried python3.13, python3.12, python3 and ~/.pyenv/versions/3.12*/3.13*." >&2; \
	  echo "       Install one (e.g. 'pyenv install 3.13') and run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV)

$(PY_STAMP): requirements.txt requirements-dev.txt $(VENV)/pyvenv.cfg
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "error: $(VENV) uses $$($(PYTHON) --version); Python 3.12 or newer is needed. Remove $(VENV) and run make again." >&2; \
	  exit 1; }
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# --- Front-end assets -------------------------------------------------------------------------
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: Node.js and npm are needed to build the front-end assets." >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

$(ASSETS_STAMP): $(NODE_STAMP) $(SCSS)
	npm run --silent build
	@# The GDS Transport typeface is licensed for GOV.UK only: the build must never ship it.
	@if grep -q "GDS Transport" frontend/static/build/site.css; then \
	  echo "error: frontend/static/build/site.css mentions GDS Transport" >&2; exit 1; fi
	@touch $@

setup: $(PY_STAMP) $(ASSETS_STAMP)

# --- The README's two commands ----------------------------------------------------------------
run: setup
	$(PYTHON) manage.py migrate --no-input
	$(PYTHON) manage.py loaddemo --site http://$(HOST):$(PORT)
	@# The demo's data.police.uk sync, from the recorded responses (no network): see docs/sync.md.
	$(PYTHON) manage.py syncrecords --replay data/police-uk-api || \
	  echo "The demo's sync did not complete; the coverage page (/coverage/) says why."
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off $(RELOAD)

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

# pytest exits 5 when it collects no test; make treats that, like any non-zero status, as failure.
test: setup chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# --- Checks -----------------------------------------------------------------------------------
lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(PY_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(PY_STAMP)
	$(BIN)/mypy .

migrations-check: $(PY_STAMP)
	$(PYTHON) manage.py makemigrations --check --dry-run

bench: setup
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "No benchmarks in bench/"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; DJANGO_SETTINGS_MODULE=config.settings $(PYTHON) "$$f"; done

# Re-pin after editing requirements*.in; UPGRADE=1 also moves every pin to its newest release.
# pip-tools lives in its own venv so it never leaks into the app's.
requirements: $(VENV)/pyvenv.cfg
	@[ -x $(VENV)/pip-tools/bin/pip-compile ] || { $(PYTHON) -m venv $(VENV)/pip-tools && \
	  $(VENV)/pip-tools/bin/pip install --quiet --disable-pip-version-check pip-tools; }
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/pip-tools/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) \
	  --strip-extras --no-emit-index-url --no-emit-find-links requirements.in
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/pip-tools/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) \
	  --strip-extras --no-emit-index-url --no-emit-find-links requirements-dev.in
	@# Carry the reason for each direct dependency (the comment above it in the .in file) into the
	@# pinned file, and make the dev file install the runtime pins first.
	@for f in requirements requirements-dev; do \
	  awk 'FNR == NR { if ($$0 ~ /^# / && $$0 !~ /pip-compile|Pinned|dependencies\./) why = $$0; \
	                   else if ($$0 ~ /^[A-Za-z]/) { n = tolower($$0); sub(/[^a-z0-9_.-].*/, "", n); \
	                     gsub(/[_.]/, "-", n); if (why != "") reason[n] = why; why = "" } \
	                   else why = ""; next } \
	       /^[a-z0-9]/ { n = $$0; sub(/==.*/, "", n); if (n in reason) print reason[n] } { print }' \
	    $$f.in $$f.txt > $$f.txt.tmp && mv $$f.txt.tmp $$f.txt; \
	done
	@sed -i '0,/^[^#]/s//-r requirements.txt\n&/' requirements-dev.txt

# --- Housekeeping -----------------------------------------------------------------------------
clean:
	rm -rf frontend/static/build staticfiles .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
	rm -f .test-db*.sqlite3*
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
