"""Gunicorn settings for Minyi (`gunicorn -c deploy/gunicorn.conf.py`).

Used by deploy/systemd/minyi-web.service and by `make demo` (scripts/serve.sh). Everything an operator
may want to change is read from the environment, so the same file serves every installation:

    GUNICORN_BIND     where to listen (default 127.0.0.1:8000; nginx proxies to it). A Unix socket:
                      unix:/run/minyi/gunicorn.sock
    GUNICORN_WORKERS  worker processes (default 2 × CPUs + 1, at most 8)
    GUNICORN_TIMEOUT  seconds before a stuck request's worker is restarted (default 60; big exports
                      run in the background worker, not here)

Django's own settings (DEBUG, SECRET_KEY, DATABASE_URL…) come from the environment as for manage.py
(see .env.example and docs/deployment.md).
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5

# Restart each worker after a number of requests (bounded memory growth), not all at the same moment.
max_requests = 2000
max_requests_jitter = 200

# Logs to stdout/stderr: systemd's journal keeps them (`journalctl -u minyi-web`).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "minyi"

# Only the local reverse proxy may tell gunicorn the original scheme. Django itself reads
# X-Forwarded-Proto only with BEHIND_TLS_PROXY=1 (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn ≥ 25 opens a control socket in the user's home directory by default; the service user has
# no writable home, and nothing here uses it.
control_socket_disable = True
