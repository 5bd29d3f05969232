"""Registrant exports: CSV (BOM, neutralized formulas, filters) and XLSX (opens, rows)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from asnbelajar.accounts.models import User
from asnbelajar.audit.models import AuditEvent
from asnbelajar.registrations.exports import HEADER, phone_text
from asnbelajar.registrations.services import register

from .test_registrants import bulk_registrants


@pytest.fixture
def episode_with_tricky_rows(db, make_episode, make_participant, organizer, login):
    episode = make_episode(capacity=2, number=41)
    evil = make_participant(full_name='=HYPERLINK("http://evil.example","klik")',
                            email="evil@example.go.id", instansi="@SUM(A1:A9)")
    evil.profile.phone = "+6281234567890"
    evil.profile.jabatan = "-2+3"
    plain = make_participant(full_name="Siti Aminah", email="siti@example.go.id")
    late = make_participant(full_name="Tono Waiting", email="tono@example.go.id")
    for person in (evil, plain, late):
        register(episode.id, person)
    db.session.commit()
    login(organizer)
    return episode, evil, plain, late


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_bom_header_rows_and_neutralized_formulas(client, episode_with_tricky_rows):
    episode, evil, _plain, _late = episode_with_tricky_rows
    response = client.get(f"/console/episodes/{episode.id}/registrants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    year = episode.year
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="registran-seri-41-{year}.csv"')
    rows = read_csv(response)
    assert rows[0] == list(HEADER)
    assert len(rows) == 4
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["No"] == "1"
    # The one spreadsheet policy: formula prefixes are stripped, numbers kept as text.
    assert first["Nama"] == evil.full_name[1:]
    assert first["Instansi"] == "SUM(A1:A9)"
    assert first["WhatsApp"] == "0812 3456 7890"
    assert first["Jabatan"] == "2+3"
    assert first["Email"] == "evil@example.go.id"
    nip = evil.profile.nip
    assert first["NIP"] == f"{nip[0:8]} {nip[8:14]} {nip[14]} {nip[15:18]}"
    assert first["Status"] == "Terdaftar"
    assert first["Sumber"] == "Web"
    assert first["Presensi"] == "0"
    assert rows[3][HEADER.index("Status")] == "Daftar tunggu"
    assert rows[3][HEADER.index("Posisi tunggu")] == "1"
    # no cell of the file starts with a formula character
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_honours_search_filters_and_sort(client, episode_with_tricky_rows):
    episode, _evil, plain, late = episode_with_tricky_rows
    base = f"/console/episodes/{episode.id}/registrants.csv"
    rows = read_csv(client.get(base + "?status=waitlisted"))
    assert [r[1] for r in rows[1:]] == [late.full_name]
    rows = read_csv(client.get(base + "?q=siti"))
    assert [r[1] for r in rows[1:]] == [plain.full_name]
    rows = read_csv(client.get(base + "?sort=name&dir=desc"))
    assert [r[1] for r in rows[1:]] == [late.full_name, plain.full_name,
                                        _evil.full_name[1:]]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]


def test_export_is_audited(db, client, episode_with_tricky_rows, organizer):
    episode = episode_with_tricky_rows[0]
    client.get(f"/console/episodes/{episode.id}/registrants.csv?status=registered")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registrants.export")).one()
    assert event.actor_id == organizer.id
    assert event.object_type == "episode" and event.object_id == episode.id
    assert event.after == {"format": "csv", "filters": {"status": "registered"}, "rows": 2}


def test_xlsx_opens_with_openpyxl_and_has_the_rows(client, episode_with_tricky_rows):
    episode, evil, plain, late = episode_with_tricky_rows
    response = client.get(f"/console/episodes/{episode.id}/registrants.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith(
        f'filename="registran-seri-41-{episode.year}.xlsx"')
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == HEADER
    # typed text: kept exactly, never stored as a formula
    assert [r[1] for r in rows[1:]] == [evil.full_name, plain.full_name, late.full_name]
    # typed cells: text stays text (NIP keeps all 18 digits), no formula anywhere
    assert rows[1][2] == evil.profile.nip
    assert rows[1][10] == "+6281234567890"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert rows[3][HEADER.index("Status")] == "Daftar tunggu"


def test_xlsx_honours_filters(client, episode_with_tricky_rows):
    episode, _evil, plain, _late = episode_with_tricky_rows
    response = client.get(f"/console/episodes/{episode.id}/registrants.xlsx?q=siti@")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        plain.full_name]


def test_exports_stream_more_rows_than_one_batch(client, make_episode, organizer, login):
    episode = make_episode()
    bulk_registrants(episode.id, 2100, offset=3000)
    login(organizer)
    response = client.get(f"/console/episodes/{episode.id}/registrants.csv")
    assert response.is_streamed
    rows = read_csv(response)
    assert len(rows) == 2101
    assert rows[-1][0] == "2100"
    xlsx = client.get(f"/console/episodes/{episode.id}/registrants.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == 2100


def test_participant_cannot_export(client, episode_with_tricky_rows, login, db):
    episode, _evil, plain, _late = episode_with_tricky_rows
    login(db.session.get(User, plain.id))
    assert client.get(f"/console/episodes/{episode.id}/registrants.csv").status_code == 403
    assert client.get(f"/console/episodes/{episode.id}/registrants.xlsx").status_code == 403


@pytest.mark.parametrize("value, expected", [
    ("+6281234567890", "0812 3456 7890"), ("+628123456789", "0812 3456 789"),
    ("+6591234567", "6591 2345 67"), (None, ""), ("", ""),
])
def test_phone_text_keeps_numbers_as_text(value, expected):
    assert phone_text(value) == expected
