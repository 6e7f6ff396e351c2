#!/usr/bin/env bash
# Serves Minyi on http://127.0.0.1:8000 with a background-task worker beside it (django-tasks-db) and
# the periodic jobs (deadline scan, due e-mail/SMS, award rounds, points: `manage.py run_periodic
# --every 300`, what the systemd timer does in production — decision 0005). Both run in the background
# and are stopped when the web server exits (Ctrl-C included).
#
# By default (`make demo`) it serves as production does: DEBUG off, static files collected under
# hashed names (the manifest storage) and served by WhiteNoise, gunicorn with deploy/gunicorn.conf.py —
# so a missing page or an error shows Minyi's own 404/500 pages, never Django's debug page. Only what
# plain HTTP on this machine needs differs from production: no HTTPS redirect, no HSTS, no secure-only
# cookies, hosts 127.0.0.1/localhost, and a secret key generated once into var/demo-secret-key (unless
# SECRET_KEY is set, here or in .env).
#
# DEBUG=1 scripts/serve.sh: Django's development server instead (reloads on code changes, debug pages).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "No virtualenv at .venv — run \`make install\` (or \`make demo\`) first." >&2
  exit 1
fi

case "${DEBUG:-0}" in
  1 | true | True | yes | on) development=1 ;;
  *) development=0 ;;
esac

if [ "$development" = 0 ]; then
  export DEBUG=0
  if [ -z "${SECRET_KEY:-}" ] && ! grep -qs '^SECRET_KEY=.' .env; then
    key_file=var/demo-secret-key
    mkdir -p var
    if [ ! -s "$key_file" ]; then
      (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$key_file")
    fi
    SECRET_KEY=$(cat "$key_file")
    export SECRET_KEY
  fi
  export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
  export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
  export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8000}" GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}"
  echo "Collecting static files (hashed names, as in production)…"
  "$PY" manage.py collectstatic --noinput -v0
fi

mkdir -p var
"$PY" manage.py db_worker &
worker=$!
"$PY" manage.py run_periodic --every "${MINYI_PERIODIC_SECONDS:-300}" >var/periodic.log 2>&1 &
periodic=$!

stop_worker() {
  for pid in "$periodic" "$worker"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$development" = 1 ]; then
  echo "Background worker (pid $worker) and periodic jobs (pid $periodic, log var/periodic.log) started. Development server (DEBUG=1) on http://127.0.0.1:8000 — Ctrl-C stops them all."
  "$PY" manage.py runserver 127.0.0.1:8000
else
  echo "Background worker (pid $worker) and periodic jobs (pid $periodic, log var/periodic.log) started. Serving with gunicorn (DEBUG=0) on http://$GUNICORN_BIND — Ctrl-C stops them all."
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py
fi
