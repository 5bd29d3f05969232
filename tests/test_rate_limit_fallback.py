"""Rate limits when Redis is away: per-process memory, one warning, recovery by itself.

A cache must never stop attendance: with the rate-limit storage pointed at a closed port,
login, check-in and certificate verification still answer (and the limits still count,
in the process's own memory).
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asnbelajar.attendance.models import CheckIn
from asnbelajar.extensions import OncePerInterval, limiter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_redis_app(app_factory):
    port = free_port()  # nothing listens there
    app = app_factory(RATELIMIT_ENABLED=True,
                      RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0",
                      RATELIMIT_LOGIN="3 per minute")
    app.redis_port = port
    yield app
    limiter._storage_dead = False  # the limiter is shared by every app of the test run


def test_login_checkin_and_verify_succeed_while_redis_is_unreachable(
        dead_redis_app, make_participant, make_episode, token_for, db, caplog):
    caplog.set_level(logging.WARNING, logger="flask-limiter")
    with dead_redis_app.app_context():
        client = dead_redis_app.test_client()
        make_participant(email="rina@example.go.id")
        episode = make_episode(starts_in=timedelta(minutes=-5))

        login = client.post("/login", data={"login": "rina@example.go.id",
                                            "password": "rahasia123"})
        assert login.status_code == 302  # logged in, not a 500

        web_checkin = client.post(f"/episodes/{episode.id}/checkin", data={"code": "AWAL23"})
        assert web_checkin.status_code in (200, 302)
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1

        other = make_participant()
        api_checkin = client.post(f"/api/v1/episodes/{episode.id}/checkins",
                                  json={"code": "awal23"}, headers=token_for(other))
        assert api_checkin.status_code == 201
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 2

        verify = client.get("/api/v1/verify/TIDAKADA123")
        assert verify.status_code == 404
        assert verify.json["error"]["code"] == "not_found"

    warnings = [r for r in caplog.records if r.name == "flask-limiter"
                and r.levelno >= logging.WARNING]
    assert len(warnings) <= 1
    assert all(r.exc_info is None for r in warnings)  # a line, not a traceback


def test_limits_still_count_in_memory_while_redis_is_unreachable(dead_redis_app):
    with dead_redis_app.app_context():
        client = dead_redis_app.test_client()
        statuses = [client.post("/login", data={"login": "x@example.go.id",
                                                "password": "salah-sandi"}).status_code
                    for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
def test_limiter_goes_back_to_redis_when_it_returns(dead_redis_app, tmp_path):
    import redis

    with dead_redis_app.app_context():
        client = dead_redis_app.test_client()
        client.post("/login", data={"login": "x@example.go.id", "password": "salah"})
        assert limiter._storage_dead  # fell back to memory
        server = subprocess.Popen(
            ["redis-server", "--port", str(dead_redis_app.redis_port), "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn = redis.Redis(host="127.0.0.1", port=dead_redis_app.redis_port)
            for _ in range(50):
                try:
                    conn.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.1)
            # The limiter probes the storage again after 1, 2, 4 ... seconds.
            deadline = time.monotonic() + 20
            while limiter._storage_dead and time.monotonic() < deadline:
                client.post("/login", data={"login": "x@example.go.id", "password": "salah"})
                time.sleep(0.5)
            assert not limiter._storage_dead
            client.post("/login", data={"login": "x@example.go.id", "password": "salah"})
            assert conn.keys("*")  # counting in Redis again
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_once_per_interval_filter_passes_one_warning_and_counts_the_rest():
    flt = OncePerInterval(60)
    records = [logging.LogRecord("flask-limiter", logging.WARNING, __file__, 1,
                                 "Rate limit storage unreachable", None, None)
               for _ in range(5)]
    passed = [flt.filter(r) for r in records]
    assert passed == [True, False, False, False, False]
    info = logging.LogRecord("flask-limiter", logging.INFO, __file__, 1, "recovered",
                             None, None)
    assert flt.filter(info) is True
    flt._last -= 61
    nxt = logging.LogRecord("flask-limiter", logging.WARNING, __file__, 1, "again", None, None)
    assert flt.filter(nxt) is True and "4 similar messages suppressed" in nxt.getMessage()


def test_black_holed_redis_costs_one_short_timeout_then_memory(app_factory):
    """A Redis that accepts connections and never answers: the first limited request
    waits RATELIMIT_STORAGE_TIMEOUT once, then the process counts in memory."""
    import select as select_module
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, accepted = [], []
    running = threading.Event()
    running.set()

    def accept():
        while running.is_set():
            try:
                if select_module.select([server], [], [], 0.05)[0]:
                    held.append(server.accept()[0])
                    accepted.append(1)
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute",
                          RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{server.getsockname()[1]}/0",
                          RATELIMIT_STORAGE_TIMEOUT=0.3)
        with app.app_context():
            client = app.test_client()
            statuses = [client.post("/login", data={"login": "x@example.go.id",
                                                    "password": "salah"}).status_code
                        for _ in range(4)]
        assert statuses == [200, 200, 200, 429]  # answered, and still limited in memory
        # The first request's attempt and at most one recovery probe, not one per request.
        assert len(accepted) <= 2
    finally:
        running.clear()
        for conn in held:
            conn.close()
        server.close()
        limiter._storage_dead = False
