"""The yearly JP transcript: PDF (one row per entry, right total, page numbers, many
pages) and CSV (BOM, formula-safe cells), only ever the signed-in participant's own."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import insert

from asnbelajar.extensions import db as _db
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.ledger.services import add_external_credit, reverse_entry
from asnbelajar.ledger.transcript import (
    TranscriptDocument,
    TranscriptRow,
    render_transcript_csv,
    render_transcript_pdf,
)

from .test_ledger import WHEN, entries_of, finish_episode, sql_total

NIP = "199001012015032001"


@pytest.fixture
def finished(make_episode, organizer, clock):
    def make(*participants, when=WHEN, **fields):
        return finish_episode(make_episode, organizer, clock, participants, when=when,
                              **fields)
    return make


@pytest.fixture
def siti(make_participant):
    return make_participant(full_name="Siti Rahmawati, S.Kom.", nip=NIP,
                            instansi="Pemerintah Provinsi Jawa Timur")


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def entry_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rows between the table header and the blank line before the totals."""
    start = next(i for i, r in enumerate(rows) if r[:2] == ["Tanggal", "Kegiatan"]) + 1
    end = rows.index([], start)
    return rows[start:end]


def a_year_of_activity(siti, organizer, finished, clock):
    """An episode credit, an external credit and a reversal of a second episode credit."""
    kept = finished(siti, title="Manajemen Talenta ASN")
    dropped = finished(siti, when=WHEN + timedelta(days=7), title="Etika Birokrasi")
    clock.set(datetime(2024, 3, 20, 2, 0, tzinfo=UTC))
    add_external_credit(user_id=siti.id, jp=8, title="Pelatihan Kepemimpinan Pengawas",
                        provider="LAN RI", occurred_on=date(2024, 3, 11), evidence_path=None,
                        actor_id=organizer.id)
    credit = next(e for e in entries_of(siti.id) if e.episode_id == dropped.id)
    reverse_entry(credit.id, reason="Tidak memenuhi syarat kehadiran", actor_id=organizer.id)
    _db.session.commit()
    return kept, dropped


def test_pdf_has_one_row_per_entry_and_the_right_total(client, login, organizer, siti,
                                                       finished, clock):
    kept, dropped = a_year_of_activity(siti, organizer, finished, clock)
    login(siti)
    response = client.get("/me/ledger/2024/transcript.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert 'filename="transkrip-jp-2024-199001012015032001.pdf"' in (
        response.headers["Content-Disposition"])
    reader, text = pdf_text(response.data)
    assert len(reader.pages) == 1
    assert reader.metadata.title.startswith("Transkrip JP 2024")
    assert "Siti Rahmawati, S.Kom." in text
    assert "19900101 201503 2 001" in text  # the owner sees the full NIP
    assert "Pemerintah Provinsi Jawa Timur" in text
    flat = " ".join(text.split())
    assert flat.count("Manajemen Talenta ASN") == 1
    assert flat.count("ASN Belajar Seri") == 3  # two credits and the reversal
    assert flat.count("Etika Birokrasi") == 2  # the credit and its reversal
    assert flat.count("Pelatihan Kepemimpinan Pengawas — LAN RI") == 1
    assert "Tidak memenuhi syarat kehadiran" in flat
    assert "22 Februari 2024" in flat and "11 Maret 2024" in flat
    # Row numbers 1-4, then the total: 2 + 2 + 8 - 2.
    total = sql_total(siti.id, 2024)
    assert total == kept.jp + 8
    assert re.search(rf"Total JP 2024 {total} dari target 20 JP", flat)
    assert f"{total} / 20 JP" in flat and f"Kurang {20 - total} JP" in flat
    assert "Halaman 1 dari 1" in flat
    assert f"-{dropped.jp}" in flat


def test_pdf_and_csv_work_for_a_year_without_entries(client, login, siti, clock):
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    login(siti)
    reader, text = pdf_text(client.get("/me/ledger/2023/transcript.pdf").data)
    flat = " ".join(text.split())
    assert len(reader.pages) == 1
    assert "Belum ada entri JP pada tahun 2023." in flat
    assert "Total JP 2023 0 dari target 20 JP" in flat
    rows = csv_rows(client.get("/me/ledger/2023/transcript.csv").data)
    assert entry_rows(rows) == []
    assert ["Total JP", "", "", "0"] in rows


def test_pdf_with_200_entries_runs_over_several_numbered_pages(client, login, siti, clock):
    clock.set(datetime(2024, 12, 30, 3, 0, tzinfo=UTC))
    _db.session.execute(insert(LedgerEntry), [
        {"user_id": siti.id, "kind": "external_credit", "jp": 1 + n % 3, "year": 2024,
         "title": f"Kursus Daring {n:03d}", "provider": "Platform ASN Unggul",
         "occurred_on": date(2024, 1, 1) + timedelta(days=n), "created_at": datetime(2024, 12, 1)}
        for n in range(200)])
    _db.session.commit()
    login(siti)
    reader, text = pdf_text(client.get("/me/ledger/2024/transcript.pdf").data)
    pages = len(reader.pages)
    assert pages >= 5
    flat = " ".join(text.split())
    assert all(f"Kursus Daring {n:03d}" in flat for n in range(200))
    assert flat.count("Kursus Daring") == 200
    total = sql_total(siti.id, 2024)
    assert f"Total JP 2024 {total} dari target 20 JP" in flat
    for number in range(1, pages + 1):
        assert f"Halaman {number} dari {pages}" in reader.pages[number - 1].extract_text()
    # The table header repeats on every page.
    assert all("KEGIATAN" in page.extract_text() for page in reader.pages)


def test_csv_has_bom_one_row_per_entry_and_neutralized_formulas(client, login, organizer,
                                                                siti, finished, clock):
    kept, dropped = a_year_of_activity(siti, organizer, finished, clock)
    add_external_credit(user_id=siti.id, jp=2, title='=HYPERLINK("http://evil.example","klik")',
                        provider="@SUM(1+1)", occurred_on=date(2024, 3, 12),
                        evidence_path=None, actor_id=organizer.id)
    add_external_credit(user_id=siti.id, jp=1, title="+62 Webinar\nbaris kedua\t-cmd",
                        provider=None, occurred_on=date(2024, 3, 13), evidence_path=None,
                        actor_id=organizer.id)
    _db.session.commit()
    login(siti)
    response = client.get("/me/ledger/2024/transcript.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="transkrip-jp-2024-199001012015032001.csv"' in (
        response.headers["Content-Disposition"])
    rows = csv_rows(response.data)
    assert ["Nama", "Siti Rahmawati, S.Kom."] in rows
    assert ["NIP", "19900101 201503 2 001"] in rows
    entries = entry_rows(rows)
    assert len(entries) == 6 == len(entries_of(siti.id))
    for row in rows:
        for index, cell in enumerate(row):
            if index == 3 and re.fullmatch(r"-?\d+", cell):
                continue  # JP is a number; "-2" is a value, not a formula
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
            assert "\n" not in cell
    by_date = {r[0]: r for r in entries}
    assert by_date["2024-03-12"][1] == 'HYPERLINK("http://evil.example","klik") — @SUM(1+1)'
    assert by_date["2024-03-13"][1] == "62 Webinar baris kedua -cmd"
    assert by_date["2024-02-22"][1:4] == [
        f"ASN Belajar Seri {kept.number}: Manajemen Talenta ASN", "ASN Belajar", str(kept.jp)]
    assert re.fullmatch(r"\d{5}/ASNB/\d{2,3}/II/2024", by_date["2024-02-22"][4])
    reversal = next(r for r in entries if r[2] == "Pembatalan")
    assert reversal[1] == f"Pembatalan: ASN Belajar Seri {dropped.number}: Etika Birokrasi"
    assert reversal[3] == f"-{dropped.jp}"
    assert reversal[5] == "Tidak memenuhi syarat kehadiran"
    total = sql_total(siti.id, 2024)
    assert sum(int(r[3]) for r in entries) == total
    assert ["Total JP", "", "", str(total)] in rows and ["Target JP", "", "", "20"] in rows
    assert ["Status", f"Kurang {20 - total} JP"] in rows


def test_a_participant_only_ever_gets_their_own_transcript(client, login, organizer, siti,
                                                           make_participant, finished,
                                                           clock):
    finished(siti, title="Manajemen Talenta ASN")
    budi = make_participant(full_name="Budi Santoso")
    login(budi)
    _reader, text = pdf_text(client.get("/me/ledger/2024/transcript.pdf").data)
    assert "Budi Santoso" in text and "Siti" not in text and "Manajemen Talenta" not in text
    csv_text = client.get("/me/ledger/2024/transcript.csv").data.decode("utf-8-sig")
    assert "Siti" not in csv_text and "Manajemen Talenta" not in csv_text
    # The console copies are for organizers only.
    for kind in ("pdf", "csv"):
        url = f"/console/participants/{siti.id}/ledger/2024/transcript.{kind}"
        assert client.get(url).status_code == 403
    login(organizer)
    organizer_copy = client.get(f"/console/participants/{siti.id}/ledger/2024/transcript.pdf")
    assert organizer_copy.status_code == 200
    assert "Manajemen Talenta ASN" in pdf_text(organizer_copy.data)[1]

    with client.session_transaction() as session:
        session.clear()
    anonymous = client.get("/me/ledger/2024/transcript.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_transcript_year_must_be_sensible(client, login, siti, clock):
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    login(siti)
    assert client.get("/me/ledger/1999/transcript.pdf").status_code == 404
    assert client.get("/me/ledger/2026/transcript.csv").status_code == 404
    assert client.get("/me/ledger/2025/transcript.csv").status_code == 200


def test_ledger_page_offers_the_transcripts(client, login, siti, clock):
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    login(siti)
    html = client.get("/me/ledger?year=2023").get_data(as_text=True)
    assert "/me/ledger/2023/transcript.pdf" in html
    assert "/me/ledger/2023/transcript.csv" in html


def test_pdf_survives_text_outside_the_builtin_fonts():
    doc = TranscriptDocument(
        year=2024, name="Nguyễn Thị Ánh 🌟", nip=None, instansi="Kemenkeu <RI> & Co",
        unit_kerja=None, jabatan=None, pangkat_golongan=None, email=None, total_jp=2,
        target_jp=20, generated_at="1 Maret 2024", issuer="BPSDM",
        verify_url="http://asnbelajar.test/verify",
        rows=[TranscriptRow(on=date(2024, 1, 2), activity="Ṣeminar <b>tebal</b>",
                            source="Eksternal", jp=2)])
    _reader, text = pdf_text(render_transcript_pdf(doc))
    assert "Nguyen Thi Ánh" in text and "Kemenkeu <RI> & Co" in text
    assert "Seminar <b>tebal</b>" in text
    assert render_transcript_csv(doc).decode("utf-8-sig").count("Nguyễn Thị Ánh 🌟") == 1
