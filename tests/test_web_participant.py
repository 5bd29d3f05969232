"""Participant-facing pages: accounts, registrations, ledger, certificates, evaluations,
the base layout and the email templates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from asnbelajar import timeutil
from asnbelajar.extensions import db

# --- this module's fixtures, on the shared app and migrated database of conftest.py --------

PASSWORD = "rahasia123"
NIP_PNS = "199001012015032001"
NIP_OTHER = "198503122010011001"


@pytest.fixture
def web_app_factory(app_factory):
    """Apps on this test's database (SQLite or PostgreSQL, migrated); keyword arguments
    override the config."""

    def factory(**config):
        return app_factory(**{"BOOTSTRAP_SERVE_LOCAL": True, **config})

    return factory


@pytest.fixture
def web_app(web_app_factory):
    return web_app_factory()


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


@pytest.fixture
def clock(monkeypatch):
    """Set "now" for the services: ``clock(datetime)``; ``clock(None)`` restores it."""

    def set_clock(moment: datetime | None):
        if moment is None:
            monkeypatch.setattr(timeutil, "_clock", timeutil._system_clock)
        else:
            monkeypatch.setattr(timeutil, "_clock", lambda: moment)

    return set_clock


@pytest.fixture
def ctx(web_app):
    """Run service calls the way a request would (emails render templates)."""

    def enter():
        return web_app.test_request_context()

    return enter


@pytest.fixture
def make_participant(web_app, ctx):
    from asnbelajar.accounts.services import ProfileData, sign_up

    def make(email="siti@example.go.id", nip=NIP_PNS, name="Siti Rahmawati, S.Kom.",
             instansi="Pemerintah Provinsi Jawa Timur"):
        with ctx():
            user = sign_up(
                email=email, password=PASSWORD, full_name=name, consent=True,
                profile=ProfileData(nip=nip, employee_type="pns" if nip else "non_asn",
                                    instansi=instansi, province="Jawa Timur"),
            )
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_user(web_app, ctx):
    from asnbelajar.accounts.services import create_user

    def make(email, role):
        with ctx():
            user = create_user(email=email, password=PASSWORD, role=role)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_episode(web_app, ctx, make_user):
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode

    counter = iter(range(1, 1000))

    def make(starts_in=timedelta(days=2), hours=2, capacity=None, code=None, **extra):
        start = (timeutil.now_utc() + starts_in).replace(microsecond=0)
        with ctx():
            number = next(counter)
            episode = create_episode({
                "title": f"Episode {number}", "number": number,
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=hours)).isoformat(),
                "capacity": capacity, "zoom_url": "https://zoom.us/j/1", **extra,
            }, None)
            if code:
                add_checkpoint(episode, {"label": "awal", "code": code,
                                         "opens_at": start.isoformat(),
                                         "closes_at": (start + timedelta(hours=hours))
                                         .isoformat()}, None)
            publish_episode(episode, None)
            db.session.commit()
            return episode.id

    return make


@pytest.fixture
def finished_episode(web_app, ctx, clock, make_episode):
    """An episode the participant registered for, attended and got a certificate for."""
    from asnbelajar.accounts.models import User
    from asnbelajar.attendance.services import check_in, finalize_episode
    from asnbelajar.certificates.models import Certificate
    from asnbelajar.registrations.services import register

    def make(user_id: int, hours=2):
        start = datetime(2024, 2, 22, 6, 0, tzinfo=UTC)  # Thursday 13.00 WIB
        clock(start - timedelta(days=3))
        episode_id = make_episode(starts_in=timedelta(days=3), hours=hours, code="AWAL")
        with ctx():
            user = db.session.get(User, user_id)
            register(episode_id, user)
            db.session.commit()
        clock(start + timedelta(minutes=5))
        with ctx():
            check_in(episode_id, db.session.get(User, user_id), "awal")
            db.session.commit()
        clock(start + timedelta(hours=hours, minutes=30))
        with ctx():
            finalize_episode(episode_id, actor_id=None)
            db.session.commit()
            code = db.session.scalar(select(Certificate.verification_code).where(
                Certificate.episode_id == episode_id, Certificate.user_id == user_id))
        clock(None)
        return episode_id, code

    return make


def login(client, login_name="siti@example.go.id", password=PASSWORD, **extra):
    return client.post("/login", data={"login": login_name, "password": password, **extra})


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- base layout --------------------------------------------------------------------------

def test_layout_serves_bootstrap_locally_without_inline_scripts(web_client):
    html = text_of(web_client.get("/login"))
    assert '<html lang="' in html
    assert 'href="/static/css/bootstrap.min.css?v=' in html  # purged: tools/build_css.py
    assert "/bootstrap/static/js/bootstrap.min.js" in html
    assert "/static/js/app.js" in html
    assert "cdn.jsdelivr.net" not in html and "//cdn" not in html
    # CSP is script-src 'self': every <script> must load a file, no inline handlers.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert not re.search(r"\son[a-z]+=", html)


def test_navbar_shows_participant_links_only_to_participants(web_client, make_participant):
    anonymous = text_of(web_client.get("/login"))
    assert "/me/certificates" not in anonymous and "/signup" in anonymous
    make_participant()
    login(web_client)
    html = text_of(web_client.get("/me/registrations"))
    for path in ("/me", "/me/certificates", "/me/registrations", "/verify"):
        assert f'href="{path}"' in html
    assert 'action="/logout"' in html


def test_static_assets_exist(web_client):
    for path in ("/static/css/app.css", "/static/js/app.js", "/static/img/logo.svg",
                 "/static/favicon.svg"):
        assert web_client.get(path).status_code == 200, path


def test_layout_forms_carry_csrf_tokens(web_app, make_participant):
    """With CSRF on, the login form and the navbar's POST forms work with their tokens."""
    make_participant()
    web_app.config["WTF_CSRF_ENABLED"] = True
    client = web_app.test_client()
    page = text_of(client.get("/login"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"login": "siti@example.go.id",
                                       "password": PASSWORD}).status_code == 400
    response = client.post("/login", data={"login": "siti@example.go.id",
                                           "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/me")
    page = text_of(client.get("/me/registrations"))
    nav_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": nav_token}).status_code == 302


def test_login_is_rate_limited(web_app_factory, make_participant):
    from asnbelajar.extensions import limiter

    make_participant()
    limited = web_app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
    limiter.reset()
    client = limited.test_client()
    for _ in range(2):
        assert login(client, password="salah-sekali").status_code == 200
    assert login(client, password="salah-sekali").status_code == 429
    assert client.get("/login").status_code == 200  # only POSTs count


# --- accounts -----------------------------------------------------------------------------

def test_public_account_pages_render(web_client):
    for path in ("/login", "/signup", "/forgot-password", "/privacy", "/verify"):
        assert web_client.get(path).status_code == 200, path
    signup = text_of(web_client.get("/signup"))
    assert 'list="instansi-options"' in signup and 'data-show-values="pns,pppk"' in signup
    assert '<optgroup label="PPPK">' in signup and "Papua Pegunungan" in signup


def test_login_with_email_goes_to_dashboard(web_client, make_participant):
    make_participant()
    response = login(web_client, "SITI@example.go.id")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me")


def test_login_with_nip_and_separators(web_client, make_participant):
    make_participant()
    response = login(web_client, "19900101 201503 2 001")
    assert response.headers["Location"].endswith("/me")


def test_login_honours_relative_next_only(web_client, make_participant):
    make_participant()
    response = login(web_client, next="/me/certificates")
    assert response.headers["Location"].endswith("/me/certificates")
    web_client.post("/logout")
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = login(web_client, next=evil)
        assert "evil" not in response.headers["Location"]
        web_client.post("/logout")


def test_wrong_password_is_refused(web_client, make_participant):
    make_participant()
    response = login(web_client, password="salah-sekali")
    assert response.status_code == 200
    assert "salah" in text_of(response)
    assert web_client.get("/me").status_code == 302  # still anonymous


def test_logout_is_post_only(web_client, make_participant):
    make_participant()
    login(web_client)
    assert web_client.get("/logout").status_code == 405
    assert web_client.post("/logout").status_code == 302
    assert web_client.get("/me").headers["Location"].startswith("/login")


def _signup_data(**overrides):
    data = {
        "full_name": "Andi Saputra, S.E.", "email": "andi@example.go.id",
        "password": PASSWORD, "confirm": PASSWORD, "employee_type": "pns",
        "nip": "1985.0312.2010.01.1.001", "instansi": "Kementerian Dalam Negeri",
        "unit_kerja": "Biro Umum", "jabatan": "Analis", "pangkat_golongan": "III/b",
        "province": "DKI Jakarta", "phone": "0812 3456 7890", "consent": "y",
    }
    data.update(overrides)
    return data


def test_signup_creates_participant_and_logs_in(web_client, web_app):
    from asnbelajar.accounts.models import User

    response = web_client.post("/signup", data=_signup_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me")
    with web_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "andi@example.go.id"))
        assert user.role == "participant"
        assert user.profile.nip == NIP_OTHER
        assert user.profile.pangkat_golongan == "III/b"
        assert user.profile.consent_at is not None
    assert web_client.get("/me").status_code == 200


def test_signup_bad_nip_shows_message_under_nip_field(web_client):
    response = web_client.post("/signup", data=_signup_data(nip="199013452015031001"))
    html = text_of(response)
    assert response.status_code == 200
    assert 'id="nip-error"' in html
    assert 'aria-invalid="true"' in html


def test_signup_without_consent_is_refused(web_client):
    response = web_client.post("/signup", data=_signup_data(consent=""))
    assert response.status_code == 200
    assert 'id="consent-error"' in text_of(response)


def test_signup_non_asn_drops_a_leftover_nip(web_client, web_app):
    from asnbelajar.accounts.models import User

    response = web_client.post("/signup", data=_signup_data(employee_type="non_asn",
                                                              pangkat_golongan=""))
    assert response.status_code == 302
    with web_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "andi@example.go.id"))
        assert user.profile.nip is None
        assert user.profile.employee_type == "non_asn"


def test_signup_taken_email_is_a_form_error(web_client, make_participant):
    make_participant(email="andi@example.go.id", nip=None)
    response = web_client.post("/signup", data=_signup_data(email="Andi@Example.go.id"))
    assert response.status_code == 200
    assert 'id="email-error"' in text_of(response)


def test_instansi_search_returns_reference_names(web_client, web_app):
    from asnbelajar.accounts.models import Instansi

    with web_app.app_context():
        for i in range(25):
            name = f"Pemerintah Kabupaten Contoh {i:02d}"
            db.session.add(Instansi(name=name, name_key=name.lower(), is_reference=True))
        db.session.add(Instansi(name="Pemerintah Kabupaten Ketikan", name_key="pemerintah "
                                "kabupaten ketikan", is_reference=False))
        db.session.commit()
    data = web_client.get("/instansi/search?q=kabupaten").get_json()
    assert len(data["results"]) == 20
    assert "Pemerintah Kabupaten Ketikan" not in data["results"]
    assert web_client.get("/instansi/search?q=k").get_json() == {"results": []}
    assert web_client.get("/instansi/search?q=100%25").get_json() == {"results": []}


def test_forgot_password_answers_the_same_for_unknown_accounts(web_client, web_app,
                                                               make_participant):
    from asnbelajar.notifications.models import OutboxEmail

    make_participant()
    known = web_client.post("/forgot-password", data={"login": "siti@example.go.id"},
                            follow_redirects=True)
    unknown = web_client.post("/forgot-password", data={"login": "nobody@example.go.id"},
                              follow_redirects=True)
    assert "Jika akun tersebut terdaftar" in text_of(known)
    assert "Jika akun tersebut terdaftar" in text_of(unknown)
    with web_app.app_context():
        emails = db.session.scalars(select(OutboxEmail)).all()
        assert len(emails) == 1
        assert "/reset-password/" in emails[0].body_text


def test_reset_password_link_sets_a_new_password_once(web_client, web_app, make_participant):
    from asnbelajar.accounts.models import User
    from asnbelajar.accounts.services import make_reset_token

    user_id = make_participant()
    with web_app.app_context():
        token = make_reset_token(db.session.get(User, user_id))
    assert web_client.get(f"/reset-password/{token}").status_code == 200
    response = web_client.post(f"/reset-password/{token}",
                               data={"password": "barubaru99", "confirm": "barubaru99"})
    assert response.headers["Location"].endswith("/login")
    assert login(web_client, password="barubaru99").headers["Location"].endswith("/me")
    assert web_client.get(f"/reset-password/{token}").status_code == 422  # used
    assert web_client.get("/reset-password/not-a-token").status_code == 422


def test_profile_update_revalidates_nip(web_client, web_app, make_participant):
    from asnbelajar.accounts.models import User

    make_participant(email="other@example.go.id", nip=NIP_OTHER)
    user_id = make_participant()
    login(web_client)
    page = web_client.get("/me/profile")
    assert NIP_PNS in text_of(page)
    base = {"full_name": "Siti R.", "timezone": "Asia/Makassar", "employee_type": "pns",
            "instansi": "Pemerintah Kota Surabaya", "province": "Jawa Timur",
            "pangkat_golongan": "PPPK V"}
    bad = web_client.post("/me/profile", data={**base, "nip": "123"})
    assert 'id="nip-error"' in text_of(bad)
    taken = web_client.post("/me/profile", data={**base, "nip": NIP_OTHER})
    assert "sudah terdaftar" in text_of(taken)
    ok = web_client.post("/me/profile", data={**base, "nip": NIP_PNS})
    assert ok.status_code == 302
    with web_app.app_context():
        user = db.session.get(User, user_id)
        assert user.full_name == "Siti R."
        assert user.timezone == "Asia/Makassar"
        assert user.profile.instansi_name == "Pemerintah Kota Surabaya"
        assert user.profile.nip == NIP_PNS


def test_profile_records_consent_for_accounts_created_without_it(web_client, web_app,
                                                                 make_user):
    from asnbelajar.accounts.models import User

    user_id = make_user("baru@example.go.id", "participant")
    login(web_client, "baru@example.go.id")
    data = {"full_name": "Peserta Baru", "timezone": "Asia/Jakarta",
            "employee_type": "non_asn", "instansi": "Umum", "province": "Bali"}
    refused = web_client.post("/me/profile", data=data)
    assert 'id="consent-error"' in text_of(refused)
    assert web_client.post("/me/profile", data={**data, "consent": "y"}).status_code == 302
    with web_app.app_context():
        assert db.session.get(User, user_id).profile.is_complete


def test_language_switch_for_visitors_and_users(web_client, web_app, make_participant):
    from asnbelajar.accounts.models import User

    response = web_client.post("/language", data={"lang": "en", "next": "/privacy"})
    assert response.headers["Location"].endswith("/privacy")
    assert '<html lang="en">' in text_of(web_client.get("/privacy"))
    user_id = make_participant()
    login(web_client)
    web_client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    with web_app.app_context():
        assert db.session.get(User, user_id).locale == "en"


def test_privacy_notice_cites_uu_pdp(web_client):
    html = text_of(web_client.get("/privacy"))
    assert "27 Tahun 2022" in html


# --- registrations ------------------------------------------------------------------------

def test_register_then_cancel(web_client, web_app, make_participant, make_episode):
    from asnbelajar.registrations.models import Registration

    make_participant()
    episode_id = make_episode()
    login(web_client)
    response = web_client.post(f"/episodes/{episode_id}/register", follow_redirects=True)
    assert "Anda terdaftar" in text_of(response)
    mine = text_of(web_client.get("/me/registrations"))
    assert "Episode 1" in mine and "Terdaftar" in mine
    response = web_client.post(f"/episodes/{episode_id}/cancel", follow_redirects=True)
    assert "dibatalkan" in text_of(response)
    with web_app.app_context():
        status = db.session.scalar(select(Registration.status))
        assert status == "cancelled"


def test_full_episode_puts_participant_on_waitlist_with_position(
        web_client, make_participant, make_episode, ctx):
    from asnbelajar.accounts.models import User
    from asnbelajar.registrations.services import register

    first = make_participant(email="first@example.go.id", nip=NIP_OTHER)
    make_participant()
    episode_id = make_episode(capacity=1)
    with ctx():
        register(episode_id, db.session.get(User, first))
        db.session.commit()
    login(web_client)
    response = web_client.post(f"/episodes/{episode_id}/register", follow_redirects=True)
    assert "daftar tunggu, posisi 1" in text_of(response)
    assert "posisi 1" in text_of(web_client.get("/me/registrations"))


def test_register_asks_for_a_complete_profile_first(web_client, make_user, make_episode):
    make_user("baru@example.go.id", "participant")
    episode_id = make_episode()
    login(web_client, "baru@example.go.id")
    response = web_client.post(f"/episodes/{episode_id}/register")
    assert response.headers["Location"].startswith("/me/profile")


def test_register_requires_login_and_post(web_client, make_episode):
    episode_id = make_episode()
    assert web_client.get(f"/episodes/{episode_id}/register").status_code == 405
    response = web_client.post(f"/episodes/{episode_id}/register")
    assert response.headers["Location"].startswith("/login")


def test_register_for_unknown_episode_is_404(web_client, make_participant):
    make_participant()
    login(web_client)
    assert web_client.post("/episodes/999/register").status_code == 404


def test_my_registrations_offers_checkin_while_live(web_client, make_participant,
                                                    make_episode, ctx):
    from asnbelajar.accounts.models import User
    from asnbelajar.registrations.services import register

    user_id = make_participant()
    episode_id = make_episode(starts_in=timedelta(minutes=-10))
    with ctx():
        register(episode_id, db.session.get(User, user_id), walk_in=True)
        db.session.commit()
    login(web_client)
    html = text_of(web_client.get("/me/registrations"))
    assert f"/episodes/{episode_id}/checkin" in html
    assert f"/episodes/{episode_id}/evaluation" in html


# --- ledger -------------------------------------------------------------------------------

def test_dashboard_shows_jp_against_target(web_client, make_participant, finished_episode,
                                           clock):
    user_id = make_participant()
    finished_episode(user_id, hours=3)  # 4 JP
    clock(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    login(web_client)
    html = text_of(web_client.get("/me"))
    assert "4 dari 20 JP" in html
    assert "Kurang 16 JP lagi" in html


def test_organizer_dashboard_redirects_to_console(web_client, make_user):
    make_user("org@example.go.id", "organizer")
    login(web_client, "org@example.go.id")
    assert web_client.get("/me").headers["Location"].endswith("/console")


def test_ledger_lists_only_own_entries_for_the_year(web_client, make_participant,
                                                    finished_episode):
    user_id = make_participant()
    other_id = make_participant(email="other@example.go.id", nip=NIP_OTHER)
    episode_id, _code = finished_episode(user_id)
    login(web_client, "other@example.go.id")
    assert f"/episodes/{episode_id}" not in text_of(web_client.get("/me/ledger?year=2024"))
    web_client.post("/logout")
    login(web_client)
    html = text_of(web_client.get("/me/ledger?year=2024"))
    assert f"/episodes/{episode_id}" in html
    assert '<option value="2024" selected>' in html
    assert web_client.get("/me/ledger?year=1999").status_code == 404
    assert other_id != user_id


# --- certificates -------------------------------------------------------------------------

def test_owner_downloads_pdf(web_client, make_participant, finished_episode):
    user_id = make_participant()
    _episode_id, code = finished_episode(user_id)
    login(web_client)
    assert code in text_of(web_client.get("/me/certificates"))
    response = web_client.get(f"/certificates/{code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert "sertifikat-00001-ASNB-01-II-2024.pdf" in disposition


def test_pdf_download_access(web_client, web_app, make_participant, make_user,
                             finished_episode):
    from asnbelajar.accounts.models import User
    from asnbelajar.accounts.sessions import issue_api_token

    user_id = make_participant()
    make_participant(email="other@example.go.id", nip=NIP_OTHER)
    make_user("org@example.go.id", "organizer")
    _episode_id, code = finished_episode(user_id)
    url = f"/certificates/{code}.pdf"
    browser = web_client.get(url, headers={"Accept": "text/html"})
    assert browser.status_code == 302 and "/login" in browser.headers["Location"]
    assert web_client.get(url, headers={"Accept": "application/pdf"}).status_code == 401
    with web_app.app_context():
        token = issue_api_token(db.session.get(User, user_id))
        db.session.commit()
    bearer = web_app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    login(web_client, "other@example.go.id")
    assert web_client.get(url).status_code == 403
    web_client.post("/logout")
    login(web_client, "org@example.go.id")
    assert web_client.get(url).status_code == 200
    assert web_client.get("/certificates/unknown-code.pdf").status_code == 404


def test_verify_page_shows_masked_nip_only(web_client, make_participant, finished_episode):
    user_id = make_participant()
    _episode_id, code = finished_episode(user_id)
    response = web_client.get(f"/verify/{code}")
    html = text_of(response)
    assert response.status_code == 200
    assert "Sertifikat SAH" in html
    assert "Siti Rahmawati" in html
    assert NIP_PNS not in html and "siti@example.go.id" not in html
    assert NIP_PNS[-4:] in html
    assert "00001/ASNB/01/II/2024" in html.replace("<wbr>", "")  # wraps only at a "/"
    assert response.headers["X-Robots-Tag"].startswith("noindex")


def test_verify_page_for_revoked_and_unknown_codes(web_client, web_app, make_participant,
                                                   finished_episode):
    from asnbelajar.certificates.services import certificate_by_code, revoke_certificate

    user_id = make_participant()
    _episode_id, code = finished_episode(user_id)
    with web_app.test_request_context():
        revoke_certificate(certificate_by_code(code), reason="Data ganda", actor_id=None)
        db.session.commit()
    html = text_of(web_client.get(f"/verify/{code}"))
    assert "DICABUT" in html and "Data ganda" in html
    missing = web_client.get("/verify/no-such-code")
    assert missing.status_code == 404
    assert "tidak ditemukan" in text_of(missing)


def test_verify_form_redirects_to_the_page(web_client):
    assert web_client.get("/verify").status_code == 200
    response = web_client.get("/verify?code=abc123")
    assert response.headers["Location"].endswith("/verify/abc123")
    pasted = web_client.get("/verify?code=https://asnbelajar.test/verify/xyz789/")
    assert pasted.headers["Location"].endswith("/verify/xyz789")


# --- evaluations --------------------------------------------------------------------------

def _scores(**overrides):
    data = {"material": "5", "speaker": "4", "organization": "4", "relevance": "3",
            "comment": "Bermanfaat"}
    data.update(overrides)
    return data


def test_evaluation_form_submits_once(web_client, web_app, make_participant, make_episode,
                                      ctx):
    from asnbelajar.accounts.models import User
    from asnbelajar.evaluations.models import Evaluation
    from asnbelajar.registrations.services import register

    user_id = make_participant()
    episode_id = make_episode(starts_in=timedelta(minutes=-30))
    with ctx():
        register(episode_id, db.session.get(User, user_id), walk_in=True)
        db.session.commit()
    login(web_client)
    page = text_of(web_client.get(f"/episodes/{episode_id}/evaluation"))
    for label in ("Materi", "Narasumber", "Penyelenggaraan", "Relevansi dengan pekerjaan"):
        assert label in page
    missing = web_client.post(f"/episodes/{episode_id}/evaluation",
                              data=_scores(speaker=""))
    assert 'id="speaker-error"' in text_of(missing)
    response = web_client.post(f"/episodes/{episode_id}/evaluation", data=_scores(),
                               follow_redirects=True)
    assert "Terima kasih" in text_of(response)
    with web_app.app_context():
        evaluation = db.session.scalar(select(Evaluation))
        assert (evaluation.score_material, evaluation.score_relevance) == (5, 3)
    again = web_client.get(f"/episodes/{episode_id}/evaluation")
    assert "Terima kasih" in text_of(again)


def test_evaluation_explains_when_it_is_not_open(web_client, make_participant, make_episode):
    make_participant()
    episode_id = make_episode()
    login(web_client)
    html = text_of(web_client.get(f"/episodes/{episode_id}/evaluation"))
    assert "hanya dapat diisi oleh peserta yang terdaftar" in html
    response = web_client.post(f"/episodes/{episode_id}/evaluation", data=_scores())
    assert response.status_code == 200  # no submission attempted
    assert web_client.get("/episodes/999/evaluation").status_code == 404


# --- email templates ----------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "password_reset", "registration_confirmed", "registration_waitlisted",
    "registration_promoted", "episode_moved", "episode_cancelled", "certificate_ready",
    "reminder",
])
def test_email_templates_render_in_indonesian(web_app, make_participant, make_episode, name):
    from asnbelajar.accounts.models import User
    from asnbelajar.episodes.models import Episode
    from asnbelajar.notifications.services import render_email

    user_id = make_participant()
    episode_id = make_episode()
    with web_app.test_request_context():
        user = db.session.get(User, user_id)
        episode = db.session.get(Episode, episode_id)
        context = {"user": user, "episode": episode}
        if name == "password_reset":
            context = {"user": user, "link": "http://asnbelajar.test/reset-password/t",
                       "minutes": 60}
        elif name in ("episode_moved", "episode_cancelled", "certificate_ready"):
            context["user"] = None
        elif name == "registration_waitlisted":
            context["position"] = 3
        elif name == "reminder":
            context["when"] = "besok"
        subject, text, html = render_email(name, **context)
    assert subject and "\n" not in subject and "{{" not in subject
    assert "Yth." in text and "Tim ASN Belajar" in text
    assert "<html" in html and "<script" not in html
    if name == "certificate_ready":
        assert "http://asnbelajar.test/me/certificates" in text
    elif name != "password_reset":
        assert f"http://asnbelajar.test/episodes/{episode_id}" in text
        assert "WIB" in text
        assert ("zoom.us" in text) == (name in ("registration_confirmed",
                                                "registration_promoted", "reminder"))
    if context.get("user") is None:
        assert "Bapak/Ibu peserta" in text
