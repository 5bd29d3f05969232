"""gunicorn settings for an ASN Belajar web node (see docs/deployment.md).

    gunicorn -c /srv/asnbelajar/app/deploy/gunicorn.conf.py wsgi:app
"""

import multiprocessing
import os

bind = os.environ.get("ASNBELAJAR_BIND", "127.0.0.1:8000")
# Threads, not sync workers: a long request (an episode's certificate ZIP, a Zoom report
# pulled) keeps its worker's heartbeat going, where a sync worker would be killed at
# `timeout`. Two per worker: in a check-in burst on a 2-core node, 5 x 2 served 93-95 %
# of the rate of 5 sync workers, 5 x 4 about 83 % with a longer tail (the threads of a
# worker take turns on its interpreter lock, and more registrations wait on the
# episode's lock; BENCHMARKS.md). Pool per process =
# DB_POOL_SIZE + DB_MAX_OVERFLOW: size PostgreSQL's max_connections (or PgBouncer) for
# workers x that, per node (docs/deployment.md).
workers = int(os.environ.get("ASNBELAJAR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("ASNBELAJAR_THREADS", 2))
# A worker takes a connection only when it has a thread for it. By default a gthread
# worker accepts up to 1,000 connections and queues their requests behind its busy
# threads while another worker idles: in a check-in burst that doubled the p95
# (BENCHMARKS.md). Hence no keep-alive either (a kept connection would hold a thread's
# place): nginx opens a connection per request, and the free worker gets the next one.
worker_connections = threads
keepalive = 0
# Longer than DB_STATEMENT_TIMEOUT (30 s) + the watchdog's grace (3 s): a request that
# waits on the database ends in a 503 from the app, not in a killed worker.
timeout = 60
graceful_timeout = 30
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
