"""One log line per request (request id, route, status, duration, user id — never an
email or NIP), the request id echoed and quoted in errors, versioned static URLs."""

from __future__ import annotations

import json
import logging
import re


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "asnbelajar.request"]


def test_each_request_logs_one_line_without_personal_data(client, make_participant, login,
                                                          make_episode, caplog):
    person = make_participant(email="rina.privat@example.go.id", nip="198807142012032003")
    episode = make_episode()
    login(person)
    caplog.set_level(logging.INFO, logger="asnbelajar.request")
    response = client.get(f"/episodes/{episode.id}", headers={"X-Request-ID": "req-abc.123"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-abc.123"
    [line] = _lines(caplog)
    assert "request_id=req-abc.123" in line
    assert "route=/episodes/<int:episode_id>" in line  # the route, not the raw path
    assert "status=200" in line and line.endswith(f"user_id={person.id}")
    assert re.search(r"duration_ms=\d+\.\d", line)
    assert "rina.privat" not in line and "198807142012032003" not in line


def test_the_log_names_the_account_never_its_session_token(app, client, make_participant,
                                                          make_episode, token_for, db,
                                                          caplog):
    """A signed-in session names "<id>:<session token>" (the token ends the session at a
    logout); an API request's user is found by its token. Each line names the account's
    number alone, for the web, the API's hot views and its ordinary views."""
    from datetime import timedelta

    from asnbelajar.registrations.services import register

    person = make_participant()
    person_id = person.id
    session_token = person.session_token or ""
    caplog.set_level(logging.INFO, logger="asnbelajar.request")
    # A real login, as a browser does it.
    response = client.post("/login", data={"login": person.email, "password": "rahasia123"})
    assert response.status_code == 302
    client.get("/me")
    episode = make_episode(starts_in=timedelta(minutes=-5))
    register(episode.id, person)
    db.session.commit()
    headers = token_for(person)
    api = app.test_client()
    assert api.post(f"/api/v1/episodes/{episode.id}/checkins", json={"code": "AWAL23"},
                    headers=headers).status_code == 201  # a hot view
    assert api.post(f"/api/v1/episodes/{episode.id}/checkins", json={"code": "SALAH1"},
                    headers=headers).status_code == 422  # the ordinary view
    assert api.get("/api/v1/me/ledger", headers=headers).status_code == 200
    db.session.expire_all()
    from asnbelajar.accounts.models import User

    session_token = db.session.get(User, person_id).session_token or session_token
    lines = _lines(caplog)
    assert len(lines) >= 5
    for line in lines[1:]:  # after the login's own request
        assert line.endswith(f"user_id={person_id}"), line
    assert session_token and not any(session_token in line for line in lines)


def test_unusable_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id; with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_json_errors_and_error_pages_carry_the_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="asnbelajar.request")
    api = client.get("/api/v1/episodes/999999", headers={"X-Request-ID": "trace-1"})
    assert api.status_code == 404
    assert api.json["error"] == {"code": "not_found", "message": api.json["error"]["message"],
                                 "request_id": "trace-1"}
    # Written as every JSON answer is (compact), though the id was added afterwards.
    assert api.get_data() == json.dumps(api.json, separators=(",", ":"),
                                        sort_keys=True).encode() + b"\n"
    assert any("status=404" in line and "trace-1" in line for line in _lines(caplog))


def test_static_urls_carry_a_content_version(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{10})"', html)
    assert css, "app.css is linked without a version"
    assert client.get(css.group(1)).status_code == 200


def test_behind_a_proxy_the_visitor_address_comes_from_x_forwarded_for(app_factory):
    """Rate limits are per visitor: behind nginx (PROXY_COUNT=1) the address is the
    visitor's, not the proxy's; without the setting the header is not trusted."""
    from flask import request

    seen = {}
    for count in (0, 1):
        app = app_factory(PROXY_COUNT=count)

        @app.get("/_remote-for-test")
        def remote():
            return f"{request.remote_addr} {request.scheme}"

        seen[count] = app.test_client().get(
            "/_remote-for-test", headers={"X-Forwarded-For": "203.0.113.7",
                                          "X-Forwarded-Proto": "https"}).get_data(as_text=True)
    assert seen == {0: "127.0.0.1 http", 1: "203.0.113.7 https"}


def test_a_request_refused_before_the_view_is_logged_too(app_factory, caplog):
    """CSRF refusals (and rate limits) happen in hooks that ran before ours: the request
    still gets an id and its line."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    caplog.set_level(logging.INFO, logger="asnbelajar.request")
    with app.app_context():
        response = app.test_client().post("/login", data={"login": "a@b.id",
                                                          "password": "x"})
    assert response.status_code == 400
    rid = response.headers["X-Request-ID"]
    assert any(f"request_id={rid}" in line and "status=400" in line
               for line in _lines(caplog))
