"""Registration use cases: who may register, the capacity policy, register, cancel,
promote from the waiting list, the participant's own lists and the organizers' table.

Every rule lives here once and every path uses it: the web form, the JSON API, walk-in
check-in and the organizers' bulk import.

* **Who may register** (:func:`check_can_register`): a participant who has agreed to the
  current privacy notice (accounts made by ``asnbelajar create-user`` or an organizer have
  not) and named an agency.
* **Capacity** (:func:`places_for_newcomers`): the waiting list is served first, in arrival
  order. A newcomer gets a place only if one is free that nobody waiting is owed;
  otherwise they join the end of the list. Raising (or removing) an episode's capacity
  promotes from the list at once (:func:`capacity_changed`), as a cancellation does.
* **Waiting-list order** (:data:`WAITLIST_ORDER`): ``queued_at`` then id, for promotion
  and for every position shown (:func:`waitlist_positions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from ..accounts.models import ParticipantProfile, User
from ..accounts.nip import normalize_nip
from ..accounts.reference import PROVINCES
from ..accounts.services import consent_needed
from ..attendance.models import AttendanceVerdict, CheckIn
from ..certificates.models import Certificate
from ..database import is_postgres
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..integrations.models import pushes_registrants
from ..notifications.services import queue_email, queue_email_to_many, render_email
from ..timeutil import now_utc, to_db
from ..util.sql import match_words, paginate
from .models import Registration

# Arrival order on the waiting list: who is promoted first, and everyone's position.
WAITLIST_ORDER = (Registration.queued_at, Registration.id)


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool  # False when an earlier active registration was returned

    @property
    def status(self) -> str:
        return self.registration.status


def lock_episode(episode_id: int) -> Episode:
    """Load the episode holding its row lock (PostgreSQL) so capacity decisions for it are
    serialized; SQLite serializes writers on its own.

    ``FOR NO KEY UPDATE``: it serializes every capacity decision (and edits of the
    episode row) but, unlike ``FOR UPDATE``, does not hold up inserts that merely
    reference the episode (check-ins, registrations' foreign-key checks).
    """
    stmt = select(Episode).where(Episode.id == episode_id)
    if is_postgres():
        stmt = stmt.with_for_update(of=Episode, key_share=True)
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


def places_for_newcomers(episode: Episode) -> int | None:
    """Places a newcomer may take now (None: no limit), the one capacity policy.

    The waiting list is served first: a free place is owed to whoever has waited longest,
    so only places beyond the number of people waiting go to newcomers. Register and
    import both ask this, under the episode lock.
    """
    if episode.capacity is None:
        return None
    registered, waiting = db.session.execute(
        select(func.coalesce(func.sum(case((Registration.status == "registered", 1),
                                           else_=0)), 0),
               func.coalesce(func.sum(case((Registration.status == "waitlisted", 1),
                                           else_=0)), 0))
        .where(Registration.episode_id == episode.id,
               Registration.status.in_(("registered", "waitlisted")))
    ).one()
    return max(episode.capacity - int(registered) - int(waiting), 0)


def waitlist_positions(episode_ids: Iterable[int],
                       registration_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Registration id → place on its episode's waiting list (1 = next in line), for whole
    lists in one query; ``registration_ids`` keeps only those rows in the answer."""
    episode_ids = sorted(set(episode_ids))
    if not episode_ids:
        return {}
    ranked = (
        select(Registration.id,
               func.row_number().over(partition_by=Registration.episode_id,
                                      order_by=WAITLIST_ORDER).label("position"))
        .where(Registration.episode_id.in_(episode_ids),
               Registration.status == "waitlisted")
        .subquery()
    )
    stmt = select(ranked.c.id, ranked.c.position)
    if registration_ids is not None:
        wanted = sorted(set(registration_ids))
        if not wanted:
            return {}
        stmt = stmt.where(ranked.c.id.in_(wanted))
    return dict(db.session.execute(stmt).all())


def waitlist_position(registration: Registration | None) -> int | None:
    """The place of one waitlisted registration (None when not waitlisted)."""
    if registration is None or registration.status != "waitlisted":
        return None
    return waitlist_positions([registration.episode_id], [registration.id]).get(
        registration.id)


def get_registration(episode_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.episode_id == episode_id,
                                   Registration.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def check_can_register(user: User) -> None:
    """The gate every registration passes (web, API, walk-in check-in).

    Raises ValidationError (422, ``not_participant``) for organizers and speakers,
    Forbidden (403, ``consent_required``) until the participant has agreed to the current
    privacy notice (accounts made by ``create-user`` or an organizer have not), and
    ValidationError (422, ``profile_incomplete``) without an agency.
    """
    if user.role != "participant":
        raise ValidationError(_l("Hanya akun peserta yang dapat mendaftar episode."),
                              code="not_participant")
    profile = user.profile
    if profile is None or consent_needed(profile):
        raise Forbidden(_l("Berikan persetujuan pemrosesan data pribadi di halaman profil "
                           "Anda sebelum mendaftar episode."), code="consent_required")
    if not profile.instansi_name:
        raise ValidationError(_l("Lengkapi instansi di profil Anda sebelum mendaftar "
                                 "episode."), code="profile_incomplete", field="instansi")


def register(episode_id: int, user: User, *, source: str = "web",
             walk_in: bool = False) -> RegistrationResult:
    """Register a participant, or put them on the waiting list when no place is free for
    a newcomer (:func:`places_for_newcomers`).

    Idempotent: an active registration is returned as it is. A walk-in (check-in code
    entered without registering) is only ever registered, never waitlisted.
    """
    check_can_register(user)
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
    existing = get_registration(episode_id, user.id)
    if existing and existing.status != "cancelled":
        return RegistrationResult(existing, created=False)
    places = places_for_newcomers(episode)
    full = places is not None and places <= 0
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
        db.session.flush()
    else:
        try:
            # The row is made inside the savepoint: if the insert fails, rolling the
            # savepoint back also forgets the row, and the session stays usable.
            with db.session.begin_nested():
                registration = Registration(episode_id=episode.id, user_id=user.id,
                                            status=status, source=source, created_at=stamp,
                                            queued_at=stamp)
                db.session.add(registration)
        except IntegrityError:
            # Another connection registered this person between the check and the insert
            # (a double submit on SQLite, or a row written without the episode lock); the
            # unique constraint decided, and theirs is the registration.
            found = get_registration(episode_id, user.id)
            if found is None or found.status == "cancelled":
                raise
            return RegistrationResult(found, created=False)
    _queue_confirmation(episode, user, registration)
    return RegistrationResult(registration, created=True)


def cancel_registration(episode_id: int, user: User) -> Registration:
    # Lock first, then read: concurrent cancellations promote the waiting list in order.
    episode = lock_episode(episode_id)
    registration = get_registration(episode_id, user.id)
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
        .order_by(*WAITLIST_ORDER)
    )
    if free is not None:
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    # With a Zoom meeting that registers people, the email waits for the personal join
    # link: the Zoom sync job sends it (integrations.services._send_join_link).
    zoom_link_follows = pushes_registrants(episode.id)
    for registration in promoted:
        registration.status = "registered"
        registration.promoted_at = to_db(now_utc())
        if zoom_link_follows:
            continue
        user = db.session.get(User, registration.user_id)
        subject, text, html = render_email("registration_promoted", user=user,
                                           episode=episode)
        queue_email(f"promoted:{registration.id}:{registration.promoted_at.isoformat()}",
                    user.email, subject, text, html, [ics_attachment(episode)])
    db.session.flush()
    return promoted


def capacity_changed(episode_id: int) -> list[Registration]:
    """After an episode's capacity was raised or removed: give the new places to the
    waiting list in arrival order (each promoted person is emailed). A lowered capacity
    takes no place away from anyone; it only stops new ones being given."""
    episode = lock_episode(episode_id)
    if episode.status != "published" or episode.has_ended():
        return []
    return promote_waitlisted(episode)


def _queue_confirmation(episode: Episode, user: User, registration: Registration) -> None:
    if registration.status == "registered" and pushes_registrants(episode.id):
        return  # the Zoom sync job sends it with the person's own join link
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


# The participant's own registrations ---------------------------------------------------

MY_PAST_PER_PAGE = 20


@dataclass
class MyRegistrations:
    """The "my registrations" page: coming episodes in full, the rest a page at a time,
    with what each row needs (certificate, evaluation done, waiting-list place)."""

    upcoming: list[tuple[Registration, Episode]]
    past: list[tuple[Registration, Episode]]
    past_page: object  # a Flask-SQLAlchemy pagination of the past registrations
    certificates: dict[int, Certificate]  # episode id → live participant certificate
    evaluated: set[int]  # episode ids with the person's evaluation
    positions: dict[int, int]  # registration id → waiting-list place


def upcoming_registrations(user_id: int, *, limit: int | None = None,
                           with_cancelled_episodes: bool = False
                           ) -> list[tuple[Registration, Episode]]:
    """Active registrations for episodes that have not ended, soonest first: published
    ones, and cancelled ones too when asked (so the person sees the cancellation)."""
    statuses = ("published", "cancelled") if with_cancelled_episodes else ("published",)
    stmt = (
        select(Registration, Episode)
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.user_id == user_id,
               Registration.status.in_(("registered", "waitlisted")),
               Episode.status.in_(statuses), Episode.ends_at > to_db(now_utc()))
        .order_by(Episode.starts_at)
    )
    if limit:
        stmt = stmt.limit(limit)
    return [tuple(row) for row in db.session.execute(stmt).all()]


def my_registrations(user_id: int, *, page: int = 1,
                     per_page: int = MY_PAST_PER_PAGE) -> MyRegistrations:
    """One participant's registrations (their own only): coming ones, and a page of the
    rest (ended, cancelled, or of an episode cancelled or taken back to draft)."""
    upcoming = upcoming_registrations(user_id, with_cancelled_episodes=True)
    upcoming_ids = [reg.id for reg, _ep in upcoming]
    past_stmt = (
        select(Registration)
        .join(Episode, Episode.id == Registration.episode_id)
        .options(contains_eager(Registration.episode))
        .where(Registration.user_id == user_id)
        .order_by(Episode.starts_at.desc(), Registration.id.desc())
    )
    if upcoming_ids:
        past_stmt = past_stmt.where(Registration.id.not_in(upcoming_ids))
    past_page = paginate(past_stmt, page=page, per_page=per_page)
    past = [(reg, reg.episode) for reg in past_page.items]
    episode_ids = [ep.id for _reg, ep in upcoming] + [ep.id for _reg, ep in past]
    certificates: dict[int, Certificate] = {}
    evaluated: set[int] = set()
    if episode_ids:
        certificates = {cert.episode_id: cert for cert in db.session.scalars(
            select(Certificate).where(Certificate.user_id == user_id,
                                      Certificate.kind == "participant",
                                      Certificate.episode_id.in_(episode_ids),
                                      Certificate.revoked_at.is_(None)))}
        evaluated = set(db.session.scalars(
            select(Evaluation.episode_id).where(Evaluation.user_id == user_id,
                                                Evaluation.episode_id.in_(episode_ids))))
    waiting = [reg for reg, _ep in upcoming if reg.status == "waitlisted"]
    positions = waitlist_positions([reg.episode_id for reg in waiting],
                                   [reg.id for reg in waiting])
    return MyRegistrations(upcoming=upcoming, past=past, past_page=past_page,
                           certificates=certificates, evaluated=evaluated,
                           positions=positions)


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


def _registrant_from(stmt, reg=Registration):
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
    # The episode's registrations ranked once (a window over the whole waiting list, so a
    # filtered view still shows true positions), then everything else is joined to them.
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
