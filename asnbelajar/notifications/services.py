"""Queue emails in the outbox (same transaction as the change) and deliver them later.

Delivery never loses an email: each message is sent, then marked sent in its own short
transaction; a failure leaves it pending with a later ``next_attempt_at`` (exponential
backoff) until ``OUTBOX_MAX_ATTEMPTS``, after which it is marked failed for an organizer.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import String, cast, literal, select, true

from ..database import insert_ignore
from ..extensions import db
from ..timeutil import now_utc, to_db
from .models import OutboxEmail


def render_email(name: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) from templates/email/<name>.{subject,txt,html}."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
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
         "next_attempt_at", "created_at"],
        select(literal(key_prefix) + cast(key_col, String), email_col, literal(subject[:300]),
               literal(body_text), literal(body_html), literal("pending"), literal(0),
               literal(now), literal(now))
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


def build_message(email: OutboxEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = email.to_addr
    msg["Subject"] = email.subject
    msg["Message-ID"] = make_msgid(domain="asnbelajar")
    msg.set_content(email.body_text)
    if email.body_html:
        msg.add_alternative(email.body_html, subtype="html")
    for item in email.attachments or []:
        maintype, _, subtype = item["content_type"].partition("/")
        params = {}
        if "; " in subtype:
            subtype, _, extra = subtype.partition("; ")
            key, _, value = extra.partition("=")
            params[key] = value
        msg.add_attachment(
            base64.b64decode(item["data"]), maintype=maintype, subtype=subtype,
            filename=item["filename"], params=params,
        )
    return msg


class ConsoleMailer:
    """Development backend: writes each message as an .eml file under instance/mail/."""

    def __init__(self) -> None:
        self.folder = Path(current_app.instance_path) / "mail"
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, email: OutboxEmail, message: EmailMessage) -> None:
        path = self.folder / f"{email.id:08d}.eml"
        path.write_bytes(message.as_bytes())

    def close(self) -> None:
        pass


class SmtpMailer:
    def __init__(self) -> None:
        cfg = current_app.config
        timeout = float(cfg["MAIL_TIMEOUT"])
        if cfg.get("MAIL_USE_SSL"):
            self.conn = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]),
                                         timeout=timeout, context=ssl.create_default_context())
        else:
            self.conn = smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=timeout)
            if cfg.get("MAIL_USE_TLS"):
                self.conn.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            self.conn.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")

    def send(self, email: OutboxEmail, message: EmailMessage) -> None:
        self.conn.send_message(message)

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException):
            self.conn.quit()


def make_mailer():
    backend = current_app.config.get("MAIL_BACKEND", "console")
    return SmtpMailer() if backend == "smtp" else ConsoleMailer()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def flush_outbox(limit: int | None = None) -> dict[str, int]:
    """Send due emails. Safe to run twice at once on PostgreSQL (rows are locked
    with SKIP LOCKED); each email is committed on its own so a crash loses nothing."""
    cfg = current_app.config
    limit = limit or int(cfg["OUTBOX_BATCH_SIZE"])
    max_attempts = int(cfg["OUTBOX_MAX_ATTEMPTS"])
    sent = failed = 0
    query = (
        select(OutboxEmail.id)
        .where(OutboxEmail.status == "pending",
               OutboxEmail.next_attempt_at <= to_db(now_utc()))
        .order_by(OutboxEmail.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(query))
    db.session.commit()
    if not ids:
        return {"sent": 0, "failed": 0, "pending": 0}
    mailer = None
    try:
        for email_id in ids:
            stmt = select(OutboxEmail).where(OutboxEmail.id == email_id,
                                             OutboxEmail.status == "pending")
            if db.engine.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            email = db.session.scalar(stmt)
            if email is None:
                db.session.commit()
                continue
            try:
                if mailer is None:
                    mailer = make_mailer()
                mailer.send(email, build_message(email))
            except (OSError, smtplib.SMTPException) as err:
                email.attempts += 1
                email.last_error = f"{type(err).__name__}: {err}"[:2000]
                if email.attempts >= max_attempts:
                    email.status = "failed"
                email.next_attempt_at = to_db(now_utc() + backoff(email.attempts))
                failed += 1
                mailer = None  # reconnect next time
                db.session.commit()
                continue
            email.status = "sent"
            email.attempts += 1
            email.sent_at = to_db(now_utc())
            db.session.commit()
            sent += 1
    finally:
        if mailer is not None:
            mailer.close()
    pending = db.session.query(OutboxEmail).filter_by(status="pending").count()
    db.session.commit()
    return {"sent": sent, "failed": failed, "pending": pending}
