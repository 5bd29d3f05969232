"""JP ledger use cases. Entries are only ever inserted (see models for the invariants)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..accounts.models import ParticipantProfile, User
from ..accounts.nip import NIP_LENGTH, normalize_nip
from ..attendance.models import AttendanceVerdict
from ..audit.services import record_event
from ..certificates.models import Certificate
from ..database import insert_ignore
from ..episodes.labels import official_series_label
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..timeutil import local_year, now_utc, to_db, to_local
from ..util.sql import LIKE_ESCAPE, Page, contains_pattern, match_words
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
    if occurred_on > to_local(now_utc()).date():  # "today" in WIB, not in UTC
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


# Statements: the ledger as readable lines (participant page, console, transcript) --------

SOURCE_LABELS = {"episode_credit": "ASN Belajar", "external_credit": "Eksternal",
                 "reversal": "Pembatalan"}


def activity_date(entry: LedgerEntry, episode: Episode | None) -> date:
    """When the learning happened: the episode's local date, the external training's
    date, or (for a reversal) the local date it was recorded."""
    if entry.kind == "episode_credit" and episode is not None:
        return to_local(episode.starts_at, episode.timezone).date()
    if entry.kind == "external_credit" and entry.occurred_on is not None:
        return entry.occurred_on
    return to_local(entry.created_at).date()


@dataclass
class LedgerLine:
    """One entry with what a reader needs next to it, in reading order."""

    entry: LedgerEntry
    on: date
    episode: Episode | None
    certificate: Certificate | None
    reverses: LedgerEntry | None  # the entry this reversal negates
    reversed_by: LedgerEntry | None  # the reversal that negated this entry
    running_total: int
    reversed_activity: str | None = None

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def jp(self) -> int:
        return self.entry.jp

    @property
    def source(self) -> str:
        return SOURCE_LABELS[self.entry.kind]

    @property
    def can_reverse(self) -> bool:
        return self.entry.kind != "reversal" and self.reversed_by is None

    @property
    def activity(self) -> str:
        """One line: "ASN Belajar Seri 41: Judul", "Judul — Penyelenggara" or
        "Pembatalan: …"."""
        entry, episode = self.entry, self.episode
        if entry.kind == "reversal":
            what = self.reversed_activity or entry.title or f"entri #{entry.reverses_id}"
            return f"Pembatalan: {what}"
        if entry.kind == "episode_credit" and episode is not None:
            label = official_series_label(episode.number)
            return f"{episode.program.name} {label}: {episode.title}"
        title = entry.title or "Pelatihan eksternal"
        return f"{title} — {entry.provider}" if entry.provider else title


@dataclass
class Statement:
    ledger: Ledger
    lines: list[LedgerLine]

    @property
    def year(self) -> int:
        return self.ledger.year


def statement_for(user_id: int, year: int) -> Statement:
    """The year's entries in the order the learning happened, each with its episode,
    certificate and reversal links and the running total. Three queries in all."""
    ledger = ledger_for(user_id, year)
    episode_ids = {e.episode_id for e in ledger.entries if e.episode_id}
    certificate_ids = {e.certificate_id for e in ledger.entries if e.certificate_id}
    episodes = {ep.id: ep for ep in db.session.scalars(
        select(Episode).where(Episode.id.in_(episode_ids)))} if episode_ids else {}
    certificates = {c.id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.id.in_(certificate_ids)))} if certificate_ids else {}
    # A reversal has the year of the entry it negates, so both are in this list.
    by_id = {e.id: e for e in ledger.entries}
    reversal_of = {e.reverses_id: e for e in ledger.entries if e.kind == "reversal"}
    lines = [
        LedgerLine(entry=e, on=activity_date(e, episodes.get(e.episode_id)),
                   episode=episodes.get(e.episode_id), certificate=certificates.get(
                       e.certificate_id), reverses=by_id.get(e.reverses_id),
                   reversed_by=reversal_of.get(e.id), running_total=0)
        for e in ledger.entries
    ]
    lines.sort(key=lambda line: (line.on, line.entry.id))
    activities = {line.entry.id: line.activity for line in lines if line.kind != "reversal"}
    total = 0
    for line in lines:
        total += line.jp
        line.running_total = total
        if line.kind == "reversal":
            line.reversed_activity = activities.get(line.entry.reverses_id)
    return Statement(ledger=ledger, lines=lines)


def entry_of(user_id: int, entry_id: int) -> LedgerEntry:
    """A participant's entry; NotFound when it belongs to someone else."""
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.user_id != user_id:
        raise NotFound(_l("Entri JP tidak ditemukan."))
    return entry


def reversal_of(entry_id: int) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id))


def monthly_jp(entries: list[LedgerEntry]) -> list[int]:
    """JP per calendar month (1-12) of the year, by when the learning happened (a
    reversal takes back the hours of the month it corrects). One query for the episodes."""
    episode_ids = {e.episode_id for e in entries if e.episode_id}
    for e in entries:
        if e.kind == "reversal" and e.reverses is not None and e.reverses.episode_id:
            episode_ids.add(e.reverses.episode_id)
    episodes = {ep.id: ep for ep in db.session.scalars(
        select(Episode).where(Episode.id.in_(episode_ids)))} if episode_ids else {}
    months = [0] * 12
    for entry in entries:
        source = entry.reverses if entry.kind == "reversal" and entry.reverses else entry
        on = activity_date(source, episodes.get(source.episode_id) if source.episode_id
                           else None)
        months[on.month - 1] += entry.jp
    return [max(jp, 0) for jp in months]


# Organizer search -------------------------------------------------------------------------

def _participant_condition(text: str):
    """How a typed query matches a participant. A full NIP (separators allowed) is an
    exact, indexed lookup; an address with "@" matches emails; anything else matches
    every word of the name, part of the email, or (from 4 digits) part of the NIP."""
    digits = normalize_nip(text)
    is_digits = digits.isascii() and digits.isdigit()
    if is_digits and len(digits) == NIP_LENGTH:
        return ParticipantProfile.nip == digits
    if "@" in text:
        return func.lower(User.email).like(contains_pattern(text.lower().replace(" ", "")),
                                           escape=LIKE_ESCAPE)
    conditions = [match_words(text, User.full_name),
                  func.lower(User.email).like(contains_pattern(text.lower()),
                                              escape=LIKE_ESCAPE)]
    if is_digits and len(digits) >= 4:
        conditions.append(ParticipantProfile.nip.contains(digits))
    return or_(*conditions)


def search_participants(query: str | None, *, year: int, page: int = 1,
                        per_page: int = 25) -> Page:
    """Participants whose name, email or NIP (typed with or without separators) matches,
    with their JP total for ``year``, in one SELECT: the page of ids is chosen first,
    then only those rows are joined to their profile and JP total, and the total count
    rides along as an uncorrelated subquery. Without a query: newest accounts first.

    On PostgreSQL the substring matches (``lower(full_name)``, ``lower(email)``, ``nip``)
    are served by the trigram indexes of migration c3e5a7b9d1f2.
    """
    text = " ".join((query or "").split())[:200]
    page = max(page, 1)

    matches = (select(User.id, User.full_name).select_from(User)
               .outerjoin(ParticipantProfile, ParticipantProfile.user_id == User.id)
               .where(User.role == "participant"))
    if text:
        # A CTE is scanned once for both the page and the count.
        matches = matches.where(_participant_condition(text)).cte("matches")
    else:
        # Without a filter, a subquery lets the page walk the primary key backwards.
        matches = matches.subquery("matches")
    order = (matches.c.full_name, matches.c.id) if text else (matches.c.id.desc(),)
    ids = (select(matches.c.id, matches.c.full_name).order_by(*order).limit(per_page)
           .offset((page - 1) * per_page).subquery())
    total = select(func.count()).select_from(matches).scalar_subquery()
    jp_total = (
        select(func.coalesce(func.sum(LedgerEntry.jp), 0))
        .where(LedgerEntry.user_id == User.id, LedgerEntry.year == year)
        .correlate(User).scalar_subquery()
    )
    rows = db.session.execute(
        select(User.id, User.full_name, User.email, User.anonymized_at, User.active,
               ParticipantProfile.nip, ParticipantProfile.employee_type,
               ParticipantProfile.instansi_name, ParticipantProfile.unit_kerja,
               ParticipantProfile.province, jp_total.label("jp"), total.label("total"))
        .select_from(ids).join(User, User.id == ids.c.id)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == User.id)
        .order_by(*((ids.c.full_name, ids.c.id) if text else (ids.c.id.desc(),)))
    ).all()
    count = rows[0].total if rows else 0
    if not rows and page > 1:
        # Past the last page: the count needs its own query.
        count = db.session.scalar(select(func.count()).select_from(matches)) or 0
    return Page(items=rows, page=page, per_page=per_page, total=count)
