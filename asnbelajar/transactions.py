"""A hot view's transaction on a plain connection, without the ORM session (issue 13).

A hot view (hotpath.py) runs a few Core statements and commits. Through the session that
meant creating the session, its transaction bookkeeping, its flush check and events at
commit, and closing it at the request's end: measured in one process on SQLite, a read,
a write and the commit took 0.35 ms through the session and 0.20 ms on a connection of
the same engine. Inside :func:`hot_transaction`:

- :func:`connection` is one connection of the engine's pool, taken at first use with its
  transaction begun; the services' statements (``direct.first``) run on it, as they run
  on the session's connection elsewhere;
- should a path need the ORM (a repeat check-in, a walk-in's registration, a refusal's
  lookup), the session made for it joins that same connection and transaction
  (:class:`RequestSession`): one transaction, whatever the path;
- :func:`commit` commits it: through such a session when there is one (its flush and
  ``before_commit`` listeners, as always), else after the hooks registered with
  :func:`before_commit` (the token's use, accounts.sessions);
- at the end, whatever was not committed is rolled back, the joined session is closed
  and the connection goes back to the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Connection


class _Hot:
    __slots__ = ("connection", "each_statement")

    def __init__(self) -> None:
        self.connection: Connection | None = None
        self.each_statement = False


_current: ContextVar[_Hot | None] = ContextVar("asnbelajar_hot_transaction", default=None)
_before_commit: list[Callable[[], None]] = []


class RequestSession(Session):
    """The app's session: inside a hot transaction it joins that transaction's
    connection and takes charge of its transaction (``join_transaction_mode=
    "control_fully"``: its commit and rollback are the transaction's). Elsewhere
    Flask-SQLAlchemy's own."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any):
        if bind is None and _current.get() is not None:
            return connection()
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


SESSION_OPTIONS = {"class_": RequestSession, "join_transaction_mode": "control_fully"}


_extension: Any = None


def _db():
    global _extension
    if _extension is None:  # (extensions imports this module)
        from .extensions import db

        _extension = db
    return _extension


def active() -> bool:
    return _current.get() is not None


def connection() -> Connection:
    """The connection this request's statements run on: the hot transaction's (taken
    and begun at first use), else the session's."""
    hot = _current.get()
    if hot is None:
        return _db().session.connection()
    if hot.connection is None:
        connection = _db().engine.connect()
        if hot.each_statement:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            connection.begin()
        except BaseException:
            connection.close()
            raise
        hot.connection = connection
    return hot.connection


def commit_each_statement() -> None:
    """From here on, the hot transaction's statements each commit as they end (the
    driver's autocommit): for a view whose one writing statement applies every rule
    itself, so that the locks it takes are held inside the database server only, never
    while a round trip to this process and its COMMIT are under way (registrations.hot).
    Only before the first statement. A session that joins such a connection commits each
    statement too: only reads belong there (a repeat's lookup)."""
    hot = _current.get()
    if hot is None or hot.connection is not None:
        raise RuntimeError("commit_each_statement: not at the start of a hot transaction")
    hot.each_statement = True


def dialect_name() -> str:
    """The name of the database's dialect, without taking a connection."""
    return _db().engine.dialect.name


def before_commit(hook: Callable[[], None]) -> Callable[[], None]:
    """Run ``hook`` inside a hot transaction just before it commits (as a session's
    ``before_commit`` listener runs for the ordinary views)."""
    _before_commit.append(hook)
    return hook


def commit() -> None:
    """Commit the hot transaction (see the module's docstring)."""
    hot = _current.get()
    if hot is None:
        raise RuntimeError("no hot transaction")
    session = _db().session
    if session.registry.has() and session().in_transaction():
        # ORM work joined the transaction: the session commits it (flush, listeners).
        commit_keeping_loaded(session())
        return
    for hook in _before_commit:
        hook()
    if hot.connection is not None:
        hot.connection.commit()


def commit_keeping_loaded(session) -> None:
    """Commit ``session`` without expiring what it holds (database.commit_keeping_loaded)."""
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


@contextmanager
def hot_transaction() -> Iterator[bool]:
    """Run the block in a hot transaction; yields whether it is one. Not while this
    request's session has a transaction in progress: that transaction is the request's,
    and the block runs in it as usual. (A hot view runs before anything else in its
    request, so in service there is no session yet; a test's session, shared by the
    requests of its app context, is joined and let go again, as one made here is
    closed.)"""
    session = _db().session
    existing = session.registry.has()
    if existing and session().in_transaction():
        yield False
        return
    hot = _Hot()
    token = _current.set(hot)
    try:
        yield True
    finally:
        _current.reset(token)
        try:
            if not existing:
                if session.registry.has():  # one made during the block joined it
                    session.remove()
            elif session().in_transaction():
                session.rollback()  # it joined and did not commit: roll back, let go
        finally:
            if hot.connection is not None:
                hot.connection.close()  # rolls back what was not committed
