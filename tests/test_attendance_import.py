"""Zoom report import through the API, attendance rules, verdict preview and finalize."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from asnbelajar.attendance.models import AttendanceInterval
from asnbelajar.attendance.services import finalize_episode, verdict_preview
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.registrations.services import register
from asnbelajar.timeutil import parse_iso

DATA = Path(__file__).parent / "data"


def _episode_for_sample(make_episode, clock, **fields):
    """Seri 12 on 23 March 2022, 09:00-11:30 WIB, as in the sample reports."""
    clock.set(parse_iso("2022-03-16T09:00:00+07:00"))
    return make_episode(starts_in=timedelta(days=7), hours=2.5, checkpoints=False, **fields)


def _upload(client, headers, episode_id, name):
    data = (DATA / name).read_bytes()
    return client.post(f"/api/v1/episodes/{episode_id}/attendance-report", headers=headers,
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_meeting_report_matches_by_email_and_merges_rejoins(
        client, db, make_episode, make_participant, organizer, token_for, clock):
    episode = _episode_for_sample(make_episode, clock, attendance_rule="minutes",
                                  min_minutes=120)
    rina = make_participant(email="rina.marlina@example.go.id")
    benny = make_participant(email="benny.sitorus@example.go.id")
    yuli = make_participant(email="yuliana.t@example.go.id")
    make_participant(email="unregistered@example.go.id")
    for person in (rina, benny, yuli):
        register(episode.id, person)
    db.session.commit()
    headers = token_for(organizer)

    r = _upload(client, headers, episode.id, "zoom-meeting-participants.csv")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["rows"] == 7 and body["matched"] == 5
    reasons = {(u["line"], u["reason"]) for u in body["unmatched"]}
    assert any("tamu" in reason for _, reason in reasons)   # Galaxy A52, no email
    assert any("tidak terdaftar" in reason for _, reason in reasons)  # the host account

    # Rina: two connections separated by 67 s -> two intervals; Yuliana nested -> one.
    per_user = dict(db.session.execute(
        select(AttendanceInterval.user_id, func.count()).group_by(AttendanceInterval.user_id)
    ).all())
    assert per_user[yuli.id] == 1 and per_user[rina.id] == 2

    clock.set(parse_iso("2022-03-23T12:30:00+07:00"))
    preview = verdict_preview(episode)
    assert preview["attended"] == 2           # Rina 146 min, Yuliana 151 min
    assert preview["too_few_minutes"] == 1    # Benny 40 min
    summary = finalize_episode(episode.id, actor_id=organizer.id)
    db.session.commit()
    assert (summary.attended, summary.credited) == (2, 2)

    # A finalized episode's evidence is replaced only when the organizer confirms it.
    before = db.session.scalar(select(func.count()).select_from(AttendanceInterval))
    refused = _upload(client, headers, episode.id, "zoom-meeting-participants.csv")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "confirmation_required"
    # Re-importing replaces the earlier import atomically (no doubled intervals).
    data = (DATA / "zoom-meeting-participants.csv").read_bytes()
    confirmed = client.post(f"/api/v1/episodes/{episode.id}/attendance-report",
                            headers=headers, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(data), "z.csv"), "confirm": "true"})
    assert confirmed.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AttendanceInterval)) == before


def test_webinar_report_is_accepted(client, db, make_episode, make_participant, organizer,
                                    token_for, clock):
    episode = _episode_for_sample(make_episode, clock, attendance_rule="minutes",
                                  min_minutes=60)
    rina = make_participant(email="rina.marlina@example.go.id")
    register(episode.id, rina)
    db.session.commit()
    r = _upload(client, token_for(organizer), episode.id, "zoom-webinar-attendee-report.csv")
    assert r.status_code == 200, r.json
    assert r.json["matched"] == 2
    assert any("Dimas" in (u["name"] or "") for u in r.json["unmatched"])


def test_malformed_report_names_the_line_and_changes_nothing(
        client, db, make_episode, make_participant, organizer, token_for, clock):
    episode = _episode_for_sample(make_episode, clock)
    rina = make_participant(email="rina.marlina@example.go.id")
    register(episode.id, rina)
    db.session.commit()
    headers = token_for(organizer)
    assert _upload(client, headers, episode.id, "zoom-meeting-participants.csv").status_code \
        == 200
    before = db.session.scalar(select(func.count()).select_from(AttendanceInterval))
    good = (DATA / "zoom-meeting-participants.csv").read_text(encoding="utf-8-sig")
    broken = good.replace("03/23/2022 10:14:55 AM", "kemarin sore")
    r = client.post(f"/api/v1/episodes/{episode.id}/attendance-report", headers=headers,
                    data={"file": (io.BytesIO(broken.encode()), "broken.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    assert "Baris 6" in r.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(AttendanceInterval)) == before
    junk = client.post(f"/api/v1/episodes/{episode.id}/attendance-report", headers=headers,
                       data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "x.csv")},
                       content_type="multipart/form-data")
    assert junk.status_code == 422
    missing = client.post(f"/api/v1/episodes/{episode.id}/attendance-report",
                          headers=headers)
    assert missing.status_code == 422


def test_either_rule_accepts_checkpoints_or_minutes(db, make_episode, make_participant,
                                                    organizer, clock):
    from asnbelajar.attendance.services import check_in

    episode = make_episode(starts_in=timedelta(minutes=-5), attendance_rule="either",
                           min_minutes=90)
    a, b = make_participant(), make_participant()
    for person in (a, b):
        register(episode.id, person)
    check_in(episode.id, a, "AWAL23")
    clock.advance(hours=2, minutes=20)
    check_in(episode.id, a, "AKHIR45")
    db.session.commit()
    clock.advance(hours=1)
    preview = verdict_preview(episode)
    assert preview["attended"] == 1 and preview["no_evidence"] == 1
    summary = finalize_episode(episode.id, actor_id=organizer.id)
    db.session.commit()
    assert summary.credited == 1
    credited = db.session.scalar(select(LedgerEntry.user_id))
    assert credited == a.id
