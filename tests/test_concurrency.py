"""Invariants under real concurrency, on PostgreSQL with real threads.

SQLite serializes writers, so these only prove something on PostgreSQL; they are skipped
with a reason when ASNBELAJAR_TEST_DATABASE_URL is not set.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from asnbelajar.accounts.models import ParticipantProfile, User
from asnbelajar.accounts.services import CONSENT_VERSION
from asnbelajar.attendance.models import CheckIn
from asnbelajar.attendance.services import check_in, finalize_episode
from asnbelajar.certificates.models import Certificate
from asnbelajar.errors import DomainError
from asnbelajar.extensions import db as _db
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.services import register

from .conftest import PG_SERVER_URL, make_nip

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_SERVER_URL,
                       reason="concurrency proofs need PostgreSQL: set "
                              "ASNBELAJAR_TEST_DATABASE_URL"),
]


def bulk_participants(count: int, offset: int = 0) -> list[int]:
    """Insert participants set-based (no per-row hashing) and return their ids."""
    from asnbelajar.accounts.services import hash_password

    password = hash_password("rahasia123")
    emails = [f"burst{offset + i}@example.go.id" for i in range(count)]
    _db.session.execute(insert(User), [
        {"email": e, "full_name": f"Peserta Burst {offset + i}", "role": "participant",
         "password_hash": password, "active": True, "locale": "id",
         "timezone": "Asia/Jakarta"} for i, e in enumerate(emails)])
    ids = dict(_db.session.execute(
        select(User.email, User.id).where(User.email.in_(emails))).all())
    _db.session.execute(insert(ParticipantProfile), [
        {"user_id": ids[e], "nip": make_nip(offset + i + 50_000), "employee_type": "pns",
         "instansi_name": "Pemerintah Provinsi Riau", "province": "Riau",
         "anonymized": False, "consent_version": CONSENT_VERSION,
         "consent_at": datetime(2024, 1, 1)} for i, e in enumerate(emails)])
    _db.session.commit()
    return [ids[e] for e in emails]


def run_parallel(app, n_workers: int, jobs: list, fn) -> list:
    """Run fn(job) for each job on n_workers threads, all released at once."""
    barrier = threading.Barrier(min(n_workers, len(jobs)))
    results: list = [None] * len(jobs)

    def work(index_job):
        index, job = index_job
        with app.app_context():
            if index < barrier.parties:
                barrier.wait(timeout=60)
            try:
                results[index] = fn(job)
                _db.session.commit()
            except DomainError as err:
                _db.session.rollback()
                results[index] = err
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        list(pool.map(work, enumerate(jobs)))
    return results


def test_capacity_is_never_exceeded_under_a_registration_burst(app, make_episode, clock):
    episode_id = make_episode(capacity=50).id  # plain ids only: threads share no ORM objects
    ids = bulk_participants(200)

    def attempt(user_id):
        user = _db.session.get(User, user_id)
        return register(episode_id, user, source="api").status

    statuses = run_parallel(app, 40, ids, attempt)
    assert Counter(statuses) == {"registered": 50, "waitlisted": 150}
    _db.session.expire_all()
    rows = _db.session.execute(
        select(Registration.status, func.count()).where(Registration.episode_id == episode_id)
        .group_by(Registration.status)).all()
    assert dict(rows) == {"registered": 50, "waitlisted": 150}


def _thirty_registered_sixty_waiting_each_told_once(episode_id: int) -> None:
    """The rows, the episode's kept counts and the queued confirmations after a burst of
    90 people (and their double submits) for 30 places."""
    from asnbelajar.episodes.models import Episode
    from asnbelajar.notifications.models import OutboxEmail

    _db.session.expire_all()
    rows = dict(_db.session.execute(
        select(Registration.status, func.count()).where(Registration.episode_id == episode_id)
        .group_by(Registration.status)).all())
    assert rows == {"registered": 30, "waitlisted": 60}
    episode = _db.session.get(Episode, episode_id)
    assert (episode.registered_count, episode.waitlisted_count) == (30, 60)
    assert _db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.template == "registration")) == 90


def test_hot_api_registrations_keep_the_capacity_and_queue_one_email_each(app, make_episode):
    """The hot registration (registrations/hot.py) writes in the statement that locks the
    episode: under a burst of API requests, double submits included, the capacity holds,
    everyone is registered once and gets one confirmation."""
    from asnbelajar.accounts.models import ApiToken
    from asnbelajar.accounts.sessions import issue_api_token

    episode_id = make_episode(capacity=30).id
    ids = bulk_participants(90, offset=500)
    tokens = [issue_api_token(_db.session.get(User, user_id)) for user_id in ids]
    _db.session.commit()
    assert _db.session.scalar(select(func.count()).select_from(ApiToken)) == 90
    url = f"/api/v1/episodes/{episode_id}/registrations"

    def attempt(token):
        response = app.test_client().post(url, json={},
                                          headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.json.get("status"), response.json.get("id")

    answers = run_parallel(app, 40, tokens + tokens[:30], attempt)  # 30 double submits
    assert Counter(code for code, _status, _id in answers) == {201: 90, 200: 30}
    by_person: dict[int, set] = {}
    for _code, status, registration_id in answers:
        by_person.setdefault(registration_id, set()).add(status)
    assert len(by_person) == 90 and all(len(s) == 1 for s in by_person.values())
    _thirty_registered_sixty_waiting_each_told_once(episode_id)


def test_form_registrations_keep_the_capacity_and_queue_one_email_each(app, make_episode):
    """The registration form (registrations.hot.register_with_its_write: the lock, the
    registration and its confirmation in one statement, then the COMMIT) under a burst of
    signed-in participants, double submits included."""

    episode_id = make_episode(capacity=30).id
    ids = bulk_participants(90, offset=700)
    url = f"/episodes/{episode_id}/register"

    def attempt(user_id):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(user_id), True
        response = client.post(url)
        with client.session_transaction() as session:
            [(category, _message)] = session["_flashes"]
        return response.status_code, category

    answers = Counter(run_parallel(app, 40, ids + ids[:30], attempt))  # 30 double submits
    # 30 registered; 60 told their place on the waiting list; a repeat is told again
    # where they stand (info when registered, their place when waitlisted)
    assert answers[(302, "success")] == 30
    assert answers[(302, "warning")] + answers[(302, "info")] == 90
    assert answers[(302, "warning")] >= 60 and set(answers) <= {
        (302, "success"), (302, "warning"), (302, "info")}
    _thirty_registered_sixty_waiting_each_told_once(episode_id)


def test_double_submits_create_one_registration(app, make_episode):
    episode_id = make_episode().id
    [user_id] = bulk_participants(1)

    def attempt(_):
        return register(episode_id, _db.session.get(User, user_id)).registration.id

    ids = run_parallel(app, 20, list(range(20)), attempt)
    assert len(set(ids)) == 1
    assert _db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_simultaneous_checkins_by_one_participant_make_one_row(app, make_episode, clock):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    [user_id] = bulk_participants(1)
    episode_id = episode.id
    register(episode_id, _db.session.get(User, user_id))
    _db.session.commit()

    def attempt(_):
        result = check_in(episode_id, _db.session.get(User, user_id), "awal23")
        return result.check_in.id, result.created

    results = run_parallel(app, 30, list(range(60)), attempt)
    assert all(not isinstance(r, Exception) for r in results), results
    assert len({row_id for row_id, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1  # one 201, the rest 200
    assert _db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_checkin_burst_of_distinct_participants_records_everyone(app, make_episode):
    episode = make_episode(starts_in=timedelta(minutes=-5), walk_in_allowed=True)
    ids = bulk_participants(1500)
    half = ids[:750]
    _db.session.execute(insert(Registration), [
        {"episode_id": episode.id, "user_id": uid, "status": "registered", "source": "api"}
        for uid in half])
    episode_id = episode.id
    _db.session.commit()

    def attempt(user_id):
        return check_in(episode_id, _db.session.get(User, user_id), "AWAL23").created

    results = run_parallel(app, 24, ids, attempt)
    assert results.count(True) == 1500, [r for r in results if r is not True][:3]
    assert _db.session.scalar(select(func.count()).select_from(CheckIn)) == 1500
    # the other half walked in and were registered on the spot
    assert _db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.source == "walk_in")) == 750


def test_concurrent_finalize_runs_credit_each_participant_once(app, make_episode, clock):
    episode = make_episode(starts_in=timedelta(hours=-4))
    ids = bulk_participants(400)
    _db.session.execute(insert(Registration), [
        {"episode_id": episode.id, "user_id": uid, "status": "registered", "source": "api"}
        for uid in ids])
    checkpoints = {c.label: c.id for c in episode.checkpoints}
    _db.session.execute(insert(CheckIn), [
        {"episode_id": episode.id, "user_id": uid, "checkpoint_id": checkpoints[label]}
        for uid in ids[:300] for label in ("awal", "akhir")])
    episode_id = episode.id
    _db.session.commit()

    results = run_parallel(app, 6, list(range(6)),
                           lambda _: finalize_episode(episode_id, actor_id=None).as_json())
    assert sum(r["credited"] for r in results) == 300
    assert sum(r["certificates_issued"] for r in results) == 300
    credits = _db.session.execute(
        select(LedgerEntry.user_id, func.count()).where(LedgerEntry.kind == "episode_credit")
        .group_by(LedgerEntry.user_id)).all()
    assert len(credits) == 300 and {n for _, n in credits} == {1}
    seqs = sorted(_db.session.scalars(select(Certificate.seq)))
    assert seqs == list(range(1, 301))  # no gaps, no duplicates


def test_certificate_numbers_stay_unique_across_concurrent_episodes(app, make_episode):
    episodes = [make_episode(starts_in=timedelta(hours=-4)) for _ in range(4)]
    ids = bulk_participants(100)
    for episode in episodes:
        checkpoints = [c.id for c in episode.checkpoints]
        _db.session.execute(insert(Registration), [
            {"episode_id": episode.id, "user_id": uid, "status": "registered", "source": "api"}
            for uid in ids])
        _db.session.execute(insert(CheckIn), [
            {"episode_id": episode.id, "user_id": uid, "checkpoint_id": cp}
            for uid in ids for cp in checkpoints])
    episode_ids = [e.id for e in episodes]
    _db.session.commit()
    run_parallel(app, 4, episode_ids,
                 lambda eid: finalize_episode(eid, actor_id=None).as_json())
    numbers = list(_db.session.scalars(select(Certificate.number)))
    seqs = sorted(_db.session.scalars(select(Certificate.seq)))
    assert len(numbers) == len(set(numbers)) == 400
    assert seqs == list(range(1, 401))
