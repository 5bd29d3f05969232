"""Certificates: data frozen at issue, a human number and a random verification code."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


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
    # The code as looked up: upper case, separators dropped, Crockford's look-alikes
    # folded (see services.code_key). Unique, so a code typed in any case finds one row.
    code_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Frozen at issue.
    name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18))
    instansi: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    program_name: Mapped[str] = mapped_column(String(200))
    episode_label: Mapped[str] = mapped_column(String(60))
    episode_title: Mapped[str] = mapped_column(String(250))
    held_on: Mapped[date]  # the episode's day in ``timezone`` (older rows: the episode's zone)
    # The zone the dates are printed in (the holder's) and the episode's times they come
    # from; NULL on certificates issued before (migration d5f7b9c1e3a4), which keep their
    # day-only text.
    timezone: Mapped[str | None] = mapped_column(String(40))
    held_from: Mapped[datetime | None]
    held_until: Mapped[datetime | None]
    jp: Mapped[int | None]
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_title: Mapped[str] = mapped_column(String(200))
    signer_nip: Mapped[str | None] = mapped_column(String(18))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
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


class CertificateDesign(db.Model):
    """Look and wording of certificates: one row per program, optionally one per episode
    that overrides it field by field (a NULL field falls back to the program's, then to
    the configured defaults)."""

    __tablename__ = "certificate_design"
    __table_args__ = (
        CheckConstraint("(program_id IS NULL) <> (episode_id IS NULL)", name="owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), unique=True)
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("episode.id", ondelete="CASCADE"), unique=True)
    issuer_lines: Mapped[str | None] = mapped_column(Text)  # one line per row, at most 3
    title: Mapped[str | None] = mapped_column(String(60))
    intro: Mapped[str | None] = mapped_column(String(200))
    participant_wording: Mapped[str | None] = mapped_column(Text)
    speaker_wording: Mapped[str | None] = mapped_column(Text)
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signer_nip: Mapped[str | None] = mapped_column(String(18))
    # Prepared images (resized PNG/JPEG, see pdf.prepare_image), shared by every web node.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    background: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    speakers_page: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class CertificateFile(db.Model):
    """The PDF as issued (and, where BSrE signing is configured, as signed): downloads and
    ZIPs are served from here; stored in the database so every web node sees it."""

    __tablename__ = "certificate_file"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size"),
        CheckConstraint("signed_with IS NULL OR signed_with IN ('seal', 'personal')",
                        name="signed_with"),
        CheckConstraint("(signed_at IS NULL) = (signed_with IS NULL)", name="signed_pair"),
    )

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None]
    signed_with: Mapped[str | None] = mapped_column(String(10))
