"""A hot view's transaction on a plain connection (asnbelajar/transactions.py): one
connection and one transaction per request, no ORM session unless a path needs one (which
then joins that transaction), nothing left half-way when it does not commit, and the
connection back in the pool whatever happens."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import OperationalError

from asnbelajar import direct, transactions
from asnbelajar.accounts.models import ApiToken, User
from asnbelajar.attendance.models import CheckIn
from asnbelajar.extensions import db as _db
from asnbelajar.registrations.models import Registration


@pytest.fixture
def own_app(app_factory):
    """An app on the test's database whose requests get their own app context (as in
    service), not the test's: its session scope starts empty."""
    return app_factory()


@pytest.fixture
def watch(own_app):
    """Per request to ``own_app``: the sessions made and the pool checkouts."""
    counts = {"sessions": 0, "checkouts": 0}
    with own_app.app_context():
        engine = _db.engine
        registry = _db.session.registry
    make = registry.createfunc

    def counting():
        if current_app._get_current_object() is own_app:  # not the test's own session
            counts["sessions"] += 1
        return make()

    registry.createfunc = counting

    def checkout(*_args):
        counts["checkouts"] += 1

    event.listen(engine, "checkout", checkout)
    yield counts
    event.remove(engine, "checkout", checkout)
    registry.createfunc = make


def _user_row(email: str) -> dict:
    return {"email": email, "full_name": "Uji Transaksi", "role": "participant"}


def _emails(*emails: str) -> set[str]:
    return set(_db.session.scalars(select(User.email).where(User.email.in_(emails))))


def test_a_registered_check_in_makes_no_session_and_one_checkout(db, own_app, watch,
                                                                on_live_episode):
    episode, person, headers = on_live_episode()
    answer = own_app.test_client().post(f"/api/v1/episodes/{episode.id}/checkins",
                                        json={"code": "awal23"}, headers=headers)
    assert answer.status_code == 201 and answer.json["walk_in"] is False
    assert watch == {"sessions": 0, "checkouts": 1}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.user_id == person.id)) == 1
    # The token's use was written by the hot commit (SQLite: the hook; PostgreSQL: the
    # statement that found it).
    assert db.session.scalar(select(ApiToken.last_used_at)
                             .where(ApiToken.user_id == person.id)) is not None


def test_a_walk_in_joins_the_orm_to_the_same_transaction(db, own_app, watch,
                                                        on_live_episode):
    episode, person, headers = on_live_episode(registered=False)
    answer = own_app.test_client().post(f"/api/v1/episodes/{episode.id}/checkins",
                                        json={"code": "awal23"}, headers=headers)
    assert answer.status_code == 201 and answer.json["walk_in"] is True
    # The walk-in's registration needed the ORM: one session, on the one connection.
    assert watch == {"sessions": 1, "checkouts": 1}
    db.session.expire_all()
    assert db.session.scalar(select(Registration.source).where(
        Registration.user_id == person.id, Registration.episode_id == episode.id)) == "walk_in"
    assert db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.user_id == person.id)) == 1


def test_a_failure_after_the_orm_wrote_leaves_nothing(db, own_app, on_live_episode,
                                                      monkeypatch):
    """A walk-in whose check-in INSERT fails (the database went away) after its
    registration was flushed through the joined session: nothing of it stays, the
    answer is the outage's 503, and the connection is back in the pool."""
    from asnbelajar.attendance import checkin

    episode, person, headers = on_live_episode(registered=False)
    real_first = direct.first

    def failing(connection, statement, params):
        if statement is checkin._insert_check_in(connection.dialect.name):
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real_first(connection, statement, params)

    monkeypatch.setattr(direct, "first", failing)
    answer = own_app.test_client().post(f"/api/v1/episodes/{episode.id}/checkins",
                                        json={"code": "awal23"}, headers=headers)
    assert answer.status_code == 503
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.user_id == person.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.user_id == person.id)) == 0
    with own_app.app_context():
        assert _db.engine.pool.checkedout() == 0


def test_commit_runs_the_hooks_inside_the_transaction(own_app, monkeypatch):
    ran = []

    def hook():
        ran.append(transactions.connection().in_transaction())
        transactions.connection().execute(insert(User).values(**_user_row("hook@uji.id")))

    monkeypatch.setattr(transactions, "_before_commit", [*transactions._before_commit, hook])
    with own_app.test_request_context():
        with transactions.hot_transaction() as hot:
            assert hot and transactions.active()
            transactions.connection().execute(insert(User).values(**_user_row("a@uji.id")))
            transactions.commit()
        assert not transactions.active()
        assert ran == [True]
        assert _db.engine.pool.checkedout() == 0
        assert _emails("a@uji.id", "hook@uji.id") == {"a@uji.id", "hook@uji.id"}


def test_without_commit_nothing_stays_and_the_hooks_do_not_run(own_app, monkeypatch):
    ran = []
    monkeypatch.setattr(transactions, "_before_commit",
                        [*transactions._before_commit, lambda: ran.append(True)])
    with own_app.test_request_context():
        with transactions.hot_transaction():
            transactions.connection().execute(insert(User).values(**_user_row("b@uji.id")))
            _db.session.add(User(**_user_row("c@uji.id")))
            _db.session.flush()  # the ORM's row, on the same connection
            assert _db.session.connection() is transactions.connection()
        assert ran == []
        assert _db.engine.pool.checkedout() == 0
        assert _emails("b@uji.id", "c@uji.id") == set()


def test_an_exception_rolls_back_and_returns_the_connection(own_app):
    with own_app.test_request_context():
        with pytest.raises(RuntimeError), transactions.hot_transaction():
            transactions.connection().execute(insert(User).values(**_user_row("d@uji.id")))
            _db.session.add(User(**_user_row("e@uji.id")))
            raise RuntimeError("mid-way")
        assert _db.engine.pool.checkedout() == 0
        assert _emails("d@uji.id", "e@uji.id") == set()


def test_a_session_in_a_transaction_keeps_the_request(own_app):
    """Something already began the session's transaction: the block runs in it."""
    with own_app.test_request_context():
        _db.session.add(User(**_user_row("f@uji.id")))
        _db.session.flush()
        with transactions.hot_transaction() as hot:
            assert not hot and not transactions.active()
            assert transactions.connection() is _db.session.connection()
        _db.session.rollback()
        assert _emails("f@uji.id") == set()


def test_commit_outside_a_hot_transaction_is_an_error(own_app):
    with own_app.test_request_context(), pytest.raises(RuntimeError):
        transactions.commit()
