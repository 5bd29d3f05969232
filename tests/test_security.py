"""CSRF, access control and public-page privacy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest


@pytest.fixture
def csrf_client(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app.test_client()


def test_form_post_without_csrf_token_is_refused(csrf_client, make_user):
    make_user("participant", email="a@example.go.id", password="rahasia123")
    response = csrf_client.post("/login", data={"login": "a@example.go.id",
                                                "password": "rahasia123"})
    assert response.status_code == 400
    assert "kedaluwarsa" in response.get_data(as_text=True) or "CSRF" in response.get_data(
        as_text=True)


def test_form_post_with_csrf_token_logs_in(csrf_client, make_user):
    make_user("participant", email="b@example.go.id", password="rahasia123")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = csrf_client.post("/login", data={"login": "b@example.go.id",
                                                "password": "rahasia123", "csrf_token": token})
    assert response.status_code == 302


def test_register_post_without_token_changes_nothing(csrf_client, make_participant,
                                                     make_episode, db):
    from asnbelajar.registrations.models import Registration

    user = make_participant()
    episode = make_episode()
    with csrf_client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    response = csrf_client.post(f"/episodes/{episode.id}/register")
    assert response.status_code == 400
    assert db.session.query(Registration).count() == 0


def test_console_is_closed_to_participants_and_anonymous(client, make_participant, login):
    assert client.get("/console/episodes").status_code == 302
    login(make_participant())
    assert client.get("/console/episodes").status_code == 403


def test_participant_cannot_download_someone_elses_certificate(
        client, make_participant, make_episode, login, db, organizer):
    from asnbelajar.attendance.services import check_in, finalize_episode, mark_attendance
    from asnbelajar.certificates.models import Certificate
    from asnbelajar.registrations.services import register

    owner, other = make_participant(), make_participant()
    episode = make_episode(starts_in=timedelta(minutes=-5))
    register(episode.id, owner)
    check_in(episode.id, owner, "AWAL23")
    mark_attendance(episode, owner.id, attended=True, reason="hadir di ruang rapat",
                    actor_id=organizer.id)
    db.session.commit()
    finalize_episode(episode.id, actor_id=organizer.id, force=True)
    db.session.commit()
    cert = db.session.query(Certificate).one()
    login(other)
    assert client.get(f"/certificates/{cert.verification_code}.pdf").status_code == 403
    login(owner)
    assert client.get(f"/certificates/{cert.verification_code}.pdf").status_code == 200


def test_security_headers_are_set(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_pages_use_no_cdn(client):
    html = client.get("/").get_data(as_text=True)
    assert "cdn.jsdelivr" not in html and "https://" not in re.sub(
        r'href="https://(www\.)?youtube[^"]*"', "", html).split("<body")[0]


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_rate_limits_are_shared_through_redis(app_factory):
    """Two app instances (two web nodes) share one counter in Redis."""
    import uuid

    key_prefix = f"asnb-test-{uuid.uuid4().hex[:8]}"
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
              "RATELIMIT_KEY_PREFIX": key_prefix, "RATELIMIT_LOGIN": "3 per minute"}
    node_a, node_b = app_factory(**config), app_factory(**config)
    statuses = []
    for node in (node_a, node_b, node_a, node_b):
        with node.app_context():
            response = node.test_client().post("/login", data={"login": "x@example.go.id",
                                                               "password": "salah-sandi"})
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    import redis

    server = redis.Redis(host="127.0.0.1", port=6379, db=0)
    keys = server.keys(f"*{key_prefix}*")
    assert keys  # the counter lives in Redis, not in either process
    server.delete(*keys)


def test_the_api_neither_reads_nor_writes_the_cookie_session(app, client, make_participant,
                                                            login):
    """The JSON API is Bearer-only: a signed-in browser's cookie opens nothing there, and
    no API answer sets a cookie (the web pages keep their session)."""
    from flask import request
    from flask.sessions import NullSession

    with app.test_request_context("/api/v1/me/ledger", headers={"Cookie": "session=x"}):
        assert isinstance(app.session_interface.open_session(app, request), NullSession)
    with app.test_request_context("/me"):
        assert not isinstance(app.session_interface.open_session(app, request), NullSession)
    person = make_participant()
    login(person)
    assert client.get("/me").status_code == 200  # the cookie works on the web side
    r = client.get("/api/v1/me/ledger")
    assert r.status_code == 401
    assert "Set-Cookie" not in r.headers
    r = client.post("/api/v1/auth/token", json={"email": "nobody@example.go.id",
                                                "password": "salah-sekali"})
    assert r.status_code in (401, 422)
    assert "Set-Cookie" not in r.headers
