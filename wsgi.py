"""WSGI entry point for production servers (gunicorn wsgi:app)."""

from asnbelajar import create_app

app = create_app(production=True)
