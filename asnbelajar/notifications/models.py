"""The email outbox: written in the same transaction as the change that causes it.

Life of a row: ``pending`` → ``sending`` (claimed by one sender, with a Message-ID that
stays the same on every attempt) → ``sent``; a failed attempt goes back to ``pending``
with a later ``next_attempt_at`` until ``give_up_at``, then ``failed`` (organizers and
``asnbelajar outbox retry-failed`` can queue it again). A ``sending`` row whose claim is
older than ``OUTBOX_SENDING_TIMEOUT`` belonged to a sender that died: it is sent again,
so a crash delivers a message at most twice, never zero times.

Two channels share this table and that life: ``email`` (SMTP) and ``whatsapp`` (the
WhatsApp Business Cloud API, notifications/whatsapp.py). A WhatsApp row holds the
recipient's number in E.164 without "+" (``6281234567890``) in ``to_addr``, the name of the
approved message template in ``template`` and ``{"parameters": [...]}`` in ``context``;
its ``subject`` and ``body_text`` are a readable summary for the organizers' page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

CHANNELS = ("email", "whatsapp")


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("channel IN ('email', 'whatsapp')", name="channel"),
        # Claims look for pending (and stale sending) rows whose time has come.
        Index("ix_outbox_email_due", "status", "next_attempt_at"),
        Index("ix_outbox_email_to_addr", "to_addr"),
        # The organizers' page filtered by channel (WhatsApp rows are a small minority).
        Index("ix_outbox_email_channel_status", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One email per key: queueing the same notification twice is a no-op.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(10), default="email",
                                         server_default=text("'email'"))
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # For "sending" rows: when the claim lapses and another sender may take the row.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Set at the first claim and reused on every attempt: a message sent twice after a
    # crash carries the same Message-ID, so mail clients show it once.
    message_id: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # Retry until then (created_at + OUTBOX_RETRY_HOURS, or from a manual retry).
    give_up_at: Mapped[datetime | None]
    # Render at send time: template name and its JSON context. Emails
    # (notifications/rendering.py): the renderer's name; subject and bodies stay empty
    # until the sender renders them. WhatsApp: the approved template's name at Meta and
    # {"parameters": [...]}, which Meta fills in when it delivers the message.
    template: Mapped[str | None] = mapped_column(String(100))
    context: Mapped[dict | None] = mapped_column(JSON)
