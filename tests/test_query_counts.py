"""SQL statements per request on the hot and the list pages (issue 13): a pinned budget for
each, and list pages whose count must not grow with their rows, so an N+1 fails here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from asnbelajar.accounts.models import ApiToken
from asnbelajar.attendance.models import CheckIn
from asnbelajar.registrations.services import register
from asnbelajar.timeutil import now_utc, to_db

from .query_count import count_queries


def _used_just_now(db, user) -> None:
    # The token's use is recorded at most once a minute; these requests are not that one.
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id)
                       .values(last_used_at=to_db(now_utc())))
    db.session.commit()


def _post_checkin(client, headers, episode_id, code="AWAL23"):
    return client.post(f"/api/v1/episodes/{episode_id}/checkins", json={"code": code},
                       headers=headers)


def test_registered_check_in_is_three_statements(client, db, make_episode, make_participant,
                                                 token_for, is_postgres):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    headers, episode_id = token_for(person), episode.id
    _used_just_now(db, person)
    with count_queries() as queries:
        r = _post_checkin(client, headers, episode_id)
    assert r.status_code == 201
    # the token's holder with the checkpoint, its episode's status and the registration;
    # the INSERT (on PostgreSQL written by that same statement: one round trip between
    # BEGIN and COMMIT).
    assert len(queries) == (1 if is_postgres else 2), queries.report()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
    with count_queries() as queries:
        r = _post_checkin(client, headers, episode_id)
    assert r.status_code == 200 and r.json["created"] is False
    # + the earlier row, read for the answer (PostgreSQL: + the INSERT that found it)
    assert len(queries) == 3, queries.report()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_walk_in_check_in_and_registration_budgets(client, db, make_episode, make_participant,
                                                   token_for, is_postgres):
    live = make_episode(starts_in=timedelta(minutes=-5))
    upcoming = make_episode(starts_in=timedelta(days=3))
    person = make_participant()
    headers, live_id, upcoming_id = token_for(person), live.id, upcoming.id
    _used_just_now(db, person)
    with count_queries() as queries:
        r = _post_checkin(client, headers, live_id)
    assert r.status_code == 201 and r.json["walk_in"] is True
    # token with checkpoint; an earlier check-in; the registration's read (PostgreSQL:
    # with the episode's lock), SQLite's lock, INSERT and queued email (PostgreSQL: one
    # statement); the check-in's INSERT
    assert len(queries) == (5 if is_postgres else 7), queries.report()
    with count_queries() as queries:
        r = client.post(f"/api/v1/episodes/{upcoming_id}/registrations", json={},
                        headers=headers)
    assert r.status_code == 201
    # PostgreSQL: one statement, committed as it ends: the token's use, the locked read,
    # the INSERT and the queued email (registrations.hot; rate limiting is off here, see
    # below); SQLite: token with the read; lock; INSERT; queued email
    assert len(queries) == (1 if is_postgres else 4), queries.report()


def test_registration_reads_the_failure_limits_first_where_they_apply(
        app_factory, db, make_episode, make_participant, token_for, is_postgres):
    """With rate limiting on, PostgreSQL's hot registration reads the token's holder
    before its statement (the failure limits are checked before anything is written and
    committed): one statement more than with it off."""
    from asnbelajar.extensions import limiter

    limited = app_factory(RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        upcoming = make_episode(starts_in=timedelta(days=3))
        person = make_participant()
        headers, upcoming_id = token_for(person), upcoming.id
        _used_just_now(db, person)
        with count_queries() as queries:
            r = limited.test_client().post(f"/api/v1/episodes/{upcoming_id}/registrations",
                                           json={}, headers=headers)
        assert r.status_code == 201
        assert len(queries) == (2 if is_postgres else 4), queries.report()
    finally:
        limiter.reset()


def _count(client, db, url: str) -> int:
    db.session.expire_all()  # as a real request: nothing already loaded
    with count_queries() as queries:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(queries)


def test_participant_dashboard_does_not_grow_with_registrations(
        client, db, make_episode, make_participant, login):
    person = make_participant()
    for _ in range(2):
        register(make_episode().id, person)
    db.session.commit()
    login(person)
    two = _count(client, db, "/me")
    for _ in range(6):
        register(make_episode().id, person)
    db.session.commit()
    assert _count(client, db, "/me") == two <= 5


def test_episode_page_budget(client, db, make_episode, make_participant, login):
    episode = make_episode()
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    login(person)
    episode_id = episode.id
    assert _count(client, db, f"/episodes/{episode_id}") <= 10


def test_registrant_table_does_not_grow_with_rows(client, db, make_episode, make_participant,
                                                 login, organizer):
    episode = make_episode()
    for _ in range(2):
        register(episode.id, make_participant())
    db.session.commit()
    login(organizer)
    episode_id = episode.id
    url = f"/console/episodes/{episode_id}/registrants"
    two = _count(client, db, url)
    for _ in range(12):
        register(episode_id, make_participant())
    db.session.commit()
    assert _count(client, db, url) == two <= 8  # 7 on SQLite, 8 on PostgreSQL


def test_first_use_of_a_token_joins_the_check_in_commit(client, db, make_episode,
                                                        make_participant, token_for,
                                                        is_postgres):
    """The token's last use is written in the check-in's own transaction: one durable
    write per check-in, not two, even on the token's first use of the minute. On SQLite as
    its last statement, so the write lock is held only to the COMMIT; on PostgreSQL by the
    token's own statement (it locks that token's row only): no round trip of its own."""
    from sqlalchemy import event, select

    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    headers, episode_id = token_for(person), episode.id
    commits: list[int] = []

    def on_commit(_conn) -> None:
        commits.append(1)

    engine = db.engine
    event.listen(engine, "commit", on_commit)
    try:
        with count_queries() as queries:
            r = _post_checkin(client, headers, episode_id)
    finally:
        event.remove(engine, "commit", on_commit)
    assert r.status_code == 201
    if is_postgres:
        # One statement: the token (stamping its use), the checkpoint, the check-in.
        assert len(queries) == 1, queries.report()
        assert "UPDATE api_token" in queries[0], queries.report()
        assert "INSERT INTO check_in" in queries[0], queries.report()
    else:
        # + the conditional UPDATE of the token, last
        assert len(queries) == 3, queries.report()
        assert queries[-1].lstrip().upper().startswith("UPDATE API_TOKEN"), queries.report()
        assert "INSERT INTO check_in" in queries[-2], queries.report()
    assert len(commits) == 1
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_refused_check_in_still_records_the_token_use(client, db, make_episode,
                                                        make_participant, token_for):
    from sqlalchemy import select

    from asnbelajar.attendance.models import CheckIn

    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    headers, episode_id = token_for(person), episode.id
    r = _post_checkin(client, headers, episode_id, code="SALAH1")
    assert r.status_code == 422 and r.json["error"]["code"] == "wrong_code"
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None
    assert db.session.scalar(select(CheckIn.id)) is None  # and nothing else was written


def test_every_api_request_takes_the_token_row_first(client, db, make_participant, token_for,
                                                     is_postgres):
    """PostgreSQL: the statement that finds the token records its use when due, so every
    request that writes locks the token's row before anything else, in the same order
    everywhere (hot views and ordinary views alike): two requests with one token cannot
    deadlock. A request that commits nothing (this read) still has the use recorded."""
    from sqlalchemy import select

    person = make_participant()
    headers = token_for(person)
    with count_queries() as queries:
        r = client.get("/api/v1/me/ledger", headers=headers)
    assert r.status_code == 200
    if is_postgres:
        assert "UPDATE api_token" in queries[0], queries.report()
    with db.engine.connect() as connection:  # committed, on a connection of its own
        assert connection.scalar(select(ApiToken.last_used_at)) is not None


def test_web_registration_budget(client, db, make_episode, make_participant, login,
                                 is_postgres):
    """The registration form, for a free place and for the waiting list. On PostgreSQL
    the episode's lock, the registration and its confirmation are one statement, so the
    lock is held for that statement and the COMMIT (registrations.hot.
    register_with_its_write); the place in line comes from the counts read under the
    lock, not from a ranking query while it is held."""
    from sqlalchemy import event

    free, full = make_episode(starts_in=timedelta(days=3)), make_episode(
        starts_in=timedelta(days=3), capacity=1)
    register(full.id, make_participant())
    person = make_participant()
    db.session.commit()
    login(person)
    for episode_id, flashed in ((free.id, "Anda terdaftar."), (full.id, "posisi 1.")):
        db.session.expire_all()
        with count_queries() as queries:
            def mark(_conn, queries=queries) -> None:
                queries.append("COMMIT")
            event.listen(db.engine, "commit", mark)
            try:
                r = client.post(f"/episodes/{episode_id}/register")
            finally:
                event.remove(db.engine, "commit", mark)
        assert r.status_code == 302
        with client.session_transaction() as session:
            assert flashed in session["_flashes"][-1][1]
        before = queries[:queries.index("COMMIT")]
        # Nothing is read again after the COMMIT (the flash's language reads the signed-in
        # user): the connection goes back to the pool with no transaction open, and no
        # ROLLBACK discards the statements psycopg has prepared on it.
        assert queries[-1] == "COMMIT", queries.report()
        assert not any("row_number" in q for q in before), queries.report()
        # the signed-in user; PostgreSQL: one statement; SQLite: the read, the lock (a
        # write), the INSERT, the queued email
        assert len(before) == (2 if is_postgres else 5), queries.report()
        if is_postgres:
            assert "FOR NO KEY UPDATE" in before[1] and "INSERT INTO registration" in before[1]


def _after_commit(db, client, url: str, data: dict):
    from sqlalchemy import event

    db.session.expire_all()
    with count_queries() as queries:
        def mark(_conn) -> None:
            queries.append("COMMIT")
        event.listen(db.engine, "commit", mark)
        try:
            r = client.post(url, data=data)
        finally:
            event.remove(db.engine, "commit", mark)
    return r, queries


def test_web_check_in_reads_nothing_after_its_commit(client, db, make_episode,
                                                     make_participant, login):
    """The check-in form's POST answers with a redirect built from what it read before
    the COMMIT: no reload of the check-in or the user after it (registrations.views and
    attendance.views use service_call(keep_loaded=True))."""
    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    login(person)
    r, queries = _after_commit(db, client, f"/episodes/{episode.id}/checkin",
                               {"code": "awal23"})
    assert r.status_code == 302 and "new=1" in r.headers["Location"]
    assert queries.count("COMMIT") == 1 and queries[-1] == "COMMIT", queries.report()
    r, queries = _after_commit(db, client, f"/episodes/{episode.id}/checkin",
                               {"code": "awal23"})
    assert r.status_code == 302 and "new=0" in r.headers["Location"]
    assert queries[-1] == "COMMIT", queries.report()


def test_registration_form_keeps_psycopg_prepared_statements(app_factory, db, make_episode,
                                                             make_participant, is_postgres):
    """PostgreSQL: a request that ends with a transaction open is rolled back, and
    psycopg then discards every statement it prepared on that connection. The form's
    registration commits last, so after a few of them (psycopg prepares a statement on
    its fifth use) the connection holds prepared statements."""
    if not is_postgres:
        pytest.skip("psycopg's prepared statements are PostgreSQL's")
    from asnbelajar.extensions import db as _db

    single = app_factory(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0)
    person = make_participant()
    episodes = [make_episode(starts_in=timedelta(days=3)).id for _ in range(7)]
    db.session.commit()
    client = single.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(person.id), True
    for episode_id in episodes:
        assert client.post(f"/episodes/{episode_id}/register").status_code == 302
    with single.app_context(), _db.engine.connect() as connection:
        prepared = connection.exec_driver_sql(
            "SELECT statement FROM pg_prepared_statements").scalars().all()
    assert any("INSERT INTO registration" in s for s in prepared), prepared
