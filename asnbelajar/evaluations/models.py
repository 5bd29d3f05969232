"""Post-episode evaluations (Likert 1-5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

SCORE_FIELDS = ("material", "speaker", "organization", "relevance")


class Evaluation(db.Model):
    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("episode_id", "user_id"),
        *(
            CheckConstraint(f"score_{f} BETWEEN 1 AND 5", name=f"score_{f}")
            for f in SCORE_FIELDS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    score_material: Mapped[int]
    score_speaker: Mapped[int]
    score_organization: Mapped[int]
    score_relevance: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationSpeakerScore(db.Model):
    """A participant's score for one speaker of the episode: co-speakers are rated
    separately, never as one shared "speaker" score."""

    __tablename__ = "evaluation_speaker_score"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "speaker_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speaker.id", ondelete="CASCADE"),
                                            index=True)
    score: Mapped[int]
