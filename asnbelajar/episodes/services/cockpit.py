"""The organizer's episode console (cockpit): every figure the page shows, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select, true

from ...accounts.models import User
from ...attendance.models import AttendanceImport, AttendanceMark, AttendanceVerdict, CheckIn
from ...attendance.services import threshold_minutes, verdict_preview
from ...certificates.services import count_live
from ...extensions import db
from ...ledger.models import LedgerEntry
from ...registrations.models import Registration
from ..models import Episode


@dataclass
class Cockpit:
    reg_counts: dict[str, int]               # registration status -> count
    checkin_counts: dict[int, int]           # checkpoint id -> check-ins
    report: AttendanceImport | None          # the uploaded Zoom report, if any
    marks: list[Any]                         # (AttendanceMark, User), newest first
    preview: Any                             # verdict preview once published
    threshold: int | None                    # minutes that count as attended
    finalized: dict[str, int] | None         # attended / credited / certificates


def cockpit(episode: Episode) -> Cockpit:
    reg_counts = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.episode_id == episode.id)
        .group_by(Registration.status)
    ).all())
    checkin_counts = dict(db.session.execute(
        select(CheckIn.checkpoint_id, func.count()).where(CheckIn.episode_id == episode.id)
        .group_by(CheckIn.checkpoint_id)
    ).all())
    report = db.session.scalar(
        select(AttendanceImport).where(AttendanceImport.episode_id == episode.id))
    marks = list(db.session.execute(
        select(AttendanceMark, User).join(User, User.id == AttendanceMark.user_id)
        .where(AttendanceMark.episode_id == episode.id)
        .order_by(AttendanceMark.created_at.desc())
    ).all())
    finalized = None
    if episode.finalized_at:
        finalized = {
            "attended": db.session.scalar(
                select(func.count()).select_from(AttendanceVerdict).where(
                    AttendanceVerdict.episode_id == episode.id,
                    AttendanceVerdict.attended.is_(true()))) or 0,
            "credited": db.session.scalar(
                select(func.count()).select_from(LedgerEntry).where(
                    LedgerEntry.episode_id == episode.id,
                    LedgerEntry.kind == "episode_credit")) or 0,
            "certificates": count_live(episode.id),
        }
    return Cockpit(
        reg_counts=reg_counts, checkin_counts=checkin_counts, report=report, marks=marks,
        preview=verdict_preview(episode) if episode.status != "draft" else None,
        threshold=threshold_minutes(episode), finalized=finalized,
    )


def checkin_count(checkpoint_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.checkpoint_id == checkpoint_id)) or 0


def console_stats(episode_ids: list[int]) -> dict[int, dict[str, int]]:
    """Registered, waitlisted, checked-in and attended counts for a page of episodes, in
    one round trip (correlated subqueries), never one query per row."""
    if not episode_ids:
        return {}

    def count(model, *conditions, column=None):
        what = func.count(distinct(column)) if column is not None else func.count()
        return (select(what).select_from(model).where(*conditions)
                .correlate(Episode).scalar_subquery())

    rows = db.session.execute(
        select(
            Episode.id,
            count(Registration, Registration.episode_id == Episode.id,
                  Registration.status == "registered"),
            count(Registration, Registration.episode_id == Episode.id,
                  Registration.status == "waitlisted"),
            count(CheckIn, CheckIn.episode_id == Episode.id, column=CheckIn.user_id),
            count(AttendanceVerdict, AttendanceVerdict.episode_id == Episode.id,
                  AttendanceVerdict.attended.is_(true())),
        ).where(Episode.id.in_(episode_ids))
    ).all()
    return {row[0]: {"registered": row[1], "waitlisted": row[2], "checked_in": row[3],
                     "attended": row[4]} for row in rows}
