"""Backups: a consistent online copy of the SQLite database, or the pg_dump command.

Copying a live SQLite file with ``cp`` tears it (pages from different moments; the WAL
left behind). SQLite's online backup API copies the database inside one read
transaction: in WAL mode (the app's setting) that is a snapshot the writers do not
disturb and are not blocked by, so the copy is one consistent moment while the app keeps
writing.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    seconds: float
    integrity: str


class BackupError(Exception):
    pass


def sqlite_path(database_uri: str) -> Path | None:
    """The file behind an SQLite URL (None for other engines or in-memory databases)."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    """Copy ``source`` to ``target`` with the online backup API, then check the copy.

    The copy is written next to ``target`` under a temporary name and renamed into place
    only when ``PRAGMA integrity_check`` says ``ok``, so a failed backup never leaves a
    half-written file that looks like a backup.
    """
    if not source.exists():
        raise BackupError(f"database file not found: {source}")
    target = target.resolve()
    if target == source.resolve():
        raise BackupError("the backup file must not be the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    started = time.perf_counter()
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            # All pages in one step: one read transaction, one snapshot. (Copying in
            # small steps would restart whenever the app writes, maybe forever.)
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    except Exception:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {integrity}")
    os.replace(partial, target)
    return BackupResult(path=target, size_bytes=target.stat().st_size,
                        seconds=time.perf_counter() - started, integrity=integrity)


def pg_dump_command(database_uri: str, target: str) -> str:
    """The pg_dump command that backs up this PostgreSQL database into ``target``
    (custom format, restorable with pg_restore). The password is never printed: pg_dump
    reads it from ~/.pgpass or PGPASSWORD."""
    url = make_url(database_uri)
    parts = ["pg_dump", "--format=custom", "--no-owner", "--file", target]
    if url.host:
        parts += ["--host", url.host]
    if url.port:
        parts += ["--port", str(url.port)]
    if url.username:
        parts += ["--username", url.username]
    parts.append(url.database or "")
    return shlex.join(parts)


def pg_restore_command(database_uri: str, source: str) -> str:
    url = make_url(database_uri)
    parts = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error"]
    if url.host:
        parts += ["--host", url.host]
    if url.port:
        parts += ["--port", str(url.port)]
    if url.username:
        parts += ["--username", url.username]
    parts += ["--dbname", url.database or "", source]
    return shlex.join(parts)
