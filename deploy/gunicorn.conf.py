"""gunicorn's settings for StudyHub: `gunicorn -c deploy/gunicorn.conf.py` (no other argument).

Used by deploy/systemd/studyhub-web.service and `make loadtest`; each value can be changed by an
environment variable (deploy/studyhub.env.example) without editing this file.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "studyhub.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, each serving one request at a time: pages are short, and long work (exports,
# roster imports) runs as background jobs. 2 × cores + 1 keeps the cores busy while some wait
# on the database.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# A request still running after this many seconds is killed with its worker: a page should
# never come near it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart (systemctl reload sends HUP) or shutdown, requests in flight get this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Each worker is replaced after about this many requests, so a slow leak never grows; the
# jitter spreads the replacements so the workers do not restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Only the reverse proxy on this host may say the request came over HTTPS (X-Forwarded-Proto);
# list its address here if it runs elsewhere.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs on stderr, where systemd's journal takes them. The access log names the request id
# (the X-Request-ID header the app sends back: nginx's, or the one it made).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'
# gunicorn's control socket would live in the home directory; the unit has none to offer.
control_socket_disable = True
