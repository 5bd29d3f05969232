"""Emails rendered when they are sent (notifications/rendering.py): a registration queues
its confirmation without rendering it while it holds the episode's lock; the sender renders
it once, as the episode is then, and sends it."""

from __future__ import annotations

import base64
from datetime import timedelta

from flask import template_rendered
from sqlalchemy import select, update

from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.notifications.rendering import render_pending
from asnbelajar.notifications.services import flush_outbox
from asnbelajar.registrations.services import register


def _confirmation(db) -> OutboxEmail:
    db.session.expire_all()
    return db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.dedupe_key.like("registration_%")))


def test_registering_renders_nothing_and_the_sender_renders_once(
        client, db, app, make_episode, make_participant, token_for):
    episode = make_episode(starts_in=timedelta(days=3))
    person = make_participant(email="rina@example.go.id", full_name="Rina Wati")
    headers, episode_id = token_for(person), episode.id
    rendered = []

    def record(_sender, template, context, **_extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        r = client.post(f"/api/v1/episodes/{episode_id}/registrations", json={},
                        headers=headers)
    finally:
        template_rendered.disconnect(record, app)
    assert r.status_code == 201
    assert rendered == []  # no email, no .ics rendered inside the request
    queued = _confirmation(db)
    assert (queued.template, queued.subject, queued.body_text) == ("registration", "", "")
    assert queued.context["template"] == "registration_confirmed"

    assert flush_outbox()["sent"] == 1
    sent = _confirmation(db)
    assert sent.status == "sent" and "Rina Wati" in sent.body_text and sent.subject
    (ics,) = sent.attachments
    assert b"BEGIN:VEVENT" in base64.b64decode(ics["data"])
    mail = (app.instance_path + "/mail/" + f"{sent.id:08d}.eml")
    with open(mail, "rb") as handle:
        assert b"Rina Wati" in handle.read()


def test_the_email_tells_the_episode_as_it_is_when_sent(db, make_episode, make_participant):
    episode = make_episode(starts_in=timedelta(days=3))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    episode.title = "Judul Baru Setelah Pendaftaran"
    db.session.commit()
    assert render_pending() == []
    assert "Judul Baru Setelah Pendaftaran" in _confirmation(db).body_text


def test_waitlisted_person_gets_the_waiting_list_email_without_invitation(
        db, make_episode, make_participant):
    episode = make_episode(starts_in=timedelta(days=3), capacity=1)
    register(episode.id, make_participant())
    second = make_participant(email="kedua@example.go.id")
    assert register(episode.id, second).registration.status == "waitlisted"
    db.session.commit()
    render_pending()
    mail = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.to_addr == "kedua@example.go.id"))
    assert mail.context["template"] == "registration_waitlisted"
    assert "tunggu" in mail.body_text.lower() and mail.attachments == []


def test_an_email_that_no_longer_applies_is_failed_with_a_reason_not_sent(
        db, make_episode, make_participant):
    from asnbelajar.registrations.models import Registration

    episode = make_episode(starts_in=timedelta(days=3))
    person = make_participant()
    registration = register(episode.id, person).registration
    db.session.commit()
    queued = _confirmation(db)
    # The registration is gone by the time the sender comes (e.g. data erased by hand).
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == queued.id)
                       .values(context={"registration_id": registration.id + 999,
                                        "template": "registration_confirmed"}))
    db.session.delete(db.session.get(Registration, registration.id))
    db.session.commit()
    result = flush_outbox()
    assert result["sent"] == 0
    failed = _confirmation(db)
    assert failed.status == "failed" and "tidak berlaku" in failed.last_error


def test_a_retry_sends_the_text_rendered_the_first_time(db, make_episode, make_participant):
    episode = make_episode(starts_in=timedelta(days=3))
    register(episode.id, make_participant())
    db.session.commit()
    render_pending()
    first = _confirmation(db).body_text
    episode.title = "Diubah Sesudah Disusun"
    db.session.commit()
    assert render_pending() == []  # already rendered: not again
    assert _confirmation(db).body_text == first


def test_the_confirmation_is_queued_alike_on_both_databases(db, make_episode,
                                                            make_participant):
    """PostgreSQL queues the confirmation with the registration's INSERT (one statement),
    SQLite with a statement of its own: the row is the same."""
    from asnbelajar.registrations.models import Registration

    episode = make_episode(starts_in=timedelta(days=3), capacity=1)
    first, second = make_participant(), make_participant()
    registered = register(episode.id, first).registration
    waiting = register(episode.id, second).registration
    db.session.commit()
    for person, registration, template in ((first, registered, "registration_confirmed"),
                                           (second, waiting, "registration_waitlisted")):
        row = db.session.get(Registration, registration.id)
        [queued] = db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_addr == person.email)).all()
        assert queued.dedupe_key == f"{template}:{row.id}:{row.queued_at.isoformat()}"
        assert queued.context == {"registration_id": row.id, "template": template}
        assert queued.template == "registration" and queued.channel == "email"
        assert queued.status == "pending" and queued.attempts == 0
        assert queued.subject == "" and queued.body_text == "" and queued.attachments == []
        assert queued.give_up_at > queued.created_at == queued.next_attempt_at
