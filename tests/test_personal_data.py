"""Personal data (UU PDP 27/2022): privacy notice, download of one's own data, and account
deletion by anonymization that keeps the ledger consistent and certificates verifiable."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from asnbelajar.accounts.models import ApiToken, ParticipantProfile, User
from asnbelajar.accounts.privacy import anonymize_user, export_personal_data
from asnbelajar.accounts.services import (
    CONSENT_VERSION,
    ProfileData,
    authenticate,
    sign_up,
)
from asnbelajar.errors import Conflict
from asnbelajar.timeutil import now_utc, to_local

PASSWORD = "rahasia123"


# --- helpers ------------------------------------------------------------------------------

def _finished_with_certificate(db, organizer, make_episode, *people, evaluate=None):
    """An episode the given participants attended, finalized: verdicts, JP credit and a
    certificate each. ``evaluate`` (one of them) also fills in the evaluation."""
    from asnbelajar.attendance.services import check_in, finalize_episode, mark_attendance
    from asnbelajar.evaluations.services import submit_evaluation
    from asnbelajar.registrations.services import register

    episode = make_episode(starts_in=timedelta(minutes=-5))
    for person in people:
        register(episode.id, person)
        check_in(episode.id, person, "awal23", ip="10.0.0.7")
        mark_attendance(episode, person.id, attended=True, reason="hadir di ruang rapat",
                        actor_id=organizer.id)
    if evaluate is not None:
        submit_evaluation(episode, evaluate, {"material": 5, "speaker": 4,
                                              "organization": 4, "relevance": 5},
                          "Materi talenta sangat relevan")
    db.session.commit()
    finalize_episode(episode.id, actor_id=organizer.id, force=True)
    db.session.commit()
    return episode


def _certificate_of(db, user_id):
    from asnbelajar.certificates.models import Certificate

    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))


@contextmanager
def _count_queries(db):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _delete(client, password=PASSWORD, confirmation="HAPUS"):
    return client.post("/me/delete", data={"password": password,
                                           "confirmation": confirmation})


# --- privacy notice -----------------------------------------------------------------------

def test_privacy_notice_states_version_purpose_retention_rights_and_contact(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert CONSENT_VERSION in html
    for heading in ("Data yang kami proses", "Tujuan dan dasar pemrosesan", "Masa simpan",
                    "Hak Anda", "Kontak"):
        assert heading in html
    assert "Unduh data saya" in html and "Hapus akun" in html
    assert 'id="certificates-after-deletion"' in html  # why certificates stay verifiable


def test_privacy_notice_shows_a_configured_contact(app_factory):
    app = app_factory(PRIVACY_CONTACT_EMAIL="privasi@bpsdm.example.go.id")
    with app.app_context():
        html = app.test_client().get("/privacy").get_data(as_text=True)
    assert 'href="mailto:privasi@bpsdm.example.go.id"' in html


# --- download my data ---------------------------------------------------------------------

def test_my_data_is_a_json_attachment_with_the_users_data_only(
        client, db, login, make_participant, make_episode, organizer, token_for):
    owner = make_participant(full_name="Siti Rahmawati, S.Kom.", email="siti@example.go.id")
    other = make_participant(full_name="Budi Santoso, M.Si.", email="budi@example.go.id")
    token_for(owner)
    episode = _finished_with_certificate(db, organizer, make_episode, owner, other,
                                         evaluate=owner)
    upcoming = make_episode(title="Literasi Digital untuk ASN")
    from asnbelajar.registrations.services import register
    register(upcoming.id, owner)
    register(upcoming.id, other)
    db.session.commit()
    cert = _certificate_of(db, owner.id)

    login(owner)
    response = client.get("/me/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    today = to_local(now_utc(), owner.timezone).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="asnbelajar-data-saya-{today}.json"')
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data(as_text=True)
    data = json.loads(raw)
    assert data["account"]["email"] == "siti@example.go.id"
    assert data["account"]["full_name"] == "Siti Rahmawati, S.Kom."
    assert data["account"]["role"] == "participant"
    assert {"created_at", "locale", "timezone"} <= set(data["account"])
    assert data["profile"]["nip"] == owner.profile.nip
    assert data["profile"]["consent_version"] == CONSENT_VERSION
    assert data["profile"]["consent_at"]
    assert data["profile"]["instansi"] == "Pemerintah Provinsi Jawa Barat"
    assert [r["episode"]["title"] for r in data["registrations"]] == [
        "Manajemen Talenta ASN", "Literasi Digital untuk ASN"]
    assert data["registrations"][0]["episode"]["label"] == episode.label
    assert data["check_ins"][0]["checkpoint"] == "awal"
    assert data["attendance_verdicts"][0]["attended"] is True
    assert data["attendance_marks"][0]["reason"] == "hadir di ruang rapat"
    assert data["evaluations"][0]["comment"] == "Materi talenta sangat relevan"
    assert [e["kind"] for e in data["ledger_entries"]] == ["episode_credit"]
    assert data["ledger_jp_by_year"] == {str(episode.year): episode.jp}
    [exported] = data["certificates"]
    assert exported["number"] == cert.number
    assert exported["verification_code"] == cert.verification_code
    assert exported["verify_url"] == f"http://asnbelajar.test/verify/{cert.verification_code}"
    assert len(data["api_tokens"]) == 1 and "token_hash" not in raw
    # Nothing of the other participant, who shares both episodes.
    for secret in ("budi@example.go.id", "Budi Santoso", other.profile.nip,
                   _certificate_of(db, other.id).verification_code):
        assert secret not in raw
    assert "password" not in raw


def test_export_runs_the_same_few_queries_however_much_data(
        db, make_participant, make_episode, organizer):
    from asnbelajar.registrations.services import register

    light = make_participant()
    heavy = make_participant()
    for _ in range(3):
        _finished_with_certificate(db, organizer, make_episode, heavy, evaluate=heavy)
    for _ in range(2):
        register(make_episode().id, heavy)
    register(make_episode().id, light)
    db.session.commit()

    counts = []
    for person_id in (light.id, heavy.id):
        db.session.expunge_all()
        with _count_queries(db) as statements:
            data = export_personal_data(person_id)
        counts.append(len(statements))
    assert len(data["certificates"]) == 3 and len(data["registrations"]) == 5
    assert counts[0] == counts[1] <= 12


def test_my_data_needs_a_logged_in_participant(client, login, organizer):
    response = client.get("/me/data.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(organizer)
    assert client.get("/me/data.json").status_code == 403


# --- account deletion ---------------------------------------------------------------------

def test_delete_page_explains_the_consequences(client, login, make_participant):
    login(make_participant())
    html = client.get("/me/delete").get_data(as_text=True)
    assert "tidak dapat dibatalkan" in html
    assert "HAPUS" in html and 'name="password"' in html
    assert "NIP tersamar" in html  # certificates stay verifiable, and why
    assert 'href="/me/data.json"' in html


def test_delete_needs_a_logged_in_participant(client, db, login, organizer):
    for method in (client.get, client.post):
        response = method("/me/delete")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(organizer)
    assert client.get("/me/delete").status_code == 403
    assert _delete(client).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, organizer.id).anonymized_at is None


@pytest.mark.parametrize(("password", "confirmation", "field"), [
    ("salah-sekali", "HAPUS", "password"),
    (PASSWORD, "hapus akun", "confirmation"),
    (PASSWORD, "", "confirmation"),
])
def test_wrong_password_or_confirmation_word_changes_nothing(
        client, db, login, make_participant, password, confirmation, field):
    user = make_participant(email="tetap@example.go.id")
    login(user)
    response = _delete(client, password, confirmation)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.email == "tetap@example.go.id" and saved.anonymized_at is None
    assert saved.profile.nip and not saved.profile.anonymized
    assert client.get("/me/profile").status_code == 200  # still logged in


def test_delete_anonymizes_the_account_and_logs_out(client, db, login, make_participant,
                                                    token_for):
    from asnbelajar.audit.models import AuditEvent

    user = make_participant(email="siti@example.go.id", full_name="Siti Rahmawati")
    user_id, nip, instansi_id = user.id, user.profile.nip, user.profile.instansi_id
    headers = token_for(user)
    assert client.get("/api/v1/me/ledger", headers=headers).status_code == 200
    login(user)

    response = _delete(client, confirmation=" hapus ")
    assert response.status_code == 302 and response.headers["Location"] == "/"

    db.session.expire_all()
    saved = db.session.get(User, user_id)
    assert saved.email == f"deleted-{user_id}@anonymized.invalid"
    assert saved.full_name == f"Peserta Terhapus #{user_id}"
    assert saved.password_hash is None and saved.active is False
    assert saved.anonymized_at is not None
    prof = saved.profile
    assert prof.anonymized is True and prof.instansi_id == instansi_id
    assert (prof.nip, prof.birth_date, prof.gender, prof.phone, prof.unit_kerja,
            prof.jabatan, prof.pangkat_golongan, prof.province) == (None,) * 8
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))) == 0
    assert client.get("/api/v1/me/ledger", headers=headers).status_code == 401
    # Logged out: the session no longer opens private pages.
    assert client.get("/me/profile").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.anonymize"))
    assert (event.actor_id, event.object_type, event.object_id) == (user_id, "user", user_id)
    assert "siti" not in json.dumps(event.after).lower() and nip not in json.dumps(event.after)


def test_login_fails_after_deletion(client, db, login, make_participant):
    user = make_participant(email="siti@example.go.id")
    nip = user.profile.nip
    login(user)
    _delete(client)
    assert authenticate("siti@example.go.id", PASSWORD) is None
    assert authenticate(nip, PASSWORD) is None
    response = client.post("/login", data={"login": "siti@example.go.id",
                                           "password": PASSWORD})
    assert response.status_code == 200 and "salah" in response.get_data(as_text=True)
    # An old session cookie is no longer honoured either.
    login(user)
    assert client.get("/me/profile").status_code == 302


def test_ledger_and_certificates_survive_deletion(client, db, login, make_participant,
                                                  make_episode, organizer):
    from asnbelajar.ledger.services import ledger_for
    from asnbelajar.registrations.models import Registration

    user = make_participant(full_name="Siti Rahmawati, S.Kom.")
    nip = user.profile.nip
    episode = _finished_with_certificate(db, organizer, make_episode, user)
    cert = _certificate_of(db, user.id)
    total = ledger_for(user.id, episode.year).total_jp
    assert total == episode.jp

    anonymize_user(user.id, actor_id=user.id, reason="test")
    db.session.commit()

    db.session.expire_all()
    assert ledger_for(user.id, episode.year).total_jp == total
    # A finalized episode keeps its history: the registration is not rewritten.
    assert db.session.scalar(select(Registration.status).where(
        Registration.user_id == user.id)) == "registered"
    verified = client.get(f"/api/v1/verify/{cert.verification_code}").json
    assert verified["valid"] is True and verified["revoked"] is False
    assert verified["name"] == "Siti Rahmawati, S.Kom."  # as printed on the certificate
    assert verified["nip_masked"].endswith(nip[-4:]) and nip not in json.dumps(verified)
    assert client.get(f"/verify/{cert.verification_code}").status_code == 200


def test_deletion_cancels_upcoming_registrations_and_promotes_the_waitlist(
        db, make_participant, make_episode):
    from asnbelajar.notifications.models import OutboxEmail
    from asnbelajar.registrations.models import Registration
    from asnbelajar.registrations.services import get_registration, register

    user = make_participant()
    waiting = make_participant(email="menunggu@example.go.id")
    full = make_episode(capacity=1)
    roomy = make_episode()
    assert register(full.id, user).status == "registered"
    assert register(full.id, waiting).status == "waitlisted"
    register(roomy.id, user)
    db.session.commit()

    summary = anonymize_user(user.id, actor_id=user.id, reason="test")
    db.session.commit()

    assert (summary.registrations_cancelled, summary.promoted) == (2, 1)
    db.session.expire_all()
    statuses = db.session.scalars(select(Registration.status).where(
        Registration.user_id == user.id)).all()
    assert statuses == ["cancelled", "cancelled"]
    assert get_registration(full.id, waiting.id).status == "registered"
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.to_addr == "menunggu@example.go.id",
        OutboxEmail.dedupe_key.like("promoted:%"))) == 1


def test_same_email_and_nip_can_sign_up_again(client, db, login, make_participant):
    old = make_participant(email="siti@example.go.id")
    nip = old.profile.nip
    login(old)
    _delete(client)

    new = sign_up(email="Siti@Example.go.id", password="katasandibaru", full_name="Siti",
                  consent=True, profile=ProfileData(nip=nip, employee_type="pns",
                                                    instansi="Pemerintah Kota Bandung",
                                                    province="Jawa Barat"))
    db.session.commit()
    assert new.id != old.id and new.profile.nip == nip
    assert authenticate(nip, "katasandibaru").id == new.id
    assert db.session.scalar(select(func.count()).select_from(ParticipantProfile).where(
        ParticipantProfile.nip.is_(None), ParticipantProfile.anonymized.is_(True))) == 1


def test_an_account_is_anonymized_once(db, make_participant):
    user = make_participant()
    anonymize_user(user.id, actor_id=user.id, reason="test")
    db.session.commit()
    with pytest.raises(Conflict):
        anonymize_user(user.id, actor_id=user.id, reason="test")


def test_delete_form_without_csrf_token_is_refused(app_factory, make_participant):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from asnbelajar.extensions import db

        user = make_participant()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
        assert _delete(client).status_code == 400
        page = client.get("/me/delete").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        db.session.expire_all()
        assert db.session.get(User, user.id).anonymized_at is None
        response = client.post("/me/delete", data={"password": PASSWORD,
                                                   "confirmation": "HAPUS",
                                                   "csrf_token": token})
        assert response.status_code == 302
