"""What a registration sends: its confirmation (queued with the registration, rendered by
the outbox sender) and the announcements to every registrant of an episode."""

from __future__ import annotations

from functools import cache

from flask import current_app
from sqlalchemy import bindparam, func, select

from ..accounts.models import User
from ..accounts.sessions import TokenHolder
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..extensions import db
from ..notifications.models import OutboxEmail
from ..notifications.rendering import (
    Rendered,
    queue_rendered_later,
    queue_rendered_later_from,
    renderer,
)
from ..notifications.services import queue_email_to_many, render_email
from .models import Registration


def confirmation_template(status: str) -> str:
    return "registration_confirmed" if status == "registered" else "registration_waitlisted"


def confirmation_template_of(status):
    """:func:`confirmation_template` as SQL, for a status that is an SQL expression."""
    from sqlalchemy import case

    return case(*[(status == name, confirmation_template(name))
                  for name in ("registered", "waitlisted")])


def confirmation_key_suffix(queued_at) -> str:
    """The end of a confirmation's dedupe key: a registration queued again (registered
    anew after a cancellation) is confirmed again."""
    return f":{queued_at.isoformat()}"


def confirmation_key_and_context(registration_id, template):
    """The confirmation's dedupe key and context as SQL expressions (the id and the
    template are expressions; the key's end is bound as ``key_suffix``): what
    :func:`queue_confirmation` writes, for a statement that queues it with the
    registration."""
    from sqlalchemy import String, cast

    key = (template + ":" + cast(registration_id, String)
           + bindparam("key_suffix", type_=String))
    context = func.json_build_object("registration_id", registration_id, "template",
                                     template)
    return key, context


@cache
def insert_registration_with_confirmation():
    """PostgreSQL: the registration's INSERT ... ON CONFLICT DO NOTHING RETURNING id and its
    confirmation, queued to be rendered by the sender, in one statement (one round trip
    fewer while the episode's lock is held). The confirmation is what
    :func:`queue_confirmation` queues: the same key, template and context. No row when
    the registration existed already (and then no email either)."""
    from sqlalchemy import String
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    table = Registration.__table__
    columns = ("episode_id", "user_id", "status", "source", "created_at", "queued_at",
               "cancelled_at", "promoted_at")
    written = (pg_insert(table)
               .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
               .on_conflict_do_nothing().returning(table.c.id).cte("written"))
    key, context = confirmation_key_and_context(
        written.c.id, bindparam("mail_template_name", type_=String))
    queued = queue_rendered_later_from(written, key, context).returning(
        OutboxEmail.__table__.c.id).cte("queued")
    return select(written.c.id,
                  select(func.count()).select_from(queued).scalar_subquery().label("queued"))


def queue_confirmation(user: User | TokenHolder, registration_id: int, status: str,
                        queued_at) -> None:
    template = confirmation_template(status)
    # Rendered by the outbox sender (notifications.rendering), not here: this runs while
    # the request holds the episode's lock, and the email with its .ics cost about as
    # much as the rest of the registration.
    queue_rendered_later(f"{template}:{registration_id}{confirmation_key_suffix(queued_at)}",
                         user.email, "registration",
                         {"registration_id": registration_id, "template": template})


@renderer("registration")
def _render_registration_email(context: dict) -> Rendered | None:
    """The confirmation or waiting-list email of a registration, as the episode is now."""
    registration = db.session.get(Registration, int(context["registration_id"]))
    if registration is None:
        return None
    user = db.session.get(User, registration.user_id)
    if user is None or user.anonymized_at is not None:
        return None
    episode = db.session.get(Episode, registration.episode_id)
    template = context["template"]
    from .services import waitlist_position  # services imports this module

    position = (waitlist_position(registration)
                if template == "registration_waitlisted" else None)
    subject, text, html = render_email(template, user=user, episode=episode,
                                       position=position)
    attachments = ([ics_attachment(episode, attendee=(user.email, user.full_name))]
                   if template == "registration_confirmed" else [])
    return Rendered(subject, text, html, attachments)


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
    # One body per group: the registered keep the shared join link in the updated
    # invitation (a moved event must not lose it), the waiting list gets none.
    key = f"{template}:{episode.id}:{episode.ical_sequence}:"
    queued = queue_email_to_many(
        key, recipients.where(Registration.status == "registered"), subject, text, html,
        [ics_attachment(episode, method=method, join_link=True)],
    )
    queued += queue_email_to_many(
        key, recipients.where(Registration.status == "waitlisted"), subject, text, html,
        [ics_attachment(episode, method=method, join_link=False)],
    )
    current_app.logger.info("queued %s for %s registrants of episode %s",
                            template, queued, episode.id)
    return queued
