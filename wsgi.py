"""WSGI entry point for production servers (gunicorn wsgi:app)."""

import gc

from asnbelajar import create_app

app = create_app(production=True)

# What the app built at start (models, compiled statements, translations, routes: some
# 230,000 objects) lives as long as the process. Frozen, it is out of the garbage
# collector's sight: a full collection then takes milliseconds instead of about 170 ms
# on the reference machine, a pause every request in flight in this worker would wait
# out (issue 13). Under `gunicorn --preload` it also keeps those pages shared after fork.
gc.collect()
gc.freeze()
