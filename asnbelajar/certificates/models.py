"""Certificates: data frozen at issue, a human number and a random verification code."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now_utc, to_db


def _now() -> datetime:
    return to_db(now_utc())


class Certificate(db.Model):
    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("kind IN ('participant', 'speaker')", name="kind"),
        CheckConstraint(
            "(kind = 'participant' AND user_id IS NOT NULL) OR "
            "(kind = 'speaker' AND speaker_id IS NOT NULL)",
            name="holder",
        ),
        # One valid participant certificate per person and episode; revoked ones stay.
        Index(
            "uq_certificate_live_participant",
            "episode_id",
            "user_id",
            unique=True,
            sqlite_where=text("kind = 'participant' AND revoked_at IS NULL"),
            postgresql_where=text("kind = 'participant' AND revoked_at IS NULL"),
        ),
        Index(
            "uq_certificate_live_speaker",
            "episode_id",
            "speaker_id",
            unique=True,
            sqlite_where=text("kind = 'speaker' AND revoked_at IS NULL"),
            postgresql_where=text("kind = 'speaker' AND revoked_at IS NULL"),
        ),
        Index("ix_certificate_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="participant")
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speaker.id"))
    number: Mapped[str] = mapped_column(String(80), unique=True)
    seq: Mapped[int]
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    # Frozen at issue.
    name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18))
    instansi: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    program_name: Mapped[str] = mapped_column(String(200))
    episode_label: Mapped[str] = mapped_column(String(60))
    episode_title: Mapped[str] = mapped_column(String(250))
    held_on: Mapped[date]
    jp: Mapped[int | None]
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(default=_now)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    reissue_of: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CertificateCounter(db.Model):
    """Per-scope running number; allocated with one atomic UPDATE so numbers never repeat."""

    __tablename__ = "certificate_counter"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
