"""gunicorn settings for an ASN Belajar web node (see docs/deployment.md).

    gunicorn -c /srv/asnbelajar/app/deploy/gunicorn.conf.py wsgi:app
"""

import multiprocessing
import os

bind = os.environ.get("ASNBELAJAR_BIND", "127.0.0.1:8000")
# Threads: most of a request's time is waiting on PostgreSQL; 4 threads per worker keep
# a 2-core node busy. Pool per process = DB_POOL_SIZE + DB_MAX_OVERFLOW: size PostgreSQL's
# max_connections (or PgBouncer) for workers x that, per node (docs/deployment.md).
workers = int(os.environ.get("ASNBELAJAR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("ASNBELAJAR_THREADS", 4))
# Longer than DB_STATEMENT_TIMEOUT (30 s) + the watchdog's grace (3 s): a request that
# waits on the database ends in a 503 from the app, not in a killed worker.
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then (memory)
max_requests_jitter = 500
preload_app = True  # fail fast on a configuration error, share the code pages

# The app writes one line per request itself (request id, route, status, duration, user
# id); gunicorn's access log would only repeat it.
accesslog = None
errorlog = os.environ.get("ASNBELAJAR_ERROR_LOG", "-")  # "-" = stderr (journald)
capture_output = True  # the app's log lines go to the same place
loglevel = "info"
# Only nginx on this machine may set X-Forwarded-*; the app trusts them via PROXY_COUNT.
forwarded_allow_ips = "127.0.0.1"
