"""The organizers' registrant table and its exports: search, filters, sort and counts.

One SELECT builds every row of the table and of the exports: outer joins for the profile,
the verdict and the live certificate, a correlated count for check-ins and a window over
the waiting list for positions (in :data:`~.services.WAITLIST_ORDER`), so a page or a
20,000-row export is one statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased

from ..accounts.models import ParticipantProfile, User
from ..accounts.nip import normalize_nip
from ..accounts.reference import PROVINCES
from ..attendance.models import AttendanceVerdict, CheckIn
from ..certificates.models import Certificate
from ..episodes.models import Episode
from ..extensions import db
from ..util.memo import remembered
from ..util.sql import Page, match_words
from .models import Registration
from .services import WAITLIST_ORDER

REGISTRANT_SORTS = ("name", "registered_at", "status", "instansi", "province")
ATTENDED_FILTERS = ("yes", "no", "unknown")


@dataclass(frozen=True)
class RegistrantFilters:
    """Search, filters and sort of the registrant table (and of its exports).

    ``attended``: after finalizing, ``yes``/``no`` follow the verdict and ``unknown`` is a
    registrant without one; before, ``yes`` is "has checked in at least once", ``unknown``
    is everyone else and ``no`` matches nobody (nobody has been judged absent yet).
    """

    q: str = ""
    status: str | None = None
    attended: str | None = None
    province: str | None = None
    instansi: str | None = None
    sort: str = "registered_at"
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> RegistrantFilters:
        """From a mapping of strings (query arguments); unknown values are dropped."""
        def pick(name: str, allowed) -> str | None:
            value = (args.get(name) or "").strip()
            return value if value in allowed else None

        sort = (args.get("sort") or "").strip()
        return cls(
            q=" ".join((args.get("q") or "").split())[:100],
            status=pick("status", ("registered", "waitlisted", "cancelled")),
            attended=pick("attended", ATTENDED_FILTERS),
            province=pick("province", PROVINCES),
            instansi=" ".join((args.get("instansi") or "").split())[:200] or None,
            sort=sort if sort in REGISTRANT_SORTS else "registered_at",
            descending=(args.get("dir") or "").strip() == "desc",
        )

    def as_args(self, **overrides) -> dict[str, str]:
        """Query arguments reproducing these filters (defaults left out)."""
        values = {"q": self.q or None, "status": self.status, "attended": self.attended,
                  "province": self.province, "instansi": self.instansi,
                  "sort": self.sort if self.sort != "registered_at" else None,
                  "dir": "desc" if self.descending else None}
        values.update(overrides)
        return {key: value for key, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.attended or self.province or self.instansi)


def _registrant_conditions(episode: Episode, filters: RegistrantFilters,
                           reg=Registration) -> list:
    """WHERE clauses of the table; ``reg`` is Registration or the ranked alias of it."""
    conditions = [reg.episode_id == episode.id]
    if filters.status:
        conditions.append(reg.status == filters.status)
    if filters.province:
        conditions.append(ParticipantProfile.province == filters.province)
    if filters.instansi:
        conditions.append(func.lower(ParticipantProfile.instansi_name)
                          == filters.instansi.lower())
    if filters.attended:
        if episode.finalized_at is not None:
            conditions.append({
                "yes": AttendanceVerdict.attended.is_(true()),
                "no": AttendanceVerdict.attended.is_(false()),
                "unknown": AttendanceVerdict.id.is_(None),
            }[filters.attended])
        else:
            checked_in = exists().where(CheckIn.episode_id == reg.episode_id,
                                        CheckIn.user_id == reg.user_id)
            conditions.append({"yes": checked_in, "no": false(),
                               "unknown": ~checked_in}[filters.attended])
    if filters.q:
        text = filters.q.lower()
        match = match_words(text, User.full_name, User.email, ParticipantProfile.instansi_name)
        # An NIP may be typed with spaces, dots or hyphens between the digit groups.
        digits = normalize_nip(text)
        if digits.isdigit() and len(digits) >= 4:
            match = or_(match, ParticipantProfile.nip.like(f"%{digits}%"))
        conditions.append(match)
    return conditions


def _registrant_from(stmt, reg=Registration, *, user: bool = True, profile: bool = True,
                     verdict: bool = True):
    if user:
        stmt = stmt.select_from(reg).join(User, User.id == reg.user_id)
    else:
        stmt = stmt.select_from(reg)
    if profile:
        stmt = stmt.outerjoin(ParticipantProfile, ParticipantProfile.user_id == reg.user_id)
    if verdict:
        stmt = stmt.outerjoin(AttendanceVerdict, and_(
            AttendanceVerdict.episode_id == reg.episode_id,
            AttendanceVerdict.user_id == reg.user_id))
    return stmt


def _needed(episode: Episode, filters: RegistrantFilters, *,
            sort: bool = True) -> dict[str, bool]:
    """Which tables the filters (and, with ``sort``, the order) of a page of ids read; the
    rest is joined for the 50 rows shown only (joining 19,000 registrants to every table
    first made the page of the largest episode take over a second on PostgreSQL)."""
    return {
        "user": bool(filters.q) or (sort and filters.sort == "name"),
        "profile": bool(filters.q or filters.province or filters.instansi)
        or (sort and filters.sort in ("instansi", "province")),
        "verdict": bool(filters.attended) and episode.finalized_at is not None,
    }


def _order(filters: RegistrantFilters, reg=Registration) -> list:
    status_order = case({"registered": 0, "waitlisted": 1, "cancelled": 2},
                        value=reg.status, else_=3)
    keys = {
        "name": [func.lower(User.full_name)],
        "registered_at": [reg.created_at],
        "status": [status_order, reg.queued_at],
        "instansi": [func.lower(ParticipantProfile.instansi_name)],
        "province": [ParticipantProfile.province],
    }[filters.sort]
    # Empty agencies and provinces last; names and dates are never empty, and leaving NULLS
    # LAST off them lets an index be read backwards for the descending order.
    nullable = filters.sort in ("instansi", "province")
    order = [key.desc() if filters.descending else key.asc() for key in keys]
    if nullable:
        order = [key.nulls_last() for key in order]
    return [*order, reg.id.desc() if filters.descending else reg.id.asc()]


def registrants_page(episode: Episode, filters: RegistrantFilters, *, page: int,
                     per_page: int) -> Page:
    """One page of the table in three small queries: the count, the ids of the page (only
    the tables the filters and the sort need), then the shown rows with every column."""
    page = max(1, page)
    # A search or filter reads every registrant of the episode anyway: the count comes
    # with the page from the same scan. Unfiltered, the page is an index walk and the
    # count an index count, cheaper apart.
    counted = filters.active
    columns = [Registration.id, func.count().over().label("total")] if counted \
        else [Registration.id]
    ids_stmt = _registrant_from(select(*columns), **_needed(episode, filters)).where(
        *_registrant_conditions(episode, filters))
    found = db.session.execute(
        ids_stmt.order_by(*_order(filters)).limit(per_page).offset((page - 1) * per_page)
    ).all()
    ids = [row.id for row in found]
    if counted and found:
        total = found[0].total
    else:
        total = count_registrants(episode, filters) if (page > 1 or not counted) else 0
    rows = []
    if ids:
        rows = db.session.execute(registrants_statement(episode, filters, ids=ids)).all()
    return Page(rows, page=page, per_page=per_page, total=total)


def registrants_statement(episode: Episode, filters: RegistrantFilters,
                          ids: list[int] | None = None):
    """The filtered, sorted registrant rows as plain columns (no ORM objects).

    Labels: registration_id, user_id, full_name, email, nip, employee_type, instansi,
    unit_kerja, jabatan, pangkat_golongan, province, phone, status, position, created_at,
    source, checkins, attended, certificate_number.

    With ``ids`` (a page chosen by :func:`registrants_page`): only those registrations,
    in the table's order, each waiting-list position counted with an index probe.
    """
    if ids is not None:
        mine = aliased(Registration)
        ahead = aliased(Registration)
        queued_before = (
            select(func.count()).select_from(ahead)
            .where(ahead.episode_id == mine.episode_id, ahead.status == "waitlisted",
                   or_(ahead.queued_at < mine.queued_at,
                       and_(ahead.queued_at == mine.queued_at, ahead.id < mine.id)))
            .correlate(mine).scalar_subquery()
        )
        ranked = (
            select(mine, case((mine.status == "waitlisted", queued_before + 1),
                              else_=None).label("position"))
            .where(mine.id.in_(ids))
            .subquery("reg")
        )
    else:
        # The episode's registrations ranked once (a window over the whole waiting list,
        # so a filtered view still shows true positions), then the rest is joined to them.
        ranked = (
            select(Registration, case(
                (Registration.status == "waitlisted",
                 func.row_number().over(partition_by=Registration.status,
                                        order_by=WAITLIST_ORDER)),
                else_=None).label("position"))
            .where(Registration.episode_id == episode.id)
            .subquery("reg")
        )
    reg = aliased(Registration, ranked)
    # Correlated lookups through (episode_id, user_id) indexes: the plan stays an index
    # probe per row even when statistics are stale (right after a big finalize or import).
    checkins = (
        select(func.count(CheckIn.id))
        .where(CheckIn.episode_id == reg.episode_id, CheckIn.user_id == reg.user_id)
        .correlate(ranked).scalar_subquery()
    )
    certificate = (
        select(Certificate.number)
        .where(Certificate.episode_id == reg.episode_id, Certificate.user_id == reg.user_id,
               Certificate.kind == "participant", Certificate.revoked_at.is_(None))
        .correlate(ranked).limit(1).scalar_subquery()
    )
    stmt = select(
        reg.id.label("registration_id"), User.id.label("user_id"),
        User.full_name, User.email, ParticipantProfile.nip, ParticipantProfile.employee_type,
        ParticipantProfile.instansi_name.label("instansi"), ParticipantProfile.unit_kerja,
        ParticipantProfile.jabatan, ParticipantProfile.pangkat_golongan,
        ParticipantProfile.province, ParticipantProfile.phone, reg.status,
        ranked.c.position, reg.created_at, reg.source,
        checkins.label("checkins"), AttendanceVerdict.attended,
        certificate.label("certificate_number"),
    )
    stmt = _registrant_from(stmt, reg)
    if ids is None:
        stmt = stmt.where(*_registrant_conditions(episode, filters, reg))
    return stmt.order_by(*_order(filters, reg))


def count_registrants(episode: Episode, filters: RegistrantFilters) -> int:
    stmt = _registrant_from(select(func.count(Registration.id)),
                            **_needed(episode, filters, sort=False))
    return db.session.scalar(stmt.where(*_registrant_conditions(episode, filters))) or 0


def registrant_counts(episode: Episode) -> dict[str, int]:
    """Totals for the header of the table, in one statement."""
    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    checked_in = (
        select(func.count(func.distinct(CheckIn.user_id)))
        .where(CheckIn.episode_id == episode.id).scalar_subquery()
    )
    attended = (
        select(func.count()).select_from(AttendanceVerdict)
        .where(AttendanceVerdict.episode_id == episode.id,
               AttendanceVerdict.attended.is_(true())).scalar_subquery()
    )
    row = db.session.execute(
        select(func.count(Registration.id),
               count_if(Registration.status == "registered"),
               count_if(Registration.status == "waitlisted"),
               count_if(Registration.status == "cancelled"),
               checked_in, attended)
        .where(Registration.episode_id == episode.id)
    ).one()
    return dict(zip(("total", "registered", "waitlisted", "cancelled", "checked_in",
                     "attended"), (int(v or 0) for v in row), strict=True))


def registrant_instansi_options(episode: Episode, limit: int = 300) -> list[str]:
    """Agencies of this episode's registrants, the most frequent first (filter choices).

    Grouping 19,000 registrants by agency costs ~100 ms on every page of the table: kept
    in the worker while it stays that slow and the tables are unchanged (``util.memo``)."""
    return remembered(("registrant_instansi_options", episode.id, limit),
                      ("registration", "participant_profile"),
                      lambda: _instansi_options(episode.id, limit), slow_seconds=0.05)


def _instansi_options(episode_id: int, limit: int) -> list[str]:
    rows = db.session.execute(
        select(ParticipantProfile.instansi_name, func.count().label("n"))
        .join(Registration, Registration.user_id == ParticipantProfile.user_id)
        .where(Registration.episode_id == episode_id,
               ParticipantProfile.instansi_name.is_not(None))
        .group_by(ParticipantProfile.instansi_name)
        .order_by(func.count().desc(), ParticipantProfile.instansi_name)
        .limit(limit)
    ).all()
    return [name for name, _n in rows]
