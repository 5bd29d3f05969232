"""Queue emails in the outbox (same transaction as the change) and deliver them later.

Delivery never loses an email and sends it at most twice:

- a sender *claims* due rows in one statement (``pending`` → ``sending``, with its name,
  the claim time and a Message-ID that stays the same on every attempt; PostgreSQL skips
  rows another sender holds), so parallel senders and two schedulers never share a row;
- it sends them over one SMTP connection with a short socket timeout and marks each row
  ``sent`` in its own commit right after the server accepted it: if the process dies in
  between, that one message is claimed again after ``OUTBOX_SENDING_TIMEOUT`` and sent a
  second time (same Message-ID) — at most one duplicate per message, never a loss;
- a failure puts the row back to ``pending`` with exponential backoff capped at
  ``OUTBOX_MAX_BACKOFF``; only after ``OUTBOX_RETRY_HOURS`` (or a permanent 5xx refusal
  of the recipient) does it become ``failed``, visible to organizers, who can retry it;
- when the server itself is unreachable or silent, the sender stops after one timeout
  and hands its whole claim back, so a black-holed server costs one timeout per sender,
  not one per message.

WhatsApp rows (``channel = 'whatsapp'``) go through the same claim, backoff, give-up and
retry; :func:`deliver_claimed` hands them to notifications/whatsapp.py, which sends them
over the Cloud API instead of SMTP. Outages are tracked per channel: WhatsApp being down
holds WhatsApp rows only, and mail keeps flowing.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import smtplib
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import String, and_, case, cast, func, literal, or_, select, true, update

from ..audit.services import record_event
from ..database import insert_ignore, is_postgres
from ..extensions import db
from ..timeutil import now_utc, to_db
from ..util.sql import LIKE_ESCAPE, contains_pattern
from .mailer import build_message, make_mailer, message_domain
from .models import CHANNELS, OutboxEmail
from .rendering import render_claimed

log = logging.getLogger("asnbelajar.outbox")

SENDER_NAME = f"{socket.gethostname()}:{os.getpid()}"
STATUSES = ("pending", "sending", "sent", "failed")
# last_error of emails held back because the SMTP server (not the message) failed.
SERVER_DOWN = "SMTP server unavailable: "
# The same marker per channel (notifications/whatsapp.py writes the WhatsApp one).
SERVER_DOWN_BY_CHANNEL = {"email": SERVER_DOWN, "whatsapp": "WhatsApp unavailable: "}


# Emails whose body carries a secret link (dedupe-key prefixes): the body is purged once
# the message is sent.
SECRET_KEY_PREFIXES = ("password-reset:", "speaker-invite:", "email-verify:",
                       "account_invited:")
PURGED_BODY = "[Isi email ini dihapus setelah terkirim karena memuat tautan rahasia.]"


def carries_secret(dedupe_key: str) -> bool:
    return dedupe_key.startswith(SECRET_KEY_PREFIXES)


def render_email(name: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) from templates/email/<name>.{subject,txt,html}."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
    # Times in the recipient's own zone (a participant in Bali reads WITA) when the email
    # is for one person; otherwise the episode's zone.
    user = context.get("user")
    context.setdefault("email_tz", getattr(user, "timezone", None) or None)
    # Emails are written in Indonesian whatever language the triggering request used.
    with force_locale("id"):
        subject = render_template(f"email/{name}.subject.txt", **context).strip()
        text = render_template(f"email/{name}.txt", **context)
        html = render_template(f"email/{name}.html", **context)
    return subject, text, html


def queue_email(
    dedupe_key: str,
    to_addr: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bool:
    """Add an email to the outbox unless one with this key exists. Returns True if queued."""
    files = [
        {"filename": fn, "content_type": ct, "data": base64.b64encode(data).decode()}
        for fn, ct, data in (attachments or [])
    ]
    table = OutboxEmail.__table__
    inserted = db.session.execute(
        insert_ignore(table).values(
            dedupe_key=dedupe_key[:200], to_addr=to_addr, subject=subject[:300],
            body_text=body_text, body_html=body_html, attachments=files, status="pending",
            attempts=0, next_attempt_at=to_db(now_utc()), created_at=to_db(now_utc()),
            give_up_at=to_db(now_utc() + retry_window()),
        ).returning(table.c.id)
    ).first()
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return inserted is not None


def queue_email_to_many(
    key_prefix: str,
    recipients,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> int:
    """Queue the same email to many people in one INSERT ... SELECT.

    ``recipients`` is a SELECT of two columns: an id that makes each dedupe key unique
    (``key_prefix`` + id) and the address. Keys already queued are skipped, so a rerun
    queues nothing twice. Returns how many emails were queued.
    """
    rows = recipients.subquery()
    key_col, email_col = list(rows.c)[:2]
    now = to_db(now_utc())
    table = OutboxEmail.__table__
    stmt = insert_ignore(table).from_select(
        ["dedupe_key", "to_addr", "subject", "body_text", "body_html", "status", "attempts",
         "next_attempt_at", "created_at", "give_up_at"],
        select(literal(key_prefix) + cast(key_col, String), email_col, literal(subject[:300]),
               literal(body_text), literal(body_html), literal("pending"), literal(0),
               literal(now), literal(now), literal(to_db(now_utc() + retry_window())))
        # SQLite needs a WHERE before ON CONFLICT to parse INSERT ... SELECT ... FROM (...).
        .where(true()),
    ).returning(table.c.id)
    ids = list(db.session.scalars(stmt))
    if ids and attachments:
        # JSON values go in a second set-based statement (JSON literals differ per engine).
        files = [
            {"filename": fn, "content_type": ct, "data": base64.b64encode(data).decode()}
            for fn, ct, data in attachments
        ]
        db.session.execute(table.update().where(table.c.id.in_(ids))
                           .values(attachments=files))
    return len(ids)


def retry_window() -> timedelta:
    return timedelta(hours=float(current_app.config["OUTBOX_RETRY_HOURS"]))


def backoff(attempts: int, cap_seconds: float | None = None) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... up to the cap (``OUTBOX_MAX_BACKOFF``, hourly)."""
    if cap_seconds is None:
        cap_seconds = float(current_app.config["OUTBOX_MAX_BACKOFF"])
    return timedelta(seconds=min(30 * 2 ** min(max(attempts - 1, 0), 20), cap_seconds))


# Delivery ------------------------------------------------------------------------------

_table = OutboxEmail.__table__


def claim_due(limit: int, holder: str) -> list[int]:
    """Claim up to ``limit`` due emails for ``holder`` and commit; returns their ids.

    Due: pending with ``next_attempt_at`` reached, or ``sending`` whose claim lapsed
    (its sender died). The claim itself sets the lapse time in ``next_attempt_at``.
    """
    now = now_utc()
    lapse = timedelta(seconds=float(current_app.config["OUTBOX_SENDING_TIMEOUT"]))
    due = (select(_table.c.id)
           .where(_table.c.status.in_(("pending", "sending")),
                  _table.c.next_attempt_at <= to_db(now))
           .order_by(_table.c.id).limit(limit))
    if is_postgres():
        due = due.with_for_update(skip_locked=True)
    message_id = func.coalesce(
        _table.c.message_id,
        literal(f"<outbox.{uuid.uuid4().hex[:12]}.") + cast(_table.c.id, String)
        + literal(f"@{message_domain()}>"))
    ids = list(db.session.scalars(
        update(_table).where(_table.c.id.in_(due.scalar_subquery()))
        .values(status="sending", claimed_by=holder, claimed_at=to_db(now),
                next_attempt_at=to_db(now + lapse), message_id=message_id)
        .returning(_table.c.id)))
    db.session.commit()
    return sorted(ids)


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0  # attempts that failed (the email stays queued unless it gave up)
    gave_up: int = 0  # emails marked failed in this run
    deferred: int = 0  # claimed but handed back unattempted after a connection failure
    errors: list[str] = field(default_factory=list)
    # Per channel: attempted at least once / delivered at least once / server down.
    tried: set[str] = field(default_factory=set)
    delivered: set[str] = field(default_factory=set)
    down: set[str] = field(default_factory=set)

    def add(self, other: DeliveryResult) -> None:
        self.tried |= other.tried
        self.delivered |= other.delivered
        self.down |= other.down
        self.sent += other.sent
        self.failed += other.failed
        self.gave_up += other.gave_up
        self.deferred += other.deferred
        self.errors.extend(other.errors)


def _server_failed(err: BaseException) -> bool:
    """The server (not this message) failed: unreachable, silent past the timeout,
    disconnected, or refusing the greeting, login or sender."""
    return not isinstance(err, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:2000]


def _permanent(err: BaseException) -> bool:
    """A 5xx refusal of this recipient or message: retrying will not help."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in err.recipients.values())
    return isinstance(err, smtplib.SMTPDataError) and err.smtp_code >= 500


def _gives_up(now: datetime):
    window = retry_window()
    return or_(_table.c.give_up_at <= to_db(now),
               and_(_table.c.give_up_at.is_(None), _table.c.created_at <= to_db(now - window)))


def _record_failure(ids: list[int], holder: str, error: str, *, attempted: int | None,
                    permanent: bool = False) -> int:
    """Hand claimed rows back after a failure; returns how many were given up."""
    now = now_utc()
    mine = and_(_table.c.id.in_(ids), _table.c.claimed_by == holder,
                _table.c.status == "sending")
    attempts = db.session.scalar(select(_table.c.attempts).where(_table.c.id == attempted)) \
        if attempted is not None else 0
    retry_at = to_db(now + backoff((attempts or 0) + 1))
    give_up = true() if permanent else _gives_up(now)
    gave_up = db.session.scalar(select(func.count()).select_from(_table)
                                .where(mine, give_up)) or 0
    db.session.execute(
        update(_table).where(mine)
        .values(status=case((give_up, "failed"), else_="pending"),
                next_attempt_at=retry_at, last_error=error,
                attempts=case((_table.c.id == attempted, _table.c.attempts + 1),
                              else_=_table.c.attempts)))
    db.session.commit()
    return gave_up


def deliver_claimed(ids: list[int], holder: str,
                    skip: set[str] | None = None) -> DeliveryResult:
    """Send the rows ``holder`` claimed, marking each as it goes: emails over one SMTP
    connection, WhatsApp rows over the Cloud API. ``skip``: channels already found down
    in this flush (their rows are handed back untried)."""
    from .whatsapp import deliver as deliver_whatsapp  # it builds on this module

    result = DeliveryResult()
    skip = set() if skip is None else skip
    mailer = None
    sent_on_connection = 0
    # Emails queued to be rendered now (a registration's confirmation) get their text
    # first; one that no longer applies is marked failed and not sent.
    unrenderable = set(render_claimed(ids, holder))
    result.failed += len(unrenderable)
    result.gave_up += len(unrenderable)
    whatsapp = set(db.session.scalars(select(_table.c.id).where(
        _table.c.id.in_(ids), _table.c.channel == "whatsapp"))) if ids else set()
    db.session.commit()
    result.add(deliver_whatsapp(sorted(whatsapp - unrenderable), holder, skip))
    pending = [i for i in ids if i not in unrenderable and i not in whatsapp]
    try:
        while pending:
            chunk, pending = pending[:100], pending[100:]
            rows = db.session.execute(
                select(_table).where(_table.c.id.in_(chunk), _table.c.claimed_by == holder,
                                     _table.c.status == "sending").order_by(_table.c.id)
            ).all()
            db.session.commit()
            for index, row in enumerate(rows):
                message = build_message(row)
                error = None
                result.tried.add("email")
                for _try in range(2):
                    try:
                        if mailer is None:
                            mailer, sent_on_connection = make_mailer(), 0
                        mailer.send(row, message)
                        error = None
                        break
                    except smtplib.SMTPServerDisconnected as err:
                        # Servers may close a long-used connection: reconnect once.
                        error, mailer = err, None
                        if sent_on_connection == 0:
                            break
                    except (smtplib.SMTPException, OSError) as err:
                        error = err
                        break
                if error is None:
                    values = {"status": "sent", "sent_at": to_db(now_utc()),
                              "last_error": None, "attempts": _table.c.attempts + 1}
                    if carries_secret(row.dedupe_key):
                        # A sent reset, invitation or verification link must not stay
                        # readable in the database (a dump or a console user could use it).
                        values.update(body_text=PURGED_BODY, body_html=None)
                    db.session.execute(
                        update(_table).where(_table.c.id == row.id,
                                             _table.c.claimed_by == holder)
                        .values(**values))
                    db.session.commit()
                    result.sent += 1
                    result.delivered.add("email")
                    sent_on_connection += 1
                    continue
                text = _describe(error)
                result.failed += 1
                if _server_failed(error):
                    # The server, not this message: hand the whole claim back at once.
                    rest = [r.id for r in rows[index:]] + pending
                    result.down.add("email")
                    result.gave_up += _record_failure(rest, holder, SERVER_DOWN + text,
                                                      attempted=row.id)
                    result.deferred += len(rest) - 1
                    result.errors.append(text)
                    if mailer is not None:
                        mailer.close()
                    mailer = None
                    return result
                result.gave_up += _record_failure([row.id], holder, text, attempted=row.id,
                                                  permanent=_permanent(error))
                result.errors.append(text)
    finally:
        if mailer is not None:
            mailer.close()
    return result


def _sender_loop(app: Flask, number: int, budget: _Budget, batch: int,
                 totals: DeliveryResult, lock: threading.Lock, skip: set[str]) -> None:
    holder = f"{SENDER_NAME}/{number}"
    with app.app_context():
        try:
            while True:
                take = budget.take(batch)
                if take <= 0:
                    return
                ids = claim_due(take, holder)
                budget.give_back(take - len(ids))
                if not ids:
                    return
                outcome = deliver_claimed(ids, holder, skip)
                with lock:
                    totals.add(outcome)
                if "email" in outcome.down or (outcome.errors and not outcome.sent
                                               and not outcome.down):
                    return  # the server is away; the next flush tries again
                # WhatsApp down alone: mail goes on, later WhatsApp rows are handed back.
        except Exception:
            db.session.rollback()
            log.exception("outbox sender %s stopped", holder)
            raise
        finally:
            db.session.remove()


class _Budget:
    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self.lock = threading.Lock()

    def take(self, n: int) -> int:
        with self.lock:
            if self.left is None:
                return n
            n = min(n, self.left)
            self.left -= n
            return n

    def give_back(self, n: int) -> None:
        with self.lock:
            if self.left is not None:
                self.left += n


def flush_outbox(limit: int | None = None, senders: int | None = None) -> dict[str, int]:
    """Send every due email (at most ``limit``) with ``OUTBOX_SENDERS`` parallel senders,
    each on its own SMTP connection and database session. Safe to run twice at once.

    Emails held back because the *server* was down (not because of the message) do not
    wait out their backoff once it is back: when nothing else is due, one of them is
    tried as a probe, and after any successful delivery the rest are due again at once.
    """
    app = current_app._get_current_object()
    cfg = app.config
    senders = max(1, int(senders or cfg["OUTBOX_SENDERS"]))
    batch = max(1, int(cfg["OUTBOX_BATCH_SIZE"]))
    db.session.commit()  # the caller's queued emails must be visible to the senders
    totals, budget = DeliveryResult(), _Budget(limit)
    run = _run_senders(app, senders, batch, budget)
    totals.add(run)
    # Per channel: one that saw no traffic probes a held row; one that delivered again
    # releases everything its outage held back.
    probed = [channel for channel in CHANNELS
              if channel not in run.tried | run.down and _probe_server_down_email(channel)]
    if probed:
        run = _run_senders(app, 1, batch, budget)
        totals.add(run)
    back = [channel for channel in sorted(run.delivered - run.down)
            if _retry_server_down_emails(channel)]
    if back:
        totals.add(_run_senders(app, senders, batch, budget))
    pending = db.session.scalar(select(func.count()).select_from(_table)
                                .where(_table.c.status.in_(("pending", "sending")))) or 0
    db.session.commit()
    if totals.errors:
        log.warning("outbox: %d sent, %d attempts failed, %d given up; last error: %s",
                    totals.sent, totals.failed, totals.gave_up, totals.errors[-1])
    return {"sent": totals.sent, "failed": totals.failed, "gave_up": totals.gave_up,
            "pending": pending}


def _run_senders(app: Flask, senders: int, batch: int, budget: _Budget) -> DeliveryResult:
    totals, lock = DeliveryResult(), threading.Lock()
    skip: set[str] = set()  # channels found down in this run, shared by its senders
    if senders == 1:
        _sender_loop(app, 0, budget, batch, totals, lock, skip)
        return totals
    threads = [threading.Thread(target=_sender_loop, name=f"outbox-sender-{n}",
                                args=(app, n, budget, batch, totals, lock, skip))
               for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return totals


def _server_down_rows(channel: str = "email"):
    return and_(_table.c.status == "pending", _table.c.channel == channel,
                _table.c.last_error.like(
                    contains_pattern(SERVER_DOWN_BY_CHANNEL[channel], prefix=True),
                    escape=LIKE_ESCAPE),
                _table.c.next_attempt_at > to_db(now_utc()))


def _probe_server_down_email(channel: str = "email") -> bool:
    """Make the earliest message held back by a server failure due now (one attempt per
    flush tells whether the server is back)."""
    first = db.session.scalar(select(_table.c.id).where(_server_down_rows(channel))
                              .order_by(_table.c.next_attempt_at, _table.c.id).limit(1))
    if first is None:
        return False
    db.session.execute(update(_table).where(_table.c.id == first)
                       .values(next_attempt_at=to_db(now_utc())))
    db.session.commit()
    return True


def _retry_server_down_emails(channel: str = "email") -> int:
    """The server answers again: every message held back because it was down is due now."""
    result = db.session.execute(update(_table).where(_server_down_rows(channel))
                                .values(next_attempt_at=to_db(now_utc())))
    db.session.commit()
    return result.rowcount or 0


# Organizers: what happened to the mail, and a second chance ------------------------------

def count_by_status(channel: str | None = None) -> dict[str, int]:
    """Messages per status, of one channel or of all."""
    counts = dict.fromkeys(STATUSES, 0)
    query = select(_table.c.status, func.count()).group_by(_table.c.status)
    if channel in CHANNELS:
        query = query.where(_table.c.channel == channel)
    counts.update(db.session.execute(query).all())
    return counts


def outbox_query(status: str | None = None, recipient: str | None = None,
                 channel: str | None = None):
    """Outbox rows, newest first, filtered by status, channel and recipient (start of
    the address or number, any letter case; a number typed as 0812... finds 62812...)."""
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc())
    if status in STATUSES:
        query = query.where(OutboxEmail.status == status)
    if channel in CHANNELS:
        query = query.where(OutboxEmail.channel == channel)
    compact = re.sub(r"[\s\-.]", "", recipient or "").lstrip("+")
    if compact.isdigit() and (recipient or "").strip()[:1] in ("0", "+"):
        recipient = "62" + compact[1:] if compact.startswith("0") else compact
    if recipient:
        query = query.where(func.lower(OutboxEmail.to_addr).like(
            contains_pattern(recipient.strip().lower()[:254], prefix=True),
            escape=LIKE_ESCAPE))
    return query


def retry_emails(ids: list[int] | None = None, *, all_failed: bool = False,
                 actor_id: int | None = None, channel: str | None = None) -> int:
    """Queue failed messages again (the given ids, or every failed one, of ``channel``
    or of every channel) with a fresh retry window; returns how many. Sent or still
    queued messages are left alone. Audited."""
    now = now_utc()
    stmt = update(_table).where(_table.c.status == "failed")
    if channel in CHANNELS:
        stmt = stmt.where(_table.c.channel == channel)
    if not all_failed:
        ids = sorted({int(i) for i in ids or []})
        if not ids:
            return 0
        stmt = stmt.where(_table.c.id.in_(ids))
    retried = list(db.session.scalars(stmt.values(
        status="pending", next_attempt_at=to_db(now), attempts=0,
        give_up_at=to_db(now + retry_window()), claimed_by=None, claimed_at=None)
        .returning(_table.c.id)))
    if retried:
        record_event(actor_id, "outbox.retry", "outbox_email",
                     retried[0] if len(retried) == 1 else None,
                     after={"count": len(retried), "ids": sorted(retried)[:100],
                            "all_failed": all_failed, "channel": channel})
    return len(retried)
