"""The Zoom connection (one per installation), the Zoom meeting or webinar behind an
episode, each registration's Zoom registrant (personal join link), and the WhatsApp
Business connection that sends notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

ZOOM_KINDS = ("meeting", "webinar")
AUTO_RECORDING = ("none", "local", "cloud")


class ZoomConnection(db.Model):
    """A Zoom Server-to-Server OAuth app. One row (id 1): the installation's account.

    The client secret is stored encrypted (``util.crypto``) and never leaves the server:
    pages and API answers only say whether it is set.
    """

    __tablename__ = "zoom_connection"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(100))
    client_secret_enc: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    tested_at: Mapped[datetime | None]
    test_ok: Mapped[bool | None]
    test_message: Mapped[str | None] = mapped_column(String(500))


class WhatsAppConnection(db.Model):
    """The WhatsApp Business Cloud API number that sends notifications. One row (id 1).

    The access token is stored encrypted (``util.crypto``) like Zoom's client secret and
    never leaves the server. An empty template name leaves that kind of message out.
    ``failure``/``failure_at``: the last time Meta refused the token or could not be
    reached (messages are held meanwhile), cleared by the next delivery.
    """

    __tablename__ = "whatsapp_connection"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    enabled: Mapped[bool] = mapped_column(default=False)
    phone_number_id: Mapped[str] = mapped_column(String(40))
    access_token_enc: Mapped[str] = mapped_column(Text)
    reminder_template: Mapped[str | None] = mapped_column(String(512))
    certificate_template: Mapped[str | None] = mapped_column(String(512))
    language_code: Mapped[str] = mapped_column(String(15), default="id")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    tested_at: Mapped[datetime | None]
    test_ok: Mapped[bool | None]
    test_message: Mapped[str | None] = mapped_column(String(500))
    failure: Mapped[str | None] = mapped_column(String(500))
    failure_at: Mapped[datetime | None]


class ZoomMeeting(db.Model):
    """The Zoom meeting or webinar of an episode and what was last sent to Zoom.

    ``synced_*`` hold the topic, start, duration and zone Zoom has; the sync job compares
    them with the episode, so a move made anywhere (console, API, a failed call) is sent
    on the next run. ``deleted_at`` is set once Zoom has deleted it (episode cancelled).
    """

    __tablename__ = "zoom_meeting"
    __table_args__ = (
        CheckConstraint("kind IN ('meeting', 'webinar')", name="kind"),
        CheckConstraint("auto_recording IN ('none', 'local', 'cloud')", name="auto_recording"),
        CheckConstraint("report_attempts >= 0", name="report_attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episode.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    zoom_id: Mapped[str] = mapped_column(String(32), unique=True)
    join_url: Mapped[str] = mapped_column(String(1000))
    registration_required: Mapped[bool] = mapped_column(default=True)
    auto_recording: Mapped[str] = mapped_column(String(10), default="none")
    synced_topic: Mapped[str] = mapped_column(String(300))
    synced_start: Mapped[datetime]
    synced_duration: Mapped[int]
    synced_timezone: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    sync_error: Mapped[str | None] = mapped_column(String(500))
    deleted_at: Mapped[datetime | None]
    report_pulled_at: Mapped[datetime | None]
    report_rows: Mapped[int | None]
    report_error: Mapped[str | None] = mapped_column(String(500))
    report_attempts: Mapped[int] = mapped_column(default=0)
    report_next_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ZoomRegistrant(db.Model):
    """A registration registered with Zoom: the person's own join link.

    One per registration (the database refuses a second); ``registrant_id`` is Zoom's id,
    unique per meeting. ``removed_at`` is set once a cancelled registration was cancelled at
    Zoom too. ``attempts``/``next_attempt_at``/``last_error`` drive the job's retries.
    """

    __tablename__ = "zoom_registrant"
    __table_args__ = (
        UniqueConstraint("meeting_id", "registrant_id"),
        Index("ix_zoom_registrant_meeting_next", "meeting_id", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("zoom_meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    registrant_id: Mapped[str | None] = mapped_column(String(64))
    join_url: Mapped[str | None] = mapped_column(String(1000))
    registered_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


def pushes_registrants_clause(episode_id):
    """SQL truth of :func:`pushes_registrants` for ``episode_id`` (a value or a column),
    for statements that ask it alongside other things."""
    return (select(ZoomMeeting.id)
            .where(ZoomMeeting.episode_id == episode_id, ZoomMeeting.deleted_at.is_(None),
                   ZoomMeeting.registration_required.is_(true()))
            .exists())


def pushes_registrants(episode_id: int) -> bool:
    """Whether registrations of this episode get a personal Zoom link from the sync job
    (their confirmation email then waits for it)."""
    return bool(db.session.scalar(select(pushes_registrants_clause(episode_id))))
