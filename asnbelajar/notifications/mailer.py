"""Mail transport: the MIME message of an outbox row and the backends that send it
(``MAIL_BACKEND``: ``console`` writes .eml files under instance/mail/, ``smtp`` sends)."""

from __future__ import annotations

import base64
import contextlib
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app


def build_message(email) -> EmailMessage:
    """The MIME message of an outbox row (an ``OutboxEmail`` or a row with its columns)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = email.to_addr
    msg["Subject"] = email.subject
    msg["Message-ID"] = email.message_id or _new_message_id(email.id)
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


def message_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "asnbelajar"


def _new_message_id(email_id: int) -> str:
    return f"<outbox.{email_id}.{uuid.uuid4().hex[:12]}@{message_domain()}>"


class ConsoleMailer:
    """Development backend: writes each message as an .eml file under instance/mail/."""

    def __init__(self) -> None:
        self.folder = Path(current_app.instance_path) / "mail"
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, email, message: EmailMessage) -> None:
        path = self.folder / f"{email.id:08d}.eml"
        path.write_bytes(message.as_bytes())

    def close(self) -> None:
        pass


class SmtpMailer:
    """One SMTP connection; every socket operation waits at most ``MAIL_TIMEOUT``."""

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

    def send(self, email, message: EmailMessage) -> None:
        self.conn.send_message(message)

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.conn.quit()


def make_mailer():
    backend = current_app.config.get("MAIL_BACKEND", "console")
    return SmtpMailer() if backend == "smtp" else ConsoleMailer()


