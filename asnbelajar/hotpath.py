"""The closing-code minute's two requests without the per-request machinery they never use.

When the host shows the closing code, thousands of check-ins (and, before an episode,
registrations) arrive within minutes (issue 13). On those two API routes most of a
request's CPU went to work that a successful JSON answer with a Bearer token does not
need: Flask-Limiter's evaluation of every limit, the cookie, language and NUL-byte hooks,
compression of a 100-byte body. A *hot view* answers such a request directly:

- it runs inside the ordinary request context (``request``, ``g``, the request log and
  every teardown are the ordinary ones), after routing, in a transaction of its own on
  one connection (transactions.py: no ORM session unless a path needs one, which then
  joins that transaction);
- it gives the request its id, checks the route's failure limits (``FailureLimit``: the
  same limits, keys and storage Flask-Limiter uses, read without counting), calls the
  same service as the ordinary view, commits, and answers with the same body, status and
  headers;
- it answers **only** a success. Anything else (a refusal, a body that is not a plain
  JSON object, a query string, a limit reached, a token that is not a participant's)
  rolls back and returns ``None``, and the request goes through the ordinary dispatch
  from the start: every error, its message, its language and its rate-limit count come
  from one place. An exception that is not a refusal (a database outage) is answered by
  the ordinary error handlers, without a second attempt.

``tests/test_hotpath.py`` sends the same requests both ways and compares the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask, current_app, request
from flask.wrappers import Response
from werkzeug.datastructures import Headers
from werkzeug.http import HTTP_STATUS_CODES

from .errors import DomainError
from .transactions import hot_transaction

HotView = Callable[..., "HotAnswer | None"]


class HotPathFlask(Flask):
    """Flask, with hot views (see the module's docstring) tried before the ordinary
    dispatch of their endpoint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hot_views: dict[str, HotView] = {}

    def full_dispatch_request(self) -> Response:  # (or a hot view's HotAnswer)
        hot = self.hot_views.get(request.endpoint or "")
        if hot is not None and request.routing_exception is None \
                and self.config["HOT_PATH_ENABLED"]:
            try:
                with hot_transaction():
                    response = hot(**(request.view_args or {}))
            except (DomainError, NotHot):
                response = None
            except Exception as err:  # noqa: BLE001 - answered by the ordinary handlers
                return self.finalize_request(self.handle_user_exception(err))
            if response is not None:
                return response
            _forget_hot_attempt()
        return super().full_dispatch_request()


class NotHot(Exception):
    """A hot view's early write that the rules, applied to the same row, do not confirm:
    it is rolled back and the ordinary view answers (e.g. registrations.hot)."""


def _forget_hot_attempt() -> None:
    """Undo a hot view that did not answer: the ordinary dispatch starts afresh."""
    from .accounts.sessions import API_USER_KEY, TOUCH_PENDING
    from .extensions import db

    if db.session.registry.has():  # (a hot transaction rolled back as it ended)
        db.session.rollback()
    # (A refusal's message may have looked up the user for its language: that lookup,
    # and its pending token use, are redone by the ordinary dispatch.)
    for key in (TOUCH_PENDING, HOLDER_KEY, API_USER_KEY):
        request.environ.pop(key, None)


# The token holder a hot view found (accounts.sessions.TokenHolder), in the WSGI environ:
# the rate limits' key reads it.
HOLDER_KEY = "asnbelajar.token_holder"


@dataclass(frozen=True)
class FailureLimit:
    """A rate limit that counts failed requests only: ``limit`` the limit text (called per
    request, so it may read the config), ``key`` whom it counts, ``counts`` which answers
    count. Applied to the ordinary view through Flask-Limiter (``failure_limits``); a hot
    view only reads it (``within_limits``): a success never writes to the storage."""

    limit: Callable[[], str]
    key: Callable[[], str]
    counts: Callable[[int], bool]


def failure_limits(*limits: FailureLimit) -> Callable:
    """Flask-Limiter decorators for ``limits``, deducting only for the answers each
    counts."""
    from .extensions import limiter

    def decorator(view: Callable) -> Callable:
        for item in reversed(limits):
            view = limiter.limit(item.limit, key_func=item.key,
                                 deduct_when=_deduct_when(item.counts))(view)
        return view

    return decorator


def _deduct_when(counts: Callable[[int], bool]) -> Callable[[Response], bool]:
    return lambda response: counts(response.status_code)


@cache
def _parsed(text: str):
    from limits import parse

    return parse(text)


def limits_apply() -> bool:
    """Whether a failure limit can refuse a request at all (rate limiting switched on)."""
    from .extensions import limiter

    return limiter.enabled


def within_limits(endpoint: str, limits: tuple[FailureLimit, ...]) -> bool:
    """Whether none of ``limits`` is reached for this request, read the way Flask-Limiter
    tests a limit that deducts only on some answers: the storage key is the limit, its
    key, and the endpoint (a route's own, unshared limit), after the configured prefix;
    the strategy is Flask-Limiter's (its in-memory fallback while Redis is away)."""
    from .extensions import limiter

    if not limits_apply():
        return True
    strategy = limiter.limiter
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    for item in limits:
        args = [item.key(), endpoint]
        if prefix:
            args.insert(0, prefix)
        if not strategy.test(_parsed(item.limit()), *args):
            return False
    return True


class HotAnswer:
    """A hot view's answer as WSGI sees it: the status line, the header list and the
    body, built once (issue 13: a werkzeug ``Response`` validated each header as it was
    added and copied the list again on the way out). ``status_code``, ``headers`` and
    ``get_data`` read like a ``Response``'s for anything that inspects it."""

    __slots__ = ("status_code", "_status", "_headers", "_body")

    def __init__(self, body: bytes, status: int, headers: list[tuple[str, str]]) -> None:
        self.status_code = status
        self._status = f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN').upper()}"
        self._headers = headers
        self._body = body

    @property
    def headers(self) -> Headers:
        return Headers(self._headers)

    def get_data(self) -> bytes:
        return self._body

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        start_response(self._status, list(self._headers))
        return [self._body]


def hot_json(body: dict[str, Any], status: int) -> HotAnswer:
    """A hot view's answer: the body as the ordinary view's ``jsonify`` writes it, with
    the headers the after-request hooks would add to a Bearer-token JSON answer (request
    id, security headers, ``no-store``); the request log reads the status."""
    from flask import g

    app = current_app._get_current_object()
    provider = app.json
    if (provider.compact is None and app.debug) or provider.compact is False:
        text = provider.dumps(body, indent=2)  # as DefaultJSONProvider.response writes
    else:
        text = provider.dumps(body, separators=(",", ":"))
    data = f"{text}\n".encode()
    g.response_status = status
    return HotAnswer(data, status, [
        ("Content-Type", provider.mimetype), ("Content-Length", str(len(data))),
        ("X-Request-ID", g.request_id), *_answer_headers(app)])


def _answer_headers(app: Flask) -> tuple[tuple[str, str], ...]:
    """The headers of every hot answer, built once per app: the security headers (none
    of which the JSON response has), ``no-store`` (sent with credentials: personal, never
    kept by a shared cache, web._personal) and ``Vary`` (as Flask-Compress marks every
    JSON answer, too small to compress as this one is)."""
    headers = app.extensions.get("asnbelajar.hot_headers")
    if headers is None:
        from .web import security_headers

        headers = (*security_headers(app.config), ("Cache-Control", "no-store"),
                   ("Vary", "Accept-Encoding"))
        app.extensions["asnbelajar.hot_headers"] = headers
    return headers


def plain_json_post() -> dict[str, Any] | None:
    """The body of a POST a hot view may take: a JSON object (or nothing), no query
    string; None for anything else (the ordinary view answers it, with its message)."""
    if request.query_string:
        return None
    if not request.get_data(cache=True):
        return {}
    try:  # Werkzeug's parse, cached for the ordinary view should it answer
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    return body if isinstance(body, dict) else None


HOT_VIEWS: dict[str, HotView] = {}


def hot(endpoint: str) -> Callable[[HotView], HotView]:
    """Declare ``view`` the hot view of ``endpoint`` (the app takes it up at start)."""

    def declare(view: HotView) -> HotView:
        HOT_VIEWS[endpoint] = view
        return view

    return declare


def register_hot_views(app: Flask) -> None:
    if isinstance(app, HotPathFlask):
        app.hot_views.update(HOT_VIEWS)
