"""Attendance evidence (check-ins, video-platform intervals, manual marks) and verdicts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..episodes.models import Checkpoint
from ..extensions import db
from ..timeutil import utcnow


class CheckIn(db.Model):
    __tablename__ = "check_in"
    __table_args__ = (
        # A repeat returns the earlier check-in: the database refuses a second row.
        UniqueConstraint("checkpoint_id", "user_id"),
        Index("ix_check_in_episode_user", "episode_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id", ondelete="CASCADE"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))

    checkpoint: Mapped[Checkpoint] = relationship()
    user: Mapped[User] = relationship()


class AttendanceImport(db.Model):
    """One uploaded video-platform report; a new upload replaces the episode's earlier one."""

    __tablename__ = "attendance_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episode.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int]
    matched: Mapped[int]
    unmatched: Mapped[list] = mapped_column(JSON, default=list)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceInterval(db.Model):
    """A merged, non-overlapping stretch of time a participant was connected."""

    __tablename__ = "attendance_interval"
    __table_args__ = (
        CheckConstraint("left_at >= joined_at", name="order"),
        CheckConstraint("seconds >= 0", name="seconds"),
        Index("ix_attendance_interval_episode_user", "episode_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_import.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime]
    seconds: Mapped[int]


class AttendanceMark(db.Model):
    """An organizer's manual decision, with the reason; overrides the computed verdict."""

    __tablename__ = "attendance_mark"
    __table_args__ = (UniqueConstraint("episode_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    attended: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(500))
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceVerdict(db.Model):
    """The outcome of finalizing an episode, per registrant."""

    __tablename__ = "attendance_verdict"
    __table_args__ = (
        UniqueConstraint("episode_id", "user_id"),
        Index("ix_attendance_verdict_episode_attended", "episode_id", "attended"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    attended: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(30))
    checkpoints_passed: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
