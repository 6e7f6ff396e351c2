# Minyi — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/minyi
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: demo test install venv assets browser tools lint format messages serve worker clean bench record compare

## Install everything, load the demo congress and serve it on http://127.0.0.1:8000 with a worker.
## `DEBUG=1 scripts/serve.sh` serves the same with Django's development server instead.
demo: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py demo_logins
	DEBUG=0 scripts/serve.sh  # as in production (gunicorn, collected static files, Minyi's own error pages)

## Install the same way, lint, then run the whole suite on SQLite and on PostgreSQL.
test: install browser tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy minyi
	$(BIN)/lint-imports  # the layers and boundaries of .importlinter (decision 0007)
	scripts/test.sh

install: venv assets locale/en/LC_MESSAGES/django.mo

venv: $(BIN)/.installed
$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## Front-end assets pinned in package-lock.json, copied into static/vendor (served locally, no CDN).
assets: static/vendor/.installed
static/vendor/.installed: package-lock.json scripts/vendor_assets.sh
	scripts/vendor_assets.sh

## Debian's Chromium (Playwright's own browser download cannot work on an intranet) and CJK fonts.
browser:
	@scripts/install_browser.sh

## Debian's faketime, for the night and date clocks of scripts/test.sh's PostgreSQL run (required in CI).
tools:
	@scripts/install_tools.sh

## Translations are compiled with Python (no gettext needed on a fresh machine).
locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po venv
	$(BIN)/python scripts/compile_messages.py

## Re-extract strings after changing templates or code (needs GNU gettext).
messages:
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=node_modules --ignore=.venv --ignore=var
	$(BIN)/python scripts/compile_messages.py

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks (not tests): each bench/bench_*.py prints its table; see docs/PERFORMANCE.md.
bench: install
	set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

## Behaviour-preserving refactors (docs/ARCHITECTURE.md, Testing): record every response and audit
## row of the API tests and the browser loop — one process, fixed order, clock pinned, SQLite — then
## `make compare BEFORE=… AFTER=…` (exit 1 and a diff per test when anything changed).
OUT ?= var/recording.jsonl
RECORD_TESTS ?= tests/api tests/browser/test_suggestion_loop.py
record:
	mkdir -p $(dir $(OUT))
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings_test MINYI_RECORD=$(OUT) \
		faketime -f '@2026-03-02 10:00:00' $(BIN)/pytest -n 0 -p no:randomly -q $(RECORD_TESTS)

compare:
	$(BIN)/python tests/tools/compare_recordings.py $(BEFORE) $(AFTER)

clean:
	rm -rf $(VENV) node_modules static/vendor var
