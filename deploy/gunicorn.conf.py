"""gunicorn settings for the plan tracker behind a reverse proxy (see deploy/nginx.conf).

    APP_ENV=production SECRET_KEY=… DATABASE_URL=… TRUSTED_PROXIES=1 \
        .venv/bin/gunicorn -c deploy/gunicorn.conf.py
"""

import multiprocessing
import os

wsgi_app = "webapp:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Several processes: the app keeps no state of its own, the database is shared.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
keepalive = 5
# Renew workers now and then, so that a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy on this machine may say who the client is and whether it came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = "info"
