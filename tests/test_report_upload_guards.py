"""Report uploads never wipe evidence by accident and never answer 500: size limit,
impossible times, header-only reports and finalized episodes (confirmation)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from asnbelajar.attendance.models import AttendanceImport, AttendanceInterval
from asnbelajar.registrations.services import register
from asnbelajar.timeutil import parse_iso

DATA = Path(__file__).parent / "data"


@pytest.fixture
def seri12(db, make_episode, make_participant, clock):
    clock.set(parse_iso("2022-03-16T09:00:00+07:00"))
    episode = make_episode(starts_in=timedelta(days=7), hours=2.5, checkpoints=False,
                           attendance_rule="minutes", min_minutes=60)
    for email in ("rina.marlina@example.go.id", "benny.sitorus@example.go.id"):
        register(episode.id, make_participant(email=email))
    db.session.commit()
    return episode


def _post(client, headers, episode, data: bytes, **form):
    return client.post(f"/api/v1/episodes/{episode.id}/attendance-report", headers=headers,
                       content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "report.csv"), **form})


def _intervals(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AttendanceInterval))


def test_report_over_the_size_limit_is_413_and_changes_nothing(app_factory, db, seri12,
                                                              organizer, token_for):
    small = app_factory(REPORT_MAX_BYTES=2000)
    headers = token_for(organizer)
    data = (DATA / "zoom-meeting-participants.csv").read_bytes()
    data += b"Rina Marlina,rina.marlina@example.go.id,03/23/2022 09:02:10 AM," \
            b"03/23/2022 10:14:55 AM,73,No,Y\n" * 40
    response = _post(small.test_client(), headers, seri12, data)
    assert response.status_code == 413
    assert "terlalu besar" in response.json["error"]["message"]
    assert _intervals(db) == 0


def test_impossible_offset_is_a_line_numbered_422(client, db, seri12, organizer, token_for):
    headers = token_for(organizer)
    data = (b"Name (Original Name),User Email,Join Time,Leave Time\n"
            b"Rina,rina.marlina@example.go.id,03/23/2022 09:00:00 +99:99,"
            b"03/23/2022 10:00:00 +07:00\n")
    response = _post(client, headers, seri12, data)
    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("Baris 2: ")


def test_header_only_report_asks_for_confirmation_before_wiping(client, db, seri12,
                                                               organizer, token_for):
    headers = token_for(organizer)
    good = (DATA / "zoom-meeting-participants.csv").read_bytes()
    assert _post(client, headers, seri12, good).status_code == 200
    before = _intervals(db)
    assert before > 0
    empty = (DATA / "zoom-header-only.csv").read_bytes()
    refused = _post(client, headers, seri12, empty)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "confirmation_required"
    assert "confirm=true" in refused.json["error"]["message"]
    assert _intervals(db) == before
    confirmed = _post(client, headers, seri12, empty, confirm="true")
    assert confirmed.status_code == 200
    assert confirmed.json["rows"] == 0
    assert confirmed.json["sections"] == [
        {"section": "participants", "line": 4, "rows": 0, "skipped": 0}]
    assert _intervals(db) == 0


def test_console_upload_on_a_finalized_episode_needs_the_checkbox(
        app, client, db, seri12, organizer, login, clock):
    from asnbelajar.attendance.services import import_report

    import_report(seri12, (DATA / "zoom-meeting-participants.csv").read_bytes(), "a.csv",
                  organizer.id)
    seri12.finalized_at = seri12.ends_at
    db.session.commit()
    first = db.session.scalar(select(AttendanceImport.id))
    login(organizer)
    url = f"/console/episodes/{seri12.id}/attendance/report"
    data = (DATA / "zoom-usage-export-host-columns.csv").read_bytes()
    page = client.post(url, data={"file": (io.BytesIO(data), "b.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "sudah difinalisasi" in html and 'name="confirm"' in html
    assert db.session.scalar(select(AttendanceImport.id)) == first
    done = client.post(url, data={"file": (io.BytesIO(data), "b.csv"), "confirm": "y"},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    assert db.session.scalar(select(AttendanceImport.filename)) == "b.csv"
    # The organizer is told how many rows each table of the file gave.
    shown = client.get(f"/console/episodes/{seri12.id}").get_data(as_text=True)
    assert "Tabel peserta dalam laporan: baris 1 (peserta rapat): 5 dibaca, 1 dilewati" in shown
