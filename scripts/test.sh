#!/usr/bin/env bash
# Runs the suite on SQLite, then on PostgreSQL when it answers on 127.0.0.1:5432 (required in CI).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/minyi}
# The Makefile exports DJANGO_SETTINGS_MODULE=config.settings for manage.py, and an exported
# variable beats pytest's ini setting: name the test settings explicitly.
export DJANGO_SETTINGS_MODULE=config.settings_test

status=0
echo "=== Test suite on SQLite ==="
env -u DATABASE_URL $BIN/pytest -n 2 -q "$@" || status=$?

if $BIN/python scripts/pg_ready.py "$PG_URL"; then
  echo "=== Test suite on PostgreSQL ==="
  # Browser tests ran on SQLite above; the PostgreSQL pass repeats every other test.
  DATABASE_URL=$PG_URL $BIN/pytest -n 2 -q -m "not browser" "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI but does not answer at $PG_URL" >&2
  status=1
else
  echo "PostgreSQL does not answer at $PG_URL: skipped the PostgreSQL run (required when CI=true)."
fi
exit $status
