"""How a request's transaction ends (operations.end_read_only_transaction): a GET that only
read commits, so psycopg keeps the statements it prepared on the connection (a ROLLBACK
discards them all); anything that wrote is rolled back as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from asnbelajar.accounts.models import User


def _prepared(app) -> list[str]:
    from asnbelajar.extensions import db as _db

    with app.app_context(), _db.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT statement FROM pg_prepared_statements").scalars().all()


def test_pages_keep_the_statements_psycopg_prepared(app_factory, db, make_episode,
                                                   make_participant, is_postgres):
    """PostgreSQL, one pooled connection: after a few views of the same pages (psycopg
    prepares a statement on its fifth use) the connection holds prepared statements."""
    if not is_postgres:
        pytest.skip("psycopg's prepared statements are PostgreSQL's")
    single = app_factory(DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0)
    episode = make_episode(starts_in=timedelta(days=3))
    person = make_participant()
    db.session.commit()
    client = single.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(person.id), True
    for _ in range(6):
        assert client.get(f"/episodes/{episode.id}").status_code == 200
        assert client.get("/me").status_code == 200
    prepared = _prepared(single)
    assert any('FROM "user"' in statement for statement in prepared), prepared


def test_a_get_that_wrote_without_committing_is_rolled_back(app_factory, db,
                                                            make_participant):
    """Only a transaction of SELECTs is committed at the end of a GET: a view that wrote
    and did not commit (a mistake) leaves nothing, on either database."""
    from asnbelajar.extensions import db as _db

    probe = app_factory()
    person = make_participant(full_name="Nama Lama")
    db.session.commit()
    person_id = person.id

    def writes():
        _db.session.scalar(select(User.id).where(User.id == person_id))
        _db.session.execute(update(User).where(User.id == person_id)
                            .values(full_name="Nama Baru"))
        return "ok"

    probe.add_url_rule("/_probe/writes", "probe_writes", writes)
    assert probe.test_client().get("/_probe/writes").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, person_id).full_name == "Nama Lama"


def test_a_get_that_failed_is_rolled_back(app_factory, db, make_participant):
    """A GET answered with an error status is rolled back even if it only flushed."""
    from flask import abort

    from asnbelajar.extensions import db as _db

    probe = app_factory()
    person = make_participant(full_name="Nama Lama")
    db.session.commit()
    person_id = person.id

    def fails():
        _db.session.get(User, person_id).full_name = "Nama Baru"
        _db.session.flush()
        abort(409)

    probe.add_url_rule("/_probe/fails", "probe_fails", fails)
    assert probe.test_client().get("/_probe/fails").status_code == 409
    db.session.expire_all()
    assert db.session.get(User, person_id).full_name == "Nama Lama"
