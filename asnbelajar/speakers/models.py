"""Speakers, their place in an episode's programme and the materials they share."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..episodes.models import Episode
from ..extensions import db
from ..timeutil import utcnow

SPEAKER_ROLES = ("narasumber", "moderator", "keynote")


class Speaker(db.Model):
    __tablename__ = "speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))  # with academic titles
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    institution: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EpisodeSpeaker(db.Model):
    __tablename__ = "episode_speaker"
    __table_args__ = (
        UniqueConstraint("episode_id", "speaker_id", "role"),
        CheckConstraint("role IN ('narasumber', 'moderator', 'keynote')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speaker.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="narasumber")
    position: Mapped[int] = mapped_column(default=0)

    episode: Mapped[Episode] = relationship(back_populates="speakers")
    speaker: Mapped[Speaker] = relationship(lazy="joined")


class Material(db.Model):
    """A file a speaker shares with registered participants (slides, handouts)."""

    __tablename__ = "material"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size"),
        UniqueConstraint("stored_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episode.id", ondelete="CASCADE"), index=True
    )
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speaker.id"))
    title: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255))
    # Random name under instance/uploads/materials/: never a user-supplied path.
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    episode: Mapped[Episode] = relationship()
    speaker: Mapped[Speaker | None] = relationship()
