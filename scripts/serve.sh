#!/usr/bin/env bash
# Serves Minyi on http://127.0.0.1:8000 with a background-task worker beside it (django-tasks-db).
# The worker runs in the background and is stopped when the web server exits (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "No virtualenv at .venv — run \`make install\` (or \`make demo\`) first." >&2
  exit 1
fi

# The deadline scan re-queues itself every few minutes; make sure one chain exists before the worker starts.
"$PY" manage.py scan_deadlines --schedule
"$PY" manage.py db_worker &
worker=$!

stop_worker() {
  if kill -0 "$worker" 2>/dev/null; then
    kill "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
  fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "Background worker started (pid $worker). Serving on http://127.0.0.1:8000 — Ctrl-C stops both."
"$PY" manage.py runserver 127.0.0.1:8000
