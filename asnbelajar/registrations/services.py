"""Registration use cases: register (capacity + waiting list), cancel (promote), notify."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..database import is_postgres
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..notifications.services import queue_email, queue_email_to_many, render_email
from ..timeutil import now_utc, to_db
from .models import Registration


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool  # False when an earlier active registration was returned

    @property
    def status(self) -> str:
        return self.registration.status


def lock_episode(episode_id: int) -> Episode:
    """Load the episode holding its row lock (PostgreSQL) so capacity decisions for it are
    serialized; SQLite serializes writers on its own."""
    stmt = select(Episode).where(Episode.id == episode_id)
    if is_postgres():
        stmt = stmt.with_for_update(of=Episode)
    episode = db.session.scalar(stmt.execution_options(populate_existing=True))
    if episode is None:
        raise NotFound(_l("Episode tidak ditemukan."))
    return episode


def registered_count(episode_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.episode_id == episode_id, Registration.status == "registered"
        )
    ) or 0


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != "waitlisted":
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.episode_id == registration.episode_id,
            Registration.status == "waitlisted",
            (Registration.queued_at < registration.queued_at)
            | ((Registration.queued_at == registration.queued_at)
               & (Registration.id < registration.id)),
        )
    )
    return (ahead or 0) + 1


def get_registration(episode_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.episode_id == episode_id,
                                   Registration.user_id == user_id)
    )


def _check_can_register(user: User) -> None:
    if user.role != "participant":
        raise ValidationError(_l("Hanya akun peserta yang dapat mendaftar episode."),
                              code="not_participant")


def register(episode_id: int, user: User, *, source: str = "web",
             walk_in: bool = False) -> RegistrationResult:
    """Register a participant, or put them on the waiting list when the episode is full.

    Idempotent: an active registration is returned as it is. A walk-in (check-in code
    entered without registering) is only ever registered, never waitlisted.
    """
    _check_can_register(user)
    existing = get_registration(episode_id, user.id)
    if existing and existing.status != "cancelled":
        return RegistrationResult(existing, created=False)
    episode = lock_episode(episode_id)
    now = now_utc()
    if episode.status != "published":
        raise Conflict(_l("Episode ini tidak menerima pendaftaran."), code="not_open")
    if walk_in:
        if not episode.walk_in_allowed:
            raise Conflict(_l("Anda belum terdaftar di episode ini, dan episode ini tidak "
                              "menerima peserta tanpa pendaftaran."), code="not_registered")
    elif not episode.registration_open(now):
        opens = episode.registration_opens()
        if opens and now < opens:
            raise Conflict(_l("Pendaftaran belum dibuka."), code="registration_not_open")
        raise Conflict(_l("Pendaftaran sudah ditutup."), code="registration_closed")
    # Re-read under the lock: a concurrent double submit may have won the race.
    existing = db.session.scalar(
        select(Registration).where(Registration.episode_id == episode_id,
                                   Registration.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    if existing and existing.status != "cancelled":
        return RegistrationResult(existing, created=False)
    full = episode.capacity is not None and registered_count(episode.id) >= episode.capacity
    if full and walk_in:
        raise Conflict(_l("Kuota episode sudah penuh."), code="full")
    status = "waitlisted" if full else "registered"
    stamp = to_db(now)
    if existing:
        existing.status = status
        existing.queued_at = stamp
        existing.cancelled_at = None
        existing.source = source
        registration = existing
    else:
        registration = Registration(episode_id=episode.id, user_id=user.id, status=status,
                                    source=source, created_at=stamp, queued_at=stamp)
        db.session.add(registration)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Double submit on SQLite: the other request inserted first.
        found = get_registration(episode_id, user.id)
        if found is None:
            raise
        return RegistrationResult(found, created=False)
    _queue_confirmation(episode, user, registration)
    return RegistrationResult(registration, created=True)


def cancel_registration(episode_id: int, user: User) -> Registration:
    # Lock first, then read: concurrent cancellations promote the waiting list in order.
    episode = lock_episode(episode_id)
    registration = db.session.scalar(
        select(Registration).where(Registration.episode_id == episode_id,
                                   Registration.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    if registration is None or registration.status == "cancelled":
        raise NotFound(_l("Anda tidak memiliki pendaftaran aktif di episode ini."))
    if episode.has_ended():
        raise Conflict(_l("Episode sudah berakhir; pendaftaran tidak dapat dibatalkan."),
                       code="ended")
    was_registered = registration.status == "registered"
    registration.status = "cancelled"
    registration.cancelled_at = to_db(now_utc())
    db.session.flush()
    if was_registered:
        promote_waitlisted(episode)
    return registration


def promote_waitlisted(episode: Episode) -> list[Registration]:
    """Fill free places from the waiting list in arrival order (caller holds the lock)."""
    if episode.capacity is None:
        free = None
    else:
        free = episode.capacity - registered_count(episode.id)
        if free <= 0:
            return []
    query = (
        select(Registration)
        .where(Registration.episode_id == episode.id, Registration.status == "waitlisted")
        .order_by(Registration.queued_at, Registration.id)
    )
    if free is not None:
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        registration.status = "registered"
        registration.promoted_at = to_db(now_utc())
        user = db.session.get(User, registration.user_id)
        subject, text, html = render_email("registration_promoted", user=user,
                                           episode=episode)
        queue_email(f"promoted:{registration.id}:{registration.promoted_at.isoformat()}",
                    user.email, subject, text, html, [ics_attachment(episode)])
    db.session.flush()
    return promoted


def _queue_confirmation(episode: Episode, user: User, registration: Registration) -> None:
    template = ("registration_confirmed" if registration.status == "registered"
                else "registration_waitlisted")
    position = waitlist_position(registration)
    subject, text, html = render_email(template, user=user, episode=episode,
                                       position=position)
    attachments = [ics_attachment(episode)] if registration.status == "registered" else []
    queue_email(f"{template}:{registration.id}:{registration.queued_at.isoformat()}",
                user.email, subject, text, html, attachments)


def notify_registrants(episode: Episode, template: str) -> int:
    """Queue one email per active registrant in a single INSERT ... SELECT.

    The body is the same for everyone (no per-person rendering over thousands of rows);
    the dedupe key carries the iCalendar SEQUENCE so every change is announced once.
    """
    method = "CANCEL" if template == "episode_cancelled" else "REQUEST"
    subject, text, html = render_email(template, episode=episode, user=None)
    recipients = (
        select(Registration.user_id, User.email)
        .join(User, User.id == Registration.user_id)
        .where(Registration.episode_id == episode.id,
               Registration.status.in_(("registered", "waitlisted")),
               User.anonymized_at.is_(None))
    )
    # One body for everyone, waitlisted included: no join link in this invitation.
    queued = queue_email_to_many(
        f"{template}:{episode.id}:{episode.ical_sequence}:", recipients, subject, text, html,
        [ics_attachment(episode, method=method, join_link=False)],
    )
    current_app.logger.info("queued %s for %s registrants of episode %s",
                            template, queued, episode.id)
    return queued


# Registrant table and exports (organizers) ----------------------------------------------
# One SELECT builds every row of the table and of the exports: outer joins for the profile,
# the verdict and the live certificate, a correlated count for check-ins and a window over
# the waiting list for positions, so a page or a 20,000-row export is one statement.

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
        from ..accounts.services import PROVINCES

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


def _like_escape(value: str) -> str:
    # "/" as the escape character, as in accounts.reference.search_instansi.
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _registrant_conditions(episode: Episode, filters: RegistrantFilters,
                           reg=Registration) -> list:
    """WHERE clauses of the table; ``reg`` is Registration or the ranked alias of it."""
    from sqlalchemy import and_, exists, false, or_, true

    from ..accounts.models import ParticipantProfile
    from ..accounts.nip import normalize_nip
    from ..attendance.models import AttendanceVerdict, CheckIn

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
        words = []
        for word in text.split():
            pattern = f"%{_like_escape(word)}%"
            words.append(or_(func.lower(User.full_name).like(pattern, escape="/"),
                             User.email.like(pattern, escape="/"),
                             func.lower(ParticipantProfile.instansi_name)
                             .like(pattern, escape="/")))
        match = and_(*words)
        # An NIP may be typed with spaces, dots or hyphens between the digit groups.
        digits = normalize_nip(text)
        if digits.isdigit() and len(digits) >= 4:
            match = or_(match, ParticipantProfile.nip.like(f"%{digits}%"))
        conditions.append(match)
    return conditions


def _registrant_from(stmt, reg=Registration):
    from sqlalchemy import and_

    from ..accounts.models import ParticipantProfile
    from ..attendance.models import AttendanceVerdict

    return (
        stmt.select_from(reg)
        .join(User, User.id == reg.user_id)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == reg.user_id)
        .outerjoin(AttendanceVerdict, and_(AttendanceVerdict.episode_id == reg.episode_id,
                                           AttendanceVerdict.user_id == reg.user_id))
    )


def registrants_statement(episode: Episode, filters: RegistrantFilters):
    """The filtered, sorted registrant rows as plain columns (no ORM objects).

    Labels: registration_id, user_id, full_name, email, nip, employee_type, instansi,
    unit_kerja, jabatan, pangkat_golongan, province, phone, status, position, created_at,
    source, checkins, attended, certificate_number.
    """
    from sqlalchemy import case
    from sqlalchemy.orm import aliased

    from ..accounts.models import ParticipantProfile
    from ..attendance.models import AttendanceVerdict, CheckIn
    from ..certificates.models import Certificate

    # The episode's registrations ranked once (a window over the whole waiting list, so a
    # filtered view still shows true positions), then everything else is joined to them.
    ranked = (
        select(Registration, case(
            (Registration.status == "waitlisted",
             func.row_number().over(partition_by=Registration.status,
                                    order_by=(Registration.queued_at, Registration.id))),
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
    stmt = _registrant_from(stmt, reg).where(*_registrant_conditions(episode, filters, reg))
    status_order = case({"registered": 0, "waitlisted": 1, "cancelled": 2},
                        value=reg.status, else_=3)
    keys = {
        "name": [func.lower(User.full_name)],
        "registered_at": [reg.created_at],
        "status": [status_order, reg.queued_at],
        "instansi": [func.lower(ParticipantProfile.instansi_name)],
        "province": [ParticipantProfile.province],
    }[filters.sort]
    order = [(key.desc() if filters.descending else key.asc()).nulls_last() for key in keys]
    tiebreak = reg.id.desc() if filters.descending else reg.id.asc()
    return stmt.order_by(*order, tiebreak)


def count_registrants(episode: Episode, filters: RegistrantFilters) -> int:
    stmt = _registrant_from(select(func.count(Registration.id)))
    return db.session.scalar(stmt.where(*_registrant_conditions(episode, filters))) or 0


def registrant_counts(episode: Episode) -> dict[str, int]:
    """Totals for the header of the table, in one statement."""
    from sqlalchemy import case, true

    from ..attendance.models import AttendanceVerdict, CheckIn

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
    """Agencies of this episode's registrants, the most frequent first (filter choices)."""
    from ..accounts.models import ParticipantProfile

    rows = db.session.execute(
        select(ParticipantProfile.instansi_name, func.count().label("n"))
        .join(Registration, Registration.user_id == ParticipantProfile.user_id)
        .where(Registration.episode_id == episode.id,
               ParticipantProfile.instansi_name.is_not(None))
        .group_by(ParticipantProfile.instansi_name)
        .order_by(func.count().desc(), ParticipantProfile.instansi_name)
        .limit(limit)
    ).all()
    return [name for name, _n in rows]
