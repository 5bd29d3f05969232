"""The outbox against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.notifications.services import flush_outbox, queue_email

aiosmtpd = pytest.importorskip("aiosmtpd")
from email import message_from_bytes, policy  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_app(app_factory, smtp_port):
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port,
                      MAIL_TIMEOUT=3)
    with app.app_context():
        yield app


def start_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def test_queued_email_is_delivered_over_smtp(smtp_app, smtp_port):
    from asnbelajar.extensions import db as _db

    queue_email("k1", "rina@example.go.id", "Pendaftaran berhasil", "Halo", "<p>Halo</p>",
                [("seri.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR\r\n")])
    _db.session.commit()
    controller, inbox = start_server(smtp_port)
    try:
        result = flush_outbox()
    finally:
        controller.stop()
    assert result["sent"] == 1
    [message] = inbox.messages
    assert message["To"] == "rina@example.go.id"
    assert message["Subject"] == "Pendaftaran berhasil"
    parts = [p.get_content_type() for p in message.walk()]
    assert "text/calendar" in parts and "text/html" in parts
    assert _db.session.scalar(select(OutboxEmail.status)) == "sent"


def test_same_dedupe_key_queues_once(smtp_app):
    from asnbelajar.extensions import db as _db

    assert queue_email("same", "a@example.go.id", "s", "t") is True
    assert queue_email("same", "a@example.go.id", "s", "t") is False
    _db.session.commit()
    assert len(_db.session.scalars(select(OutboxEmail)).all()) == 1


def test_smtp_outage_keeps_email_queued_and_retries_later(smtp_app, smtp_port, clock):
    from asnbelajar.extensions import db as _db

    queue_email("k2", "budi@example.go.id", "Sertifikat siap", "Halo")
    _db.session.commit()
    result = flush_outbox()  # nothing listens on the port
    assert result == {"sent": 0, "failed": 1, "gave_up": 0, "pending": 1}
    email = _db.session.scalar(select(OutboxEmail))
    assert (email.status, email.attempts) == ("pending", 1)
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()

    controller, inbox = start_server(smtp_port)
    try:
        # Held back only because the server was down: it goes as soon as the server
        # answers again (a probe), without waiting out the backoff.
        assert email.next_attempt_at > email.created_at
        assert flush_outbox()["sent"] == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_email_is_marked_failed_after_the_retry_window(app_factory, clock):
    from asnbelajar.extensions import db as _db

    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                      OUTBOX_RETRY_HOURS=2, MAIL_TIMEOUT=2)
    with app.app_context():
        queue_email("k3", "c@example.go.id", "s", "t")
        _db.session.commit()
        flush_outbox()
        clock.advance(hours=1)
        flush_outbox()
        email = _db.session.scalar(select(OutboxEmail))
        assert (email.status, email.attempts) == ("pending", 2)  # still inside the window
        clock.advance(hours=1, minutes=1)
        flush_outbox()
        _db.session.expire_all()
        email = _db.session.scalar(select(OutboxEmail))
        assert (email.status, email.attempts) == ("failed", 3)
        assert "refused" in email.last_error.lower()


def test_a_rolled_back_change_drops_its_email(smtp_app):
    from asnbelajar.extensions import db as _db

    queue_email("k4", "d@example.go.id", "s", "t")
    _db.session.rollback()
    assert _db.session.scalar(select(OutboxEmail)) is None


def test_console_backend_writes_eml_files(app, tmp_path):
    from asnbelajar.extensions import db as _db

    queue_email("k5", "e@example.go.id", "Atur ulang kata sandi", "Tautan: x")
    _db.session.commit()
    assert flush_outbox()["sent"] == 1
    files = list((tmp_path / "instance" / "mail").glob("*.eml"))
    assert len(files) == 1 and b"Atur ulang kata sandi" in files[0].read_bytes()


def test_backoff_grows(app):
    from asnbelajar.notifications.services import backoff

    assert backoff(1) < backoff(2) < backoff(3) <= timedelta(hours=6)
