# gunicorn's settings for Jisr's web processes (README, Production; decision 0037):
#   .venv/bin/gunicorn --config deploy/gunicorn.conf.py jisr.wsgi
# deploy/jisr-web.service runs exactly that. Each value comes from the same environment as
# Jisr's settings (/etc/jisr/jisr.env), with the default shown; `.env.example` lists them.
import multiprocessing
import os

# Behind the proxy (deploy/nginx.conf), on the loopback only.
bind = os.environ.get("JISR_WEB_BIND", "127.0.0.1:8000")
# Two processes a core and one more (gunicorn's advice); each keeps a matching index in memory
# (about 130 MB for a million profiles), so mind the machine's memory on many cores.
workers = int(os.environ.get("JISR_WEB_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
# A worker silent this long is killed. Jisr's settings read the same variable: the web's
# PostgreSQL statements stop a little before (JISR_DB_STATEMENT_TIMEOUT_MS, five sixths of it by
# default), so the query does not run on after its worker is gone (decision 0036), and
# `jisr check --deploy` warns when they do not (jisr.W004).
timeout = int(os.environ.get("JISR_WEB_TIMEOUT_SECONDS", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a slow leak cannot grow for ever).
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-* are believed from the proxy on this machine only.
forwarded_allow_ips = os.environ.get("JISR_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")

# The access log, to standard error (journald): time, method, path without its query string,
# status, size and duration. No client address, query string, referrer or user agent: a query
# string or a referrer can carry what someone typed (decision 0026 keeps search terms out of
# URLs; this keeps the log safe even where one slips through).
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
loglevel = "warning"
