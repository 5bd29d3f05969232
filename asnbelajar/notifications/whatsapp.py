"""The outbox's WhatsApp channel: queue reminders and "certificate ready" messages for
participants who opted in, and deliver claimed WhatsApp rows through the Cloud API.

Queueing is set-based like the emails' (one INSERT ... SELECT per episode, keys that make
a rerun queue nothing new); rows are only queued while an organizer has WhatsApp switched
on and the kind's template is set. Every message gets the same four template parameters,
in this order: the participant's name, the episode, its start in the participant's own
zone ("Kamis, 22 Februari 2024, pukul 14.00 WITA") and a link.

Delivery reuses the outbox's claim, backoff, give-up and retry (services.py). What Meta's
answer means for the row is decided in integrations/whatsapp.py: a refused token, a
silent or overloaded API holds every claimed WhatsApp row (like an SMTP server that is
down, tried again once per flush), a refused recipient fails that row only.
"""

from __future__ import annotations

import json
import threading
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, delete, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..accounts.models import ParticipantProfile, User
from ..certificates.models import Certificate
from ..database import insert_ignore, is_postgres
from ..episodes.models import Episode
from ..errors import Conflict
from ..extensions import db
from ..integrations.whatsapp import WhatsAppError
from ..integrations.whatsapp_settings import (
    active_whatsapp,
    get_whatsapp,
    note_failure,
    whatsapp_client,
)
from ..registrations.models import Registration
from ..timeutil import ZONES, format_datetime_id, now_utc, to_db
from ..util.urls import external_url
from .models import OutboxEmail
from .services import DeliveryResult, _record_failure, retry_window

CHANNEL = "whatsapp"
# last_error of WhatsApp rows held back because the API (not the message) failed; the
# outbox probes and releases them like mail held back by an SMTP outage.
WHATSAPP_DOWN = "WhatsApp unavailable: "
REMINDER_PREFIX = "wa-reminder-"
CERTIFICATE_PREFIX = "wa-certificate-ready:"

_table = OutboxEmail.__table__

# Each sender's first request of a flush goes through this lock: when the API refuses the
# token or is down, the first answer sets ``skip`` and the senders waiting here hand their
# rows back untried, so a flush with four senders still asks Meta once, not four times.
_first_request = threading.Lock()


# Queueing ------------------------------------------------------------------------------

def _text(value: str) -> ColumnElement:
    # Typed: PostgreSQL cannot infer the type of a bare parameter inside json_build_array.
    return cast(literal(value), String)


def _json_parameters(parameters: list[ColumnElement]) -> ColumnElement:
    """``{"parameters": [...]}`` built by the database (JSON functions differ)."""
    if is_postgres():
        return func.json_build_object(_text("parameters"), func.json_build_array(*parameters))
    return func.json_object("parameters", func.json_array(*parameters))


def _local_time(starts_at: datetime) -> ColumnElement:
    """The start in each person's own zone: three strings, picked per row."""
    times = {zone: format_datetime_id(starts_at, zone) for zone in ZONES}
    return case(*[(User.timezone == zone, _text(text)) for zone, text in times.items()],
                else_=_text(format_datetime_id(starts_at, None)))


def _opted_in():
    """People who asked for WhatsApp, with a mobile number WhatsApp can reach."""
    return and_(ParticipantProfile.whatsapp_opt_in_at.is_not(None),
                ParticipantProfile.phone.like("+628%"),
                func.length(ParticipantProfile.phone).between(12, 15),
                User.anonymized_at.is_(None))


def _insert(rows, key: ColumnElement, template: str, subject: str,
            parameters: list[ColumnElement]) -> int:
    """INSERT ... SELECT one WhatsApp row per row of ``rows`` (a SELECT joined to User
    and ParticipantProfile); keys already queued are skipped."""
    now = to_db(now_utc())
    body = _text("WhatsApp")
    for part in parameters:
        body = body + _text(" · ") + part
    queued = select(_table.c.id).where(_table.c.dedupe_key == key)
    source = rows.add_columns(
        key, _text(CHANNEL), func.replace(ParticipantProfile.phone, "+", ""),
        _text(subject[:300]), body, _text(template), _json_parameters(parameters),
        _text("pending"), literal(0), literal(now), literal(now),
        literal(to_db(now_utc() + retry_window()))).where(~queued.exists())
    stmt = insert_ignore(_table).from_select(
        ["dedupe_key", "channel", "to_addr", "subject", "body_text", "template", "context",
         "status", "attempts", "next_attempt_at", "created_at", "give_up_at"], source,
    ).returning(_table.c.id)
    return len(list(db.session.scalars(stmt)))


def _episode_name(episode: Episode) -> str:
    return f"{episode.program.name} Seri {episode.number}: {episode.title}"


def queue_reminders(now: datetime) -> int:
    """The 1-day and 1-hour WhatsApp reminders due now (same windows as the emails'), for
    registrants who opted in and did not turn reminders off. One INSERT per episode
    starting within a day; keys ``wa-reminder-1d:<registration>``."""
    active = active_whatsapp()
    if active is None or not active.reminder_template:
        return 0
    episodes = db.session.scalars(
        select(Episode).where(Episode.status == "published",
                              Episode.starts_at > to_db(now),
                              Episode.starts_at <= to_db(now + timedelta(days=1)))
        .order_by(Episode.id)).all()
    queued = 0
    for episode in episodes:
        window = "1h" if episode.starts_at <= to_db(now + timedelta(hours=1)) else "1d"
        rows = (select().select_from(Registration)
                .join(User, User.id == Registration.user_id)
                .join(ParticipantProfile, ParticipantProfile.user_id == User.id)
                .where(Registration.episode_id == episode.id,
                       Registration.status == "registered",
                       User.reminders_enabled.is_(True), _opted_in()))
        name = _episode_name(episode)
        queued += _insert(
            rows, _text(f"{REMINDER_PREFIX}{window}:") + cast(Registration.id, String),
            active.reminder_template, f"Pengingat WhatsApp: {name}",
            [User.full_name, _text(name), _local_time(episode.starts_at),
             _text(external_url("episodes.detail", episode_id=episode.id))])
    return queued


def queue_certificate_ready(episode: Episode, since: datetime) -> int:
    """A "certificate ready" WhatsApp message per participant certificate of ``episode``
    issued since ``since`` whose holder opted in; keys ``wa-certificate-ready:<id>``."""
    active = active_whatsapp()
    if active is None or not active.certificate_template:
        return 0
    rows = (select().select_from(Certificate)
            .join(User, User.id == Certificate.user_id)
            .join(ParticipantProfile, ParticipantProfile.user_id == User.id)
            .where(Certificate.episode_id == episode.id, Certificate.issued_at >= since,
                   Certificate.kind == "participant", _opted_in()))
    name = _episode_name(episode)
    return _insert(
        rows, _text(CERTIFICATE_PREFIX) + cast(Certificate.id, String),
        active.certificate_template, f"Sertifikat siap (WhatsApp): {name}",
        [User.full_name, _text(name), _local_time(episode.starts_at),
         _text(external_url("certificates.mine"))])


def forget_person(user_id: int, phone: str | None) -> int:
    """Delete every WhatsApp row for this person, whatever its status: those sent to
    their number and those keyed by their registrations or certificates (queued before
    a number change). For account erasure; returns how many."""
    keys = or_(
        _table.c.dedupe_key.in_(
            select(literal(REMINDER_PREFIX + "1d:") + cast(Registration.id, String))
            .where(Registration.user_id == user_id)),
        _table.c.dedupe_key.in_(
            select(literal(REMINDER_PREFIX + "1h:") + cast(Registration.id, String))
            .where(Registration.user_id == user_id)),
        _table.c.dedupe_key.in_(
            select(literal(CERTIFICATE_PREFIX) + cast(Certificate.id, String))
            .where(Certificate.user_id == user_id)))
    mine = keys
    if phone:
        mine = or_(keys, _table.c.to_addr == phone.lstrip("+"))
    result = db.session.execute(delete(_table).where(_table.c.channel == CHANNEL, mine)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


# Delivery ------------------------------------------------------------------------------

def _parameters(context: Any) -> list[Any]:
    if isinstance(context, str):  # a driver that hands JSON back as text
        try:
            context = json.loads(context)
        except ValueError:
            context = None
    params = context.get("parameters") if isinstance(context, dict) else None
    return list(params) if isinstance(params, list) else []


def _hold_all(ids: list[int], holder: str, reason: str, result: DeliveryResult,
              skip: set[str], *, attempted: int | None = None) -> None:
    """The API, not a message, failed: hand every claimed row back with backoff and stop
    trying WhatsApp for the rest of this flush."""
    result.gave_up += _record_failure(ids, holder, WHATSAPP_DOWN + reason,
                                      attempted=attempted)
    result.deferred += len(ids) - (1 if attempted is not None else 0)
    result.down.add(CHANNEL)
    skip.add(CHANNEL)
    result.errors.append(reason)


def _earlier_failure(conn: Any) -> str:
    return conn.failure if conn and conn.failure else "gagal pada percobaan sebelumnya"


def deliver(ids: list[int], holder: str, skip: set[str]) -> DeliveryResult:
    """Send the WhatsApp rows ``holder`` claimed, marking each as it goes. ``skip``
    (shared by the flush's senders) says WhatsApp already failed in this flush."""
    result = DeliveryResult()
    if not ids:
        return result
    conn = get_whatsapp()
    if CHANNEL in skip:
        _hold_all(ids, holder, _earlier_failure(conn), result, skip)
        return result
    if conn is None or not conn.enabled:
        _hold_all(ids, holder, "WhatsApp dimatikan atau belum diatur di konsol", result, skip)
        return result
    try:
        client = whatsapp_client(conn)
    except Conflict as err:
        _hold_all(ids, holder, str(err.message), result, skip)
        note_failure(str(err.message))
        db.session.commit()
        return result
    language = conn.language_code
    try:
        rows = db.session.execute(
            select(_table.c.id, _table.c.to_addr, _table.c.template, _table.c.context)
            .where(_table.c.id.in_(ids), _table.c.claimed_by == holder,
                   _table.c.status == "sending").order_by(_table.c.id)).all()
        db.session.commit()
        for index, row in enumerate(rows):
            with _first_request if index == 0 else nullcontext():
                if CHANNEL in skip:  # another sender's first request just failed
                    _hold_all([r.id for r in rows[index:]], holder, _earlier_failure(conn),
                              result, skip)
                    return result
                result.tried.add(CHANNEL)
                try:
                    if not row.template:
                        raise WhatsAppError("Baris WhatsApp tanpa nama templat")
                    message_id = client.send_template(row.to_addr, row.template, language,
                                                      _parameters(row.context))
                except WhatsAppError as err:
                    result.failed += 1
                    if not err.server_level:
                        result.gave_up += _record_failure([row.id], holder, err.message,
                                                          attempted=row.id,
                                                          permanent=not err.temporary)
                        result.errors.append(err.message)
                        continue
                    _hold_all([r.id for r in rows[index:]], holder, err.message, result,
                              skip, attempted=row.id)
                    note_failure(err.message)
                    db.session.commit()
                    return result
            db.session.execute(
                update(_table).where(_table.c.id == row.id, _table.c.claimed_by == holder)
                .values(status="sent", sent_at=to_db(now_utc()), last_error=None,
                        message_id=message_id, attempts=_table.c.attempts + 1))
            db.session.commit()
            result.sent += 1
            result.delivered.add(CHANNEL)
    finally:
        client.close()
    if result.sent:
        note_failure(None)
        db.session.commit()
    return result
