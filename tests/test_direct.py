"""asnbelajar.direct: the hot path's statements on the driver's cursor send what
``Connection.execute`` sends and read back what it reads, on the database under test."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import bindparam, event, exc, select

from asnbelajar import direct
from asnbelajar.attendance.checkin import _insert_check_in
from asnbelajar.episodes.models import Episode
from asnbelajar.extensions import db as _db
from asnbelajar.timeutil import now_utc, to_db

_WRITES = ("INSERT", "UPDATE", "DELETE")


def _comparable(value):
    # psycopg's JSON wrapper compares by identity: compare what it wraps.
    wrapped = getattr(value, "obj", None)
    return value if wrapped is None else (type(value).__name__, wrapped)


def _sent(connection, run):
    """What ``run`` sent to the driver (the statement and its parameters) and its row."""
    sent = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            values = parameters.items() if isinstance(parameters, dict) \
                else enumerate(parameters)
            sent.append((statement, {key: _comparable(value) for key, value in values}))

    event.listen(connection, "before_cursor_execute", record)
    try:
        row = run()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return sent, row


def _first(result):
    return result.first() if result.returns_rows else None


@contextmanager
def _rolled_back(connection):
    """Where to run the comparison, its work rolled back after: a savepoint of
    ``connection``; for a statement that commits as it ends (an autocommit connection,
    registrations.hot), another connection's transaction, which sees what it would."""
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        savepoint = connection.begin_nested()
        try:
            yield connection
        finally:
            savepoint.rollback()
        return
    with connection.engine.connect() as other:
        transaction = other.begin()
        try:
            yield other
        finally:
            transaction.rollback()


@pytest.fixture
def compared(monkeypatch):
    """Every direct.first call during the test also runs through Connection.execute (in a
    savepoint, rolled back) and the two are compared; returns the list of statements."""
    original = direct.first
    seen: list[str] = []

    def both(connection, statement, params):
        with _rolled_back(connection) as target:
            expected_sent, expected = _sent(target, lambda: _first(
                target.execute(statement, params)))
        sent, row = _sent(connection, lambda: original(connection, statement, params))
        assert sent == expected_sent
        if expected is None:
            assert row is None
        else:
            assert row._fields == tuple(expected._fields)
            assert [type(v) for v in row] == [type(v) for v in expected]
            sql = sent[0][0].upper()
            if not any(word in sql for word in _WRITES):
                assert tuple(row) == tuple(expected)  # a read: the very same values
        seen.append(" ".join(sent[0][0].split())[:40])
        return row

    monkeypatch.setattr(direct, "first", both)
    return seen


def test_the_hot_paths_statements_match_sqlalchemys(compared, app_factory, db, make_episode,
                                                     make_participant, token_for, is_postgres):
    live = make_episode(starts_in=timedelta(minutes=-5))
    upcoming = make_episode(starts_in=timedelta(days=2), capacity=1)
    registered, walk_in, second, third = (make_participant() for _ in range(4))
    from asnbelajar.registrations.services import register

    register(live.id, registered)
    db.session.commit()
    for hot in (True, False):
        client = app_factory(HOT_PATH_ENABLED=hot).test_client()
        person = (registered, walk_in) if hot else (second, third)
        checkin = f"/api/v1/episodes/{live.id}/checkins"
        if not hot:
            register(live.id, person[0])
            db.session.commit()
        assert client.post(checkin, json={"code": "awal23"},
                           headers=token_for(person[0])).status_code == 201
        assert client.post(checkin, json={"code": "awal23"},  # a walk-in
                           headers=token_for(person[1])).status_code == 201
        registration = f"/api/v1/episodes/{upcoming.id}/registrations"
        # The first takes the place (when hot), the next is waitlisted: both branches.
        for someone in person:
            assert client.post(registration, json={},
                               headers=token_for(someone)).status_code == 201
    assert any(s.startswith("INSERT INTO check_in") for s in compared) or is_postgres
    assert len(compared) >= 10, compared


def test_the_row_converts_dates_and_carries_the_column_keys(db, make_episode):
    episode = make_episode()
    statement = select(Episode.id, Episode.starts_at.label("begins"), Episode.status) \
        .where(Episode.id == bindparam("episode_id"))
    row = direct.first(db.session.connection(), statement, {"episode_id": episode.id})
    assert row._fields == ("id", "begins", "status")
    assert row.begins == episode.starts_at and row[0] == episode.id
    assert direct.first(db.session.connection(), statement, {"episode_id": -1}) is None


def test_a_driver_error_is_sqlalchemys_and_the_session_rolls_back(db, make_episode,
                                                                  make_participant):
    person = make_participant()
    values = {"checkpoint_id": 999_999, "episode_id": 999_999, "user_id": person.id,
              "created_at": to_db(now_utc()), "ip": None}
    with pytest.raises(exc.IntegrityError):  # no such checkpoint (a foreign key)
        direct.first(db.session.connection(), _insert_check_in(db.engine.dialect.name),
                     values)
    db.session.rollback()
    assert db.session.scalar(select(Episode.id).limit(1)) is None  # usable again


def test_expanding_parameters_are_refused(db):
    statement = select(Episode.id).where(Episode.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="expanding"):
        direct.first(_db.session.connection(), statement, {"ids": [1, 2]})


def test_with_statements_logged_sqlalchemy_runs_them(db, make_episode, caplog):
    episode_id = make_episode().id
    db.session.commit()  # the next connection is made with the engine's echo on
    statement = select(Episode.status).where(Episode.id == bindparam("episode_id"))
    db.engine.echo = True
    try:
        with caplog.at_level("INFO", logger="sqlalchemy.engine"):
            row = direct.first(db.session.connection(), statement, {"episode_id": episode_id})
    finally:
        db.engine.echo = False
    assert row.status == "published"
    assert any(record.getMessage().startswith("SELECT episode.status \nFROM episode")
               for record in caplog.records)


def test_python_side_defaults_left_to_fill_in_are_refused(db, make_episode):
    # Episode.updated_at has an onupdate: Connection.execute would compute it, direct
    # cannot, so the statement must name the column (as the registration's lock does).
    from sqlalchemy import update

    table = Episode.__table__
    statement = update(table).where(table.c.id == bindparam("episode_id")) \
        .values(title=bindparam("new_title"))
    with pytest.raises(ValueError, match="updated_at"):
        direct.first(db.session.connection(), statement,
                     {"episode_id": make_episode().id, "new_title": "x"})
