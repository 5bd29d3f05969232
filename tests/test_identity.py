"""Identity assurance (issue 9, item 2): email verification, the speaker take-over path,
NIP disputes, the organizer's review queue and the agency-list import."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from asnbelajar.accounts.models import NipDispute, ParticipantProfile, User
from asnbelajar.audit.models import AuditEvent
from asnbelajar.notifications.models import OutboxEmail

PASSWORD = "rahasia123"
SIGNUP = {"full_name": "Siti Aminah", "password": PASSWORD, "confirm": PASSWORD,
          "employee_type": "pns", "instansi": "Pemerintah Provinsi Jawa Barat",
          "province": "Jawa Barat", "consent": "y"}


def _link(db, to_addr: str, path: str) -> str:
    db.session.expire_all()
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_addr == to_addr)
                                .order_by(OutboxEmail.id)).all()
    for email in reversed(emails):
        found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s\"<]+)",
                          email.body_text)
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link mailed to {to_addr}")


def _user(db, email) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_signup_sends_a_verification_link_and_the_profile_shows_the_state(app, client, db):
    response = client.post("/signup", data={**SIGNUP, "email": "baru@example.go.id",
                                            "nip": "19900101 201501 2 001"})
    assert response.status_code == 302
    assert _user(db, "baru@example.go.id").email_verified_at is None
    assert "Email belum dikonfirmasi" in client.get("/me/profile").get_data(as_text=True)
    link = _link(db, "baru@example.go.id", "/verify-email/")

    def mailed():
        return len(db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_addr == "baru@example.go.id")).all())

    assert mailed() == 1
    assert client.post("/me/verify-email").status_code == 302  # resend
    assert mailed() == 2

    forged = client.get(link[:-3] + "xyz")
    assert forged.status_code == 400 and 'data-state="token_invalid"' in forged.get_data(
        as_text=True)
    page = app.test_client().get(link)  # any browser: the link itself is the proof
    assert page.status_code == 200 and 'data-state="verified"' in page.get_data(as_text=True)
    assert _user(db, "baru@example.go.id").email_verified_at is not None
    assert "Email terkonfirmasi" in client.get("/me/profile").get_data(as_text=True)


def test_verification_link_expires(app_factory, clock):
    from asnbelajar.accounts.services import create_user, make_verify_token
    from asnbelajar.extensions import db

    app = app_factory(EMAIL_VERIFY_MAX_AGE=3600)
    with app.app_context():
        user = create_user(email="exp@example.go.id", password=PASSWORD, role="participant")
        user.email_verified_at = None
        db.session.commit()
        token = make_verify_token(user)
    clock.advance(hours=2)
    page = app.test_client().get(f"/verify-email/{token}")
    assert page.status_code == 400 and 'data-state="token_expired"' in page.get_data(as_text=True)


def test_api_signup_is_unverified_and_mails_a_link(client, db):
    response = client.post("/api/v1/participants", json={
        "email": "api@example.go.id", "password": PASSWORD, "full_name": "Api Peserta",
        "instansi": "Pemerintah Provinsi Jawa Barat", "consent": True})
    assert response.status_code == 201
    assert _user(db, "api@example.go.id").email_verified_at is None
    assert _link(db, "api@example.go.id", "/verify-email/")


def test_speaker_takeover_by_signing_up_first_is_blocked(app, client, db, login, organizer):
    from asnbelajar.speakers.services import create_speaker

    squatter = app.test_client()
    assert squatter.post("/signup", data={**SIGNUP, "email": "rina@univ.ac.id",
                                          "employee_type": "non_asn"}).status_code == 302
    squatter_id = _user(db, "rina@univ.ac.id").id

    speaker = create_speaker({"name": "Dr. Rina", "email": "rina@univ.ac.id"}, organizer.id)
    db.session.commit()
    assert speaker.user_id is None  # an unproven address is never linked
    login(organizer)
    response = client.post(f"/console/speakers/{speaker.id}/invite", follow_redirects=True)
    assert "belum membuktikan alamatnya" in response.get_data(as_text=True)
    db.session.expire_all()
    assert speaker.user_id is None
    assert squatter.get("/speaker").status_code == 403

    # The real speaker reads the invitation in their own mailbox and follows it.
    link = _link(db, "rina@univ.ac.id", "/invitation/")
    speaker_browser = app.test_client()
    assert speaker_browser.get(link).status_code == 200
    assert speaker_browser.post(link, data={"password": "milik-rina-1",
                                            "confirm": "milik-rina-1"}).status_code == 302
    db.session.expire_all()
    assert speaker.user_id == squatter_id
    assert _user(db, "rina@univ.ac.id").email_verified_at is not None
    # The squatter's session is over and their password no longer works.
    assert squatter.get("/me/data.json").status_code == 302
    assert app.test_client().post("/login", data={"login": "rina@univ.ac.id",
                                                  "password": PASSWORD}).status_code == 200
    assert speaker_browser.post("/login", data={"login": "rina@univ.ac.id",
                                                "password": "milik-rina-1"}).status_code == 302
    assert speaker_browser.get("/speaker").status_code == 200
    # Single use.
    assert app.test_client().get(link).status_code == 422


def test_nip_claim_dispute_flow(app, client, db, login, organizer, make_participant):
    nip = "19880714 201203 2 003"
    holder = make_participant(email="pemakai@example.go.id", nip=nip.replace(" ", ""))
    owner = app.test_client()
    taken = owner.post("/signup", data={**SIGNUP, "email": "pemilik@example.go.id", "nip": nip})
    html = taken.get_data(as_text=True)
    assert "NIP ini sudah terdaftar" in html and "/nip/dispute?nip=" in html
    api = client.post("/api/v1/participants", json={
        "email": "pemilik@example.go.id", "password": PASSWORD, "full_name": "Pemilik",
        "nip": nip, "instansi": "BKN", "consent": True})
    assert api.status_code == 409 and api.json["error"]["code"] == "nip_taken"

    bad = owner.post("/nip/dispute", data={"full_name": "Pemilik Asli",
                                           "email": "pemilik@example.go.id",
                                           "nip": "123", "statement": "NIP saya sendiri."})
    assert bad.status_code == 200 and not db.session.scalars(select(NipDispute)).all()
    sent = owner.post("/nip/dispute", data={
        "full_name": "Pemilik Asli", "email": "pemilik@example.go.id", "nip": nip,
        "statement": "Ini NIP saya sejak 2012, unit Bidang Mutasi."})
    assert sent.status_code == 200 and 'id="dispute-sent"' in sent.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ParticipantProfile, holder.id).nip_status == "disputed"
    dispute = db.session.scalar(select(NipDispute))

    login(organizer)
    queue = client.get("/console/nip")
    assert queue.status_code == 200 and "Pemilik Asli" in queue.get_data(as_text=True)
    assert client.post(f"/console/nip/disputes/{dispute.id}/decide",
                       data={"decision": "upheld", "note": "SK CPNS diperiksa"}
                       ).status_code == 302
    db.session.expire_all()
    profile = db.session.get(ParticipantProfile, holder.id)
    assert profile.nip is None and profile.employee_type == "non_asn"
    assert db.session.get(NipDispute, dispute.id).status == "upheld"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "nip.dispute_upheld"))
    assert event.actor_id == organizer.id and event.before["holder_nip"] == nip.replace(" ", "")
    # Decided once only.
    client.post(f"/console/nip/disputes/{dispute.id}/decide", data={"decision": "rejected"})
    assert db.session.get(NipDispute, dispute.id).status == "upheld"
    # The owner may now register with it.
    again = app.test_client().post("/api/v1/participants", json={
        "email": "pemilik@example.go.id", "password": PASSWORD, "full_name": "Pemilik",
        "nip": nip, "instansi": "BKN", "consent": True})
    assert again.status_code == 201


def test_rejected_dispute_leaves_the_holder_self_declared(client, db, login, organizer,
                                                         make_participant):
    from asnbelajar.accounts.identity import submit_nip_dispute

    holder = make_participant()
    submit_nip_dispute(full_name="Orang Lain", email="lain@example.go.id",
                       nip=holder.profile.nip, statement="Saya kira ini NIP saya.")
    db.session.commit()
    dispute = db.session.scalar(select(NipDispute))
    login(organizer)
    client.post(f"/console/nip/disputes/{dispute.id}/decide", data={"decision": "rejected"})
    db.session.expire_all()
    profile = db.session.get(ParticipantProfile, holder.id)
    assert profile.nip == dispute.nip and profile.nip_status == "self_declared"


def test_agency_list_import_confirms_registered_nips(client, db, login, organizer,
                                                     make_participant):
    listed, unlisted = make_participant(), make_participant()
    csv_data = ("nama;nip\nA;" + listed.profile.nip + "\nB;19700101 199001 1 001\nC;bukan\n")
    login(organizer)
    response = client.post("/console/nip/import", data={
        "file": (io.BytesIO(csv_data.encode()), "daftar.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'id="import-result"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ParticipantProfile, listed.id).nip_status == "confirmed"
    assert db.session.get(ParticipantProfile, unlisted.id).nip_status == "self_declared"
    empty = client.post("/console/nip/import", data={"file": (io.BytesIO(b""), "x.csv")},
                        content_type="multipart/form-data")
    assert empty.status_code == 422


def test_nip_queue_is_for_organizers_only(client, make_participant, login):
    assert client.get("/console/nip").status_code == 302
    login(make_participant())
    assert client.get("/console/nip").status_code == 403
    assert client.post("/console/nip/confirm", data={"nip": "1"}).status_code == 403
