"""Registrations: one per participant and episode."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..episodes.models import Episode
from ..extensions import db
from ..timeutil import utcnow

REGISTRATION_STATUSES = ("registered", "waitlisted", "cancelled")


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("episode_id", "user_id"),
        CheckConstraint(
            "status IN ('registered', 'waitlisted', 'cancelled')", name="status"
        ),
        CheckConstraint(
            "source IN ('web', 'api', 'walk_in', 'import', 'organizer')", name="source"
        ),
        Index("ix_registration_episode_status", "episode_id", "status"),
        # The registrant table's default order (migration e7c1a2b3d4f5).
        Index("ix_registration_episode_created", "episode_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="registered")
    source: Mapped[str] = mapped_column(String(12), default="web")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Arrival order on the waiting list (re-registering after a cancellation queues anew).
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]

    episode: Mapped[Episode] = relationship()
    user: Mapped[User] = relationship()
