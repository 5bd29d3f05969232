"""The speaker portal's figures and session pages, and the speaker certificate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, select, true
from sqlalchemy.exc import IntegrityError

from ...attendance.models import AttendanceVerdict, CheckIn
from ...certificates.models import Certificate
from ...certificates.services import issue_speaker_certificate
from ...episodes.models import Episode
from ...errors import Conflict
from ...evaluations.models import Evaluation
from ...evaluations.services import episode_aggregates
from ...extensions import db
from ...registrations.models import Registration
from ...timeutil import now_utc
from ..models import EpisodeSpeaker, Material, Speaker
from .materials import materials_for_episode
from .profiles import speaker_roles

MAX_COMMENTS = 200


@dataclass
class SessionStats:
    registered: int = 0
    waitlisted: int = 0
    checked_in: int = 0
    attended: int = 0
    evaluations: int = 0
    speaker_score: float | None = None


def session_stats(episode_ids: list[int]) -> dict[int, SessionStats]:
    """Registrations, check-ins and verdicts per episode in one grouped query (each
    registration joins at most one verdict, so nothing multiplies), plus one grouped
    query for the evaluation count and speaker score."""
    stats = {eid: SessionStats() for eid in episode_ids}
    if not episode_ids:
        return stats
    checked_in = exists().where(CheckIn.episode_id == Registration.episode_id,
                                CheckIn.user_id == Registration.user_id)
    rows = db.session.execute(
        select(
            Registration.episode_id,
            func.sum(case((Registration.status == "registered", 1), else_=0)),
            func.sum(case((Registration.status == "waitlisted", 1), else_=0)),
            func.sum(case((checked_in, 1), else_=0)),
            func.sum(case((AttendanceVerdict.attended.is_(true()), 1), else_=0)),
        )
        .outerjoin(AttendanceVerdict, (AttendanceVerdict.episode_id == Registration.episode_id)
                   & (AttendanceVerdict.user_id == Registration.user_id))
        .where(Registration.episode_id.in_(episode_ids))
        .group_by(Registration.episode_id)
    ).all()
    for eid, registered, waitlisted, checked, attended in rows:
        s = stats[eid]
        s.registered, s.waitlisted = int(registered or 0), int(waitlisted or 0)
        s.checked_in, s.attended = int(checked or 0), int(attended or 0)
    for eid, count, score in db.session.execute(
        select(Evaluation.episode_id, func.count(), func.avg(Evaluation.score_speaker))
        .where(Evaluation.episode_id.in_(episode_ids)).group_by(Evaluation.episode_id)
    ).all():
        stats[eid].evaluations = count
        stats[eid].speaker_score = round(float(score), 2) if score is not None else None
    return stats


@dataclass
class SpeakerSession:
    episode: Episode
    roles: list[str]
    stats: SessionStats


@dataclass
class Portal:
    upcoming: list[SpeakerSession] = field(default_factory=list)
    past: list[SpeakerSession] = field(default_factory=list)
    evaluations: int = 0
    speaker_score: float | None = None   # weighted over all evaluated sessions


def portal_for(speaker: Speaker, now: datetime | None = None) -> Portal:
    """The speaker's sessions, coming ones soonest first, past ones latest first."""
    now = now or now_utc()
    rows = db.session.execute(
        select(Episode, EpisodeSpeaker.role)
        .join(EpisodeSpeaker, EpisodeSpeaker.episode_id == Episode.id)
        .where(EpisodeSpeaker.speaker_id == speaker.id)
        .order_by(Episode.starts_at, EpisodeSpeaker.position)
    ).all()
    episodes: dict[int, Episode] = {}
    roles: dict[int, list[str]] = {}
    for episode, role in rows:
        episodes.setdefault(episode.id, episode)
        roles.setdefault(episode.id, []).append(role)
    stats = session_stats(list(episodes))
    portal = Portal()
    weighted = 0.0
    for eid, episode in episodes.items():
        item = SpeakerSession(episode, roles[eid], stats[eid])
        (portal.past if episode.has_ended(now) else portal.upcoming).append(item)
        if item.stats.speaker_score is not None:
            portal.evaluations += item.stats.evaluations
            weighted += item.stats.speaker_score * item.stats.evaluations
    portal.past.reverse()
    if portal.evaluations:
        portal.speaker_score = round(weighted / portal.evaluations, 2)
    return portal


def evaluation_comments(episode_id: int, limit: int = MAX_COMMENTS) -> list[tuple[str, datetime]]:
    """Free comments, newest first, without who wrote them."""
    return list(db.session.execute(
        select(Evaluation.comment, Evaluation.created_at)
        .where(Evaluation.episode_id == episode_id, Evaluation.comment.is_not(None),
               Evaluation.comment != "")
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc()).limit(limit)
    ).all())


@dataclass
class SessionDetail:
    episode: Episode
    roles: list[str]
    stats: SessionStats
    evaluation: dict[str, Any] | None
    comments: list[tuple[str, datetime]]
    materials: list[Material]
    certificate: Certificate | None


def session_detail(episode: Episode, speaker: Speaker | None,
                   now: datetime | None = None) -> SessionDetail:
    now = now or now_utc()
    started = episode.starts_at_utc <= now
    evaluation = episode_aggregates(episode.id) if started else None
    certificate = None
    if speaker is not None:
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.episode_id == episode.id, Certificate.speaker_id == speaker.id,
            Certificate.kind == "speaker", Certificate.revoked_at.is_(None)))
    return SessionDetail(
        episode=episode,
        roles=speaker_roles(episode.id, speaker.id) if speaker else [],
        stats=session_stats([episode.id])[episode.id],
        evaluation=evaluation,
        comments=evaluation_comments(episode.id) if evaluation and evaluation["count"] else [],
        materials=materials_for_episode(episode.id),
        certificate=certificate,
    )


# Certificate --------------------------------------------------------------------------------

def speaker_certificate(episode: Episode, speaker: Speaker,
                        now: datetime | None = None) -> Certificate:
    """The speaker's certificate for a held episode, issued on first request."""
    if episode.status != "published" or not episode.has_ended(now):
        raise Conflict(_l("Sertifikat narasumber tersedia setelah episode selesai."),
                       code="not_ended")
    try:
        with db.session.begin_nested():
            return issue_speaker_certificate(episode, speaker)
    except IntegrityError:
        # A second click raced the first; the partial unique index kept one certificate.
        cert = db.session.scalar(select(Certificate).where(
            Certificate.episode_id == episode.id, Certificate.speaker_id == speaker.id,
            Certificate.kind == "speaker", Certificate.revoked_at.is_(None)))
        if cert is None:
            raise
        return cert
