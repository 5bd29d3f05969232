"""Registration use cases: register (capacity + waiting list), cancel (promote), notify."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..database import insert_ignore, is_postgres
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..notifications.models import OutboxEmail
from ..notifications.services import queue_email, render_email
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
    registration = get_registration(episode_id, user.id)
    if registration is None or registration.status == "cancelled":
        raise NotFound(_l("Anda tidak memiliki pendaftaran aktif di episode ini."))
    episode = lock_episode(episode_id)
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
    filename, content_type, data = ics_attachment(episode, method=method)
    import base64

    attachment = [{"filename": filename, "content_type": content_type,
                   "data": base64.b64encode(data).decode()}]
    prefix = f"{template}:{episode.id}:{episode.ical_sequence}:"
    now = to_db(now_utc())
    select_rows = (
        select(
            (literal(prefix) + cast(Registration.user_id, String)).label("dedupe_key"),
            User.email, literal(subject), literal(text), literal(html),
            literal("pending"), literal(0), literal(now), literal(now),
        )
        .join(User, User.id == Registration.user_id)
        .where(Registration.episode_id == episode.id,
               Registration.status.in_(("registered", "waitlisted")),
               User.anonymized_at.is_(None))
    )
    table = OutboxEmail.__table__
    stmt = insert_ignore(table).from_select(
        ["dedupe_key", "to_addr", "subject", "body_text", "body_html", "status", "attempts",
         "next_attempt_at", "created_at"],
        select_rows,
    ).returning(table.c.id)
    queued = len(db.session.execute(stmt).all())
    # JSON attachments are set in a second set-based statement (JSON literals differ per DB).
    db.session.execute(
        table.update()
        .where(table.c.dedupe_key.like(prefix + "%"))
        .values(attachments=attachment)
    )
    current_app.logger.info("queued %s for %s registrants of episode %s",
                            template, queued, episode.id)
    return queued
