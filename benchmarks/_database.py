"""A throwaway database for one benchmark run: a fresh PostgreSQL database (dropped at the
end) when a server URL is given, else a SQLite file in a temporary folder."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def temporary_database(server_url: str, prefix: str = "asnb_bench") -> Iterator[str]:
    """Yield an SQLAlchemy URL for a database that exists only for the ``with`` block."""
    if not server_url.startswith("postgresql"):
        yield f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = (server_url.rsplit("/", 1)[0] + "/" + name).replace(
        "postgresql://", "postgresql+psycopg://")
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
