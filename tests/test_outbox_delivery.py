"""Mail is never silently lost: outages and black holes against a real SMTP server on
loopback (aiosmtpd), crash recovery with the "sending" claim, permanent refusals, and
the organizers' page and CLI to see and retry what failed."""

from __future__ import annotations

import select as select_module
import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.notifications.services import (
    claim_due,
    flush_outbox,
    queue_email,
    retry_emails,
)

pytest.importorskip("aiosmtpd")
from email import message_from_bytes, policy  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402


class Inbox:
    """Keeps every message; refuses recipients at ``refuse`` with a permanent 550."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.messages = []
        self.peers = set()
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.peers.add(session.peer)  # one peer (host, port) per SMTP connection
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class BlackHole:
    """Accepts TCP connections and never sends the SMTP greeting."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.held = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                ready, _, _ = select_module.select([self.sock], [], [], 0.05)
                if ready:
                    self.held.append(self.sock.accept()[0])
                    self.accepted += 1
            except OSError:
                return

    def close(self) -> None:
        self.running = False
        for conn in self.held:
            conn.close()
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def mail_app(app, app_factory, port):
    # Depends on `app` so its context is pushed first and this one stays current.
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_TIMEOUT=1, OUTBOX_SENDERS=2, OUTBOX_BATCH_SIZE=7)
    with app.app_context():
        yield app


def start_server(port: int, inbox: Inbox | None = None) -> tuple[Controller, Inbox]:
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def queue_many(db, n: int, prefix: str = "m") -> None:
    for i in range(n):
        queue_email(f"{prefix}{i}", f"orang{i}@example.go.id", f"Pesan {i}", "Halo")
    db.session.commit()


def statuses(db) -> dict[str, int]:
    """Status counts of the emails these tests queued (other code may queue its own, e.g.
    a sign-up's address confirmation)."""
    db.session.expire_all()
    return dict(db.session.execute(select(OutboxEmail.status, func.count())
                                   .where(OutboxEmail.to_addr.like("orang%"))
                                   .group_by(OutboxEmail.status)).all())


def test_outage_then_recovery_delivers_every_message_once(mail_app, db, port, clock):
    queue_many(db, 30)
    result = flush_outbox()  # nothing listens
    assert result["sent"] == 0
    assert result["failed"] <= 2  # one failed connection per sender, not one per message
    assert statuses(db) == {"pending": 30}
    attempts = db.session.scalar(select(func.sum(OutboxEmail.attempts)))
    assert attempts <= 2
    # the claimed rows carry the error and wait (backoff); the rest were never tried
    backing_off = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.last_error.is_not(None))).all()
    assert backing_off and all("refused" in e.last_error.lower() for e in backing_off)
    assert all(e.next_attempt_at > e.created_at for e in backing_off)

    controller, inbox = start_server(port)
    try:
        clock.advance(minutes=2)
        assert flush_outbox()["sent"] == 30
    finally:
        controller.stop()
    assert statuses(db) == {"sent": 30}
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        f"orang{i}@example.go.id" for i in range(30))
    stored = set(db.session.scalars(select(OutboxEmail.message_id)))
    assert {m["Message-ID"] for m in inbox.messages} == stored
    # one connection per sender and batch, not one per message
    assert len(inbox.peers) <= 2 * (30 // 7 + 1)


def test_black_holed_server_costs_one_timeout_per_sender(mail_app, db, app_factory):
    hole = BlackHole()
    try:
        app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=hole.port,
                          MAIL_TIMEOUT=1, OUTBOX_SENDERS=2, OUTBOX_BATCH_SIZE=10)
        with app.app_context():
            queue_many(db, 40, prefix="bh")
            result = flush_outbox()
            assert result["sent"] == 0
            assert hole.accepted == 2  # each sender waited out one timeout, then stopped
            assert statuses(db) == {"pending": 40}
            error = db.session.scalar(select(OutboxEmail.last_error)
                                      .where(OutboxEmail.last_error.is_not(None)).limit(1))
            assert "timed out" in error.lower() or "timeout" in error.lower()
    finally:
        hole.close()


def test_crashed_sender_claim_is_sent_again_later_with_the_same_message_id(
        mail_app, db, port, clock):
    queue_many(db, 3, prefix="crash")
    claimed = claim_due(10, "dead-scheduler:1/0")  # claimed, then the process died
    assert len(claimed) == 3
    ids_before = dict(db.session.execute(select(OutboxEmail.id, OutboxEmail.message_id)).all())
    assert all(ids_before.values())

    controller, inbox = start_server(port)
    try:
        assert flush_outbox()["sent"] == 0  # the claim has not lapsed: no double send
        clock.advance(seconds=mail_app.config["OUTBOX_SENDING_TIMEOUT"] + 1)
        assert flush_outbox()["sent"] == 3
    finally:
        controller.stop()
    assert {m["Message-ID"] for m in inbox.messages} == set(ids_before.values())
    assert statuses(db) == {"sent": 3}


def test_permanent_refusal_fails_that_email_and_the_rest_go_out(mail_app, db, port):
    queue_many(db, 5, prefix="perm")
    controller, inbox = start_server(port, Inbox(refuse=("orang2@example.go.id",)))
    try:
        result = flush_outbox()
    finally:
        controller.stop()
    assert result["sent"] == 4 and result["gave_up"] == 1
    failed = db.session.scalar(select(OutboxEmail).where(OutboxEmail.status == "failed"))
    assert failed.to_addr == "orang2@example.go.id" and "550" in failed.last_error


def test_retry_failed_gives_a_fresh_window(mail_app, db, clock):
    queue_many(db, 2, prefix="rf")
    db.session.execute(OutboxEmail.__table__.update().values(status="failed",
                                                             last_error="x"))
    db.session.commit()
    first = db.session.scalar(select(OutboxEmail.id).order_by(OutboxEmail.id))
    assert retry_emails([first]) == 1
    db.session.commit()
    assert statuses(db) == {"pending": 1, "failed": 1}
    assert retry_emails(all_failed=True) == 1
    db.session.commit()
    email = db.session.get(OutboxEmail, first)
    assert email.give_up_at > email.created_at + timedelta(hours=71)
    assert retry_emails([first]) == 0  # not failed any more: left alone


def test_cli_retry_failed(mail_app, db, runner):
    queue_many(db, 3, prefix="cli")
    db.session.execute(OutboxEmail.__table__.update().values(status="failed"))
    db.session.commit()
    result = mail_app.test_cli_runner().invoke(args=["outbox", "retry-failed"])
    assert result.exit_code == 0, result.output
    assert "Queued again: 3" in result.output
    assert statuses(db) == {"pending": 3}
    status = mail_app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "pending  3" in status.output


def test_organizer_email_page_lists_searches_and_retries(client, db, organizer, login,
                                                         make_participant):
    queue_many(db, 3, prefix="page")
    db.session.execute(OutboxEmail.__table__.update()
                       .where(OutboxEmail.to_addr == "orang1@example.go.id")
                       .values(status="failed", last_error="SMTPRecipientsRefused: 450"))
    db.session.commit()

    login(make_participant())
    assert client.get("/console/email").status_code == 403

    login(organizer)

    def text(url: str) -> str:  # addresses carry <wbr> where they may wrap
        return client.get(url).get_data(as_text=True).replace("<wbr>", "")

    page = text("/console/email")
    assert "orang0@example.go.id" in page and "SMTPRecipientsRefused: 450" in page
    found = text("/console/email?q=ORANG1")
    assert "orang1@example.go.id" in found and "orang0@example.go.id" not in found
    failed_only = text("/console/email?status=failed")
    assert "orang2@example.go.id" not in failed_only

    failed_id = db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.status == "failed"))
    response = client.post("/console/email/retry", data={"ids": [str(failed_id)]})
    assert response.status_code == 302
    assert statuses(db) == {"pending": 3}

    db.session.execute(OutboxEmail.__table__.update().values(status="failed"))
    db.session.commit()
    client.post("/console/email/retry", data={"all": "1"})
    assert statuses(db) == {"pending": 3}
    from asnbelajar.audit.models import AuditEvent

    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions.count("outbox.retry") == 2


def test_mail_held_back_by_a_server_outage_goes_out_as_soon_as_it_returns(
        app, app_factory, db, port):
    """No waiting out an hour of backoff after SMTP comes back: one probe per flush, then
    everything the outage held back."""
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_TIMEOUT=1, OUTBOX_SENDERS=2, OUTBOX_BATCH_SIZE=50)
    with app.app_context():
        queue_many(db, 12, prefix="back")
        # Long outage: the emails have been tried many times and back off for an hour.
        db.session.execute(OutboxEmail.__table__.update().values(attempts=9))
        db.session.commit()
        assert flush_outbox()["sent"] == 0
        held = db.session.scalars(select(OutboxEmail)).all()
        assert all(e.last_error.startswith("SMTP server unavailable") for e in held)
        assert flush_outbox()["sent"] == 0  # still down: one probe, held back again

        controller, inbox = start_server(port)
        try:
            result = flush_outbox()  # nothing is due; the probe finds the server back
        finally:
            controller.stop()
        assert result["sent"] == 12 and len(inbox.messages) == 12
        assert statuses(db) == {"sent": 12}
