"""Evaluation use cases: submit (which may complete eligibility) and aggregates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..attendance.services import complete_eligibility
from ..episodes.models import Episode
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..registrations.models import Registration
from ..speakers.models import EpisodeSpeaker
from ..timeutil import now_utc
from .models import SCORE_FIELDS, Evaluation, EvaluationSpeakerScore


def evaluation_open(episode: Episode, now=None) -> bool:
    """Evaluations are taken from the start until EVALUATION_OPEN_DAYS (default 14) days
    after the end: a 2022 episode no longer asks for one."""
    now = now or now_utc()
    days = int(current_app.config.get("EVALUATION_OPEN_DAYS", 14))
    return episode.starts_at_utc <= now < episode.ends_at_utc + timedelta(days=days)


def submit_evaluation(episode: Episode, user: User, scores: dict[str, Any],
                      comment: str | None) -> Evaluation:
    if not episode.is_published or episode.starts_at_utc > __import__(
            "asnbelajar.timeutil", fromlist=["now_utc"]).now_utc():
        raise Conflict(_l("Evaluasi dibuka setelah episode dimulai."), code="not_open")
    if not evaluation_open(episode):
        raise Conflict(_l("Evaluasi episode ini sudah ditutup."), code="closed")
    registration = db.session.scalar(select(Registration).where(
        Registration.episode_id == episode.id, Registration.user_id == user.id,
        Registration.status == "registered"))
    if registration is None:
        raise Conflict(_l("Hanya peserta terdaftar yang dapat mengisi evaluasi."),
                       code="not_registered")
    if not isinstance(scores, dict):
        raise ValidationError(_l("Nilai evaluasi tidak valid."), field="scores")
    values = {}
    for name in SCORE_FIELDS:
        value = scores.get(name)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(
                _l("Nilai \"%(name)s\" wajib diisi (1-5).", name=name), field=name)
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(_l("Nilai \"%(name)s\" harus 1-5.", name=name),
                                  field=name) from None
        if not 1 <= number <= 5:
            raise ValidationError(_l("Nilai \"%(name)s\" harus 1-5.", name=name), field=name)
        values[f"score_{name}"] = number
    speaker_scores = _speaker_scores(episode, scores.get("speakers"))
    evaluation = Evaluation(episode_id=episode.id, user_id=user.id,
                            comment=(comment or "").strip()[:4000] or None, **values)
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
            db.session.flush()
            db.session.add_all(
                EvaluationSpeakerScore(evaluation_id=evaluation.id, speaker_id=speaker_id,
                                       score=score)
                for speaker_id, score in speaker_scores.items())
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Anda sudah mengisi evaluasi episode ini."),
                       code="already_submitted") from None
    if episode.evaluation_required:
        complete_eligibility(episode, user.id)
    return evaluation


def episode_speaker_ids(episode_id: int) -> list[int]:
    """The speakers a participant may rate, in the episode's order (each once)."""
    ids: list[int] = []
    for speaker_id in db.session.scalars(
            select(EpisodeSpeaker.speaker_id).where(EpisodeSpeaker.episode_id == episode_id)
            .order_by(EpisodeSpeaker.position, EpisodeSpeaker.id)):
        if speaker_id not in ids:
            ids.append(speaker_id)
    return ids


def _speaker_scores(episode: Episode, raw: Any) -> dict[int, int]:
    """Optional per-speaker scores ``{speaker_id: 1-5}``: co-speakers are rated one by
    one. Only the episode's own speakers may be rated."""
    if raw in (None, {}, ""):
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(_l("Nilai narasumber tidak valid."), field="speakers")
    allowed = set(episode_speaker_ids(episode.id))
    result: dict[int, int] = {}
    for key, value in raw.items():
        try:
            speaker_id = int(key)
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_l("Nilai narasumber harus 1-5."), field="speakers") from None
        if isinstance(value, bool) or speaker_id not in allowed:
            raise ValidationError(_l("Narasumber itu tidak mengisi episode ini."),
                                  field="speakers")
        if not 1 <= number <= 5:
            raise ValidationError(_l("Nilai narasumber harus 1-5."), field="speakers")
        result[speaker_id] = number
    return result


def has_evaluated(episode_id: int, user_id: int) -> bool:
    return db.session.scalar(select(Evaluation.id).where(
        Evaluation.episode_id == episode_id, Evaluation.user_id == user_id)) is not None


def episode_aggregates(episode_id: int) -> dict[str, Any]:
    row = db.session.execute(
        select(func.count(Evaluation.id),
               *(func.avg(getattr(Evaluation, f"score_{f}")) for f in SCORE_FIELDS))
        .where(Evaluation.episode_id == episode_id)
    ).one()
    count, *averages = row
    return {"count": count,
            "averages": {f: (round(float(a), 2) if a is not None else None)
                         for f, a in zip(SCORE_FIELDS, averages, strict=True)}}
