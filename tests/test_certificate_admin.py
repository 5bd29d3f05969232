"""Organizers find, revoke and reissue certificates; the JP credit follows, and the
public verification says DICABUT with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from asnbelajar.audit.models import AuditEvent
from asnbelajar.certificates.models import Certificate
from asnbelajar.extensions import db as _db
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.ledger.services import ledger_for, live_credit

from .test_ledger import entries_of, finish_episode, sql_total


@pytest.fixture
def certified(make_episode, make_participant, organizer, clock):
    """Siti attended a finalized episode: one certificate, one credit; now is March."""
    siti = make_participant(full_name="Siti Rahmawati", nip="199001012015032001")
    episode = finish_episode(make_episode, organizer, clock, [siti],
                             title="Manajemen Talenta ASN")
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    cert = _db.session.scalar(select(Certificate).where(Certificate.user_id == siti.id))
    return siti, episode, cert


def certificates_of(user_id: int) -> list[Certificate]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                    .order_by(Certificate.id)))


def live_credits(user_id: int, episode_id: int) -> int:
    """Credits for the episode that no reversal negates, counted in SQL."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return _db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.user_id == user_id, LedgerEntry.episode_id == episode_id,
        LedgerEntry.kind == "episode_credit", LedgerEntry.id.not_in(reversed_ids)))


def test_revoke_says_dicabut_everywhere_and_reverses_the_credit(client, login, organizer,
                                                                certified):
    siti, episode, cert = certified
    code = cert.verification_code
    assert client.get(f"/api/v1/verify/{code}").json["valid"] is True
    assert sql_total(siti.id, 2024) == episode.jp

    login(organizer)
    confirm = client.get(f"/console/certificates/{cert.id}/revoke").get_data(as_text=True)
    assert cert.number in confirm and "data-confirm" in confirm
    assert f"Kredit {episode.jp} JP dari episode ini dibatalkan" in confirm
    response = client.post(f"/console/certificates/{cert.id}/revoke",
                           data={"reason": "Peserta terbukti tidak hadir"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/console/participants/{siti.id}/ledger#sertifikat")

    verdict = client.get(f"/api/v1/verify/{code}").json
    assert (verdict["valid"], verdict["revoked"]) == (False, True)
    assert verdict["revoked_reason"] == "Peserta terbukti tidak hadir"
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "DICABUT" in page and "Peserta terbukti tidak hadir" in page
    assert "19900101" not in page  # the public page still masks the NIP

    assert sql_total(siti.id, 2024) == 0 == ledger_for(siti.id, 2024).total_jp
    [reversal] = [e for e in entries_of(siti.id) if e.kind == "reversal"]
    assert reversal.reason == f"Sertifikat {cert.number} dicabut: Peserta terbukti tidak hadir"
    assert live_credits(siti.id, episode.id) == 0
    assert _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "certificate.revoke", AuditEvent.object_id == cert.id)) == 1

    # A second revoke changes nothing.
    again = client.post(f"/console/certificates/{cert.id}/revoke", data={"reason": "lagi"},
                        follow_redirects=True)
    assert "Sertifikat ini sudah dicabut." in again.get_data(as_text=True)
    assert len(entries_of(siti.id)) == 2
    assert certificates_of(siti.id)[0].revoked_reason == "Peserta terbukti tidak hadir"

    # The participant sees it too, and can no longer download the PDF from the ledger.
    login(siti)
    ledger = client.get("/me/ledger?year=2024").get_data(as_text=True)
    assert "Pembatalan" in ledger and "dicabut" in ledger
    assert f"/certificates/{code}.pdf" not in ledger


def test_revoke_needs_a_reason(client, login, organizer, certified):
    siti, episode, cert = certified
    login(organizer)
    response = client.post(f"/console/certificates/{cert.id}/revoke", data={"reason": " "})
    assert response.status_code == 422
    assert "Alasan pencabutan wajib diisi." in response.get_data(as_text=True)
    assert certificates_of(siti.id)[0].revoked_at is None
    assert sql_total(siti.id, 2024) == episode.jp


def test_reissue_gives_a_new_number_and_moves_the_credit(client, login, organizer,
                                                         certified):
    siti, episode, cert = certified
    old_number, old_code = cert.number, cert.verification_code
    login(organizer)
    confirm = client.get(f"/console/certificates/{cert.id}/reissue").get_data(as_text=True)
    assert "Terbitkan ulang" in confirm and "data-confirm" in confirm
    response = client.post(f"/console/certificates/{cert.id}/reissue",
                           data={"reason": "Perbaikan penulisan nama"}, follow_redirects=True)
    assert response.status_code == 200

    old, new = certificates_of(siti.id)
    assert old.number == old_number and old.revoked_at is not None
    assert old.revoked_reason == "Perbaikan penulisan nama"
    assert new.reissue_of_id == old.id and new.revoked_at is None
    assert new.number != old_number and new.verification_code != old_code
    assert f"Sertifikat baru {new.number} diterbitkan" in response.get_data(as_text=True)

    assert live_credits(siti.id, episode.id) == 1
    assert live_credit(siti.id, episode.id).certificate_id == new.id
    assert sql_total(siti.id, 2024) == episode.jp == ledger_for(siti.id, 2024).total_jp
    assert client.get(f"/api/v1/verify/{old_code}").json["revoked"] is True
    assert client.get(f"/api/v1/verify/{new.verification_code}").json["valid"] is True

    # The old one cannot be reissued a second time: it already has a replacement.
    blocked = client.get(f"/console/certificates/{old.id}/reissue").get_data(as_text=True)
    assert f"sudah diganti oleh {new.number}" in blocked
    client.post(f"/console/certificates/{old.id}/reissue", data={"reason": "x"})
    assert len(certificates_of(siti.id)) == 2
    assert live_credits(siti.id, episode.id) == 1


def test_a_revoked_certificate_can_be_reissued_once(client, login, organizer, certified):
    siti, episode, cert = certified
    login(organizer)
    client.post(f"/console/certificates/{cert.id}/revoke", data={"reason": "Salah peserta"})
    assert sql_total(siti.id, 2024) == 0
    client.post(f"/console/certificates/{cert.id}/reissue", data={"reason": ""})
    old, new = certificates_of(siti.id)
    assert old.revoked_reason == "Salah peserta" and new.is_valid
    assert live_credits(siti.id, episode.id) == 1 and sql_total(siti.id, 2024) == episode.jp


def test_admin_search_by_number_code_name_and_nip(client, login, organizer, certified,
                                                  make_participant):
    siti, _episode, cert = certified
    login(organizer)
    for query in (cert.number, cert.number.split("/")[0], cert.verification_code,
                  f"http://asnbelajar.test/verify/{cert.verification_code}", "rahmawati siti",
                  "2015 032 001"):
        html = client.get("/console/certificates", query_string={"q": query}).get_data(
            as_text=True).replace("<wbr>", "")  # the number may wrap only at its "/"
        assert cert.number in html, query
        assert f"/console/certificates/{cert.id}/revoke" in html
    nothing = client.get("/console/certificates?q=Budi").get_data(as_text=True)
    assert cert.number not in nothing and "Tidak ada sertifikat yang cocok" in nothing
    valid = client.get("/console/certificates?status=valid").get_data(
        as_text=True).replace("<wbr>", "")
    revoked = client.get("/console/certificates?status=revoked").get_data(
        as_text=True).replace("<wbr>", "")
    assert cert.number in valid and cert.number not in revoked


def test_participants_cannot_revoke_or_reissue(client, login, certified, make_participant):
    siti, episode, cert = certified
    for user in (siti, make_participant()):
        login(user)
        assert client.get("/console/certificates").status_code == 403
        assert client.get(f"/console/certificates/{cert.id}/revoke").status_code == 403
        assert client.post(f"/console/certificates/{cert.id}/revoke",
                           data={"reason": "saya sendiri"}).status_code == 403
        assert client.post(f"/console/certificates/{cert.id}/reissue").status_code == 403
    assert certificates_of(siti.id)[0].revoked_at is None
    assert sql_total(siti.id, 2024) == episode.jp


def test_unknown_certificate_is_404_and_next_stays_on_site(client, login, organizer,
                                                           certified):
    siti, _episode, cert = certified
    login(organizer)
    assert client.get("/console/certificates/99999/revoke").status_code == 404
    response = client.post(f"/console/certificates/{cert.id}/revoke",
                           data={"reason": "uji", "next": "https://evil.example/x"})
    assert response.headers["Location"].endswith(
        f"/console/participants/{siti.id}/ledger#sertifikat")


def test_reissuing_an_already_replaced_certificate_is_refused_by_the_service(
        db, make_participant, make_episode, organizer):
    from datetime import timedelta

    from asnbelajar.attendance.services import finalize_episode, mark_attendance
    from asnbelajar.certificates.models import Certificate
    from asnbelajar.certificates.services import reissue_certificate
    from asnbelajar.errors import Conflict
    from asnbelajar.registrations.services import register

    person = make_participant()
    episode = make_episode(starts_in=timedelta(minutes=-5))
    register(episode.id, person)
    db.session.commit()
    mark_attendance(episode, person.id, attended=True, reason="hadir", actor_id=organizer.id)
    finalize_episode(episode.id, actor_id=organizer.id, force=True)
    db.session.commit()
    original = db.session.query(Certificate).one()
    reissue_certificate(original, actor_id=organizer.id, reason="nama salah ketik")
    db.session.commit()
    with pytest.raises(Conflict):
        reissue_certificate(original, actor_id=organizer.id, reason="lagi")
