"""The two reference routes http_burst.py measures the application against.

    gunicorn -w 2 benchmarks.reference_app:app   (ASNBELAJAR_DATABASE_URL set)

``POST /bare`` answers a small JSON body without touching the database (the cost of the
server, the HTTP parsing and the client); ``POST /insert`` does one INSERT and COMMIT on the
same database with the same engine settings as the application (pool, SQLite pragmas,
full durability), the unavoidable cost of recording anything. A WSGI callable without a
framework, so the figures are a floor, not another Flask app.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import create_engine, event, text

URL = os.environ["ASNBELAJAR_DATABASE_URL"]
engine = create_engine(URL, pool_size=5, max_overflow=10, pool_pre_ping=False)


@event.listens_for(engine, "connect")
def _pragmas(dbapi_connection, _record) -> None:
    # The application's SQLite settings (asnbelajar/database.py).
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON",
                       "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def create_table() -> None:
    serial = "INTEGER PRIMARY KEY" if URL.startswith("sqlite") else "SERIAL PRIMARY KEY"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS bench_reference (id {serial}, "
                          "created_at TIMESTAMP NOT NULL, ip VARCHAR(45))"))


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    if path == "/bare":
        body = {"ok": True}
    elif path == "/insert":
        with engine.begin() as conn:
            row = conn.execute(
                text("INSERT INTO bench_reference (created_at, ip) VALUES (:at, :ip) "
                     "RETURNING id"),
                {"at": datetime.now(UTC).replace(tzinfo=None),
                 "ip": environ.get("REMOTE_ADDR")}).first()
        body = {"id": row[0]}
    else:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error": "not found"}']
    data = json.dumps(body).encode()
    start_response("201 Created" if path == "/insert" else "200 OK",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


if __name__ == "__main__":
    create_table()
