"""Engine setup shared by every domain: SQLite pragmas, PostgreSQL outage limits and a
few portable SQL helpers."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import sqlite3
import threading
import time
from functools import wraps

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from . import transactions
from .extensions import db

log = logging.getLogger("asnbelajar.database")


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
    """Import every model module so metadata (and Alembic) sees all tables, and put
    outage limits on a PostgreSQL engine."""
    from .accounts import models as _accounts  # noqa: F401
    from .attendance import models as _attendance  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .certificates import models as _certificates  # noqa: F401
    from .episodes import models as _episodes  # noqa: F401
    from .evaluations import models as _evaluations  # noqa: F401
    from .ledger import models as _ledger  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .registrations import models as _registrations  # noqa: F401
    from .reports import models as _reports  # noqa: F401
    from .scheduler import models as _scheduler  # noqa: F401
    from .siasn import models as _siasn  # noqa: F401
    from .speakers import models as _speakers  # noqa: F401

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        serialize_sqlite_writers(engine)
        checkpoint_in_background(engine, float(app.config["SQLITE_CHECKPOINT_SECONDS"]))
    if engine.dialect.name == "postgresql":
        guard_engine(engine, statement_seconds=float(app.config["DB_EFFECTIVE_STATEMENT_TIMEOUT"]),
                     ping_seconds=float(app.config["DB_PING_TIMEOUT"]))
        ping_when_idle(engine, float(app.config["DB_PING_AFTER_IDLE"]))
        cache_long_statements()
        track_writes(engine)


# A connection's transaction that has run anything but a SELECT (track_writes).
_WROTE = "asnbelajar.wrote"


def _transaction_begun(connection) -> None:
    connection.info.pop(_WROTE, None)


def _statement_sent(connection, _cursor, statement, _parameters, _context,
                    _executemany) -> None:
    if statement[:32].lstrip()[:6].upper() != "SELECT":  # (not a copy of a long text)
        connection.info[_WROTE] = True


def track_writes(engine: Engine) -> None:
    """Note on each connection whether its transaction has run anything but a SELECT
    (a statement starting with WITH counts as a write), for :func:`reads_only`."""
    event.listen(engine, "begin", _transaction_begun)
    event.listen(engine, "before_cursor_execute", _statement_sent)


def reads_only(connection) -> bool:
    """Whether ``connection``'s transaction has run SELECTs only, on an engine that
    :func:`track_writes` watches (False on any other)."""
    return event.contains(connection.engine, "before_cursor_execute", _statement_sent) \
        and not connection.info.get(_WROTE)


# The largest statement whose placeholders psycopg converts once and caches.
CACHED_STATEMENT_BYTES = 16_384


def cache_long_statements() -> None:
    """Let psycopg cache the conversion of statements up to ``CACHED_STATEMENT_BYTES``.

    psycopg turns a statement's ``%(name)s`` placeholders into ``$1, $2, ...`` with a
    regular expression over the whole text, and caches the result only for statements of
    at most 4,096 bytes (``psycopg._queries.MAX_CACHED_STATEMENT_LENGTH``, read on every
    call). The hot registration's one statement (registrations/hot.py) is about 6 KB, so
    it was parsed again on every request: 8 % of a registration's CPU in py-spy (issue 13).
    The cache stays bounded (psycopg keeps the last 128 statements). If a psycopg release
    drops the constant, this does nothing and the cost returns; a test watches for it.
    """
    try:
        from psycopg import _queries
    except ImportError:  # pragma: no cover - PostgreSQL without psycopg 3
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", CACHED_STATEMENT_BYTES) \
            < CACHED_STATEMENT_BYTES:
        _queries.MAX_CACHED_STATEMENT_LENGTH = CACHED_STATEMENT_BYTES


# Database outages ---------------------------------------------------------------------
#
# connect_timeout (libpq) bounds a new connection and statement_timeout (server side)
# a slow query, but neither helps when the server is frozen (stopped, or a network that
# swallows packets): the client then waits forever on a socket that never answers. The
# watchdog below cuts such a connection from another thread (shutting the socket makes
# psycopg fail at once with "server closed the connection"), so the request ends in a 503
# instead of hanging a worker. A healthy server answers or times out long before.

DISCONNECT_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError,
                     exc.DisconnectionError)

OUTAGE_HOLD_SECONDS = 2.0  # after a failed connect, fail new connects at once this long


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` means the database is unreachable or did not answer in time."""
    if isinstance(error, DISCONNECT_ERRORS):
        return True
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


class _Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[int, tuple[float, int]] = {}
        self._thread: threading.Thread | None = None

    def arm(self, dbapi_connection, seconds: float) -> int | None:
        try:
            fd = dbapi_connection.pgconn.socket
        except Exception:  # noqa: BLE001 - already closed: nothing to guard
            return None
        token = id(dbapi_connection)
        with self._lock:
            self._armed[token] = (time.monotonic() + seconds, fd)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="db-watchdog",
                                                daemon=True)
                self._thread.start()
        return token

    def disarm(self, token: int | None) -> None:
        if token is not None:
            with self._lock:
                self._armed.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(0.2)
            now = time.monotonic()
            with self._lock:
                expired = [(t, fd) for t, (deadline, fd) in self._armed.items()
                           if deadline <= now]
                for token, _fd in expired:
                    del self._armed[token]
            for _token, fd in expired:
                log.warning("database did not answer in time; dropping the connection")
                try:
                    # fromfd duplicates the descriptor; shutdown acts on the shared socket.
                    with socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM) as sock:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


_watchdog = _Watchdog()


def _guarded(method, seconds: float, connection_of):
    @wraps(method)
    def call(*args, **kwargs):
        token = _watchdog.arm(connection_of(*args), seconds)
        try:
            return method(*args, **kwargs)
        finally:
            _watchdog.disarm(token)

    return call


def guard_engine(engine: Engine, *, statement_seconds: float, ping_seconds: float) -> None:
    """Bound every wait on a PostgreSQL server (see the comment above)."""
    dialect = engine.dialect
    if getattr(dialect, "_asnb_guarded", False):
        return
    dialect._asnb_guarded = True
    # The server's statement_timeout fires first while the server lives; the watchdog only
    # catches a server that cannot answer at all.
    statement_deadline = statement_seconds + 3 if statement_seconds > 0 else 0
    cursor_conn = lambda cursor, *_a: cursor.connection  # noqa: E731
    conn = lambda connection, *_a: connection  # noqa: E731
    if statement_deadline:
        for name in ("do_execute", "do_executemany", "do_execute_no_params"):
            setattr(dialect, name, _guarded(getattr(dialect, name), statement_deadline,
                                            cursor_conn))
        for name in ("do_commit", "do_rollback"):
            setattr(dialect, name, _guarded(getattr(dialect, name), statement_deadline, conn))
    dialect.do_ping = _guarded(dialect.do_ping, ping_seconds, conn)

    connect = dialect.connect
    state = {"down_until": 0.0}

    @wraps(connect)
    def connect_or_fail_fast(*cargs, **cparams):
        # During an outage every request would otherwise wait the full connect timeout;
        # one failure answers the next requests at once for a moment.
        if time.monotonic() < state["down_until"]:
            raise dialect.loaded_dbapi.OperationalError(
                "database unreachable (last connection attempt failed moments ago)")
        try:
            return connect(*cargs, **cparams)
        except Exception:
            state["down_until"] = time.monotonic() + OUTAGE_HOLD_SECONDS
            raise

    dialect.connect = connect_or_fail_fast


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout only when it sat unused for ``idle_seconds``.

    ``pool_pre_ping`` pings on every checkout: one more round trip in every request,
    which at the closing-code minute (connections reused within milliseconds) buys
    nothing (issue 13). A connection that was idle (long enough for the server to have
    restarted or a firewall to have dropped it) is still pinged, with the ping's deadline
    (``guard_engine``); one that fails is replaced before the request sees it. A server
    lost between two requests moments apart fails that one request with a 503, and
    SQLAlchemy then discards the whole pool.
    """
    if getattr(engine.pool, "_asnb_idle_ping", False):
        return
    engine.pool._asnb_idle_ping = True

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_seconds:
            return  # new, or used moments ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as err:  # noqa: BLE001 - any failure means "use another one"
            raise exc.DisconnectionError("pooled connection did not answer its ping") from err
        if alive is False:
            raise exc.DisconnectionError("pooled connection did not answer its ping")


# SQLite writers ------------------------------------------------------------------------
#
# SQLite lets one connection write at a time; a second writer polls in SQLite's busy
# handler, which sleeps 1, 2, 5, 10 ... ms between attempts. At the closing-code minute
# two web workers take turns many hundred times a second, each write transaction holding
# the lock for a fraction of a millisecond, so the waiter oversleeps most of the time
# (the HTTP burst left a quarter of the CPU idle, issue 13). Writers of this engine take
# a file lock beside the database first, polling it at a tenth of a millisecond; the
# wait is bounded by the same busy timeout, after which SQLite's own handling applies.

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WRITER_WAIT_SECONDS = 30.0  # as PRAGMA busy_timeout


class _WriterLock:
    """The writers' file lock of one SQLite connection (an open file description of its
    own, so connections of one process exclude each other too)."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.held = False

    def acquire(self) -> None:
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        pause = 0.0001
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's busy timeout decides from here
                time.sleep(pause)
                pause = min(pause * 1.5, 0.001)
                continue
            self.held = True
            return

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        os.close(self.fd)


def serialize_sqlite_writers(engine: Engine) -> None:
    """Make this file database's writers queue on a file lock (see above); the lock is
    taken before a transaction's first write and let go when it commits or rolls back."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    dialect = engine.dialect
    if getattr(dialect, "_asnb_writer_locks", None) is not None:
        return
    locks: dict[int, _WriterLock] = {}
    dialect._asnb_writer_locks = locks
    lock_path = os.path.abspath(path) + "-writers"

    @event.listens_for(engine, "connect")
    def _open(dbapi_connection, _record) -> None:
        locks[id(dbapi_connection)] = _WriterLock(lock_path)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(_conn, cursor, statement, _params, _context, _many) -> None:
        lock = locks.get(id(cursor.connection))
        if lock is not None and not lock.held \
                and statement.lstrip()[:7].upper().startswith(_WRITES):
            lock.acquire()

    def _releasing(method):
        @wraps(method)
        def call(dbapi_connection, *args, **kwargs):
            try:
                return method(dbapi_connection, *args, **kwargs)
            finally:
                # SQLAlchemy hands over its pool's wrapper here, the driver's connection
                # in the cursor: key both by the driver's.
                raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
                lock = locks.get(id(raw))
                if lock is not None:
                    lock.release()

        return call

    dialect.do_commit = _releasing(dialect.do_commit)
    dialect.do_rollback = _releasing(dialect.do_rollback)
    do_close = dialect.do_close

    @wraps(do_close)
    def close(dbapi_connection) -> None:
        raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        lock = locks.pop(id(raw), None)
        try:
            do_close(dbapi_connection)
        finally:
            if lock is not None:
                lock.close()

    dialect.do_close = close


# SQLite checkpoints ---------------------------------------------------------------------
#
# In WAL mode SQLite copies the log back into the database file (a checkpoint, with an
# fsync) inside the COMMIT that finds the log past 1,000 pages. At the closing-code minute
# that COMMIT belongs to some check-in, which holds the writers' lock meanwhile: every
# other writer waits behind the fsync (the burst's tail: p99 three to five times the
# median). Instead, each process that writes runs passive checkpoints in a thread of its
# own, off every request and outside the writers' lock (a passive checkpoint never blocks
# a reader or a writer); its connections leave SQLite's own checkpoint as a safety net
# for a log that grew past ~40 MB anyway.

SAFETY_NET_PAGES = 10_000


class _Checkpointer:
    """Passive checkpoints of one SQLite file every ``seconds``, in a daemon thread of the
    process that writes (started at its first connection, again after a fork)."""

    def __init__(self, path: str, seconds: float) -> None:
        self.path = path
        self.seconds = seconds
        self.pid = 0
        self.last: tuple[int, int, int] | None = None  # (busy, log pages, checkpointed)
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        with self._lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True).start()

    def _run(self) -> None:
        connection = None
        failing = False
        while True:
            time.sleep(self.seconds)
            if not os.path.exists(self.path):  # the database was removed: nothing to do
                if connection is not None:
                    connection.close()
                self.pid = 0
                return
            try:
                if connection is None:
                    connection = sqlite3.connect(self.path, timeout=1.0,
                                                 check_same_thread=False)
                row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.last = tuple(row) if row else None
                failing = False
            except sqlite3.Error as err:
                if not failing:  # once per spell, not every second
                    log.warning("background checkpoint failed: %s", err)
                failing = True
                if connection is not None:
                    connection.close()
                    connection = None


def checkpoint_in_background(engine: Engine, seconds: float) -> None:
    """Move this file database's WAL checkpoints off the request path (see above);
    ``seconds`` <= 0 leaves them to SQLite."""
    path = engine.url.database
    if seconds <= 0 or not path or path == ":memory:" or path.startswith("file:"):
        return
    if getattr(engine.dialect, "_asnb_checkpointer", None) is not None:
        return
    checkpointer = _Checkpointer(os.path.abspath(path), seconds)
    engine.dialect._asnb_checkpointer = checkpointer

    @event.listens_for(engine, "connect")
    def _start(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
        cursor.close()
        checkpointer.ensure_running()


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def insert_ignore(table):
    """INSERT ... ON CONFLICT DO NOTHING for the engine in use."""
    if is_postgres():
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: for a hot request that has read
    everything it answers with, so nothing (the user for the request log, the token) is
    loaded again after the commit (issue 13). Durability is the same as ``commit()``.
    Inside a hot view, its transaction commits (transactions.py)."""
    if transactions.active():
        transactions.commit()
    else:
        transactions.commit_keeping_loaded(db.session())
