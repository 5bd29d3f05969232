"""Engine setup shared by every domain: SQLite pragmas and a few portable SQL helpers."""

from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the writer; the busy timeout makes concurrent writers
    # wait for the lock instead of failing at once; SQLite leaves foreign keys off by default.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def init_database(app: Flask) -> None:
    """Import every model module so metadata (and Alembic) sees all tables."""
    from .accounts import models as _accounts  # noqa: F401
    from .attendance import models as _attendance  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .certificates import models as _certificates  # noqa: F401
    from .episodes import models as _episodes  # noqa: F401
    from .evaluations import models as _evaluations  # noqa: F401
    from .ledger import models as _ledger  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .registrations import models as _registrations  # noqa: F401
    from .scheduler import models as _scheduler  # noqa: F401
    from .speakers import models as _speakers  # noqa: F401


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def insert_ignore(table):
    """INSERT ... ON CONFLICT DO NOTHING for the engine in use."""
    if is_postgres():
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()
