"""Zoom's participant report pulled through the API (every page) and imported exactly like
an uploaded CSV, matched by Zoom registrant id, then email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..attendance.services import ImportSummary, apply_report
from ..attendance.zoom import ReportRow, ReportSection, SkippedRow, ZoomReport
from ..episodes.models import Episode
from ..errors import NotFound
from ..extensions import db
from ..timeutil import as_utc, now_utc, to_db
from .models import ZoomMeeting, ZoomRegistrant
from .registrants import backoff
from .services import meeting_of, zoom_client, zoom_failed
from .zoom_client import ZoomClient, ZoomError, ZoomNotFound


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Zoom's API gives UTC ("…Z"); a time without an offset is read as UTC too.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def report_from_api(meeting: ZoomMeeting, participants: list[dict[str, Any]]) -> ZoomReport:
    """Zoom's participant records as a report the CSV import understands. ``line`` is the
    record's position in Zoom's answer (1-based)."""
    rows: list[ReportRow] = []
    skipped: list[SkippedRow] = []
    section = "attendee" if meeting.kind == "webinar" else "participants"
    for index, item in enumerate(participants, start=1):
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "").strip()
        email = str(item.get("user_email") or item.get("email") or "").strip().lower() or None
        joined, left = _parse_time(item.get("join_time")), _parse_time(item.get("leave_time"))
        if str(item.get("status") or "") == "in_waiting_room":
            skipped.append(SkippedRow(index, name, email, "di ruang tunggu"))
            continue
        if joined is None or left is None or left < joined:
            skipped.append(SkippedRow(index, name, email,
                                      "waktu masuk/keluar tidak ada atau tidak sah"))
            continue
        duration = item.get("duration")
        rows.append(ReportRow(
            line=index, name=name, email=email, joined_at=joined, left_at=left,
            duration_minutes=round(duration / 60) if isinstance(duration, int | float)
            else None,
            section=section, registrant_id=str(item.get("registrant_id") or "") or None))
    return ZoomReport(kind=meeting.kind, topic=meeting.synced_topic, rows=rows,
                      skipped=skipped,
                      sections=[ReportSection(section, 1, len(rows), len(skipped))])


def pull_report(episode: Episode, actor_id: int | None, *, confirm: bool = False,
                client: ZoomClient | None = None) -> ImportSummary:
    """Fetch the participant report (every page) and import it like an uploaded CSV,
    matching by Zoom registrant id, then email. Allowed any time: it imports what Zoom
    reports so far; the same confirmation rules as an upload apply."""
    meeting = meeting_of(episode.id)
    if meeting is None:
        raise NotFound(_l("Episode ini belum punya rapat atau webinar Zoom."))
    try:
        client = client or zoom_client()
        participants = list(client.report_participants(meeting.kind, meeting.zoom_id))
    except ZoomNotFound:
        participants = []  # no report yet (the meeting has not run): nothing so far
    except ZoomError as err:
        meeting.report_error = err.message[:500]
        raise zoom_failed(err) from None
    report = report_from_api(meeting, participants)
    registrant_users = dict(db.session.execute(
        select(ZoomRegistrant.registrant_id, ZoomRegistrant.user_id)
        .where(ZoomRegistrant.meeting_id == meeting.id,
               ZoomRegistrant.registrant_id.is_not(None))
    ).all())
    summary = apply_report(episode, report, f"Zoom API: {meeting.kind} {meeting.zoom_id}",
                           actor_id, confirm=confirm, registrant_users=registrant_users)
    meeting.report_pulled_at = to_db(now_utc())
    meeting.report_rows = summary.rows
    meeting.report_error = None
    return summary


def reports_due() -> list[int]:
    """Episodes whose report the scheduler should pull now: ended at least the report
    delay ago, not finalized, not pulled yet, not waiting for a retry."""
    config = current_app.config
    now = now_utc()
    cutoff = to_db(now - timedelta(minutes=int(config["ZOOM_REPORT_DELAY_MINUTES"])))
    return list(db.session.scalars(
        select(ZoomMeeting.episode_id)
        .join(Episode, Episode.id == ZoomMeeting.episode_id)
        .where(Episode.status == "published", Episode.finalized_at.is_(None),
               Episode.ends_at <= cutoff, ZoomMeeting.report_pulled_at.is_(None),
               ZoomMeeting.report_attempts < int(config["ZOOM_REPORT_MAX_ATTEMPTS"]),
               or_(ZoomMeeting.report_next_at.is_(None),
                   ZoomMeeting.report_next_at <= to_db(now)))
        .order_by(Episode.ends_at)
    ))


def report_retry_later(episode_id: int, message: str) -> None:
    meeting = meeting_of(episode_id)
    meeting.report_attempts = (meeting.report_attempts or 0) + 1
    meeting.report_next_at = to_db(now_utc() + backoff(meeting.report_attempts) * 5)
    meeting.report_error = message[:500]


def report_pending(episode_id: int) -> bool:
    """Finalize waits for the Zoom report of an episode (until it is pulled, or the
    scheduler gives up), so credits are judged on it."""
    config = current_app.config
    meeting = meeting_of(episode_id)
    if meeting is None or meeting.report_pulled_at is not None:
        return False
    episode = db.session.get(Episode, episode_id)
    waited = now_utc() - as_utc(episode.ends_at)
    return (meeting.report_attempts < int(config["ZOOM_REPORT_MAX_ATTEMPTS"])
            and waited < timedelta(hours=int(config["ZOOM_REPORT_MAX_WAIT_HOURS"])))
