"""Scheduler jobs: derived from database state, idempotent, one active scheduler."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from asnbelajar.attendance.services import check_in
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.services import register
from asnbelajar.scheduler.services import (
    acquire_lease,
    finalize_due_episodes,
    run_all_once,
    send_due_reminders,
)


def test_only_one_scheduler_holds_the_lease(app, clock):
    assert acquire_lease("node-a", seconds=60) is True
    assert acquire_lease("node-b", seconds=60) is False
    assert acquire_lease("node-a", seconds=60) is True  # renewal
    clock.advance(seconds=120)
    assert acquire_lease("node-b", seconds=60) is True  # a lapsed lease is taken over


def test_finalize_due_finalizes_ended_episodes_once(app, db, make_episode, make_participant,
                                                     clock):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    check_in(episode.id, person, "AWAL23")
    db.session.commit()
    assert finalize_due_episodes()["finalized"] == 0  # not ended yet
    clock.advance(hours=3, minutes=30)
    result = finalize_due_episodes()
    assert result["finalized"] == 1
    assert finalize_due_episodes()["finalized"] == 0  # finalized_at set: nothing to do
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0  # missed akhir


def test_reminders_are_queued_once_per_window(app, db, make_episode, make_participant, clock):
    episode = make_episode(starts_in=timedelta(hours=20))
    people = [make_participant() for _ in range(3)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(OutboxEmail))
    assert send_due_reminders()["queued"] == 3
    assert send_due_reminders()["queued"] == 0
    clock.advance(hours=19, minutes=30)
    assert send_due_reminders()["queued"] == 3  # the 1-hour reminder
    total = db.session.scalar(select(func.count()).select_from(OutboxEmail))
    assert total - before == 6


def test_run_all_once_runs_every_job(app):
    results = run_all_once(app)
    assert {"flush-outbox", "send-reminders", "finalize-due", "render-certificates"} <= set(results)


def test_a_rerun_with_nothing_new_renders_nothing(app, db, make_episode, make_participant,
                                                   clock, monkeypatch):
    import asnbelajar.scheduler.services as jobs

    episode = make_episode(starts_in=timedelta(hours=20))
    for person in [make_participant() for _ in range(3)]:
        register(episode.id, person)
    db.session.commit()
    rendered = []
    real_render = jobs.render_email

    def counting_render(*args, **kwargs):
        rendered.append(kwargs["user"].id)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(jobs, "render_email", counting_render)
    assert send_due_reminders()["queued"] == 3
    assert len(rendered) == 3
    assert send_due_reminders()["queued"] == 0
    assert len(rendered) == 3  # already in the outbox: not selected, not rendered
    clock.advance(hours=19, minutes=30)
    assert send_due_reminders()["queued"] == 3  # the 1-hour window is new work
    assert len(rendered) == 6
    assert send_due_reminders()["queued"] == 0
    assert len(rendered) == 6
