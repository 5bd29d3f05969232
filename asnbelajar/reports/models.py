"""Agency headcounts per year: the denominator of the training rate "against headcount"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Instansi
from ..episodes.models import Episode
from ..extensions import db
from ..ledger.models import LedgerEntry
from ..timeutil import utcnow


class InstansiHeadcount(db.Model):
    """How many ASN an agency employs in a year, as the agency declared it. One figure per
    agency and year; entering it again replaces it."""

    __tablename__ = "instansi_headcount"
    __table_args__ = (
        UniqueConstraint("instansi_id", "year"),
        CheckConstraint("headcount >= 0", name="headcount"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("instansi.id", ondelete="CASCADE"))
    year: Mapped[int]
    headcount: Mapped[int]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    instansi: Mapped[Instansi] = relationship(lazy="joined")


class ReportSnapshot(db.Model):
    """The figures of a year's reports as last computed, with what they were computed
    from (``fingerprint``) and how long it took. At province scale (hundreds of thousands
    of rows) a page serves this instead of scanning the year again; see
    ``reports.snapshots`` for when it is trusted."""

    __tablename__ = "report_snapshot"
    __table_args__ = (UniqueConstraint("kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    seconds: Mapped[float]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


# Yearly reports read the ledger by year first (each person's JP sum in a year); this
# covering index answers that without visiting the table. Declared here, beside the
# reports that need it, so the ledger's own model stays about the ledger's rules.
Index("ix_ledger_entry_year_user", LedgerEntry.year, LedgerEntry.user_id, LedgerEntry.jp,
      LedgerEntry.episode_id)
Index("ix_episode_year", Episode.year)
