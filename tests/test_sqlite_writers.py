"""SQLite writers queue on a file lock beside the database (database.serialize_sqlite_writers):
taken before a transaction's first write, let go at its commit or rollback."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, text

from asnbelajar import direct
from asnbelajar.database import serialize_sqlite_writers

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "writers.db"
    engine = create_engine(f"sqlite:///{path}", pool_size=8)
    serialize_sqlite_writers(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER)"))
    yield engine
    engine.dispose()


def writers_lock_is_free(engine) -> bool:
    fd = os.open(engine.url.database + "-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_held_from_the_first_write_to_the_commit_or_rollback(engine):
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t"))
        assert writers_lock_is_free(engine)  # reading takes nothing
        conn.execute(text("INSERT INTO t (worker, n) VALUES (0, 0)"))
        assert not writers_lock_is_free(engine)
        conn.commit()
        assert writers_lock_is_free(engine)
        conn.execute(text("UPDATE t SET n = 1"))
        assert not writers_lock_is_free(engine)
        conn.rollback()
        assert writers_lock_is_free(engine)
        conn.execute(text("DELETE FROM t"))
    # Returned to the pool without a commit: the pool's rollback lets go too.
    assert writers_lock_is_free(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalar() == 0  # nothing half-saved


def test_the_direct_statements_take_it_too(engine):
    # The hot path's statements run on the driver's cursor (asnbelajar.direct).
    table = sa.table("t", sa.column("id"), sa.column("worker"), sa.column("n"))
    insert = table.insert().values(worker=sa.bindparam("w"), n=0).returning(table.c.id)
    with engine.connect() as conn:
        direct.first(conn, sa.select(table.c.id).where(table.c.worker == sa.bindparam("w")),
                     {"w": 1})
        assert writers_lock_is_free(engine)
        assert direct.first(conn, insert, {"w": 1}) is not None
        assert not writers_lock_is_free(engine)
        conn.commit()
        assert writers_lock_is_free(engine)


def test_concurrent_writers_all_get_their_turn(engine):
    """Eight threads on eight connections write in small transactions at once: every
    write lands, none fails with 'database is locked'."""
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(40):
                with engine.begin() as conn:
                    conn.execute(text("SELECT count(*) FROM t WHERE worker = :w"), {"w": worker})
                    conn.execute(insert_row(), {"worker": worker, "n": n})
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 8 * 40
    assert writers_lock_is_free(engine)


def insert_row():
    return text("INSERT INTO t (worker, n) VALUES (:worker, :n)")


def test_memory_databases_are_left_alone():
    engine = create_engine("sqlite://")
    serialize_sqlite_writers(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t DEFAULT VALUES"))
    assert getattr(engine.dialect, "_asnb_writer_locks", None) is None


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sqlite-checkpoint" and t.is_alive()]


def test_checkpoints_run_in_a_thread_of_their_own(tmp_path):
    """A commit never copies the log back into the database (SQLite's own checkpoint is
    only a safety net at 10,000 pages); a thread of the process does, passively, every
    interval: the log written by many small transactions is checkpointed in the
    background."""
    import time

    from asnbelajar.database import SAFETY_NET_PAGES, checkpoint_in_background

    path = tmp_path / "checkpoints.db"
    engine = create_engine(f"sqlite:///{path}")
    serialize_sqlite_writers(engine)
    checkpoint_in_background(engine, 0.1)
    checkpointer = engine.dialect._asnb_checkpointer
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() \
                == SAFETY_NET_PAGES
            conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)"))
        for _i in range(300):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t (payload) VALUES (:p)"), {"p": "x" * 2000})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            last = checkpointer.last
            if last and last[1] > 0 and last[1] == last[2]:
                break
            time.sleep(0.05)
        busy, log_pages, done = checkpointer.last
        assert log_pages > 0 and done == log_pages, checkpointer.last
        assert any(t.name == "sqlite-checkpoint" for t in _checkpoint_threads())
    finally:
        engine.dispose()
    # The database removed: the thread ends instead of outliving it.
    for suffix in ("", "-wal", "-shm", "-writers"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    deadline = time.monotonic() + 3
    while checkpointer.pid and time.monotonic() < deadline:
        time.sleep(0.05)
    assert checkpointer.pid == 0
