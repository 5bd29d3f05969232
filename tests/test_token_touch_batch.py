"""Token uses written in batches (accounts.sessions.TouchBatch): where the statement that
finds a token cannot stamp its use (SQLite), a request no longer writes it; the process
writes the uses of the last second together, keeps them through a failed write, and
leaves ``last_used_at`` as it would have been."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select

from asnbelajar.accounts.models import ApiToken
from tests.query_count import count_queries


def _last_used(db, user):
    db.session.expire_all()
    return db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))


@pytest.fixture
def batched(app_factory):
    """An app whose batch is written only when the test says so (the thread's round is
    an hour)."""
    return app_factory(TOKEN_TOUCH_BATCH_SECONDS=3600)


def _batch(app):
    return app.extensions["asnbelajar.touch_batch"]


def test_a_check_in_leaves_the_token_use_to_the_batch(db, batched, on_live_episode,
                                                      is_postgres):
    episode, person, headers = on_live_episode()
    client = batched.test_client()
    with count_queries() as queries:
        answer = client.post(f"/api/v1/episodes/{episode.id}/checkins",
                             json={"code": "awal23"}, headers=headers)
    assert answer.status_code == 201
    assert not any(q.lstrip().startswith("UPDATE api_token") for q in queries)
    if is_postgres:  # the statement that found the token stamped it, as always
        assert _last_used(db, person) is not None
        assert "asnbelajar.touch_batch" not in batched.extensions  # nothing ever queued
        return
    assert _last_used(db, person) is None
    assert _batch(batched).flush() == 1
    stamped = _last_used(db, person)
    assert stamped is not None
    # The same token again within the minute: no use to write.
    client.post(f"/api/v1/episodes/{episode.id}/checkins", json={"code": "awal23"},
                headers=headers)
    assert _batch(batched).flush() == 0
    assert _last_used(db, person) == stamped


def test_uses_of_many_tokens_go_in_one_round(db, batched, make_participant, token_for,
                                             clock, is_postgres):
    if is_postgres:
        pytest.skip("PostgreSQL stamps a token's use in the statement that finds it")
    people = [make_participant() for _ in range(3)]
    headers = [token_for(p) for p in people]
    client = batched.test_client()
    for h in headers:
        assert client.get("/api/v1/auth/tokens", headers=h).status_code == 200
    assert all(_last_used(db, p) is None for p in people)
    clock.advance(seconds=61)  # a due use again: the later time is the one written
    client.get("/api/v1/auth/tokens", headers=headers[0])
    assert _batch(batched).flush() == 3
    first, *others = (_last_used(db, p) for p in people)
    assert all(o is not None for o in others)
    assert first - max(others) >= timedelta(seconds=60)


def test_a_failed_round_keeps_the_uses(db, batched, make_participant, token_for, caplog,
                                       tmp_path, is_postgres):
    if is_postgres:
        pytest.skip("PostgreSQL stamps a token's use in the statement that finds it")
    person = make_participant()
    client = batched.test_client()
    client.get("/api/v1/auth/tokens", headers=token_for(person))
    batch = _batch(batched)
    engine = batch.engine
    batch.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/app.db")
    with caplog.at_level(logging.WARNING, logger="asnbelajar.accounts"):
        assert batch.flush() == 0
        assert batch.flush() == 0
    assert [r.getMessage()[:30] for r in caplog.records] == ["token uses not written yet (1 "]
    assert _last_used(db, person) is None
    batch.engine = engine
    assert batch.flush() == 1
    assert _last_used(db, person) is not None


def test_the_thread_writes_them(db, app_factory, make_participant, token_for, is_postgres):
    if is_postgres:
        pytest.skip("PostgreSQL stamps a token's use in the statement that finds it")
    app = app_factory(TOKEN_TOUCH_BATCH_SECONDS=0.05)
    person = make_participant()
    app.test_client().get("/api/v1/auth/tokens", headers=token_for(person))
    deadline = time.monotonic() + 10
    while _last_used(db, person) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _last_used(db, person) is not None
