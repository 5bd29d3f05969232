"""The hot registration's statement (asnbelajar/registrations/hot.py). On PostgreSQL it
writes a registration that certainly qualifies, with its confirmation, before
``register`` has applied the rules, and commits it as it ends; ``register`` then confirms
it. What it writes must be exactly what the ordinary view writes, and the episode's lock
must be free once the statement has ended."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asnbelajar.accounts.models import User
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.services import cancel_registration, register
from asnbelajar.timeutil import now_utc

REGISTRATION = "api.registrations_create"


@pytest.fixture
def two_ways(app, app_factory):
    """(hot client, whether each hot attempt answered, ordinary client)."""
    answered: list[bool] = []
    view = app.hot_views[REGISTRATION]

    def recording(*args, **kwargs):
        response = None
        try:
            response = view(*args, **kwargs)
        finally:  # a refusal is raised: not answered either
            answered.append(response is not None)
        return response

    app.hot_views[REGISTRATION] = recording
    return app.test_client(), answered, app_factory(HOT_PATH_ENABLED=False).test_client()


def _written(db, episode, person) -> dict:
    """What a registration left in the database, without its ids and times."""
    db.session.expire_all()
    registration = db.session.scalar(select(Registration).where(
        Registration.episode_id == episode.id, Registration.user_id == person.id))
    queued = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.to_addr == person.email).order_by(OutboxEmail.id)).all()
    db.session.refresh(episode)
    return {
        "registration": None if registration is None else (
            registration.status, registration.source, registration.cancelled_at is None,
            registration.created_at <= registration.queued_at),
        "queued": [(re.sub(r":\d+:.*", ":<id>:<time>", row.dedupe_key),
                    {k: v for k, v in row.context.items() if k != "registration_id"},
                    row.context["registration_id"] == (registration and registration.id),
                    row.dedupe_key.endswith(registration.queued_at.isoformat()),
                    row.template, row.channel, row.status, row.subject, row.body_text,
                    row.attachments, row.give_up_at > row.created_at == row.next_attempt_at)
                   for row in queued],
        "counts": (episode.registered_count, episode.waitlisted_count),
    }


CASES = ["registered", "waitlisted", "zoom link follows", "no consent", "no agency",
         "closed", "cancelled before", "repeat"]


def _case(case: str, db, make_episode, make_participant, organizer):
    """An upcoming episode and a participant, as ``case`` (one of CASES) has them."""
    fields = {"capacity": 1} if case == "waitlisted" else {}
    if case == "closed":
        fields["registration_closes_at"] = (
            now_utc() - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    episode = make_episode(starts_in=timedelta(days=3), **fields)
    person = make_participant()
    if case == "waitlisted":
        register(episode.id, make_participant())
    elif case == "zoom link follows":
        _zoom_meeting(db, episode, organizer)
    elif case == "no consent":
        person.profile.consent_version = "2000-01"
    elif case == "no agency":
        person.profile.instansi_name = ""
    elif case in ("cancelled before", "repeat"):
        register(episode.id, person)
        if case == "cancelled before":
            db.session.commit()
            cancel_registration(episode.id, db.session.get(User, person.id))
    db.session.commit()
    return episode, person


@pytest.mark.parametrize("case", CASES)
def test_the_hot_registration_writes_what_the_ordinary_view_writes(
        case, db, two_ways, make_episode, make_participant, token_for, organizer,
        is_postgres):
    hot, answered, ordinary = two_ways
    outcomes = []
    for client in (hot, ordinary):
        episode, person = _case(case, db, make_episode, make_participant, organizer)
        response = client.post(f"/api/v1/episodes/{episode.id}/registrations", json={},
                               headers=token_for(person))
        body = dict(response.json)
        body.pop("id", None)
        body.get("error", {}).pop("request_id", None)
        outcomes.append((response.status_code, body, _written(db, episode, person)))
    assert outcomes[0] == outcomes[1]
    status, _body, written = outcomes[0]
    expected = {"registered": 201, "waitlisted": 201, "zoom link follows": 201,
                "no consent": 403, "no agency": 422, "closed": 409,
                "cancelled before": 201, "repeat": 200}[case]
    assert status == expected
    if case == "zoom link follows":
        assert written["queued"] == []  # the Zoom sync sends the person's own join link
    if status == 201 and case != "zoom link follows":
        # (and the first registration's, for the one registered again)
        assert len(written["queued"]) == (2 if case == "cancelled before" else 1)
    # Only successes are the hot view's answers; on PostgreSQL not the registration again
    # after a cancellation, which changes a row the hot statement does not write
    # (registrations.hot.register_in_its_statement).
    assert answered == [status < 400 and not (is_postgres and case == "cancelled before")]


def _zoom_meeting(db, episode, organizer) -> None:
    from asnbelajar.integrations.models import ZoomMeeting

    db.session.add(ZoomMeeting(
        episode_id=episode.id, kind="webinar", zoom_id=f"9{episode.id:09d}",
        join_url="https://zoom.example/j/1", registration_required=True,
        synced_topic=episode.title, synced_start=episode.starts_at, synced_duration=150,
        synced_timezone="Asia/Jakarta", created_by=organizer.id))


def test_an_early_registration_the_rules_do_not_confirm(
        db, two_ways, make_episode, make_participant, token_for, monkeypatch, is_postgres,
        caplog):
    """Should the statement's test of the capacity policy ever differ from register's.
    Inside a request's own hot transaction on PostgreSQL the statement has committed
    (registrations.hot.register_in_its_statement): its row stands, the divergence is
    logged as an error and the ordinary view answers with the registration as it stands.
    SQLite's statement only reads: register decides and writes."""
    from asnbelajar.registrations import services

    hot, answered, _ordinary = two_ways
    episode = make_episode(starts_in=timedelta(days=3))  # no capacity: the SQL registers
    person = make_participant()
    headers, url = token_for(person), f"/api/v1/episodes/{episode.id}/registrations"
    db.session.commit()  # nothing in progress: the request's hot transaction is its own
    # register's own arithmetic now says the episode is full.
    monkeypatch.setattr(services, "_places_left", lambda capacity, registered, waiting:
                        (0, int(waiting)))
    response = hot.post(url, json={}, headers=headers)
    written = _written(db, episode, person)
    if is_postgres:
        assert response.status_code == 200  # the ordinary view: a repeat, as it stands
        assert response.json["status"] == "registered"
        assert written["registration"][0] == "registered"
        assert [row[0] for row in written["queued"]] == [
            "registration_confirmed:<id>:<time>"]
        assert written["counts"] == (1, 0)
        assert any("the rules do not confirm it" in r.getMessage() and r.levelname == "ERROR"
                   for r in caplog.records)
        assert answered == [False]
    else:
        assert response.status_code == 201
        assert response.json["status"] == "waitlisted"
        assert response.json["waitlist_position"] == 1
        assert written["registration"][0] == "waitlisted"
        assert [row[0] for row in written["queued"]] == [
            "registration_waitlisted:<id>:<time>"]
        assert written["counts"] == (0, 1)
        assert answered == [True]


def test_psycopg_converts_the_hot_statement_once(db, app, make_episode, make_participant,
                                                 token_for, is_postgres):
    """The hot registration's statement is longer than psycopg caches by default; the
    app raises that limit (database.cache_long_statements), so a registration converts
    no placeholders anew. Fails if psycopg renames the limit and the cost comes back."""
    if not is_postgres:
        pytest.skip("psycopg is PostgreSQL's driver")
    from psycopg import _queries

    from asnbelajar.database import CACHED_STATEMENT_BYTES
    from asnbelajar.registrations.hot import _token_and_before_lock

    statement = str(_token_and_before_lock("postgresql").compile(dialect=db.engine.dialect))
    assert 4096 < len(statement.encode()) <= CACHED_STATEMENT_BYTES
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == CACHED_STATEMENT_BYTES
    episode = make_episode(starts_in=timedelta(days=3))
    client = app.test_client()
    url = f"/api/v1/episodes/{episode.id}/registrations"
    people = [token_for(make_participant()) for _ in range(2)]
    assert client.post(url, json={}, headers=people[0]).status_code == 201
    before = _queries._query2pg.cache_info()
    assert client.post(url, json={}, headers=people[1]).status_code == 201
    after = _queries._query2pg.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


def test_the_episode_lock_is_free_once_the_hot_statement_has_ended(
        db, app, make_episode, make_participant, token_for, is_postgres):
    """PostgreSQL: the statement that locks the episode commits as it ends, so another
    registration never waits for this process's round trips and COMMIT. Checked from a
    second connection at the moment the statement has returned, before the view goes on:
    the row is already committed and the episode's row lock can be taken at once."""
    if not is_postgres:
        pytest.skip("SQLite's writers take the database's lock, not a row's")
    from sqlalchemy import event, text

    episode = make_episode(starts_in=timedelta(days=3), capacity=5)
    person = make_participant()
    headers, episode_id, person_id = token_for(person), episode.id, person.id
    db.session.commit()  # nothing in progress: the request's hot transaction is its own
    seen: list[tuple] = []

    def after(_conn, _cursor, statement, *_args) -> None:
        if "written AS" not in statement:
            return
        with db.engine.connect() as other:
            other.execute(text("SET LOCAL lock_timeout = '1s'"))
            locked = other.execute(text(
                "SELECT id FROM episode WHERE id = :id FOR NO KEY UPDATE NOWAIT"),
                {"id": episode_id}).scalar()
            committed = other.execute(text(
                "SELECT status FROM registration WHERE episode_id = :e AND user_id = :u"),
                {"e": episode_id, "u": person_id}).scalar()
            other.rollback()
        seen.append((locked, committed))

    event.listen(db.engine, "after_cursor_execute", after)
    try:
        response = app.test_client().post(
            f"/api/v1/episodes/{episode_id}/registrations", json={}, headers=headers)
    finally:
        event.remove(db.engine, "after_cursor_execute", after)
    assert response.status_code == 201, response.json
    assert seen == [(episode_id, "registered")]


def test_a_limited_person_is_refused_before_anything_is_written(
        db, app, app_factory, make_episode, make_participant, token_for):
    """The failure limit is read before the statement that writes (and, on PostgreSQL,
    commits) the registration: a person over it is refused with nothing written."""
    from asnbelajar.extensions import limiter

    limited = app_factory(RATELIMIT_ENABLED=True)
    limiter.reset()
    try:
        client = limited.test_client()
        person = make_participant()
        headers = token_for(person)
        db.session.commit()
        for _ in range(30):  # an episode that does not exist: 404, counted
            assert client.post("/api/v1/episodes/999999/registrations",
                               headers=headers).status_code == 404
        episode = make_episode(starts_in=timedelta(days=3))
        db.session.commit()
        refused = client.post(f"/api/v1/episodes/{episode.id}/registrations", json={},
                              headers=headers)
        assert refused.status_code == 429
        assert _written(db, episode, person) == {"registration": None, "queued": [],
                                                 "counts": (0, 0)}
    finally:
        limiter.reset()


def test_the_next_request_on_that_connection_has_its_transaction_again(
        app_factory, db, make_episode, make_participant, token_for, is_postgres):
    """The connection the statement committed on goes back to the pool as it came out:
    the next request on it runs in a transaction (not in autocommit)."""
    if not is_postgres:
        pytest.skip("the hot registration commits in its statement on PostgreSQL only")
    from asnbelajar.extensions import db as _db

    single = app_factory(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0)
    episode = make_episode(starts_in=timedelta(days=3))
    headers, url = token_for(make_participant()), f"/api/v1/episodes/{episode.id}/registrations"
    db.session.commit()
    client = single.test_client()
    assert client.post(url, json={}, headers=headers).status_code == 201
    with single.app_context(), _db.engine.connect() as connection:
        assert connection.connection.dbapi_connection.autocommit is False
        assert _db.engine.pool.size() == 1


FORM_FLASHES = {"registered": "success", "waitlisted": "warning", "zoom link follows": "success",
                "no consent": "warning", "no agency": "warning", "closed": "danger",
                "cancelled before": "success", "repeat": "info"}


@pytest.mark.parametrize("case", CASES)
def test_the_registration_form_writes_what_register_writes(
        case, db, client, login, make_episode, make_participant, organizer):
    """The form's registration (registrations.hot.register_with_its_write: on PostgreSQL
    the lock, the registration and its confirmation in one statement) leaves what the
    service alone leaves, in every case the API's hot statement is checked in."""
    from asnbelajar.errors import DomainError

    outcomes = []
    for way in ("form", "service"):
        episode, person = _case(case, db, make_episode, make_participant, organizer)
        if way == "form":
            login(person)
            response = client.post(f"/episodes/{episode.id}/register")
            assert response.status_code == 302
            with client.session_transaction() as session:
                assert [c for c, _m in session.pop("_flashes", [])] == [FORM_FLASHES[case]]
        else:
            try:
                register(episode.id, db.session.get(User, person.id), source="web")
                db.session.commit()
            except DomainError:
                db.session.rollback()
        outcomes.append(_written(db, episode, person))
    assert outcomes[0] == outcomes[1]


def test_the_form_registers_as_usual_when_the_rules_do_not_confirm_the_early_write(
        db, client, login, make_episode, make_participant, monkeypatch, is_postgres,
        caplog):
    """Should the statement's test of the capacity policy ever differ from register's:
    in the form's own transaction the early write is rolled back, the divergence logged
    as an error, and register decides and writes as usual (here: the waiting list)."""
    from asnbelajar.registrations import services

    episode = make_episode(starts_in=timedelta(days=3))  # no capacity: the SQL registers
    person = make_participant()
    db.session.commit()
    login(person)
    monkeypatch.setattr(services, "_places_left", lambda capacity, registered, waiting:
                        (0, int(waiting)))
    response = client.post(f"/episodes/{episode.id}/register")
    assert response.status_code == 302
    written = _written(db, episode, person)
    assert written["registration"][0] == "waitlisted"
    assert [row[0] for row in written["queued"]] == ["registration_waitlisted:<id>:<time>"]
    assert written["counts"] == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert any("the rules do not confirm it" in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records) == is_postgres


@pytest.mark.parametrize("why", ["expired token", "deactivated account", "erased account"])
def test_a_dead_token_registers_nothing(db, client, make_episode, make_participant,
                                        token_for, why):
    """A token that is no longer live gets 401 and writes nothing, however the hot
    registration runs (on PostgreSQL with rate limiting off it commits in its one
    statement, with no read before it: that statement must itself refuse to write)."""
    from sqlalchemy import update

    from asnbelajar.accounts.models import ApiToken

    episode = make_episode(starts_in=timedelta(days=3))
    person = make_participant()
    headers = token_for(person)
    if why == "expired token":
        db.session.execute(update(ApiToken).where(ApiToken.user_id == person.id)
                           .values(expires_at=now_utc().replace(tzinfo=None)
                                   - timedelta(minutes=1)))
    elif why == "deactivated account":
        person.active = False
    else:
        person.anonymized_at = now_utc().replace(tzinfo=None)
    url = f"/api/v1/episodes/{episode.id}/registrations"
    db.session.commit()  # nothing in progress: the request's hot transaction is its own
    response = client.post(url, json={}, headers=headers)
    assert response.status_code == 401
    assert _written(db, episode, person) == {"registration": None, "queued": [],
                                             "counts": (0, 0)}
