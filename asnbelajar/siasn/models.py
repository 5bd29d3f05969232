"""SIASN web-service credentials per agency and the push status of each certificate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Instansi
from ..extensions import db
from ..timeutil import utcnow

PUSH_STATUSES = ("pending", "sent", "failed", "retried")


class SiasnCredential(db.Model):
    """An agency's access to SIASN's web service. Secrets are stored encrypted
    (``util.crypto``) and never rendered: pages only say whether they are set."""

    __tablename__ = "siasn_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(
        ForeignKey("instansi.id", ondelete="CASCADE"), unique=True)
    consumer_key: Mapped[str] = mapped_column(String(200))
    consumer_secret_enc: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(200))
    password_enc: Mapped[str] = mapped_column(Text)
    # SIASN's own id of the agency (``instansiId``) and the course type (``jenisDiklatId``).
    siasn_instansi_id: Mapped[str] = mapped_column(String(64))
    jenis_diklat_id: Mapped[str | None] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    instansi: Mapped[Instansi] = relationship(lazy="joined")


class SiasnPush(db.Model):
    """One certified participation on its way to SIASN. One row per certificate: a rerun
    of the job never sends the same certificate twice."""

    __tablename__ = "siasn_push"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'retried')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_siasn_push_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), unique=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("instansi.id", ondelete="CASCADE"),
                                             index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"),
                                            index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The course-history id SIASN returned (``mapData.rwKursusId``).
    remote_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
