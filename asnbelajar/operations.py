"""Running in production: request ids and one log line per request, health checks, and
a 503 (never a 500 or a hang) while the database is away.

Nothing here may touch the database except ``/readyz``: these paths run exactly when the
database is the thing that failed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import threading
import time
import uuid

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import inspect as inspect_instance
from sqlalchemy import text

from .accounts.sessions import API_USER_KEY, TokenHolder
from .database import DISCONNECT_ERRORS, is_outage, reads_only
from .extensions import db, login_manager
from .hotpath import HOLDER_KEY
from .transactions import commit_keeping_loaded
from .web import json_error, wants_json

request_log = logging.getLogger("asnbelajar.request")
log = logging.getLogger("asnbelajar")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id() -> str | None:
    """This request's id (the caller's ``X-Request-ID`` when sane, else a new one)."""
    return g.get("request_id")


def _ensure_handler(logger: logging.Logger) -> None:
    # gunicorn and the development server leave the root logger bare; a line that goes
    # nowhere is no log. An operator's own logging configuration (handlers on the logger
    # or the root) wins.
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def _user_id() -> int | str | None:
    """Who made the request, for its log line: the account's number only. Never loads the
    user: only one the request already found (an API token's holder or user, the signed-in
    user), else the id the signed session names. Never the session token that Flask-Login's
    id carries ("<id>:<token>"), an email or a NIP."""
    for user in (request.environ.get(HOLDER_KEY), request.environ.get(API_USER_KEY),
                 g.get("_login_user")):
        if user is None or isinstance(user, AnonymousUserMixin):
            continue
        if isinstance(user, TokenHolder):
            return user.id
        try:
            identity = inspect_instance(user).identity  # no load, even when expired
        except Exception:  # noqa: BLE001 - not a mapped instance: nothing to say
            return None
        return identity[0] if identity else None
    raw = str(session.get("_user_id") or "")
    return raw.partition(":")[0] or None


def database_unavailable_response(err: BaseException | None = None):
    """The 503 for HTML and JSON alike. Renders without a user and without a query."""
    retry_after = str(int(current_app.config["RETRY_AFTER_SECONDS"]))
    forget_user()
    message = _l("Layanan sedang tidak dapat menjangkau basis data. "
                 "Silakan coba lagi dalam beberapa saat.")
    if wants_json():
        response = json_error(503, "service_unavailable", message)
    else:
        response = current_app.make_response(
            (render_template("error.html", status=503, message=message), 503))
    response.headers["Retry-After"] = retry_after
    return response


def forget_user() -> None:
    """Render the rest of this request as an anonymous visitor, so an error page never
    loads the user (the database may be what failed), and the session stays untouched."""
    g._login_user = login_manager.anonymous_user()


def safe_rollback() -> None:
    """Roll back without letting a dead connection raise out of an error handler."""
    try:
        db.session.rollback()
    except Exception as err:  # noqa: BLE001 - the handler must still answer
        log.warning("rollback failed: %s", _one_line(err))


def _one_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None) or err
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(orig).__name__}: {first}"[:300]


def assign_request_id() -> None:
    """Start the request's clock and give it an id (the caller's ``X-Request-ID`` when
    sane): the first before-request hook, and the first step of a hot view (hotpath.py)."""
    g.request_started = time.perf_counter()
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex


def init_operations(app: Flask) -> None:
    _ensure_handler(log)  # "asnbelajar.request" and Flask's app.logger propagate to it

    # First of all before-request hooks: a request refused by CSRF or a rate limit (they
    # run earlier otherwise) still gets its id and its log line.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)

    @app.after_request
    def echo_request_id(response):
        if not g.get("request_id"):
            return response
        response.headers["X-Request-ID"] = g.request_id
        if response.status_code >= 400 and response.mimetype == "application/json" \
                and not response.direct_passthrough:
            # Every JSON error names the request, whichever handler wrote it.
            body = response.get_json(silent=True)
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict) and "request_id" not in error:
                error["request_id"] = g.request_id
                # Written as every JSON answer is (jsonify's compact form).
                response.set_data(app.json.response(body).get_data())
        return response

    @app.teardown_request
    def log_request(_error=None):
        if not app.config["LOG_REQUESTS"] or "request_started" not in g:
            return
        status = g.get("response_status")
        duration = (time.perf_counter() - g.request_started) * 1000
        rule = request.url_rule.rule if request.url_rule is not None else request.path[:200]
        request_log.info(
            "request_id=%s method=%s route=%s status=%s duration_ms=%.1f user_id=%s",
            g.get("request_id"), request.method, rule, status or "-", duration,
            _user_id() or "-")

    @app.after_request
    def remember_status(response):
        g.response_status = response.status_code
        return response

    @app.teardown_request
    def end_read_only_transaction(error=None):
        """A GET or HEAD answered without an error, whose transaction ran SELECTs only,
        ends it with a COMMIT instead of the ROLLBACK the session's removal would send
        (the same for a transaction that wrote nothing): on PostgreSQL a ROLLBACK makes
        psycopg discard every statement it has prepared on the connection, so each page
        parsed and planned its statements anew and undid the preparing for the next
        request on that connection (issue 13). A write, unflushed changes, an error or an
        error status keep the rollback."""
        if error is not None or request.method not in ("GET", "HEAD") \
                or (g.get("response_status") or 500) >= 400 or not db.session.registry.has():
            return
        orm = db.session()
        if not orm.in_transaction() or orm.new or orm.dirty or orm.deleted:
            return
        try:
            if not reads_only(orm.connection()):
                return
            commit_keeping_loaded(orm)  # the request is over: nothing to expire
        except Exception as err:  # noqa: BLE001 - the answer has been given
            log.warning("ending a read-only transaction failed: %s", _one_line(err))
            safe_rollback()

    def outage(err):
        safe_rollback()
        log.error("database unavailable on %s %s (request_id=%s): %s", request.method,
                  request.path[:200], g.get("request_id"), _one_line(err))
        return database_unavailable_response(err)

    for error_class in DISCONNECT_ERRORS:
        app.register_error_handler(error_class, outage)

    log_exception = app.log_exception

    def log_exception_briefly(exc_info) -> None:
        # An outage met inside another error handler reaches Flask's unhandled-exception
        # path (answered with a 503 by web.server_error_response): one line, no traceback.
        if exc_info and is_outage(exc_info[1]):
            log.error("database unavailable on %s %s (request_id=%s): %s", request.method,
                      request.path[:200], g.get("request_id"), _one_line(exc_info[1]))
            return
        log_exception(exc_info)

    app.log_exception = log_exception_briefly

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        # A content hash in every static URL lets nginx and browsers cache these files
        # for a year: a changed file gets a new URL after an upgrade.
        if endpoint in ("static", "bootstrap.static") and "filename" in values \
                and "v" not in values:
            folder = (app.static_folder if endpoint == "static"
                      else app.blueprints["bootstrap"].static_folder)
            version = _static_version(folder, values["filename"])
            if version:
                values["v"] = version

    @app.get("/healthz")
    def healthz():
        """The process is alive; the database is not consulted."""
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        """Ready for traffic: the database answers within a second (503 otherwise)."""
        problem = _probe_database(app, timeout=1.0)
        if problem is None:
            return jsonify({"status": "ok"})
        log.warning("readyz: database not ready: %s", problem)
        response = jsonify({"status": "unavailable",
                            "error": {"code": "database_unavailable",
                                      "message": "database not reachable",
                                      "request_id": g.get("request_id")}})
        response.status_code = 503
        response.headers["Retry-After"] = str(int(app.config["RETRY_AFTER_SECONDS"]))
        return response

    from .extensions import csrf, limiter

    for view in (healthz, readyz):
        csrf.exempt(view)
        limiter.exempt(view)


def _probe_database(app: Flask, timeout: float) -> str | None:
    """None when ``SELECT 1`` answers within ``timeout`` seconds, else what went wrong.

    The probe runs in a thread of its own so the answer comes in time even while a
    connection attempt waits out its connect timeout; that thread ends by itself.
    """
    outcome: list[str | None] = []

    def probe() -> None:
        try:
            with app.app_context(), db.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    # LOCAL: ends with this transaction, not with the pooled connection.
                    conn.execute(text("SET LOCAL statement_timeout = 1000"))
                conn.execute(text("SELECT 1"))
                conn.rollback()
            outcome.append(None)
        except Exception as err:  # noqa: BLE001 - any failure means "not ready"
            outcome.append(_one_line(err))

    worker = threading.Thread(target=probe, name="readyz", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        return f"no answer within {timeout:g} s"
    return outcome[0]


_versions: dict[tuple[str, str], tuple[float, str]] = {}


def _static_version(folder: str | None, filename: str) -> str | None:
    """A short hash of a static file's content, recomputed only when its mtime changes."""
    if not folder:
        return None
    path = os.path.join(folder, filename)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _versions.get((folder, filename))
    if cached and cached[0] == mtime:
        return cached[1]
    with open(path, "rb") as f:
        digest = hashlib.blake2b(f.read(), digest_size=5).hexdigest()
    _versions[(folder, filename)] = (mtime, digest)
    return digest
