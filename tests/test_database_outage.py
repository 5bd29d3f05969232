"""Database outages: every request gets a quick 503 (never a 500 or a hang), error pages
never touch the database, and the health checks tell a live process from a ready one.

The app is pointed at PostgreSQL addresses that fail in each way an outage looks from a
web node: a port where nothing listens, a server that accepts and never answers, and a
real server that freezes after the connections were pooled.
"""

from __future__ import annotations

import logging
import os
import select as select_module
import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from asnbelajar import create_app
from asnbelajar.extensions import db as _db

from .conftest import BASE_CONFIG

PG_SERVER_URL = os.environ.get("ASNBELAJAR_TEST_DATABASE_URL", "").strip() or \
    "postgresql://postgres@127.0.0.1:5432/postgres"


def _pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
        return True
    except OSError:
        return False


needs_pg = pytest.mark.skipif(not _pg_reachable(), reason="PostgreSQL is not running on :5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BlackHole:
    """Accepts TCP connections and never says a word (a frozen server or firewall)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                ready, _, _ = select_module.select([self.sock], [], [], 0.1)
                if ready:
                    self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.running = False
        for conn in self.held:
            conn.close()
        self.sock.close()


class FreezableProxy:
    """A TCP proxy to PostgreSQL that can stop forwarding (the server "freezes")."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.frozen = threading.Event()
        self.running = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                ready, _, _ = select_module.select([self.sock], [], [], 0.1)
                if not ready:
                    continue
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.frozen.is_set():
                self.pairs.append((client, client))  # accepted, never answered
                continue
            upstream = socket.create_connection(self.target)
            self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while self.running:
                ready, _, _ = select_module.select([a, b], [], [], 0.1)
                if self.frozen.is_set():
                    continue  # swallow everything, answer nothing
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    (b if src is a else a).sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self.running = False
        for a, b in self.pairs:
            a.close()
            b.close()
        self.sock.close()


def outage_app(port: int, tmp_path, **config):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI":
                      f"postgresql+psycopg://postgres@127.0.0.1:{port}/asnbelajar",
                      "DB_CONNECT_TIMEOUT": 1, **config})
    app.instance_path = str(tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production
    return app


def _assert_html_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "basis data" in page  # the friendly Indonesian page
    assert response.headers["X-Request-ID"] in page  # quoted when reporting


def _assert_json_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    error = response.json["error"]
    assert error["code"] == "service_unavailable" and error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]


def _check_every_kind_of_request(app) -> dict[str, float]:
    client = app.test_client()
    with client.session_transaction() as session:  # a logged-in visitor's cookie
        session["_user_id"] = "1"
        session["_fresh"] = True
    took = {}
    started = time.monotonic()
    _assert_html_503(client.get("/episodes"))
    took["html"] = time.monotonic() - started
    # A 404 page would load the logged-in user for its navigation: still a 503, not a 500.
    _assert_html_503(client.get("/no-such-page"))

    api = app.test_client()
    started = time.monotonic()
    _assert_json_503(api.get("/api/v1/me/ledger",
                             headers={"Authorization": "Bearer some-token-value"}))
    took["api"] = time.monotonic() - started
    # The check-in's hot view (hotpath.py): answered by the same handlers, tried once.
    started = time.monotonic()
    _assert_json_503(api.post("/api/v1/episodes/1/checkins", json={"code": "AWAL23"},
                              headers={"Authorization": "Bearer some-token-value"}))
    took["checkin"] = time.monotonic() - started
    # And the registration's, whose one statement also writes (registrations/hot.py).
    _assert_json_503(api.post("/api/v1/episodes/1/registrations", json={},
                              headers={"Authorization": "Bearer some-token-value"}))

    started = time.monotonic()
    ready = api.get("/readyz")
    took["readyz"] = time.monotonic() - started
    assert ready.status_code == 503 and ready.json["status"] == "unavailable"

    health = api.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}
    return took


def test_nothing_listening_gives_quick_503s(tmp_path, caplog):
    app = outage_app(free_port(), tmp_path)
    caplog.set_level(logging.INFO)
    took = _check_every_kind_of_request(app)
    assert max(took.values()) < 3, took
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    # one line per failed request, no traceback storm
    assert errors and all(r.exc_info is None for r in errors)
    assert len([r for r in errors if "database unavailable" in r.getMessage()]) == 5


def test_server_that_never_answers_gives_503_within_the_connect_timeout(tmp_path):
    hole = BlackHole()
    try:
        app = outage_app(hole.port, tmp_path)
        took = _check_every_kind_of_request(app)
    finally:
        hole.close()
    assert took["html"] < 4, took  # connect timeout (1 s) and no retry storm
    assert took["readyz"] < 2, took  # readyz answers within its second


def test_500_page_does_not_load_the_user(app, client, make_user, login, monkeypatch):
    """A bug in a view: the error page renders as for a visitor (no user query)."""
    from asnbelajar.accounts.models import User

    person = make_user("participant")
    login(person)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer like production, not re-raise

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("bug")

    def no_query(*_a, **_k):
        raise AssertionError("the error page queried the user")

    monkeypatch.setattr(_db.session, "get", no_query)
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)
    assert User  # the loader would have used this model


@needs_pg
def test_frozen_server_after_pooling_gives_503_not_a_hang(tmp_path):
    proxy = FreezableProxy(("127.0.0.1", 5432))
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": PG_SERVER_URL.replace(
        "postgresql://", "postgresql+psycopg://").replace("127.0.0.1:5432",
                                                          f"127.0.0.1:{proxy.port}"),
        "DB_CONNECT_TIMEOUT": 1, "DB_PING_TIMEOUT": 1, "DB_PING_AFTER_IDLE": 0.2})
    app.instance_path = str(tmp_path)
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200  # a connection is now pooled
        proxy.frozen.set()
        time.sleep(0.3)  # it sat idle long enough to be pinged before its next use
        started = time.monotonic()
        response = client.get("/api/v1/me/ledger", headers={"Authorization": "Bearer x"})
        took = time.monotonic() - started
        _assert_json_503(response)
        assert took < 6, took  # ping deadline (1 s) + connect timeout (1 s), not forever
        assert client.get("/readyz").status_code == 503
        proxy.frozen.clear()
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200:  # recovers by itself
            assert time.monotonic() < deadline
            time.sleep(0.5)
    finally:
        proxy.frozen.clear()
        with app.app_context():
            _db.engine.dispose()
        proxy.close()


@needs_pg
def test_pooled_connection_is_pinged_only_after_sitting_idle(tmp_path):
    """No ping round trip for a connection reused at once (the closing-code minute); one
    for a connection that sat idle; a dead idle connection is replaced unseen."""
    url = PG_SERVER_URL.replace("postgresql://", "postgresql+psycopg://")
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "DB_PING_AFTER_IDLE": 0.3})
    app.instance_path = str(tmp_path)
    client = app.test_client()
    with app.app_context():
        dialect = _db.engine.dialect
        pings = []
        guarded_ping = dialect.do_ping

        def counting_ping(dbapi_connection):
            pings.append(dbapi_connection)
            return guarded_ping(dbapi_connection)

        dialect.do_ping = counting_ping
        try:
            for _ in range(5):
                assert client.get("/readyz").status_code == 200
            assert pings == []  # reused within moments: no ping
            time.sleep(0.4)
            assert client.get("/readyz").status_code == 200
            assert len(pings) == 1  # idle: pinged once
            # The server ends the pooled connection while it sits idle: the ping finds
            # out and the pool hands over a new one; the request never sees it.
            with _db.engine.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            with psycopg_admin() as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            time.sleep(0.4)
            assert client.get("/readyz").status_code == 200
            assert len(pings) == 2
        finally:
            dialect.do_ping = guarded_ping
            _db.engine.dispose()


def psycopg_admin():
    import psycopg

    return psycopg.connect(PG_SERVER_URL.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


@needs_pg
def test_statement_timeout_is_set_for_web_and_longer_for_the_cli(tmp_path):
    url = PG_SERVER_URL.replace("postgresql://", "postgresql+psycopg://")
    web = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "DB_STATEMENT_TIMEOUT": 2})
    cli = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url}, background=True)
    for app in (web, cli):
        app.instance_path = str(tmp_path)
    assert web.test_client().get("/readyz").status_code == 200  # its 1 s limit is LOCAL
    with web.app_context():
        assert _db.engine.pool.checkedin() == 1  # the connection /readyz used ...
        assert _db.session.scalar(text("SHOW statement_timeout")) == "2s"  # ... unchanged
        started = time.monotonic()
        with pytest.raises(OperationalError):
            _db.session.execute(text("SELECT pg_sleep(8)"))
        assert time.monotonic() - started < 6
        _db.session.rollback()
        _db.engine.dispose()
    with cli.app_context():
        assert _db.session.scalar(text("SHOW statement_timeout")) == "10min"
        _db.engine.dispose()
