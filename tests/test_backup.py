"""``asnbelajar backup``: a consistent copy while the app writes, and a restore that works.

A plain ``cp`` of a live SQLite file can be torn (the issue saw 495 of 500 rows and a
failed integrity check); the online backup API must give one moment's database.
"""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text

from asnbelajar import create_app
from asnbelajar.accounts.models import User
from asnbelajar.backup import pg_dump_command, pg_restore_command

from .conftest import BASE_CONFIG, PG_SERVER_URL

sqlite_only = pytest.mark.skipif(bool(PG_SERVER_URL), reason="SQLite backup file test")


@sqlite_only
def test_backup_while_writing_is_consistent_and_restores(app, db, runner, make_user, tmp_path):
    for _ in range(5):
        make_user()
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    stop = threading.Event()
    written = []

    def writer():
        conn = sqlite3.connect(source, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        n = 0
        while not stop.is_set():
            # Two rows per transaction: a torn copy would show an odd count.
            with conn:
                for _ in range(2):
                    n += 1
                    conn.execute(
                        "INSERT INTO outbox_email (dedupe_key, to_addr, subject, body_text, "
                        "attachments, status, attempts, next_attempt_at, created_at) VALUES "
                        "(?, 'x@example.go.id', 's', ?, '[]', 'pending', 0, "
                        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", (f"bk{n}", "b" * 2000))
            written.append(n)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:  # the writer is going
            time.sleep(0.01)
        target = tmp_path / "backups" / "asnbelajar.db"
        result = runner.invoke(args=["backup", str(target)])
        during = len(written)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output

    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = copy.execute("SELECT count(*) FROM outbox_email").fetchone()[0]
    ids = [r[0] for r in copy.execute("SELECT id FROM outbox_email ORDER BY id")]
    users = copy.execute("SELECT count(*) FROM user").fetchone()[0]
    copy.close()
    assert rows >= 100 and rows % 2 == 0  # whole transactions only
    assert ids == list(range(1, rows + 1))  # no gap, no torn page
    assert rows <= 2 * written[-1] and during > 0
    assert users == 5
    assert not list(target.parent.glob(".*partial*"))  # nothing half-written left

    # Restore: the copy is a working database for the app.
    restored = tmp_path / "restored.db"
    shutil.copy(target, restored)
    again = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{restored}"})
    again.instance_path = str(tmp_path / "inst")
    with again.app_context():
        from asnbelajar.extensions import db as _db

        assert _db.session.scalar(select(func.count()).select_from(User)) == users
        version = _db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert version
        _db.engine.dispose()
    assert again.test_client().get("/readyz").json == {"status": "ok"}


@sqlite_only
def test_backup_refuses_to_overwrite_the_database_itself(app, runner):
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    result = runner.invoke(args=["backup", source])
    assert result.exit_code != 0 and "must not be the database itself" in result.output


def test_postgres_backup_prints_pg_dump_and_restore_commands(tmp_path):
    url = "postgresql+psycopg://asnb@db.internal:6432/asnbelajar"
    dump = pg_dump_command(url, "/var/backups/asnbelajar.dump")
    assert shlex.split(dump) == ["pg_dump", "--format=custom", "--no-owner", "--file",
                                 "/var/backups/asnbelajar.dump", "--host", "db.internal",
                                 "--port", "6432", "--username", "asnb", "asnbelajar"]
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/x.dump"])
    assert result.exit_code == 0
    assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output


@pytest.mark.skipif(not PG_SERVER_URL or not shutil.which("pg_dump"),
                    reason="needs PostgreSQL and pg_dump")
def test_postgres_dump_and_restore_round_trip(app, db, make_user, tmp_path):
    for _ in range(3):
        make_user()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    dump = tmp_path / "db.dump"
    subprocess.run(shlex.split(pg_dump_command(url, str(dump))), check=True)
    name = f"{url.rsplit('/', 1)[1]}_restored"
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        restored_url = url.rsplit("/", 1)[0] + "/" + name
        subprocess.run(shlex.split(pg_restore_command(restored_url, str(dump))), check=True)
        engine = create_engine(restored_url)
        with engine.connect() as conn:
            count = conn.execute(text('SELECT count(*) FROM "user"')).scalar()
        engine.dispose()
        assert count == db.session.scalar(select(func.count()).select_from(User))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
