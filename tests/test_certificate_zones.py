"""A certificate prints the episode's day and hours in its holder's zone, the zone named:
a 09.00 WIB episode is 10.00 WITA for a participant from Bali and 11.00 WIT for one from
Papua. The zone is frozen with the certificate; certificates issued before keep their
day-only text. The public verification page names the zone of every time it shows."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from asnbelajar.attendance.services import finalize_episode, mark_attendance
from asnbelajar.certificates.models import Certificate
from asnbelajar.certificates.services import render_pdf
from asnbelajar.extensions import db as _db
from asnbelajar.registrations.services import register

# Friday 1 March 2024, 09.00-11.00 WIB.
START = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def _pdf_text(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


@pytest.fixture
def certified(make_episode, make_participant, organizer, clock):
    """Three participants, from Jawa Barat (WIB), Bali (WITA) and Papua (WIT), attended;
    the episode is finalized at 23.30 WIB, already the next day in WITA and WIT."""
    people = {
        "WIB": make_participant(full_name="Asep Sunandar", province="Jawa Barat"),
        "WITA": make_participant(full_name="Made Wirawan", province="Bali",
                                 instansi="Pemerintah Provinsi Bali"),
        "WIT": make_participant(full_name="Yosina Wonda", province="Papua",
                                instansi="Pemerintah Provinsi Papua"),
    }
    assert [u.timezone for u in people.values()] == [
        "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
    clock.set(START - timedelta(days=7))
    episode = make_episode(starts_in=timedelta(days=7), hours=2, number=41)
    for user in people.values():
        register(episode.id, user)
    _db.session.commit()
    clock.set(datetime(2024, 3, 1, 16, 30, tzinfo=UTC))  # 23.30 WIB, 00.30 WITA, 01.30 WIT
    for user in people.values():
        mark_attendance(episode, user.id, attended=True, reason="Hadir",
                        actor_id=organizer.id)
    finalize_episode(episode.id, actor_id=organizer.id, notify=False)
    _db.session.commit()
    certs = {zone: _db.session.scalar(select(Certificate).where(Certificate.user_id == u.id))
             for zone, u in people.items()}
    return episode, people, certs


@pytest.mark.parametrize("zone, name, held, issued", [
    ("WIB", "Asia/Jakarta", "Jumat, 1 Maret 2024, pukul 09.00–11.00 WIB", "1 Maret 2024"),
    ("WITA", "Asia/Makassar", "Jumat, 1 Maret 2024, pukul 10.00–12.00 WITA", "2 Maret 2024"),
    ("WIT", "Asia/Jayapura", "Jumat, 1 Maret 2024, pukul 11.00–13.00 WIT", "2 Maret 2024"),
])
def test_certificate_prints_the_holders_zone(certified, zone, name, held, issued):
    _episode, _people, certs = certified
    cert = certs[zone]
    assert cert.timezone == name  # frozen with the certificate
    text = _pdf_text(render_pdf(cert))
    assert f"yang diselenggarakan pada {held}" in text
    assert f"Diterbitkan pada {issued}" in text
    others = {"WIB", "WITA", "WIT"} - {zone}
    assert not any(f"{other} " in text + " " for other in others), text


def test_the_download_is_the_same_pdf(client, login, certified):
    _episode, people, certs = certified
    login(people["WIT"])
    response = client.get(f"/certificates/{certs['WIT'].verification_code}.pdf")
    assert response.status_code == 200
    assert "pukul 11.00–13.00 WIT" in _pdf_text(response.data)


def test_certificates_issued_before_keep_their_text(certified):
    _episode, _people, certs = certified
    cert = certs["WIT"]
    # As stored before certificates froze a zone.
    cert.timezone = cert.held_from = cert.held_until = None
    cert.held_on = START.date()
    _db.session.commit()
    text = _pdf_text(render_pdf(cert))
    assert "yang diselenggarakan pada Jumat, 1 Maret 2024 dengan" in text
    assert "pukul" not in text and "WIT" not in text
    assert "Diterbitkan pada 1 Maret 2024" in text  # the issue day in WIB, as before


def test_a_later_zone_change_does_not_move_an_issued_certificate(certified):
    _episode, people, certs = certified
    people["WIT"].timezone = "Asia/Jakarta"
    _db.session.commit()
    assert "pukul 11.00–13.00 WIT" in _pdf_text(render_pdf(certs["WIT"]))


def test_verify_page_names_the_zone(client, certified):
    _episode, _people, certs = certified
    code = certs["WIT"].verification_code
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    # An anonymous visitor without a zone cookie reads WIB, and is told so.
    assert "Jumat, 1 Maret 2024, pukul 09.00–11.00 WIB" in page
    assert "Jumat, 1 Maret 2024, pukul 23.30 WIB" in page  # issued
    client.set_cookie("tz", "Asia/Jayapura")
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Jumat, 1 Maret 2024, pukul 11.00–13.00 WIT" in page
    assert "Sabtu, 2 Maret 2024, pukul 01.30 WIT" in page
