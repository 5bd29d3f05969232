"""Programs, episodes and check-in checkpoints (speakers live in ``speakers/models.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import as_utc, now_utc, utcnow
from .labels import series_label

if TYPE_CHECKING:
    # speakers.models imports this module; the relationship resolves by name at runtime.
    from ..speakers.models import EpisodeSpeaker

COMPETENCY_TYPES = ("manajerial", "sosial_kultural", "teknis")
EPISODE_STATUSES = ("draft", "published", "cancelled")
ATTENDANCE_RULES = ("checkpoints", "minutes", "percent", "either")


class Program(db.Model):
    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    organizer_name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Episode(db.Model):
    __tablename__ = "episode"
    __table_args__ = (
        UniqueConstraint("program_id", "year", "number"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("jp >= 0", name="jp_non_negative"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("status IN ('draft', 'published', 'cancelled')", name="status"),
        CheckConstraint(
            "competency_type IN ('manajerial', 'sosial_kultural', 'teknis')",
            name="competency_type",
        ),
        CheckConstraint(
            "attendance_rule IN ('checkpoints', 'minutes', 'percent', 'either')",
            name="attendance_rule",
        ),
        CheckConstraint("min_minutes IS NULL OR min_minutes >= 0", name="min_minutes"),
        CheckConstraint(
            "min_percent IS NULL OR (min_percent >= 0 AND min_percent <= 100)",
            name="min_percent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(250))
    summary: Mapped[str | None] = mapped_column(Text)
    competency_type: Mapped[str] = mapped_column(String(20), default="manajerial")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    jp: Mapped[int] = mapped_column(default=2)
    capacity: Mapped[int | None]
    # Kept by triggers on registration (migration e2a4c6e8f0b1), never written from Python:
    # the capacity decision reads them with the episode's lock instead of counting.
    registered_count: Mapped[int] = mapped_column(server_default="0")
    waitlisted_count: Mapped[int] = mapped_column(server_default="0")
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    zoom_url: Mapped[str | None] = mapped_column(String(500))
    youtube_url: Mapped[str | None] = mapped_column(String(500))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    cover_image: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    attendance_rule: Mapped[str] = mapped_column(String(12), default="checkpoints")
    min_minutes: Mapped[int | None]
    min_percent: Mapped[int | None]
    evaluation_required: Mapped[bool] = mapped_column(default=False)
    walk_in_allowed: Mapped[bool] = mapped_column(default=True)
    # iCalendar identity: the UID stays, SEQUENCE grows with every change sent out.
    ical_uid: Mapped[str] = mapped_column(String(80), default=lambda: f"{uuid.uuid4()}@asnbelajar")
    ical_sequence: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    finalized_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    program: Mapped[Program] = relationship(lazy="joined")
    speakers: Mapped[list[EpisodeSpeaker]] = relationship(
        back_populates="episode", order_by="EpisodeSpeaker.position",
        cascade="all, delete-orphan",
    )
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="episode", order_by="Checkpoint.opens_at",
        cascade="all, delete-orphan",
    )

    # State from timestamps: nothing has to flip a flag when time passes.
    @property
    def starts_at_utc(self) -> datetime:
        return as_utc(self.starts_at)

    @property
    def ends_at_utc(self) -> datetime:
        return as_utc(self.ends_at)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def label(self) -> str:
        """ "Seri 41 · 2024", in the language of the page or email (see labels.py)."""
        return series_label(self.number, self.year)

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or now_utc()) >= self.ends_at_utc

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or now_utc()
        return self.starts_at_utc <= now < self.ends_at_utc

    def registration_opens(self) -> datetime | None:
        return registration_opens(self)

    def registration_closes(self) -> datetime:
        return registration_closes(self)

    def registration_open(self, now: datetime | None = None) -> bool:
        return registration_open(self, now)


# The registration window, for an Episode or any row with the same column names (the
# registration path reads only these columns under the episode's lock; issue 13).

def registration_opens(episode) -> datetime | None:
    """When registration opens: its own time, else publication."""
    return as_utc(episode.registration_opens_at or episode.published_at)


def registration_closes(episode) -> datetime:
    """When registration closes: its own time, else the end of the episode."""
    return as_utc(episode.registration_closes_at or episode.ends_at)


def registration_open(episode, now: datetime | None = None) -> bool:
    now = now or now_utc()
    opens = registration_opens(episode)
    return (episode.status == "published" and opens is not None
            and opens <= now < registration_closes(episode))


class Checkpoint(db.Model):
    """A check-in code shown during the live stream, valid within its window."""

    __tablename__ = "checkpoint"
    __table_args__ = (
        UniqueConstraint("episode_id", "code"),
        UniqueConstraint("episode_id", "label"),
        CheckConstraint("closes_at > opens_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(60))
    # Stored upper-cased; entry is case-insensitive.
    code: Mapped[str] = mapped_column(String(20))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    required: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    episode: Mapped[Episode] = relationship(back_populates="checkpoints")

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or now_utc()
        return as_utc(self.opens_at) <= now < as_utc(self.closes_at)
