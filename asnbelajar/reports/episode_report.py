"""The report of one episode: the funnel registered → attended → certified, the same by
province and by agency, the evaluation (per question, per speaker, comments) and the
check-ins per minute around each checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, select, true

from ..accounts.models import ParticipantProfile
from ..attendance.models import AttendanceVerdict, CheckIn
from ..certificates.models import Certificate
from ..database import is_postgres
from ..episodes.models import Checkpoint, Episode
from ..evaluations.models import SCORE_FIELDS, Evaluation, EvaluationSpeakerScore
from ..extensions import db
from ..registrations.models import Registration
from ..speakers.models import EpisodeSpeaker, Speaker
from ..timeutil import as_utc

# Minutes shown before a checkpoint opens and after it closes.
CHECKIN_MARGIN_MINUTES = 5
COMMENTS_LIMIT = 500


def _grouped(episode_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Registered, waitlisted, attended and certified per province and per agency of the
    registrants' profiles: one pass over the episode's registrations, grouped by both,
    then summed per province and per agency here."""
    province = func.coalesce(ParticipantProfile.province, literal_column("''"))
    instansi = func.coalesce(ParticipantProfile.instansi_name, literal_column("''"))
    attended = (select(AttendanceVerdict.user_id)
                .where(AttendanceVerdict.episode_id == episode_id,
                       AttendanceVerdict.attended.is_(true())).subquery())
    certified = (select(Certificate.user_id)
                 .where(Certificate.episode_id == episode_id,
                        Certificate.kind == "participant",
                        Certificate.revoked_at.is_(None)).subquery())
    rows = db.session.execute(
        select(province, instansi,
               func.count().filter(Registration.status == "registered"),
               func.count().filter(Registration.status == "waitlisted"),
               func.count(attended.c.user_id),
               func.count(certified.c.user_id))
        .select_from(Registration)
        .join(ParticipantProfile, ParticipantProfile.user_id == Registration.user_id,
              isouter=True)
        .outerjoin(attended, and_(attended.c.user_id == Registration.user_id,
                                  Registration.status == "registered"))
        .outerjoin(certified, and_(certified.c.user_id == Registration.user_id,
                                   Registration.status == "registered"))
        .where(Registration.episode_id == episode_id,
               Registration.status.in_(("registered", "waitlisted")))
        .group_by(province, instansi)
    ).all()
    keys = ("registered", "waitlisted", "attended", "certified")
    by: dict[str, dict[str, dict[str, int]]] = {"province": {}, "instansi": {}}
    for prov, agency, *counts in rows:
        for kind, name in (("province", prov), ("instansi", agency)):
            group = by[kind].setdefault(name, dict.fromkeys(keys, 0))
            for key, n in zip(keys, counts, strict=True):
                group[key] += n

    def ordered(kind: str) -> list[dict[str, Any]]:
        items = sorted(by[kind].items(), key=lambda kv: (-kv[1]["registered"], kv[0]))
        return [{kind: name, **group} for name, group in items]

    return ordered("province"), ordered("instansi")


def evaluation_summary(episode: Episode) -> dict[str, Any]:
    """Averages per question, per speaker (each co-speaker on their own) and comments."""
    row = db.session.execute(
        select(func.count(Evaluation.id),
               *(func.avg(getattr(Evaluation, f"score_{f}")) for f in SCORE_FIELDS))
        .where(Evaluation.episode_id == episode.id)
    ).one()
    count, *averages = row
    per_speaker = {
        speaker_id: (n, avg) for speaker_id, n, avg in db.session.execute(
            select(EvaluationSpeakerScore.speaker_id, func.count(),
                   func.avg(EvaluationSpeakerScore.score))
            .join(Evaluation, Evaluation.id == EvaluationSpeakerScore.evaluation_id)
            .where(Evaluation.episode_id == episode.id)
            .group_by(EvaluationSpeakerScore.speaker_id))
    }
    speakers = []
    seen: set[int] = set()
    for speaker_id, name, institution, role in db.session.execute(
            select(Speaker.id, Speaker.name, Speaker.institution, EpisodeSpeaker.role)
            .join(EpisodeSpeaker, EpisodeSpeaker.speaker_id == Speaker.id)
            .where(EpisodeSpeaker.episode_id == episode.id)
            .order_by(EpisodeSpeaker.position, EpisodeSpeaker.id)):
        if speaker_id in seen:
            continue
        seen.add(speaker_id)
        n, avg = per_speaker.get(speaker_id, (0, None))
        speakers.append({"speaker_id": speaker_id, "name": name, "institution": institution,
                         "role": role, "count": n,
                         "average": round(float(avg), 2) if avg is not None else None})
    comments = list(db.session.scalars(
        select(Evaluation.comment)
        .where(Evaluation.episode_id == episode.id, Evaluation.comment.is_not(None))
        .order_by(Evaluation.created_at).limit(COMMENTS_LIMIT)))
    return {
        "count": count,
        "averages": {f: (round(float(a), 2) if a is not None else None)
                     for f, a in zip(SCORE_FIELDS, averages, strict=True)},
        "speakers": speakers,
        "comments": comments,
    }


@dataclass
class CheckinSeries:
    checkpoint_id: int
    label: str
    opens_at: datetime
    closes_at: datetime
    # (minute offset from the opening, check-ins in that minute); every minute present.
    minutes: list[tuple[int, int]]
    total: int


def _minute_key(column):
    if is_postgres():
        return func.date_trunc("minute", column)
    return func.strftime("%Y-%m-%d %H:%M", column)


def checkins_per_minute(episode: Episode) -> list[CheckinSeries]:
    """Check-ins per minute from a few minutes before each checkpoint opens until a few
    after it closes: the load the live session put on the platform."""
    result = []
    margin = timedelta(minutes=CHECKIN_MARGIN_MINUTES)
    checkpoints = list(db.session.scalars(
        select(Checkpoint).where(Checkpoint.episode_id == episode.id)
        .order_by(Checkpoint.opens_at)))
    for cp in checkpoints:
        start = as_utc(cp.opens_at) - margin
        end = as_utc(cp.closes_at) + margin
        key = _minute_key(CheckIn.created_at)
        counts: dict[int, int] = {}
        total = 0
        for minute, n in db.session.execute(
                select(key, func.count()).where(CheckIn.checkpoint_id == cp.id)
                .group_by(key)):
            if isinstance(minute, str):
                minute = datetime.strptime(minute, "%Y-%m-%d %H:%M")
            offset = int((as_utc(minute) - as_utc(cp.opens_at)).total_seconds() // 60)
            counts[offset] = counts.get(offset, 0) + n
            total += n
        first = int((start - as_utc(cp.opens_at)).total_seconds() // 60)
        last = int((end - as_utc(cp.opens_at)).total_seconds() // 60)
        # Check-ins outside the window (a late reopening) still show at the edges.
        if counts:
            first = min(first, min(counts))
            last = max(last, max(counts))
        result.append(CheckinSeries(
            checkpoint_id=cp.id, label=cp.label, opens_at=as_utc(cp.opens_at),
            closes_at=as_utc(cp.closes_at),
            minutes=[(m, counts.get(m, 0)) for m in range(first, last + 1)], total=total))
    return result


def episode_report(episode: Episode) -> dict[str, Any]:
    """The body of ``GET /api/v1/episodes/{id}/report`` (DESIGN.md)."""
    counts = dict(db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.episode_id == episode.id).group_by(Registration.status)).all())
    attended = db.session.scalar(
        select(func.count()).select_from(AttendanceVerdict)
        .where(AttendanceVerdict.episode_id == episode.id,
               AttendanceVerdict.attended.is_(true()))) or 0
    certified = db.session.scalar(
        select(func.count()).select_from(Certificate)
        .where(Certificate.episode_id == episode.id, Certificate.kind == "participant",
               Certificate.revoked_at.is_(None))) or 0
    by_province, by_instansi = _grouped(episode.id)
    return {
        "registered": counts.get("registered", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "attended": attended,
        "certified": certified,
        "by_province": by_province,
        "by_instansi": by_instansi,
        "evaluation": evaluation_summary(episode),
    }
