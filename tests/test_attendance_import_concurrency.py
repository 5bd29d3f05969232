"""Two organizers upload the same Zoom report for the same episode at the same moment:
one import wins, the other answers 409 (never a 500 from the unique index)."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from asnbelajar.attendance.models import AttendanceImport
from asnbelajar.attendance.services import import_report
from asnbelajar.extensions import db as _db
from asnbelajar.registrations.services import register
from asnbelajar.timeutil import parse_iso

from .conftest import PG_SERVER_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_SERVER_URL, reason="concurrent transactions need PostgreSQL: "
                                                 "set ASNBELAJAR_TEST_DATABASE_URL"),
]

DATA = Path(__file__).parent / "data"
SAMPLE = "zoom-meeting-participants.csv"


@pytest.mark.parametrize("earlier_import", [False, True])
def test_concurrent_reimport_of_the_same_report_answers_409(
        app, client, db, make_episode, make_participant, organizer, token_for, clock,
        earlier_import):
    clock.set(parse_iso("2022-03-16T09:00:00+07:00"))
    episode = make_episode(starts_in=timedelta(days=7), hours=2.5, checkpoints=False,
                           attendance_rule="minutes", min_minutes=120)
    person = make_participant(email="rina.marlina@example.go.id")
    register(episode.id, person)
    db.session.commit()
    data = (DATA / SAMPLE).read_bytes()
    if earlier_import:
        import_report(episode, data, SAMPLE, organizer.id)
        db.session.commit()
    headers = token_for(organizer)
    episode_id = episode.id

    # Import A runs in this thread and holds its transaction open ...
    import_report(episode, data, SAMPLE, organizer.id)
    answers = {}

    def second_upload():  # ... while import B arrives through the API.
        answers["b"] = client.post(
            f"/api/v1/episodes/{episode_id}/attendance-report", headers=headers,
            data={"file": (io.BytesIO(data), SAMPLE)}, content_type="multipart/form-data")

    other = threading.Thread(target=second_upload)
    other.start()
    time.sleep(1.0)  # B is now waiting on A's row in the unique index
    _db.session.commit()  # A wins
    other.join(timeout=30)
    response = answers["b"]
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "import_in_progress"
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count()).select_from(AttendanceImport)) == 1
