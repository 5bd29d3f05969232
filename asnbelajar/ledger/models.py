"""The JP ledger: append-only entries, never updated or deleted.

One live credit per participant and episode is a database fact, not a code habit:

* every episode credit carries ``credit_seq``, and ``(user_id, episode_id, credit_seq)`` is
  unique for credits. A first credit has ``credit_seq = 0``; only after that credit has been
  reversed may a new one be written, with ``credit_seq`` = number of reversals so far. Two
  concurrent finalize runs (or a double click) both try ``credit_seq = 0`` and the database
  keeps exactly one;
* a reversal names the one entry it negates in ``reverses_id``, which is unique, so an entry
  can be reversed only once;
* triggers (migration 0f77bd5d05df, so they exist only in migrated databases) refuse a
  second live credit written with another ``credit_seq`` and every UPDATE or DELETE of an
  entry, however the row arrives.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow

ENTRY_KINDS = ("episode_credit", "external_credit", "reversal")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('episode_credit', 'external_credit', 'reversal')", name="kind"
        ),
        CheckConstraint(
            "(kind = 'episode_credit' AND episode_id IS NOT NULL AND credit_seq IS NOT NULL"
            " AND jp >= 0 AND reverses_id IS NULL)"
            " OR (kind = 'external_credit' AND jp > 0 AND reverses_id IS NULL"
            " AND credit_seq IS NULL)"
            " OR (kind = 'reversal' AND reverses_id IS NOT NULL AND jp <= 0"
            " AND credit_seq IS NULL)",
            name="shape",
        ),
        Index(
            "uq_ledger_entry_live_credit",
            "user_id",
            "episode_id",
            "credit_seq",
            unique=True,
            sqlite_where=text("kind = 'episode_credit'"),
            postgresql_where=text("kind = 'episode_credit'"),
        ),
        Index("ix_ledger_entry_user_year", "user_id", "year"),
        Index("ix_ledger_entry_episode", "episode_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    jp: Mapped[int]
    # The local (Asia/Jakarta) year the hours count toward.
    year: Mapped[int]
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episode.id"))
    credit_seq: Mapped[int | None]
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    title: Mapped[str | None] = mapped_column(String(250))
    provider: Mapped[str | None] = mapped_column(String(200))
    occurred_on: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    evidence_path: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id])
