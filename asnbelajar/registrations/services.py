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
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import contains_eager, make_transient_to_detached

from .. import direct, transactions
from ..accounts.models import ParticipantProfile, User
from ..accounts.services import consent_needed
from ..accounts.sessions import TokenHolder
from ..attendance.models import CheckIn
from ..certificates.models import Certificate
from ..database import insert_ignore, is_postgres
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode, registration_open, registration_opens
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..hotpath import NotHot
from ..integrations.models import pushes_registrants, pushes_registrants_clause
from ..notifications.rendering import queued_params
from ..notifications.services import queue_email, render_email
from ..timeutil import now_utc, to_db
from ..util.sql import paginate
from .emails import (  # noqa: F401 - notify_registrants re-exported
    confirmation_key_suffix,
    confirmation_template,
    insert_registration_with_confirmation,
    notify_registrants,
    queue_confirmation,
)
from .models import Registration

# Arrival order on the waiting list: who is promoted first, and everyone's position.
WAITLIST_ORDER = (Registration.queued_at, Registration.id)


class RegistrationResult:
    """What :func:`register` did: the registration, whether it was ``created`` (False when
    an earlier active one was returned) and a newly waitlisted person's ``position`` (known
    without a query). A registration just written is made the session's object only when
    someone asks for ``registration``: the API's answer needs its id and status alone, and
    building the object was a tenth of a registration's time (issue 13)."""

    __slots__ = ("_registration", "_written", "created", "position")

    def __init__(self, registration: Registration | None = None, created: bool = False,
                 position: int | None = None, *, written: dict[str, Any] | None = None):
        self._registration = registration
        self._written = written  # the row as inserted, id included
        self.created = created
        self.position = position

    @property
    def registration(self) -> Registration:
        if self._registration is None:
            # The row as written becomes the session's object without being read back.
            registration = Registration(**self._written)
            make_transient_to_detached(registration)
            db.session.add(registration)
            self._registration = registration
        return self._registration

    @property
    def id(self) -> int:
        return self._written["id"] if self._registration is None else self._registration.id

    @property
    def status(self) -> str:
        return (self._written["status"] if self._registration is None
                else self._registration.status)


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
    else:
        # SQLite: the driver runs SELECTs outside a transaction until the first write, so
        # a count read here could be stale by the time the INSERT gets the write lock
        # (the HTTP burst registered 1501 of 1500). A no-op write takes the database's
        # write lock first; every read after it is serialized with the other writers. It
        # names a column no foreign key refers to: assigning the key, even to itself,
        # makes SQLite scan every table that refers to the episode (the registrations and
        # check-ins: 0.1 ms at 3,000 registrants, growing with the episode).
        db.session.execute(text("UPDATE episode SET updated_at = updated_at WHERE id = :id"),
                           {"id": episode_id})
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


@cache
def _insert_registration(dialect: str):
    table = Registration.__table__
    return insert_ignore(table).returning(table.c.id)


@cache
def _places_taken():
    """Registered and waiting: the counts the triggers keep on the episode row (migration
    e2a4c6e8f0b1), read fresh (an Episode loaded earlier in the session may predate
    registrations written since)."""
    return (select(Episode.registered_count, Episode.waitlisted_count)
            .where(Episode.id == bindparam("episode_id")))


def places_for_newcomers(episode: Episode) -> int | None:
    """Places a newcomer may take now (None: no limit), the one capacity policy.

    The waiting list is served first: a free place is owed to whoever has waited longest,
    so only places beyond the number of people waiting go to newcomers. Import asks this
    under the episode lock; register applies the same arithmetic (:func:`_places_left`)
    to the counts it reads with the lock.
    """
    if episode.capacity is None:
        return None
    registered, waiting = db.session.execute(_places_taken(),
                                             {"episode_id": episode.id}).one()
    return _places_left(episode.capacity, registered, waiting)[0]


def _places_left(capacity: int | None, registered: int,
                 waiting: int) -> tuple[int | None, int]:
    """The capacity policy's arithmetic: places beyond those taken and those owed to the
    people waiting."""
    if capacity is None:
        return None, 0
    return max(capacity - int(registered) - int(waiting), 0), int(waiting)


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


def place_in_line(result: RegistrationResult) -> int | None:
    """The place on the waiting list of what :func:`register` answered (None unless
    waitlisted): a newcomer's is known from the counts read under the episode's lock,
    a repeat's is ranked."""
    if result.position is not None:
        return result.position
    return waitlist_position(result.registration) if result.status == "waitlisted" else None


def get_registration(episode_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.episode_id == episode_id,
                                   Registration.user_id == user_id)
        .execution_options(populate_existing=True)
    )


_PROFILE_OF_USER = object()


def check_can_register(user: User | TokenHolder, profile: Any = _PROFILE_OF_USER) -> None:
    """The gate every registration passes (web, API, walk-in check-in).

    Raises ValidationError (422, ``not_participant``) for organizers and speakers,
    Forbidden (403, ``consent_required``) until the participant has agreed to the current
    privacy notice (accounts made by ``create-user`` or an organizer have not), and
    ValidationError (422, ``profile_incomplete``) without an agency. ``profile``: the
    user's profile, or what the gate reads of it (``consent_at``, ``consent_version``,
    ``instansi_name``) when the caller read it already; by default ``user.profile``.
    """
    if user.role != "participant":
        raise ValidationError(_l("Hanya akun peserta yang dapat mendaftar episode."),
                              code="not_participant")
    if profile is _PROFILE_OF_USER:
        profile = user.profile
    if profile is None or consent_needed(profile):
        raise Forbidden(_l("Berikan persetujuan pemrosesan data pribadi di halaman profil "
                           "Anda sebelum mendaftar episode."), code="consent_required")
    if not profile.instansi_name:
        raise ValidationError(_l("Lengkapi instansi di profil Anda sebelum mendaftar "
                                 "episode."), code="profile_incomplete", field="instansi")


# What the capacity decision reads of the episode, under its lock: its window, its
# capacity and the places taken (counts kept by triggers on registration).
_LOCKED_COLUMNS = ("id", "status", "capacity", "walk_in_allowed", "registration_opens_at",
                   "published_at", "registration_closes_at", "ends_at", "registered_count",
                   "waitlisted_count")


_NOT_READ = object()


@cache
def _before_lock(dialect: str):
    return _before_lock_for(dialect, bindparam("user_id"))


def _before_lock_for(dialect: str, user_id):
    """One read of what decides nothing about places: the episode's status, the person's
    registration there, what the gate reads of their profile (who may register) and
    whether a Zoom meeting sends the confirmation (issue 13: one statement where there
    were four; plain columns, no objects to build).

    On SQLite it comes before the lock (:func:`_lock_for_registration`, a write). On
    PostgreSQL the same statement takes the lock (``FOR NO KEY UPDATE OF episode``) and
    reads what the capacity decision needs: one round trip fewer, and the lock is held no
    longer than with two statements (the rest of this read is what the second one would
    have waited behind). Once the lock is granted the episode's row is the one the last
    holder committed, counts included; the person's registration is as this statement's
    snapshot saw it, which a concurrent double submit may have overtaken: the unique
    constraint settles that (:func:`register`)."""
    table = Episode.__table__
    episode = ([table.c[name] for name in _LOCKED_COLUMNS] if dialect == "postgresql"
               else [table.c.status])
    statement = (select(*episode, Registration.id.label("registration_id"),
                        Registration.status.label("registration_status"),
                        ParticipantProfile.user_id.label("profile_user_id"),
                        ParticipantProfile.consent_at, ParticipantProfile.consent_version,
                        ParticipantProfile.instansi_name,
                        pushes_registrants_clause(table.c.id).label("zoom_link_follows"))
                 .select_from(table)
                 .outerjoin(Registration, (Registration.episode_id == table.c.id)
                            & (Registration.user_id == user_id))
                 .outerjoin(ParticipantProfile, ParticipantProfile.user_id == user_id)
                 .where(table.c.id == bindparam("episode_id")))
    if dialect == "postgresql":
        statement = statement.with_for_update(of=table, key_share=True)
    return statement


@cache
def _lock_for_registration():
    """SQLite: take the database's write lock and read what the capacity decision needs,
    in one statement, a no-op ``UPDATE ... RETURNING`` (on PostgreSQL :func:`_before_lock`
    takes the episode's lock)."""
    table = Episode.__table__
    columns = [table.c[name] for name in _LOCKED_COLUMNS]
    # It assigns updated_at to itself: naming the column keeps its onupdate from stamping
    # every registration as an edit of the episode, and it is no key. Assigning the key
    # (even to itself) made SQLite scan every table that refers to the episode, under the
    # write lock: 0.1 ms at 3,000 registrants, growing with the episode.
    return (update(table).where(table.c.id == bindparam("episode_id"))
            .values(updated_at=table.c.updated_at).returning(*columns))


def repeat_of(episode_id: int, user: User | TokenHolder,
              found: Any) -> RegistrationResult | None:
    """What every registration checks first, on ``found`` (``register``'s first read):
    the episode is announced (else NotFound) and the person passes the gate
    (:func:`check_can_register`); then a repeat, the person's active registration, is
    answered as it stands (None when there is none). Writes nothing."""
    if found is None or found.status == "draft":
        raise NotFound(_l("Episode tidak ditemukan."))
    # The gate reads the profile's row, read with the episode (no query, no object).
    check_can_register(user, found if found.profile_user_id is not None else None)
    if found.registration_id is not None and found.registration_status != "cancelled":
        existing = get_registration(episode_id, user.id)  # a repeat: answered as it is
        if existing and existing.status != "cancelled":
            return RegistrationResult(existing, created=False)
    return None


def register(episode_id: int, user: User | TokenHolder, *, source: str = "web",
             walk_in: bool = False, prefetched: Any = _NOT_READ) -> RegistrationResult:
    """Register a participant, or put them on the waiting list when no place is free for
    a newcomer (:func:`places_for_newcomers`).

    Idempotent: an active registration is returned as it is. A walk-in (check-in code
    entered without registering) is only ever registered, never waitlisted. A draft
    episode is not found (nobody registers for what is not announced).

    Everything that decides nothing about places is read in one statement, which on
    PostgreSQL also takes the episode's lock (:func:`_before_lock`); under the lock: the
    episode's window, capacity and places taken (the counts kept by triggers), the INSERT
    and the queued email (issue 13). ``prefetched``: that statement's row as
    registrations.hot read it (None: no such episode), perhaps with the registration
    written early, which is confirmed here or refused (hotpath.NotHot).
    """
    connection = transactions.connection()  # Core statements: no ORM bookkeeping
    dialect = connection.dialect.name
    if prefetched is not _NOT_READ:
        found = prefetched
    else:
        found = direct.first(connection, _before_lock(dialect),
                             {"episode_id": episode_id, "user_id": user.id})
    repeat = repeat_of(episode_id, user, found)
    if repeat is not None:
        return repeat
    zoom_link_follows = found.zoom_link_follows
    if dialect == "postgresql":
        episode = found  # read with the lock
    else:
        episode = direct.first(connection, _lock_for_registration(),
                               {"episode_id": episode_id})
        if episode is None:
            raise NotFound(_l("Episode tidak ditemukan."))
    # A row the hot statement judged (and perhaps wrote by) at its own moment: the rules
    # below use the same one (registrations.hot).
    now = getattr(found, "read_at", None) or now_utc()
    written_early = getattr(found, "written_id", None)
    if episode.status != "published":
        raise Conflict(_l("Episode ini tidak menerima pendaftaran."), code="not_open")
    if walk_in:
        if not episode.walk_in_allowed:
            raise Conflict(_l("Anda belum terdaftar di episode ini, dan episode ini tidak "
                              "menerima peserta tanpa pendaftaran."), code="not_registered")
    elif not registration_open(episode, now):
        opens = registration_opens(episode)
        if opens and now < opens:
            raise Conflict(_l("Pendaftaran belum dibuka."), code="registration_not_open")
        raise Conflict(_l("Pendaftaran sudah ditutup."), code="registration_closed")
    existing = None
    if found.registration_id is not None:
        # Read under the lock: a concurrent request may have re-activated this cancelled
        # registration. (With no row before the lock, a concurrent double submit is
        # caught by the unique constraint below instead: one statement fewer while the
        # lock is held.)
        existing = get_registration(episode_id, user.id)
        if existing and existing.status != "cancelled":
            return RegistrationResult(existing, created=False)
    places, waiting = _places_left(episode.capacity, episode.registered_count,
                                   episode.waitlisted_count)
    full = places is not None and places <= 0
    if full and walk_in:
        raise Conflict(_l("Kuota episode sudah penuh."), code="full")
    status = "waitlisted" if full else "registered"
    # A newcomer joins the end of the waiting list (queued now): its place is known from
    # the count read under the lock, without ranking the list again.
    position = waiting + 1 if full else None
    stamp = to_db(now)
    if existing:
        existing.status = status
        existing.queued_at = stamp
        existing.cancelled_at = None
        existing.source = source
        db.session.flush()
        result = RegistrationResult(existing, created=True, position=position)
        confirm = not (status == "registered" and zoom_link_follows)
    else:
        values = {"episode_id": episode.id, "user_id": user.id, "status": status,
                  "source": source, "created_at": stamp, "queued_at": stamp,
                  "cancelled_at": None, "promoted_at": None}
        # INSERT ... ON CONFLICT DO NOTHING RETURNING: one round trip under the lock (a
        # savepoint around an ORM insert took three); on PostgreSQL with the confirmation's.
        confirm = not (status == "registered" and zoom_link_follows)
        if written_early is not None:
            # The hot statement wrote it (registrations.hot): only what these rules write.
            if (found.written_status, found.written_source, bool(found.written_queued)) \
                    != (status, source, confirm):
                raise NotHot("the early registration is not the one the rules decide")
            inserted, confirm = (written_early,), False
        elif dialect == "postgresql" and confirm:
            template = confirmation_template(status)
            inserted = direct.first(connection, insert_registration_with_confirmation(), {
                **values, **queued_params(user.email, "registration"),
                "key_suffix": confirmation_key_suffix(stamp),
                "mail_template_name": template})
            confirm = False  # queued by the same statement
        else:
            inserted = direct.first(connection, _insert_registration(dialect), values)
        if inserted is None:
            # Another connection registered this person between the check and the insert
            # (a double submit on SQLite, or a row written without the episode lock); the
            # unique constraint decided, and theirs is the registration.
            found = get_registration(episode_id, user.id)
            if found is None or found.status == "cancelled":
                raise Conflict(_l("Pendaftaran Anda sedang diproses oleh permintaan lain. "
                                  "Muat ulang halaman."), code="concurrent_change")
            return RegistrationResult(found, created=False)
        result = RegistrationResult(created=True, position=position,
                                    written={"id": inserted[0], **values})
    if confirm:
        # (With a Zoom meeting that registers people, the Zoom sync job sends it with the
        # person's own join link.)
        queue_confirmation(user, result.id, status, stamp)
    return result


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
                    user.email, subject, text, html,
                    [ics_attachment(episode, attendee=(user.email, user.full_name))])
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
    checked_in: frozenset[int] = frozenset()  # episode ids with at least one check-in


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
    checked_in: frozenset[int] = frozenset()
    if episode_ids:
        checked_in = frozenset(db.session.scalars(
            select(CheckIn.episode_id).distinct().where(CheckIn.user_id == user_id,
                                                        CheckIn.episode_id.in_(episode_ids))))
    waiting = [reg for reg, _ep in upcoming if reg.status == "waitlisted"]
    positions = waitlist_positions([reg.episode_id for reg in waiting],
                                   [reg.id for reg in waiting])
    return MyRegistrations(upcoming=upcoming, past=past, past_page=past_page,
                           certificates=certificates, evaluated=evaluated,
                           positions=positions, checked_in=checked_in)
