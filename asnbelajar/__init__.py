"""ASN Belajar: webinar series for Indonesian civil servants, with verified attendance,
a JP ledger and verifiable certificates."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

from .config import DEV_SECRET_KEY, Defaults, as_bool
from .hotpath import HotPathFlask, register_hot_views


def create_app(test_config: dict[str, Any] | None = None, *, production: bool = False,
               background: bool = False) -> HotPathFlask:
    """Build the application.

    ``background`` marks the scheduler and CLI processes: their database statements may
    run longer (``DB_CLI_STATEMENT_TIMEOUT``) than a web request's.
    """
    app = HotPathFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ASNBELAJAR")
    if test_config:
        app.config.update(test_config)
    _finish_config(app, production, background)
    if int(app.config["PROXY_COUNT"]) > 0:
        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # The factory imports the app's modules here, not at the top: every submodule import
    # runs this package first and must not pull in the whole app, and cli.py imports
    # create_app from here (a real cycle at module level).
    from . import extensions as ext
    from .database import init_database

    ext.db.init_app(app)
    init_database(app)
    ext.migrate.init_app(app, ext.db, directory=str(Path(__file__).parent / "migrations"),
                        render_as_batch=True, compare_type=True)
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    ext.bootstrap.init_app(app)

    from .web import init_web

    init_web(app)  # login manager, babel, template filters, error pages, security headers

    from .operations import init_operations

    init_operations(app)  # request ids and logs, database outages (503), health checks

    from .accounts.views import bp as accounts_bp
    from .api.views import bp as api_bp
    from .attendance.views import bp as attendance_bp
    from .audit.views import bp as audit_bp
    from .certificates.views import bp as certificates_bp
    from .episodes.views import bp as episodes_bp
    from .evaluations.views import bp as evaluations_bp
    from .integrations.views import bp as integrations_bp
    from .ledger.views import bp as ledger_bp
    from .notifications.views import bp as notifications_bp
    from .registrations.views import bp as registrations_bp
    from .reports.views import bp as reports_bp
    from .speakers.views import bp as speakers_bp

    app.register_blueprint(episodes_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(speakers_bp)
    app.register_blueprint(integrations_bp)
    app.register_blueprint(api_bp)
    ext.csrf.exempt(api_bp)  # the API authenticates with Bearer tokens only, never cookies
    register_hot_views(app)  # check-in and registration (hotpath.py)

    from .cli import register_cli

    register_cli(app)
    return app


def _finish_config(app: HotPathFlask, production: bool, background: bool = False) -> None:
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        url = cfg.get("DATABASE_URL") or (
            "sqlite:///" + os.path.join(app.instance_path, "asnbelajar.db")
        )
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        cfg["SQLALCHEMY_DATABASE_URI"] = url
    for key in ("RATELIMIT_ENABLED", "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
                "RATELIMIT_SWALLOW_ERRORS", "LOG_REQUESTS", "MAIL_USE_TLS", "MAIL_USE_SSL",
                "HOT_PATH_ENABLED"):
        try:
            cfg[key] = as_bool(cfg.get(key, getattr(Defaults, key)))
        except ValueError:
            raise RuntimeError(f"ASNBELAJAR_{key} must be true or false, "
                               f"not {cfg.get(key)!r}") from None
    cfg["BACKGROUND_PROCESS"] = background
    if str(cfg.get("ENV") or "").strip().lower() == "production":
        # Only in production: local `make run` and the tests stay on plain http.
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
        cfg["HSTS_ENABLED"] = True
    else:
        cfg["HSTS_ENABLED"] = False
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        statement_timeout = float(cfg["DB_CLI_STATEMENT_TIMEOUT" if background
                                      else "DB_STATEMENT_TIMEOUT"])
        cfg["DB_EFFECTIVE_STATEMENT_TIMEOUT"] = statement_timeout
        opts = dict(cfg.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        # A pooled connection that sat idle is pinged at checkout (database.ping_when_idle,
        # DB_PING_AFTER_IDLE), not every checkout; database.py bounds that ping
        # (DB_PING_TIMEOUT), which would otherwise wait forever on a frozen server.
        opts.setdefault("pool_pre_ping", False)
        opts.setdefault("pool_size", int(cfg["DB_POOL_SIZE"]))
        opts.setdefault("max_overflow", int(cfg["DB_MAX_OVERFLOW"]))
        opts.setdefault("pool_timeout", float(cfg["DB_POOL_TIMEOUT"]))
        connect_args = dict(opts.get("connect_args") or {})
        if float(cfg["DB_CONNECT_TIMEOUT"]) > 0:
            # libpq counts whole seconds; at least 1, or it would mean "wait forever".
            connect_args.setdefault("connect_timeout",
                                    max(1, round(float(cfg["DB_CONNECT_TIMEOUT"]))))
        if statement_timeout > 0:
            connect_args.setdefault(
                "options", f"-c statement_timeout={int(statement_timeout * 1000)}")
        opts["connect_args"] = connect_args
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    uri = str(cfg.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.startswith(("redis", "rediss", "valkey")) and not cfg.get("RATELIMIT_STORAGE_OPTIONS"):
        # Without socket timeouts a black-holed Redis would hang every limited request.
        timeout = float(cfg["RATELIMIT_STORAGE_TIMEOUT"])
        cfg["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": timeout,
                                            "socket_timeout": timeout}
    cfg["BASE_URL"] = str(cfg["BASE_URL"]).rstrip("/")
    if cfg.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY) and not app.testing:
        if production or cfg.get("PRODUCTION"):
            raise RuntimeError(
                "ASNBELAJAR_SECRET_KEY is not set: refusing to start in production "
                "with the development secret."
            )
        cfg["SECRET_KEY"] = _instance_secret(app)


def _instance_secret(app: HotPathFlask) -> str:
    """A random per-installation secret kept in instance/, never a guessable default."""
    path = Path(app.instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
