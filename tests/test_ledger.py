"""The JP ledger on the web: the participant's page, the organizers' view of any
participant with external credits (and their evidence) and reversals, and the totals
checked against an independent SQL sum."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text

from asnbelajar.attendance.services import finalize_episode, mark_attendance
from asnbelajar.audit.models import AuditEvent
from asnbelajar.extensions import db as _db
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.ledger.services import ledger_for, search_participants
from asnbelajar.registrations.services import register
from asnbelajar.uploads import upload_root

WHEN = datetime(2024, 2, 22, 6, 0, tzinfo=UTC)  # Kamis 22 Februari 2024, 13.00 WIB
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def finish_episode(make_episode, organizer, clock, participants, *, when=WHEN, **fields):
    """An episode held at ``when``, attended by ``participants`` (marked by an organizer)
    and finalized: each of them gets a certificate and an episode credit."""
    clock.set(when - timedelta(days=7))
    episode = make_episode(starts_in=timedelta(days=7), hours=2, **fields)
    for user in participants:
        register(episode.id, user)
    _db.session.commit()
    clock.set(when + timedelta(hours=3))
    for user in participants:
        mark_attendance(episode, user.id, attended=True, reason="Hadir di ruang bersama",
                        actor_id=organizer.id)
    finalize_episode(episode.id, actor_id=organizer.id, notify=False)
    _db.session.commit()
    return episode


def sql_total(user_id: int, year: int) -> int:
    """The balance straight from the table, bypassing every service."""
    return _db.session.execute(
        text("SELECT COALESCE(SUM(jp), 0) FROM ledger_entry WHERE user_id = :u AND year = :y"),
        {"u": user_id, "y": year}).scalar_one()


def entries_of(user_id: int) -> list[LedgerEntry]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id)
                                    .order_by(LedgerEntry.id)))


def evidence_files() -> list:
    folder = upload_root() / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


def credit_form(**overrides):
    data = {"credit-title": "Pelatihan Kepemimpinan Pengawas",
            "credit-provider": "LAN RI", "credit-occurred_on": "2024-02-10",
            "credit-jp": "8", "credit-note": "",
            "credit-evidence": (io.BytesIO(PDF_BYTES), "sertifikat-pkp.pdf")}
    data.update(overrides)
    return data


@pytest.fixture
def finished(make_episode, organizer, clock):
    def make(*participants, when=WHEN, **fields):
        return finish_episode(make_episode, organizer, clock, participants, when=when,
                              **fields)
    return make


@pytest.fixture
def now_2024(clock):
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    return clock


# --- external credits and their evidence -------------------------------------------------

def test_external_credit_with_evidence_appears_in_ledger_and_totals(
        client, login, organizer, make_participant, now_2024):
    siti = make_participant(full_name="Siti Rahmawati")
    other = make_participant()
    login(organizer)
    response = client.post(f"/console/participants/{siti.id}/ledger/credits",
                           data=credit_form(), content_type="multipart/form-data")
    assert response.status_code == 302
    [entry] = entries_of(siti.id)
    assert (entry.kind, entry.jp, entry.year, entry.occurred_on) == (
        "external_credit", 8, 2024, date(2024, 2, 10))
    assert entry.created_by == organizer.id and entry.evidence_path.startswith("evidence/")
    assert response.headers["Location"].endswith(
        f"/console/participants/{siti.id}/ledger?year=2024#entri-{entry.id}")
    assert _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "ledger.external_credit", AuditEvent.object_id == siti.id)) == 1

    console = client.get(f"/console/participants/{siti.id}/ledger?year=2024").get_data(
        as_text=True)
    assert "Pelatihan Kepemimpinan Pengawas" in console and "LAN RI" in console
    evidence_url = f"/ledger/entries/{entry.id}/evidence"
    assert evidence_url in console
    download = client.get(evidence_url)
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in download.headers["Content-Disposition"]

    login(siti)
    page = client.get("/me/ledger?year=2024").get_data(as_text=True)
    assert "Pelatihan Kepemimpinan Pengawas" in page and evidence_url in page
    assert "Eksternal" in page
    assert client.get(evidence_url).data == PDF_BYTES
    assert ledger_for(siti.id, 2024).total_jp == 8 == sql_total(siti.id, 2024)

    login(other)
    assert client.get(evidence_url).status_code == 403
    assert "Pelatihan Kepemimpinan" not in client.get("/me/ledger?year=2024").get_data(
        as_text=True)


def test_png_evidence_is_accepted(client, login, organizer, make_participant, now_2024):
    siti = make_participant()
    login(organizer)
    response = client.post(f"/console/participants/{siti.id}/ledger/credits",
                           data=credit_form(**{"credit-evidence": (io.BytesIO(PNG_BYTES),
                                                                   "bukti.PNG")}),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    [entry] = entries_of(siti.id)
    assert entry.evidence_path.endswith(".png")
    assert client.get(f"/ledger/entries/{entry.id}/evidence").mimetype == "image/png"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"credit-jp": "0"}, "JP harus bilangan bulat 1-200."),
    ({"credit-jp": "201"}, "JP harus bilangan bulat 1-200."),
    ({"credit-jp": "dua"}, "Harus berupa bilangan bulat."),
    ({"credit-occurred_on": "2024-03-05"}, "Tanggal pelatihan tidak boleh di masa depan."),
    ({"credit-occurred_on": "2024-02-30"}, "Tanggal tidak valid."),
    ({"credit-title": "   "}, "Nama pelatihan wajib diisi."),
    ({"credit-evidence": (io.BytesIO(b"just some text, not a PDF"), "bukti.pdf")},
     "Isi berkas tidak sesuai dengan jenisnya (.pdf)."),
    ({"credit-evidence": (io.BytesIO(b"MZ\x90\x00"), "bukti.exe")},
     "Bukti harus berupa PDF, JPG, atau PNG."),
    ({"credit-evidence": (io.BytesIO(b""), "")}, "Unggah berkas bukti pelatihan."),
])
def test_bad_external_credit_is_refused_with_a_message_and_changes_nothing(
        client, login, organizer, make_participant, now_2024, overrides, message):
    siti = make_participant()
    login(organizer)
    response = client.post(f"/console/participants/{siti.id}/ledger/credits",
                           data=credit_form(**overrides), content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message.lower() in html.lower()
    assert "Kredit eksternal belum tersimpan" in html
    assert entries_of(siti.id) == []
    assert evidence_files() == []


def test_oversized_evidence_is_refused_before_it_is_kept(app, client, login, organizer,
                                                         make_participant, now_2024):
    siti = make_participant()
    limit = app.config["EVIDENCE_MAX_BYTES"]
    big = PDF_BYTES + b"0" * (limit + 1 - len(PDF_BYTES))
    login(organizer)
    response = client.post(f"/console/participants/{siti.id}/ledger/credits",
                           data=credit_form(**{"credit-evidence": (io.BytesIO(big),
                                                                   "scan.pdf")}),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Berkas terlalu besar (maksimal 10 MB)." in response.get_data(as_text=True)
    assert entries_of(siti.id) == [] and evidence_files() == []


def test_evidence_access(client, login, organizer, make_participant, make_user, now_2024):
    siti = make_participant()
    login(organizer)
    client.post(f"/console/participants/{siti.id}/ledger/credits", data=credit_form(),
                content_type="multipart/form-data")
    [entry] = entries_of(siti.id)
    url = f"/ledger/entries/{entry.id}/evidence"
    with client.session_transaction() as session:
        session.clear()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(make_user("speaker"))
    assert client.get(url).status_code == 403
    login(siti)
    assert client.get(f"/ledger/entries/{entry.id + 999}/evidence").status_code == 404


# --- reversals ---------------------------------------------------------------------------

def test_reversing_an_entry_twice_refuses_the_second(client, login, organizer,
                                                     make_participant, finished, now_2024):
    siti = make_participant()
    episode = finished(siti)
    [credit] = entries_of(siti.id)
    assert credit.jp == episode.jp > 0
    login(organizer)
    url = f"/console/participants/{siti.id}/ledger/entries/{credit.id}/reverse"
    confirm = client.get(url).get_data(as_text=True)
    assert "Batalkan entri JP" in confirm and "data-confirm" in confirm
    assert f"Total JP 2024 berubah dari {episode.jp} menjadi 0" in confirm

    first = client.post(url, data={"reason": "Kredit ganda dari impor lama"})
    assert first.status_code == 302
    second = client.post(url, data={"reason": "Sekali lagi"}, follow_redirects=True)
    assert "Entri ini sudah dibatalkan." in second.get_data(as_text=True)
    entries = entries_of(siti.id)
    reversals = [e for e in entries if e.kind == "reversal"]
    assert len(reversals) == 1
    assert (reversals[0].reverses_id, reversals[0].jp, reversals[0].reason) == (
        credit.id, -credit.jp, "Kredit ganda dari impor lama")
    assert ledger_for(siti.id, 2024).total_jp == 0 == sql_total(siti.id, 2024)
    assert _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "ledger.reverse")) == 1
    # The confirmation page now says so instead of offering the form again.
    again = client.get(url).get_data(as_text=True)
    assert "sudah dibatalkan" in again and 'name="reason"' not in again
    # A reversal itself cannot be reversed.
    rev_url = f"/console/participants/{siti.id}/ledger/entries/{reversals[0].id}/reverse"
    client.post(rev_url, data={"reason": "batal pembatalan"})
    assert len(entries_of(siti.id)) == 2

    login(siti)
    page = client.get("/me/ledger?year=2024").get_data(as_text=True)
    assert "Pembatalan" in page and "Kredit ganda dari impor lama" in page
    assert "Dibatalkan" in page


def test_reversal_needs_a_reason(client, login, organizer, make_participant, finished,
                                 now_2024):
    siti = make_participant()
    finished(siti)
    [credit] = entries_of(siti.id)
    login(organizer)
    response = client.post(
        f"/console/participants/{siti.id}/ledger/entries/{credit.id}/reverse",
        data={"reason": "  "})
    assert response.status_code == 422
    assert "Alasan pembatalan wajib diisi." in response.get_data(as_text=True)
    assert len(entries_of(siti.id)) == 1


def test_an_entry_is_only_reachable_under_its_own_participant(
        client, login, organizer, make_participant, finished, now_2024):
    siti, budi = make_participant(), make_participant()
    finished(siti)
    [credit] = entries_of(siti.id)
    login(organizer)
    url = f"/console/participants/{budi.id}/ledger/entries/{credit.id}/reverse"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"reason": "salah orang"}).status_code == 404
    assert client.get(f"/console/participants/{organizer.id}/ledger").status_code == 404
    assert len(entries_of(siti.id)) == 1


# --- access ------------------------------------------------------------------------------

def test_participants_cannot_open_console_pages(client, login, make_participant, finished,
                                                now_2024):
    siti, budi = make_participant(), make_participant()
    finished(siti)
    [credit] = entries_of(siti.id)
    login(budi)
    base = f"/console/participants/{siti.id}/ledger"
    for url in ("/console/participants", "/console/participants?q=siti", base,
                f"{base}/2024/transcript.pdf", f"{base}/2024/transcript.csv",
                f"{base}/entries/{credit.id}/reverse", "/console/certificates"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{base}/credits", data=credit_form(),
                       content_type="multipart/form-data").status_code == 403
    assert client.post(f"{base}/entries/{credit.id}/reverse",
                       data={"reason": "x"}).status_code == 403
    assert len(entries_of(siti.id)) == 1 and evidence_files() == []

    with client.session_transaction() as session:
        session.clear()
    anonymous = client.get("/console/participants")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# --- search ------------------------------------------------------------------------------

def test_participant_search_by_name_email_and_nip_in_one_query(
        app, client, login, organizer, make_participant, now_2024):
    siti = make_participant(full_name="Siti Rahmawati, S.Kom.", email="siti.r@jabarprov.go.id",
                            nip="199001012015032001")
    make_participant(full_name="Budi Santoso", email="budi@example.go.id")
    make_participant(full_name="Sitti Nurbaya 100%")
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        found = search_participants("rahma siti", year=2024)
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [r.id for r in found.items] == [siti.id] and found.total == 1

    for query in ("19900101 201503 2 001", "19900101.201503.2.001", "2015032001",
                  "SITI.R@JABARPROV", "Rahmawati"):
        assert [r.id for r in search_participants(query, year=2024).items] == [siti.id], query
    # LIKE wildcards are literal characters, not patterns.
    assert [r.full_name for r in search_participants("100%", year=2024).items] == [
        "Sitti Nurbaya 100%"]
    assert search_participants("_", year=2024).total == 0
    assert search_participants("", year=2024).total == 3

    login(organizer)
    html = client.get("/console/participants?q=1990+0101+2015").get_data(as_text=True)
    assert "Siti Rahmawati" in html and "Budi Santoso" not in html
    assert f"/console/participants/{siti.id}/ledger" in html
    assert "19900101 201503 2 001" in html  # organizers see the full NIP


def test_participant_search_is_paginated(client, login, organizer, make_participant,
                                         now_2024):
    for n in range(27):
        make_participant(full_name=f"Peserta Uji {n:02d}")
    first = search_participants("peserta uji", year=2024, page=1, per_page=25)
    second = search_participants("peserta uji", year=2024, page=2, per_page=25)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (27, 2, 25, 2)
    assert second.items[-1].full_name == "Peserta Uji 26"
    beyond = search_participants("peserta uji", year=2024, page=9, per_page=25)
    assert (beyond.items, beyond.total) == ([], 27)
    # Without a query the newest accounts come first.
    assert search_participants(None, year=2024).items[0].full_name == "Peserta Uji 26"
    login(organizer)
    html = client.get("/console/participants?q=peserta+uji&page=2").get_data(as_text=True)
    assert "Peserta Uji 26" in html and "Peserta Uji 00" not in html
    assert "page=1" in html


# --- organizer page and totals -----------------------------------------------------------

def test_organizer_page_shows_profile_running_total_and_certificates(
        client, login, organizer, make_participant, finished, now_2024):
    siti = make_participant(full_name="Siti Rahmawati", nip="199001012015032001")
    first = finished(siti, title="Manajemen Talenta ASN")
    finished(siti, when=WHEN + timedelta(days=7), title="Etika Birokrasi")
    login(organizer)
    html = client.get(f"/console/participants/{siti.id}/ledger?year=2024").get_data(
        as_text=True)
    assert "Siti Rahmawati" in html and "19900101 201503 2 001" in html
    assert "Pemerintah Provinsi Jawa Barat" in html and "Analis SDM Aparatur" in html
    assert "Manajemen Talenta ASN" in html and "Etika Birokrasi" in html
    # Running totals after each entry, in the order the learning happened.
    assert f'running-total">{first.jp}<' in html
    assert f'running-total">{2 * first.jp}<' in html
    assert html.count("/reverse") == 2
    assert "/console/certificates/" in html and "/revoke" in html and "/reissue" in html
    assert client.get(f"/console/participants/{siti.id}/ledger?year=1999").status_code == 404


def test_ledger_totals_equal_an_independent_sql_sum(client, login, organizer,
                                                    make_participant, finished, token_for,
                                                    now_2024):
    siti, budi = make_participant(), make_participant()
    finished(siti, budi)
    finished(siti, when=WHEN + timedelta(days=7))
    finished(budi, when=datetime(2023, 12, 31, 17, 30, tzinfo=UTC))  # 1 Jan 2024 WIB
    finished(siti, when=datetime(2023, 12, 31, 10, 0, tzinfo=UTC))  # still 2023 in WIB
    now_2024.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    login(organizer)
    client.post(f"/console/participants/{siti.id}/ledger/credits", data=credit_form(),
                content_type="multipart/form-data")
    client.post(f"/console/participants/{budi.id}/ledger/credits",
                data=credit_form(**{"credit-jp": "3", "credit-occurred_on": "2023-11-02"}),
                content_type="multipart/form-data")
    credit = next(e for e in entries_of(siti.id) if e.kind == "episode_credit")
    client.post(f"/console/participants/{siti.id}/ledger/entries/{credit.id}/reverse",
                data={"reason": "tidak memenuhi syarat"})

    for user in (siti, budi):
        for year in (2023, 2024):
            expected = sql_total(user.id, year)
            assert ledger_for(user.id, year).total_jp == expected
            api = client.get(f"/api/v1/me/ledger?year={year}", headers=token_for(user)).json
            assert api["total_jp"] == expected
    assert sql_total(siti.id, 2024) == 2 * credit.jp + 8 - credit.jp
    assert sql_total(budi.id, 2024) == 2 * credit.jp
    assert sql_total(budi.id, 2023) == 3

    login(siti)
    page = client.get("/me/ledger?year=2024").get_data(as_text=True)
    assert f'<span class="stat-value">{sql_total(siti.id, 2024)}</span>' in page
    assert f'<td class="text-end">{sql_total(siti.id, 2024)}</td>' in page


def test_console_posts_without_csrf_token_are_refused(app_factory, organizer, make_participant,
                                                      finished, now_2024):
    siti = make_participant()
    finished(siti)
    [credit] = entries_of(siti.id)
    cert_id = credit.certificate_id
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(organizer.id)
        session["_fresh"] = True
    base = f"/console/participants/{siti.id}/ledger"
    assert client.post(f"{base}/entries/{credit.id}/reverse",
                       data={"reason": "x"}).status_code == 400
    assert client.post(f"{base}/credits", data=credit_form(),
                       content_type="multipart/form-data").status_code == 400
    assert client.post(f"/console/certificates/{cert_id}/revoke",
                       data={"reason": "x"}).status_code == 400
    assert client.post(f"/console/certificates/{cert_id}/reissue").status_code == 400
    assert len(entries_of(siti.id)) == 1 and evidence_files() == []
    # With the page's token the same reversal goes through.
    page = client.get(f"{base}/entries/{credit.id}/reverse").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(f"{base}/entries/{credit.id}/reverse",
                       data={"reason": "x", "csrf_token": token}).status_code == 302
    assert len(entries_of(siti.id)) == 2
