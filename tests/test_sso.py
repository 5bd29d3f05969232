"""Single sign-on through OpenID Connect against a local stand-in provider started by the
test: discovery, the authorize redirect, the token endpoint with an RS256-signed ID token,
the JWKS; the NIP claim becomes a confirmed NIP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from asnbelajar.accounts.models import ParticipantProfile, User
from asnbelajar.audit.models import AuditEvent

from .oidc_standin import CLIENT_ID, CLIENT_SECRET, OidcStandIn

NIP = "19880714 201203 2 003"


@pytest.fixture
def provider():
    with OidcStandIn() as standin:
        yield standin


@pytest.fixture
def sso_app(app_factory, provider):
    return app_factory(OIDC_ISSUER=provider.url, OIDC_CLIENT_ID=CLIENT_ID,
                       OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_NIP_CLAIM="nip_asn")


def _sso_login(client, provider):
    """Browser: app → provider's /authorize → back to the app's callback."""
    start = client.get("/login/sso")
    assert start.status_code == 302
    location = start.headers["Location"]
    assert location.startswith(provider.url + "/authorize")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [CLIENT_ID] and query["nonce"][0]
    assert "openid" in query["scope"][0]
    back = requests.get(location, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def _user(email):
    from asnbelajar.extensions import db

    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_sso_creates_an_account_with_a_confirmed_nip(sso_app, provider):
    provider.claims = {"email": "Ani@BKN.go.id", "email_verified": True,
                       "name": "Ani Suryani", "nip_asn": NIP}
    client = sso_app.test_client()
    assert "Masuk dengan SSO ASN" in client.get("/login").get_data(as_text=True)
    done = _sso_login(client, provider)
    assert done.status_code == 302 and "/login" not in done.headers["Location"]
    with sso_app.app_context():
        user = _user("ani@bkn.go.id")
        assert user.full_name == "Ani Suryani" and user.email_verified_at is not None
        assert user.profile.nip == NIP.replace(" ", "")
        assert user.profile.nip_status == "confirmed" and user.profile.employee_type == "pns"
    assert client.get("/me/data.json").status_code == 200
    assert provider.token_requests[0]["grant_type"] == "authorization_code"


def test_sso_nip_wins_over_a_self_declared_claim_elsewhere(sso_app, provider):
    from asnbelajar.accounts.services import ProfileData, sign_up
    from asnbelajar.extensions import db

    with sso_app.app_context():
        squatter = sign_up(email="pengaku@example.go.id", password="rahasia123",
                           full_name="Pengaku", consent=True,
                           profile=ProfileData(nip=NIP, employee_type="pns", instansi="BKN"))
        db.session.commit()
        squatter_id = squatter.id
    provider.claims = {"email": "pemilik@bkn.go.id", "email_verified": True,
                       "name": "Pemilik", "nip_asn": NIP}
    client = sso_app.test_client()
    assert _sso_login(client, provider).status_code == 302
    with sso_app.app_context():
        owner = _user("pemilik@bkn.go.id")
        assert owner.profile.nip == NIP.replace(" ", "")
        assert db.session.get(ParticipantProfile, squatter_id).nip is None
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "nip.released_by_sso")).object_id == squatter_id


def test_sso_takes_over_an_unproven_signup_with_the_same_address(sso_app, provider):
    from asnbelajar.accounts.services import ProfileData, sign_up
    from asnbelajar.extensions import db

    squatter_browser = sso_app.test_client()
    with sso_app.app_context():
        sign_up(email="asli@bkn.go.id", password="rahasia123", full_name="Penyerobot",
                consent=True, profile=ProfileData(employee_type="non_asn", instansi="BKN"))
        db.session.commit()
    assert squatter_browser.post("/login", data={"login": "asli@bkn.go.id",
                                                 "password": "rahasia123"}).status_code == 302
    provider.claims = {"email": "asli@bkn.go.id", "email_verified": True, "name": "Asli"}
    assert _sso_login(sso_app.test_client(), provider).status_code == 302
    with sso_app.app_context():
        assert _user("asli@bkn.go.id").email_verified_at is not None
    # The one who typed the address before is signed out.
    assert squatter_browser.get("/me/data.json").status_code == 302


def test_sso_refuses_unvouched_address_and_forged_answers(sso_app, provider):
    from asnbelajar.accounts.services import ProfileData, sign_up
    from asnbelajar.extensions import db

    with sso_app.app_context():
        sign_up(email="belum@bkn.go.id", password="rahasia123", full_name="Belum",
                consent=True, profile=ProfileData(employee_type="non_asn", instansi="BKN"))
        db.session.commit()
    provider.claims = {"email": "belum@bkn.go.id", "email_verified": False}
    client = sso_app.test_client()
    refused = _sso_login(client, provider)
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert client.get("/me/data.json").status_code == 302
    # A callback that did not start here (no state in the session) signs nobody in.
    forged = sso_app.test_client().get("/login/sso/callback?code=x&state=y")
    assert forged.status_code == 302 and "/login" in forged.headers["Location"]


def test_sso_is_off_without_settings(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback").status_code == 404
    assert "Masuk dengan" not in client.get("/login").get_data(as_text=True)


def test_sso_refuses_an_id_token_signed_by_another_key(sso_app, provider):
    from joserfc.jwk import RSAKey

    provider.claims = {"email": "palsu@bkn.go.id", "email_verified": True, "nip_asn": NIP}
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "uji-1"})
    client = sso_app.test_client()
    refused = _sso_login(client, provider)
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    with sso_app.app_context():
        assert _user("palsu@bkn.go.id") is None
