"""Cross-cutting web setup: sessions and roles, language, template helpers, errors, headers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from . import timeutil
from .accounts.nip import mask_nip
from .accounts.sessions import (
    API_USER_KEY,
    bearer_token,
    finish_token_touch,
    user_for_session_id,
    user_for_token,
)
from .database import commit_keeping_loaded
from .episodes.labels import series_label_of
from .errors import DomainError
from .extensions import babel, db, login_manager
from .util.converters import register_converters
from .util.urls import external_url


@dataclass
class Outcome:
    """What ``service_call`` saw: ``ok`` once the work is committed, else the ``error``."""

    ok: bool = False
    error: DomainError | None = None


@contextmanager
def service_call(form: Any = None, *, category: str | None = "danger",
                 keep_loaded: bool = False) -> Iterator[Outcome]:
    """Run a view's service calls as one unit: commit when the block ends; on a
    ``DomainError`` roll everything back and show the message under the form's input
    that the error names (``form.show_service_error`` when the form maps service field
    names), else as a flash of ``category`` (``None``: not shown; the caller reads
    ``outcome.error``). Other exceptions pass through (the 500 handler rolls back).

        with service_call(form) as done:
            episode = create_episode(form.service_data(), current_user.id)
        if done.ok:
            flash(...)
            return redirect(...)

    ``keep_loaded``: commit without expiring what the session holds, for a view that
    answers (a redirect, a flash) from what it read before the commit. Nothing is loaded
    again (the signed-in user, for the flash's language), so the request's connection goes
    back to the pool with no transaction open: no ROLLBACK, which would make psycopg
    discard the statements it has prepared on that connection (issue 13: the
    registration form's statement was parsed and planned on every request).
    """
    outcome = Outcome()
    try:
        yield outcome
        if keep_loaded:
            commit_keeping_loaded()
        else:
            db.session.commit()
    except DomainError as err:
        db.session.rollback()
        outcome.error = err
        shown = form is not None and _show_on_form(form, err)
        if not shown and category is not None:
            flash(err.message, category)
    else:
        outcome.ok = True


def _show_on_form(form: Any, err: DomainError) -> bool:
    show = getattr(form, "show_service_error", None)
    if show is not None:
        return bool(show(err.field, err.message))
    target = getattr(form, err.field, None) if err.field else None
    if target is None or not hasattr(target, "errors"):
        return False
    target.errors = [*(target.errors or []), str(err.message)]
    return True


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if target.endswith("?"):
        target = target[:-1]
    parts = urlsplit(target)
    if (
        parts.scheme or parts.netloc or not target.startswith("/")
        or target.startswith("//") or "\\" in target
    ):
        return None
    return target


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def json_error(status: int, code: str, message: str):
    error = {"code": code, "message": str(message)}
    if has_request_context() and g.get("request_id"):
        error["request_id"] = g.request_id  # quoted by users, found in the request log
    response = jsonify({"error": error})
    response.status_code = status
    return response


def role_required(*roles: str):
    """Allow only logged-in users with one of ``roles`` (organizers may do everything).

    Anonymous: login redirect (HTML) or 401 (JSON). Wrong role: 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not (current_user.role in roles or current_user.role == "organizer"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


organizer_required = role_required("organizer")


# Where an email or certificate number may wrap: after "@" and "/", before "." "-" "_".
_TOKEN_BREAKS = re.compile(r"(?<=[@/])|(?<=\w)(?=[.\-_])")


def breakable(value: Any) -> Markup:
    """An email or certificate number with line-break opportunities only between its
    parts, for ``.token-wrap`` elements: a narrow table wraps
    "nama.panjang@<wbr>instansi<wbr>.go<wbr>.id" there, never in the middle of a word.
    Each part is escaped (``Markup.join``)."""
    return Markup("<wbr>").join(_TOKEN_BREAKS.split(str(value or "")))


def select_locale() -> str:
    if not has_request_context():
        return "id"
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    if session.get("lang") in ("id", "en"):
        return session["lang"]
    # Indonesian first: English only when the visitor chose it (a browser's English
    # Accept-Language is common on government machines and is not a choice).
    return "id"


def viewer_timezone() -> str:
    if not has_request_context():
        return timeutil.DEFAULT_ZONE
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    tz = request.cookies.get("tz") or session.get("tz")
    return tz if tz in timeutil.ZONES else timeutil.DEFAULT_ZONE


# HTML-side endpoints a Bearer token may open (DESIGN.md: the certificate PDF only).
TOKEN_ENDPOINTS = frozenset({"certificates.download"})


class CookieSessionsOutsideTheApi(SecureCookieSessionInterface):
    """The cookie session everywhere but the JSON API, which authenticates by Bearer
    token only and ignores cookies (api/views.py): there no cookie is verified or written
    on any request (issue 13: part of every check-in's per-request work)."""

    def open_session(self, app: Flask, request):
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_web(app: Flask) -> None:
    app.session_interface = CookieSessionsOutsideTheApi()
    # Before any blueprint adds a route: <int:...> stops at the database's integer range.
    register_converters(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "warning"

    @login_manager.user_loader
    def load_user(user_id: str):
        # "<id>:<session token>": a cookie from before a logout or password change is dead.
        return user_for_session_id(user_id)

    @login_manager.request_loader
    def load_user_from_bearer(req):
        # An API token opens the JSON API (which checks it itself; here it only sets the
        # language of the answer) and, among HTML-side routes, only the certificate PDF: a
        # stolen token must not browse the site as its owner.
        if req.blueprint != "api" and req.endpoint not in TOKEN_ENDPOINTS:
            return None
        # Shared with the API's own check (api.views._api_user): one lookup per request.
        key = API_USER_KEY
        if key not in req.environ:
            token = bearer_token(req.headers.get("Authorization"))
            req.environ[key] = user_for_token(token) if token else None
        return req.environ[key]

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return json_error(401, "unauthorized", _l("Autentikasi diperlukan."))
        flash(login_manager.login_message, "warning")
        return redirect(url_for("accounts.login", next=request.full_path))

    babel.init_app(app, locale_selector=select_locale)
    _init_compression(app)
    # Emails and calendars link to the public address, also when rendered by a job.
    app.jinja_env.globals["external_url"] = external_url

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "viewer_tz": viewer_timezone(),
            "current_locale": str(get_locale() or "id"),
            "zones": timeutil.ZONES,
            "jp_target": app.config["JP_TARGET"],
        }

    def _fmt_dt(value, tz=None, with_time=True):
        return timeutil.format_datetime_id(
            value, tz or viewer_timezone(), with_time=with_time,
            locale=str(get_locale() or "id"),
        )

    app.jinja_env.filters["dt"] = _fmt_dt
    app.jinja_env.filters["date_id"] = lambda v, tz=None: timeutil.format_date_id(
        v, tz or viewer_timezone(), locale=str(get_locale() or "id")
    )
    app.jinja_env.filters["time_id"] = lambda v, tz=None: timeutil.format_time_id(
        v, tz or viewer_timezone()
    )
    app.jinja_env.filters["period"] = lambda start, end, tz=None: timeutil.format_period_id(
        start, end, tz or viewer_timezone(), locale=str(get_locale() or "id"))
    app.jinja_env.filters["iso"] = timeutil.iso
    app.jinja_env.filters["mask_nip"] = mask_nip
    app.jinja_env.filters["breakable"] = breakable
    # "Seri 41 · 2024" for an episode (or a certificate's frozen label): the one label.
    app.jinja_env.filters["series"] = series_label_of
    app.jinja_env.globals["now_utc"] = timeutil.now_utc

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        if wants_json():
            return json_error(err.status, err.code, err.message)
        return render_template("error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        message = _l("Sesi formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")
        if wants_json():
            return json_error(400, "csrf_failed", message)
        return render_template("error.html", status=400, message=message), 400

    for status, code, message in (
        (400, "bad_request", _l("Permintaan tidak valid.")),
        (401, "unauthorized", _l("Autentikasi diperlukan.")),
        (403, "forbidden", _l("Anda tidak berhak membuka halaman ini.")),
        (404, "not_found", _l("Halaman atau data tidak ditemukan.")),
        (405, "method_not_allowed", _l("Metode tidak diizinkan.")),
        (413, "too_large", _l("Berkas terlalu besar.")),
        (429, "rate_limited", _l("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.")),
        (500, "server_error", _l("Terjadi kesalahan di server. Silakan coba lagi.")),
    ):
        app.register_error_handler(status, _make_handler(status, code, message))

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL cannot store NUL in text: a NUL in the path, the query or a form
        # field would surface as a database error. Refused up front, the same everywhere
        # (JSON bodies of the API: their models say which field).
        values = [request.path, *(v for _, vs in request.args.lists() for v in vs)]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values.extend(v for _, vs in request.form.lists() for v in vs)
        if any("\x00" in value for value in values):
            return _refused(_l("Permintaan berisi karakter NUL yang tidak diizinkan."))
        if request.is_json:
            # JSON nested thousands deep exhausts the decoder's recursion (not a
            # ValueError, so it escaped Flask's own handling); the HTML forms read a JSON
            # body as their fields and need an object.
            try:
                body = request.get_json(silent=True)
            except RecursionError:
                return _refused(_l("Badan permintaan harus JSON yang sah."), "invalid_json")
            if body is not None and not isinstance(body, dict) \
                    and not request.path.startswith("/api/"):
                return _refused(_l("Badan permintaan harus objek JSON."), "invalid_json")
        return None

    def _refused(message, code: str = "bad_request"):
        if wants_json():
            return json_error(400, code, message)
        return render_template("error.html", status=400, message=message), 400

    @app.before_request
    def forget_previous_user():
        # Flask-Login caches the user on g; when an app context outlives one request
        # (tests, scripts), the next request must authenticate on its own.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)  # and Flask-Babel its locale

    @app.after_request
    def record_token_use(response):
        # A token's use joins the request's transaction; a request that did not commit
        # records it here (accounts.sessions._touch_if_due). Bookkeeping only: a database
        # failure here must not turn an answer into an error.
        from sqlalchemy.exc import SQLAlchemyError

        from .operations import safe_rollback  # operations imports this module

        try:
            finish_token_touch()
        except SQLAlchemyError as err:
            logging.getLogger("asnbelajar").warning("token use not recorded: %s",
                                                    type(err).__name__)
            safe_rollback()
        return response

    @app.after_request
    def security_headers(response):
        add_security_headers(response)
        if request.endpoint in STATIC_ENDPOINTS and request.args.get("v") \
                and response.status_code == 200:
            # The URL carries the file's content hash (operations.static_version): a
            # changed file gets a new URL, so browsers keep this one for a year and never
            # revalidate it (issue 13: seven revalidations per page view on a slow phone).
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        declared = response.headers.get("Cache-Control", "")
        if _personal(response) and "no-store" not in declared and "public" not in declared:
            # Pages and API answers about a signed-in person (or a token holder) must not
            # stay in a shared browser's, proxy's or CDN's cache; a view that marked its
            # answer public (a speaker photo, agency suggestions) decided it holds none.
            response.headers["Cache-Control"] = "no-store"
        return response


STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
     "script-src 'self'; frame-ancestors 'self'; form-action 'self'"),
    ("Permissions-Policy", "camera=(), microphone=()"),
)


def add_security_headers(response) -> None:
    """The headers every answer carries (a view's own value wins), HSTS in production:
    from the after-request hook, and from a hot view (hotpath.py), which skips the hooks."""
    for name, value in security_headers(current_app.config):
        response.headers.setdefault(name, value)


def security_headers(config) -> tuple[tuple[str, str], ...]:
    """The headers every answer carries, with HSTS where ``config`` turns it on."""
    if config.get("HSTS_ENABLED"):
        return (*SECURITY_HEADERS, ("Strict-Transport-Security",
                                    f"max-age={int(config['HSTS_SECONDS'])}; "
                                    "includeSubDomains"))
    return SECURITY_HEADERS


# Text worth compressing; images, PDFs and archives are compressed already.
COMPRESS_MIMETYPES = ["text/html", "text/css", "text/plain", "text/javascript",
                      "application/javascript", "application/json", "image/svg+xml",
                      "text/calendar"]


def _init_compression(app: Flask) -> None:
    """Brotli or gzip for text answers from the embedded server (nginx compresses in
    production too: docs/deployment.md). Answers under 500 bytes (most JSON) are not worth
    the CPU."""
    from flask_compress import Compress

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Static files are sent streamed; exports (CSV/XLSX) stream too but are not listed
    # above, so they pass through untouched.
    app.config.setdefault("COMPRESS_STREAMS", True)
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    Compress(app)

    @app.after_request  # (after-request hooks run last-registered first: before Compress's)
    def close_streamed_file(response):
        # Flask-Compress replaces a streamed file with its compressing generator, and the
        # answer's close then closes only the generator: the file would stay open until
        # the garbage collector found it. It is closed with the answer.
        body = response.response
        if response.is_streamed and callable(getattr(body, "close", None)):
            response.call_on_close(body.close)
        return response


def _personal(response) -> bool:
    """Whether the answer may carry personal data: anything served to a signed-in person
    or to a request with credentials, and every API answer except the public catalogue."""
    if request.endpoint == "static":
        return False
    if request.headers.get("Authorization"):
        return True
    if request.path.startswith("/api/v1/") and not request.path.startswith(
            ("/api/v1/episodes", "/api/v1/openapi.json")):
        return True
    return "_user_id" in session or "remember_token" in request.cookies


def _make_handler(status: int, code: str, message):
    def handler(err):
        if status == 500:
            return server_error_response(message, err)
        if wants_json():
            detail = getattr(err, "description", None) if status == 429 else None
            response = json_error(status, code, detail and f"{message} ({detail})" or message)
        else:
            response = make_response(render_template("error.html", status=status,
                                                     message=message), status)
        if status == 405 and getattr(err, "valid_methods", None):
            # RFC 9110: a 405 names the methods the resource supports.
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    return handler


def server_error_response(message=None, err: BaseException | None = None):
    """The 500 page or JSON error. Never touches the database: no user is loaded (the page
    renders as for a visitor) and a failing rollback is only logged. A database outage
    that surfaced inside another error handler (a 404 page loading the user) is a 503."""
    from .database import is_outage
    from .operations import (  # operations imports this module
        database_unavailable_response,
        forget_user,
        safe_rollback,
    )

    original = getattr(err, "original_exception", None)
    if original is not None and is_outage(original):
        safe_rollback()
        return database_unavailable_response(original)
    forget_user()  # first: even the language choice would otherwise load the user
    safe_rollback()
    if message is None:
        message = _l("Terjadi kesalahan di server. Silakan coba lagi.")
    if wants_json():
        return json_error(500, "server_error", message)
    return render_template("error.html", status=500, message=message), 500
