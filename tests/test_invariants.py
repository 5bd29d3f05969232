"""Invariants the database keeps however a row arrives.

Every forbidden write here is plain SQL on its own connection: no service, no episode
lock, no ORM check first. What refuses it is the schema (unique and partial unique
indexes, triggers), so each test fails when its constraint is removed from the migration.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from .conftest import PG_SERVER_URL, make_nip

NOW = datetime(2024, 2, 22, 6, 0)


def run(db, sql: str, **params):
    """One statement in its own committed transaction on a fresh connection; returns
    the first column of the first row, if the statement returns rows."""
    with db.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return result.scalar() if result.returns_rows else None


def insert_user(db, email: str) -> int:
    return run(
        db,
        'INSERT INTO "user" (email, full_name, role, active, locale, timezone, created_at)'
        " VALUES (:email, 'Peserta', 'participant', true, 'id', 'Asia/Jakarta', :now)"
        " RETURNING id",
        email=email, now=NOW,
    )


def insert_profile(db, user_id: int, nip: str | None) -> None:
    run(db,
        "INSERT INTO participant_profile (user_id, nip, employee_type, anonymized, updated_at)"
        " VALUES (:user_id, :nip, 'pns', false, :now)",
        user_id=user_id, nip=nip, now=NOW)


def insert_registration(db, episode_id: int, user_id: int) -> int:
    return run(
        db,
        "INSERT INTO registration (episode_id, user_id, status, source, created_at, queued_at)"
        " VALUES (:episode_id, :user_id, 'registered', 'web', :now, :now) RETURNING id",
        episode_id=episode_id, user_id=user_id, now=NOW,
    )


def insert_certificate(db, episode_id: int, user_id: int, n: int) -> int:
    return run(
        db,
        "INSERT INTO certificate (kind, episode_id, user_id, number, seq, verification_code,"
        " name, program_name, episode_label, episode_title, held_on, jp, signer_name,"
        " signer_title, issued_at)"
        " VALUES ('participant', :episode_id, :user_id, :number, :n, :code, 'Peserta',"
        " 'ASN Belajar', 'Seri 41', 'Manajemen Talenta', :held_on, 3, 'Kepala BPSDM',"
        " 'Kepala', :now) RETURNING id",
        episode_id=episode_id, user_id=user_id, number=f"{n:05d}/ASNB/TEST", n=n,
        code=f"TESTCODE{n:04d}", held_on=NOW.date(), now=NOW,
    )


def insert_credit(target, user_id: int, episode_id: int, seq: int) -> int:
    """Insert a credit on ``target``: an open Connection, or the db (own transaction)."""
    sql = text(
        "INSERT INTO ledger_entry (user_id, kind, jp, year, episode_id, credit_seq, created_at)"
        " VALUES (:user_id, 'episode_credit', 3, 2024, :episode_id, :seq, :now) RETURNING id"
    )
    params = {"user_id": user_id, "episode_id": episode_id, "seq": seq, "now": NOW}
    if isinstance(target, Connection):
        return target.execute(sql, params).scalar_one()
    with target.engine.begin() as conn:
        return conn.execute(sql, params).scalar_one()


def insert_reversal(db, entry_id: int, user_id: int, episode_id: int) -> int:
    return run(
        db,
        "INSERT INTO ledger_entry (user_id, kind, jp, year, episode_id, reverses_id, reason,"
        " created_at)"
        " VALUES (:user_id, 'reversal', -3, 2024, :episode_id, :entry_id, 'salah input', :now)"
        " RETURNING id",
        user_id=user_id, episode_id=episode_id, entry_id=entry_id, now=NOW,
    )


def live_credits(db, user_id: int, episode_id: int) -> int:
    return run(
        db,
        "SELECT count(*) FROM ledger_entry AS c WHERE c.user_id = :user_id"
        " AND c.episode_id = :episode_id AND c.kind = 'episode_credit'"
        " AND NOT EXISTS (SELECT 1 FROM ledger_entry AS r WHERE r.reverses_id = c.id)",
        user_id=user_id, episode_id=episode_id,
    )


@pytest.fixture
def episode_id(make_episode) -> int:
    return make_episode(checkpoints=False).id


@pytest.fixture
def user_id(db) -> int:
    return insert_user(db, "peserta@example.go.id")


# Registrations and certificates -----------------------------------------------------------

def test_database_refuses_second_registration_for_same_episode(db, episode_id, user_id):
    insert_registration(db, episode_id, user_id)
    with pytest.raises(IntegrityError):
        insert_registration(db, episode_id, user_id)


def test_database_refuses_second_live_certificate(db, episode_id, user_id):
    first = insert_certificate(db, episode_id, user_id, 1)
    with pytest.raises(IntegrityError):
        insert_certificate(db, episode_id, user_id, 2)
    # Once the first is revoked a replacement is allowed: the index is about live ones.
    run(db, "UPDATE certificate SET revoked_at = :now WHERE id = :id", now=NOW, id=first)
    insert_certificate(db, episode_id, user_id, 3)


# Accounts ---------------------------------------------------------------------------------

def test_database_refuses_duplicate_nip(db):
    nip = make_nip(4242)
    insert_profile(db, insert_user(db, "satu@example.go.id"), nip)
    other = insert_user(db, "dua@example.go.id")
    with pytest.raises(IntegrityError):
        insert_profile(db, other, nip)


def test_database_refuses_email_differing_only_in_case(db):
    insert_user(db, "budi@example.go.id")
    with pytest.raises(IntegrityError):
        insert_user(db, "Budi@Example.GO.ID")


# The ledger -------------------------------------------------------------------------------

def test_database_refuses_second_live_credit_with_another_credit_seq(db, episode_id, user_id):
    insert_credit(db, user_id, episode_id, 0)
    with pytest.raises(IntegrityError):
        insert_credit(db, user_id, episode_id, 7)
    assert live_credits(db, user_id, episode_id) == 1


def test_database_refuses_reusing_credit_seq_even_after_reversal(db, episode_id, user_id):
    first = insert_credit(db, user_id, episode_id, 0)
    insert_reversal(db, first, user_id, episode_id)
    with pytest.raises(IntegrityError):
        insert_credit(db, user_id, episode_id, 0)


def test_database_allows_new_credit_once_the_earlier_one_is_reversed(db, episode_id, user_id):
    first = insert_credit(db, user_id, episode_id, 0)
    insert_reversal(db, first, user_id, episode_id)
    insert_credit(db, user_id, episode_id, 1)
    assert live_credits(db, user_id, episode_id) == 1
    # Other people and other episodes are not affected by this person's credit.
    other = insert_user(db, "lain@example.go.id")
    insert_credit(db, other, episode_id, 0)


def test_database_refuses_second_reversal_of_one_entry(db, episode_id, user_id):
    first = insert_credit(db, user_id, episode_id, 0)
    insert_reversal(db, first, user_id, episode_id)
    with pytest.raises(IntegrityError):
        insert_reversal(db, first, user_id, episode_id)


def test_database_refuses_update_of_a_ledger_entry(db, episode_id, user_id):
    entry = insert_credit(db, user_id, episode_id, 0)
    with pytest.raises(IntegrityError):
        run(db, "UPDATE ledger_entry SET jp = 300 WHERE id = :id", id=entry)
    with pytest.raises(IntegrityError):
        # Hiding a credit by renaming its kind is an update too.
        run(db, "UPDATE ledger_entry SET kind = 'external_credit', credit_seq = NULL,"
                " episode_id = NULL WHERE id = :id", id=entry)
    assert run(db, "SELECT jp FROM ledger_entry WHERE id = :id", id=entry) == 3


def test_database_refuses_delete_of_a_ledger_entry(db, episode_id, user_id):
    entry = insert_credit(db, user_id, episode_id, 0)
    reversal = insert_reversal(db, entry, user_id, episode_id)
    with pytest.raises(IntegrityError):
        # Deleting the reversal would bring the credit back to life.
        run(db, "DELETE FROM ledger_entry WHERE id = :id", id=reversal)
    with pytest.raises(IntegrityError):
        run(db, "DELETE FROM ledger_entry")
    assert run(db, "SELECT count(*) FROM ledger_entry") == 2


def test_service_credit_and_reissue_still_work_with_the_triggers(
        db, make_participant, make_episode, organizer):
    """The services only ever insert: finalize, revoke and reissue pass the triggers."""
    from asnbelajar.ledger.services import live_credit, recredit_episode, reverse_entry

    person = make_participant()
    episode = make_episode(checkpoints=False)
    first = insert_credit(db, person.id, episode.id, 0)
    reverse_entry(first, reason="sertifikat dicabut", actor_id=organizer.id)
    recredit_episode(episode, person.id, None, organizer.id)
    db.session.commit()
    assert live_credit(person.id, episode.id).credit_seq == 1


# Concurrency ------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(not PG_SERVER_URL,
                    reason="a race between connections needs PostgreSQL (SQLite serializes "
                           "writers): set ASNBELAJAR_TEST_DATABASE_URL")
def test_concurrent_hand_written_credits_leave_one_live_credit(db, episode_id, user_id):
    """Eight connections credit the same person and episode at once, each with its own
    credit_seq (so the unique index cannot decide) and no episode lock; each keeps its
    transaction open a moment after inserting, so every insert overlaps the others."""
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes: list[object] = [None] * workers
    engine = db.engine  # threads have no app context

    def work(index: int) -> None:
        with engine.connect() as conn:
            barrier.wait(timeout=30)
            try:
                with conn.begin():
                    insert_credit(conn, user_id, episode_id, index)
                    time.sleep(0.2)
                outcomes[index] = "committed"
            except DBAPIError as err:
                outcomes[index] = err

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    committed = [o for o in outcomes if o == "committed"]
    refused = [o for o in outcomes if isinstance(o, IntegrityError)]
    assert len(committed) == 1, outcomes
    assert len(refused) == workers - 1, outcomes
    assert live_credits(db, user_id, episode_id) == 1
