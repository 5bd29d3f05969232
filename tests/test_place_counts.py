"""The episode's counts of registered and waitlisted people are kept by triggers on
registration (migration e2a4c6e8f0b1) through every path that writes registrations, and
registration decides capacity from them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update

from asnbelajar.accounts.privacy import anonymize_user
from asnbelajar.episodes.models import Episode
from asnbelajar.registrations import importing
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.services import (
    cancel_registration,
    capacity_changed,
    register,
)
from asnbelajar.timeutil import now_utc, to_db


def counts(db, episode_id: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(kept counts, counted rows) as (registered, waitlisted)."""
    db.session.flush()
    kept = db.session.execute(select(Episode.registered_count, Episode.waitlisted_count)
                              .where(Episode.id == episode_id)).one()
    counted = tuple(db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.episode_id == episode_id, Registration.status == status))
        for status in ("registered", "waitlisted"))
    return tuple(kept), counted


def assert_kept(db, episode_id: int, expected: tuple[int, int]) -> None:
    kept, counted = counts(db, episode_id)
    assert kept == counted == expected


def test_counts_follow_register_cancel_promote_and_capacity(db, make_episode,
                                                            make_participant):
    episode = make_episode(capacity=2)
    episode_id = episode.id
    people = [make_participant() for _ in range(5)]
    for person in people:
        register(episode_id, person)
    db.session.commit()
    assert_kept(db, episode_id, (2, 3))
    cancel_registration(episode_id, people[0])  # a place frees: the first waiting moves up
    db.session.commit()
    assert_kept(db, episode_id, (2, 2))
    cancel_registration(episode_id, people[4])  # a waiting person leaves
    db.session.commit()
    assert_kept(db, episode_id, (2, 1))
    episode = db.session.get(Episode, episode_id)
    episode.capacity = 10
    db.session.flush()
    capacity_changed(episode_id)
    db.session.commit()
    assert_kept(db, episode_id, (3, 0))
    register(episode_id, people[0])  # a cancelled registration comes back
    db.session.commit()
    assert_kept(db, episode_id, (4, 0))


def test_counts_follow_bulk_writes_deletes_and_erasure(db, make_episode, make_participant):
    episode = make_episode()
    other = make_episode(title="Episode Lain")
    people = [make_participant() for _ in range(6)]
    stamp = to_db(now_utc())
    # One statement, many rows and two episodes (the PostgreSQL triggers run per statement).
    db.session.execute(insert(Registration), [
        {"episode_id": (episode if i < 4 else other).id, "user_id": p.id,
         "status": "waitlisted" if i == 3 else "registered", "source": "import",
         "created_at": stamp, "queued_at": stamp} for i, p in enumerate(people)])
    db.session.commit()
    assert_kept(db, episode.id, (3, 1))
    assert_kept(db, other.id, (2, 0))
    db.session.execute(update(Registration).where(Registration.episode_id == episode.id)
                       .values(status="cancelled"))
    assert_kept(db, episode.id, (0, 0))
    db.session.execute(update(Registration).where(Registration.episode_id == other.id)
                       .values(episode_id=episode.id, status="waitlisted"))
    assert_kept(db, episode.id, (0, 2))
    assert_kept(db, other.id, (0, 0))
    db.session.execute(update(Registration).values(promoted_at=stamp))  # no status change
    assert_kept(db, episode.id, (0, 2))
    db.session.rollback()  # and a rollback takes the counts back with the rows
    assert_kept(db, episode.id, (3, 1))
    anonymize_user(people[0].id, actor_id=None, reason="permintaan peserta")
    db.session.commit()
    kept, counted = counts(db, episode.id)
    assert kept == counted
    db.session.execute(delete(Registration).where(Registration.episode_id == other.id))
    db.session.commit()
    assert_kept(db, other.id, (0, 0))


def test_import_and_walk_in_keep_the_counts(client, db, make_episode, make_participant,
                                            token_for):
    episode = make_episode(capacity=2, starts_in=timedelta(minutes=-5))
    episode_id = episode.id
    csv = (b"email,nama,instansi\r\na@example.go.id,Orang A,Kemenkeu\r\n"
           b"b@example.go.id,Orang B,Kemenkeu\r\nc@example.go.id,Orang C,Kemenkeu\r\n")
    importing.apply_import(episode_id, csv, "daftar.csv", None)
    db.session.commit()
    assert_kept(db, episode_id, (2, 1))
    db.session.get(Episode, episode_id).capacity = 4
    db.session.flush()
    capacity_changed(episode_id)
    db.session.commit()
    assert_kept(db, episode_id, (3, 0))
    walker = make_participant()
    r = client.post(f"/api/v1/episodes/{episode_id}/checkins", json={"code": "AWAL23"},
                    headers=token_for(walker))
    assert r.status_code == 201 and r.json["walk_in"] is True
    assert_kept(db, episode_id, (4, 0))


def test_capacity_is_decided_from_the_kept_counts(db, make_episode, make_participant):
    """The counts are what registration trusts: a count set by hand (as if the rows were
    written elsewhere) is what the next registration sees."""
    episode = make_episode(capacity=3)
    db.session.execute(update(Episode).where(Episode.id == episode.id)
                       .values(registered_count=3))
    db.session.commit()
    assert register(episode.id, make_participant()).status == "waitlisted"
