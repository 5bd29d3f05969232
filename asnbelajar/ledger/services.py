"""JP ledger use cases. Entries are only ever inserted (see models for the invariants)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..attendance.models import AttendanceVerdict
from ..audit.services import record_event
from ..certificates.models import Certificate
from ..database import insert_ignore
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..timeutil import local_year, now_utc, to_db
from .models import LedgerEntry


@dataclass
class Ledger:
    year: int
    total_jp: int
    target_jp: int
    entries: list[LedgerEntry]

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.total_jp / self.target_jp)) if self.target_jp else 100

    @property
    def remaining(self) -> int:
        return max(self.target_jp - self.total_jp, 0)


def ledger_for(user_id: int, year: int) -> Ledger:
    entries = list(db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.user_id == user_id, LedgerEntry.year == year)
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    ))
    return Ledger(year=year, total_jp=sum(e.jp for e in entries),
                  target_jp=int(current_app.config["JP_TARGET"]), entries=entries)


def years_with_entries(user_id: int) -> list[int]:
    return list(db.session.scalars(
        select(LedgerEntry.year).where(LedgerEntry.user_id == user_id)
        .group_by(LedgerEntry.year).order_by(LedgerEntry.year.desc())
    ))


def eligible_condition(episode: Episode):
    """SQL condition on AttendanceVerdict rows: attended and, if required, evaluated."""
    condition = and_(AttendanceVerdict.episode_id == episode.id,
                     AttendanceVerdict.attended.is_(true()))
    if episode.evaluation_required:
        condition = and_(condition, exists().where(
            Evaluation.episode_id == episode.id,
            Evaluation.user_id == AttendanceVerdict.user_id,
        ))
    return condition


def credit_episode(episode: Episode, user_id: int | None = None) -> int:
    """Credit every eligible participant of the episode who never had a credit for it,
    in one INSERT ... SELECT. The partial unique index makes a concurrent run a no-op.

    The per-person lookups are correlated scalar subqueries (index probes on
    (user_id, episode_id)) rather than anti-joins, so the plan stays linear even when the
    planner has no statistics for freshly written verdicts.
    """
    year = local_year(episode.starts_at, episode.timezone)
    earlier = aliased(LedgerEntry)
    prior_credits = (
        select(func.count()).select_from(earlier)
        .where(earlier.user_id == AttendanceVerdict.user_id,
               earlier.episode_id == episode.id, earlier.kind == "episode_credit")
        .scalar_subquery()
    )
    certificate_id = (
        select(Certificate.id)
        .where(Certificate.episode_id == episode.id,
               Certificate.user_id == AttendanceVerdict.user_id,
               Certificate.kind == "participant", Certificate.revoked_at.is_(None))
        .scalar_subquery()
    )
    candidates = (
        select(AttendanceVerdict.user_id.label("user_id"), certificate_id.label("cert_id"),
               prior_credits.label("prior"))
        .where(eligible_condition(episode))
    )
    if user_id is not None:
        candidates = candidates.where(AttendanceVerdict.user_id == user_id)
    candidates = candidates.offset(0).subquery()
    rows = (
        select(
            candidates.c.user_id, literal("episode_credit"), literal(episode.jp),
            literal(year), literal(episode.id), literal(0), candidates.c.cert_id,
            literal(to_db(now_utc())),
        )
        .where(candidates.c.prior == 0, candidates.c.cert_id.is_not(None))
    )
    stmt = insert_ignore(LedgerEntry.__table__).from_select(
        ["user_id", "kind", "jp", "year", "episode_id", "credit_seq", "certificate_id",
         "created_at"],
        rows,
    ).returning(LedgerEntry.__table__.c.id)
    # Count the returned ids: rowcount is not reliable for INSERT ... SELECT on every driver.
    return len(db.session.execute(stmt).all())


def add_external_credit(
    *, user_id: int, jp: int, title: str, provider: str | None, occurred_on: date,
    evidence_path: str | None, actor_id: int | None, reason: str | None = None,
) -> LedgerEntry:
    if not title or not title.strip():
        raise ValidationError(_l("Nama pelatihan wajib diisi."), field="title")
    if not isinstance(jp, int) or jp <= 0 or jp > 200:
        raise ValidationError(_l("JP harus bilangan bulat 1-200."), field="jp")
    if occurred_on > to_db(now_utc()).date():
        raise ValidationError(_l("Tanggal pelatihan tidak boleh di masa depan."),
                              field="occurred_on")
    entry = LedgerEntry(
        user_id=user_id, kind="external_credit", jp=jp, year=occurred_on.year,
        title=title.strip()[:250], provider=(provider or "").strip()[:200] or None,
        occurred_on=occurred_on, evidence_path=evidence_path, created_by=actor_id,
        reason=reason,
    )
    db.session.add(entry)
    db.session.flush()
    record_event(actor_id, "ledger.external_credit", "user", user_id,
                 after={"entry_id": entry.id, "jp": jp, "title": entry.title})
    return entry


def reverse_entry(entry_id: int, *, reason: str, actor_id: int | None) -> LedgerEntry:
    """Negate exactly one earlier entry. A second reversal of the same entry is refused
    by the unique ``reverses_id``."""
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(_l("Entri JP tidak ditemukan."))
    if not reason or not reason.strip():
        raise ValidationError(_l("Alasan pembatalan wajib diisi."), field="reason")
    if entry.kind == "reversal":
        raise Conflict(_l("Entri pembatalan tidak dapat dibatalkan lagi."), code="is_reversal")
    reversal = LedgerEntry(
        user_id=entry.user_id, kind="reversal", jp=-entry.jp, year=entry.year,
        episode_id=entry.episode_id, reverses_id=entry.id, reason=reason.strip(),
        certificate_id=entry.certificate_id, created_by=actor_id,
        title=entry.title,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reversal)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Entri ini sudah dibatalkan."), code="already_reversed") from None
    record_event(actor_id, "ledger.reverse", "user", entry.user_id,
                 before={"entry_id": entry.id, "jp": entry.jp},
                 after={"reversal_id": reversal.id, "reason": reversal.reason})
    return reversal


def live_credit(user_id: int, episode_id: int) -> LedgerEntry | None:
    reversal = aliased(LedgerEntry)
    return db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.user_id == user_id, LedgerEntry.episode_id == episode_id,
            LedgerEntry.kind == "episode_credit",
            ~exists().where(reversal.reverses_id == LedgerEntry.id),
        )
    )


def recredit_episode(episode: Episode, user_id: int, certificate_id: int,
                     actor_id: int | None) -> LedgerEntry:
    """A new credit after the earlier one was reversed (reissue). ``credit_seq`` is the
    number of reversals so far, so racing reissues collide on the unique index."""
    if live_credit(user_id, episode.id):
        raise Conflict(_l("Peserta sudah memiliki kredit JP untuk episode ini."),
                       code="already_credited")
    reversal, credit = aliased(LedgerEntry), aliased(LedgerEntry)
    seq = db.session.scalar(
        select(func.count()).select_from(reversal).join(credit, reversal.reverses_id == credit.id)
        .where(credit.user_id == user_id, credit.episode_id == episode.id,
               credit.kind == "episode_credit")
    ) or 0
    entry = LedgerEntry(user_id=user_id, kind="episode_credit", jp=episode.jp,
                        year=local_year(episode.starts_at, episode.timezone),
                        episode_id=episode.id, credit_seq=seq, certificate_id=certificate_id,
                        created_by=actor_id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Peserta sudah memiliki kredit JP untuk episode ini."),
                       code="already_credited") from None
    return entry
