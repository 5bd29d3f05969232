"""Sessions that end and tokens that can be revoked (issue 9, item 1): replayed cookies and
tokens after logout, password change, password reset and revocation; expiry; a token on
an HTML page; coarse last_used_at; production-only secure cookies and HSTS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from asnbelajar.accounts.models import ApiToken, User
from asnbelajar.accounts.services import make_reset_token
from asnbelajar.accounts.sessions import issue_api_token

PASSWORD = "rahasia123"


def _login(client, login, password=PASSWORD, remember=False):
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _signed_in(client) -> bool:
    response = client.get("/me/data.json")
    return response.status_code == 200


def _replay(app, name, value):
    """A fresh browser carrying a copied cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def test_replayed_session_cookie_after_logout_is_anonymous(app, client, make_participant):
    user = make_participant(email="siti@example.go.id")
    assert _login(client, user.email).status_code == 302
    stolen = _cookie(client, "session")
    assert _signed_in(_replay(app, "session", stolen))
    client.post("/logout")
    assert not _signed_in(client)
    replay = _replay(app, "session", stolen)
    response = replay.get("/me/data.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_cookie_is_lax_and_dead_after_logout(app, client, make_participant):
    user = make_participant(email="ingat@example.go.id")
    _login(client, user.email, remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.same_site == "Lax"
    assert not remember.secure  # plain http outside production
    assert _signed_in(_replay(app, "remember_token", remember.value))
    client.post("/logout")
    assert not _signed_in(_replay(app, "remember_token", remember.value))


def test_password_reset_ends_every_session_and_token(app, client, db, make_participant):
    user = make_participant(email="reset@example.go.id")
    _login(client, user.email, remember=True)
    session_cookie = _cookie(client, "session")
    remember = _cookie(client, "remember_token")
    token = issue_api_token(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me/certificates", headers=headers).status_code == 200

    reset_link = f"/reset-password/{make_reset_token(user)}"
    anonymous = app.test_client()
    assert anonymous.post(reset_link, data={"password": "baru-sekali-1",
                                            "confirm": "baru-sekali-1"}).status_code == 302
    assert not _signed_in(_replay(app, "session", session_cookie))
    assert not _signed_in(_replay(app, "remember_token", remember))
    assert app.test_client().get("/api/v1/me/certificates", headers=headers).status_code == 401
    # Following the emailed link proved the address.
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None


def test_change_password_ends_other_sessions_keeps_this_one(app, client, db, make_participant):
    user = make_participant(email="ganti@example.go.id")
    other_browser = app.test_client()
    _login(other_browser, user.email)
    _login(client, user.email)
    token = issue_api_token(user)
    db.session.commit()
    page = client.get("/me/password")
    assert page.status_code == 200 and "current_password" in page.get_data(as_text=True)
    wrong = client.post("/me/password", data={"current_password": "salah-sekali",
                                              "password": "baru-sekali-1",
                                              "confirm": "baru-sekali-1"})
    assert wrong.status_code == 200 and "Kata sandi saat ini salah" in wrong.get_data(as_text=True)
    assert _signed_in(other_browser)
    ok = client.post("/me/password", data={"current_password": PASSWORD,
                                           "password": "baru-sekali-1",
                                           "confirm": "baru-sekali-1"})
    assert ok.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_browser)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/tokens", headers=headers).status_code == 401
    assert _login(app.test_client(), user.email, "baru-sekali-1").status_code == 302


def test_api_logout_revokes_the_presenting_token_only(client, db, make_participant):
    user = make_participant()
    first, second = issue_api_token(user, "laptop"), issue_api_token(user, "ponsel")
    db.session.commit()
    h1, h2 = ({"Authorization": f"Bearer {t}"} for t in (first, second))
    assert client.post("/api/v1/auth/logout", headers=h1).status_code == 204
    assert client.get("/api/v1/auth/tokens", headers=h1).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=h1).status_code == 401
    assert client.post("/api/v1/auth/logout").status_code == 401
    listed = client.get("/api/v1/auth/tokens", headers=h2)
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json] == ["ponsel"]
    assert set(listed.json[0]) == {"id", "name", "created_at", "last_used_at", "expires_at"}
    assert "no-store" in listed.headers["Cache-Control"]


def test_revoked_token_is_refused_and_others_tokens_are_not_found(client, db, make_participant):
    alice, bob = make_participant(), make_participant()
    a_token, b_token = issue_api_token(alice), issue_api_token(bob)
    db.session.commit()
    ha, hb = ({"Authorization": f"Bearer {t}"} for t in (a_token, b_token))
    bob_id = client.get("/api/v1/auth/tokens", headers=hb).json[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{bob_id}", headers=ha).status_code == 404
    assert client.get("/api/v1/auth/tokens", headers=hb).status_code == 200
    alice_id = client.get("/api/v1/auth/tokens", headers=ha).json[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{alice_id}", headers=hb).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{bob_id}", headers=hb).status_code == 204
    assert client.get("/api/v1/auth/tokens", headers=hb).status_code == 401


def test_expired_token_is_refused(app_factory, clock):
    from asnbelajar.extensions import db

    app = app_factory(API_TOKEN_DAYS=90)
    with app.app_context():
        from asnbelajar.accounts.services import create_user

        user = create_user(email="lama@example.go.id", password=PASSWORD, role="participant")
        token = issue_api_token(user)
        db.session.commit()
        row = db.session.scalar(select(ApiToken))
        assert (row.expires_at - row.created_at) == timedelta(days=90)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/tokens", headers=headers).status_code == 200
    clock.advance(days=89, hours=23)
    assert client.get("/api/v1/auth/tokens", headers=headers).status_code == 200
    clock.advance(hours=2)
    assert client.get("/api/v1/auth/tokens", headers=headers).status_code == 401


def test_token_opens_the_api_and_certificate_pdf_but_no_html_page(client, db, make_participant):
    user = make_participant()
    headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
    db.session.commit()
    for path in ("/me/data.json", "/me/profile", "/me"):
        response = client.get(path, headers=headers)
        assert response.status_code in (302, 401), path
    # The certificate download does read the token: an unknown code is 404, not 401.
    assert client.get("/certificates/NOPE123.pdf", headers=headers).status_code == 404
    assert client.get("/certificates/NOPE123.pdf").status_code in (302, 401)


def test_last_used_at_is_written_at_most_once_a_minute(client, db, make_participant, clock):
    user = make_participant()
    token = issue_api_token(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def last_used():
        db.session.expire_all()
        return db.session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    client.get("/api/v1/auth/tokens", headers=headers)
    first = last_used()
    assert first is not None
    clock.advance(seconds=30)
    client.get("/api/v1/auth/tokens", headers=headers)
    assert last_used() == first
    clock.advance(seconds=31)
    client.get("/api/v1/auth/tokens", headers=headers)
    assert last_used() > first


def test_profile_lists_and_revokes_own_tokens(client, db, make_participant, login):
    user = make_participant(email="profil@example.go.id")
    token = issue_api_token(user, "skrip laporan")
    db.session.commit()
    _login(client, user.email)
    page = client.get("/me/profile")
    html = page.get_data(as_text=True)
    assert "skrip laporan" in html and page.headers["Cache-Control"] == "no-store"
    token_id = db.session.scalar(select(ApiToken.id))
    assert client.post(f"/me/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/auth/tokens",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.post(f"/me/tokens/{token_id}/revoke").status_code == 404


def test_cli_api_token_prints_only_a_token_that_works(app, runner, client, make_participant):
    user = make_participant(email="cli@example.go.id")
    result = runner.invoke(args=["api-token", "--email", user.email])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("asnb_") and "\n" not in token
    assert client.get("/api/v1/auth/tokens",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("env", ["production", "development"])
def test_secure_cookies_and_hsts_only_in_production(app_factory, env):
    app = app_factory(ENV=env)
    response = app.test_client().get("/login")
    production = env == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is production
    assert app.config["REMEMBER_COOKIE_SECURE"] is production
    assert ("Strict-Transport-Security" in response.headers) is production


def test_pages_for_signed_in_people_are_not_cached(client, make_participant):
    assert "no-store" not in client.get("/episodes").headers.get("Cache-Control", "")
    user = make_participant(email="cache@example.go.id")
    _login(client, user.email)
    assert client.get("/episodes").headers["Cache-Control"] == "no-store"
    assert client.get("/me/data.json").headers["Cache-Control"] == "no-store"


def test_no_remember_cookie_unless_asked(client, make_participant):
    user = make_participant(email="lupakan@example.go.id")
    _login(client, user.email)
    client.get("/me/profile")
    assert client.get_cookie("remember_token") is None
