"""Absolute links to the site's public address, for emails, calendars and QR codes.

``url_for(..., _external=True)`` inside a request uses the host the request came in
on (a proxy's internal name, or 127.0.0.1 in the scheduler's fake context), and outside
a request it needs ``SERVER_NAME``, which would also make Flask refuse every other
host. Links that leave the site must point at the configured ``BASE_URL`` instead,
whether built in a view, a service, the CLI or a scheduler job.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def _public_adapter() -> MapAdapter:
    app = current_app._get_current_object()
    parts = urlsplit(app.config["BASE_URL"])
    return app.url_map.bind(
        parts.netloc,
        script_name=parts.path or "/",
        url_scheme=parts.scheme or "https",
    )


def external_url(endpoint: str, /, **values) -> str:
    """The absolute URL of ``endpoint`` at the public address (``BASE_URL``).

    Same rules as ``url_for``: unknown endpoints and missing arguments raise
    ``werkzeug.routing.BuildError``; extra values become the query string; ``_anchor``
    adds a fragment. Needs an app context only, not a request.
    """
    anchor = values.pop("_anchor", None)
    app = current_app._get_current_object()
    if endpoint.startswith("."):
        # A relative endpoint depends on the current request's blueprint; a link that may
        # be built in a job must name its blueprint.
        raise ValueError(f"external_url needs a full endpoint name, got {endpoint!r}")
    app.inject_url_defaults(endpoint, values)
    url = _public_adapter().build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + anchor
    return url


def public_base_url() -> str:
    """The public address itself (``BASE_URL`` without a trailing slash), for display."""
    return current_app.config["BASE_URL"]
