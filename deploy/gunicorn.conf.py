"""gunicorn settings for the web processes (``gunicorn -c deploy/gunicorn.conf.py aftersales.wsgi``).

Everything comes from the environment so one file serves every machine:

    GUNICORN_BIND        where to listen (default 127.0.0.1:8001; only nginx may reach it, because
                         Django trusts its X-Forwarded-Proto header)
    WEB_CONCURRENCY      worker processes (default 2 × CPU cores + 1, at most 8)
    GUNICORN_THREADS     threads per worker (default 4): requests mostly wait on PostgreSQL
    GUNICORN_TIMEOUT     seconds before a stuck request's worker is replaced (default 60)
    FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are believed (default 127.0.0.1)
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(2 * multiprocessing.cpu_count() + 1, 8))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak never grows; jitter avoids restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# Logs go to stdout/stderr, which systemd's journal collects (journalctl -u aftersales-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The source lives in src/ (see manage.py); systemd sets PYTHONPATH too, this covers a manual start.
pythonpath = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
wsgi_app = "aftersales.wsgi:application"
