"""Sessions and API tokens: what makes a cookie or a Bearer token stand for a person, and
what ends them (logout, password change or reset, revocation, expiry)."""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, event, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, lazyload

from .. import direct, transactions
from ..database import commit_keeping_loaded
from ..errors import NotFound
from ..extensions import db
from ..timeutil import now_utc, to_db
from .models import ApiToken, User

log = logging.getLogger("asnbelajar.accounts")


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" for anything else)."""
    header = authorization or ""
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_days() -> int:
    return int(current_app.config.get("API_TOKEN_DAYS", 90))


def token_expires_at(row: ApiToken):
    """When a token stops working (tokens from before expiry existed: created + days)."""
    return _expiry(row.expires_at, row.created_at)


def _expiry(expires_at, created_at):
    return expires_at or created_at + timedelta(days=_token_days())


def issue_api_token(user: User, name: str = "api") -> str:
    """A new token for the user; only its SHA-256 is stored. Expires after
    ``API_TOKEN_DAYS``."""
    token = "asnb_" + secrets.token_urlsafe(32)
    now = to_db(now_utc())
    clean_name = " ".join(str(name or "").split())[:100] or "api"
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), name=clean_name,
                            created_at=now, expires_at=now + timedelta(days=_token_days())))
    db.session.flush()
    return token


@cache
def _token_row_statement():
    """Built once, at first use (building it configures the mappers, which needs every
    model imported): the hot path (every API request) only binds values (issue 13). One
    statement: every API request needs both the token and its user."""
    return (select(ApiToken)
            .where(ApiToken.token_hash == bindparam("token_hash"),
                   ApiToken.revoked_at.is_(None))
            .options(joinedload(ApiToken.user)))


def token_row(token: str) -> ApiToken | None:
    """The live (not revoked, not expired) token row of an active user, or None."""
    if not token:
        return None
    row = db.session.scalar(_token_row_statement(), {"token_hash": _token_hash(token)})
    if row is None or not row.user.is_active:
        return None
    now = to_db(now_utc())
    if token_expires_at(row) <= now:
        return None
    return row


@cache
def _user_for_token_statement(dialect: str):
    """Every API request's first statement: the user, and of the token only what deciding
    on it needs (not a second object to build; issue 13). Without the profile and its
    agency, which a user otherwise brings along (two joins and two more objects): most
    API requests (a check-in) never look at them; one that does loads the profile then,
    and registration reads it with its own first statement. On PostgreSQL it also records
    the token's use when due (:func:`_stamped`)."""
    return _by_presented_token(
        select(User, ApiToken.id, ApiToken.last_used_at, ApiToken.expires_at,
               ApiToken.created_at).options(lazyload(User.profile)), dialect)


def _by_presented_token(statement, dialect: str, *, stamp: bool = True):
    """``statement`` (columns of a user and of a token) for the unrevoked token whose hash
    is ``presented_hash`` (:func:`lookup_params`) and its user; on PostgreSQL, unless
    ``stamp`` is False, also recording the token's use (:func:`_with_stamp`)."""
    found = (statement.join(ApiToken, ApiToken.user_id == User.id)
             .where(ApiToken.token_hash == bindparam("presented_hash"),
                    ApiToken.revoked_at.is_(None)))
    return _with_stamp(found) if _stamps(dialect, stamp) else found


def _stamps(dialect: str, stamp: bool) -> bool:
    """Whether the statement that finds a token records its use: on PostgreSQL (a
    data-modifying CTE), unless the caller's later statement does (``stamp`` False)."""
    return stamp and dialect == "postgresql"


def _with_stamp(statement):
    """PostgreSQL: ``statement`` (which finds a token by ``presented_hash``) also records
    the token's use when due, in a data-modifying CTE: one round trip fewer, and every
    request that writes takes the token's row lock first, before any other lock (the same
    order in every request, so two requests with one token cannot deadlock). Should the
    token turn out not to be live, the request does not commit and the stamp rolls back.
    The found token's ``last_used_at`` is as it was before the stamp."""
    token = ApiToken.__table__
    stamped = (update(token)
               .where(token.c.token_hash == bindparam("presented_hash"),
                      token.c.revoked_at.is_(None),
                      token.c.last_used_at.is_(None)
                      | (token.c.last_used_at <= bindparam("cutoff")))
               .values(last_used_at=bindparam("now"))
               .returning(token.c.id).cte("stamped"))
    return statement.add_columns(
        select(func.count()).select_from(stamped).scalar_subquery().label("stamped"))


def lookup_params(token: str, dialect: str, now, *, stamp: bool = True) -> dict:
    """The parameters of a statement made by :func:`_by_presented_token` with the same
    ``dialect`` and ``stamp``."""
    # (Not named after a column: an UPDATE would take it for a value to set.)
    params = {"presented_hash": _token_hash(token)}
    if _stamps(dialect, stamp):
        params.update(now=now, cutoff=now - _touch_step())
    return params


# request.environ key: the request's API user, looked up once (api.views._api_user and
# Flask-Login's Bearer loader share it).
API_USER_KEY = "asnbelajar.api_user"
# request.environ key: a token use to be written with the request's commit.
TOUCH_PENDING = "asnbelajar.token_touch"


@cache
def _touch_statement():
    # Conditional UPDATE: of concurrent requests only one writes. On the table, not the
    # mapped class: nothing in the session needs synchronizing, so the ORM's bulk-update
    # bookkeeping would be pure cost on the hot path.
    table = ApiToken.__table__
    return (update(table)
            .where(table.c.id == bindparam("token_id"),
                   (table.c.last_used_at.is_(None))
                   | (table.c.last_used_at <= bindparam("cutoff")))
            .values(last_used_at=bindparam("now")))


def _touch(token_id: int, now, step: timedelta) -> None:
    # On the request's connection, in its transaction: a Core statement needs none of the
    # ORM's per-statement work.
    direct.first(transactions.connection(), _touch_statement(),
                 {"token_id": token_id, "now": now, "cutoff": now - step})


def _touch_step() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("TOKEN_TOUCH_SECONDS", 60)))


def _touch_if_due(token_id: int, last_used_at, now) -> None:
    """Record a token's use, at most once per TOKEN_TOUCH_SECONDS: one UPDATE a minute per
    token instead of one per request keeps the check-in path lean.

    On PostgreSQL the statement that found the token wrote it already (_with_stamp). On
    SQLite the process writes the uses of the last second together (:class:`TouchBatch`):
    a check-in makes one statement fewer, and nothing of the token's use is written
    under the database's write lock inside a request (issue 13). With batches off
    (TOKEN_TOUCH_BATCH_SECONDS = 0), a request's own commit writes it, as its last
    statement; a request that ends without committing (a read, a refusal that rolled
    back) then has it recorded by ``finish_token_touch`` after the view."""
    step = _touch_step()
    if last_used_at is not None and now - last_used_at < step:
        return
    _record_use(token_id, now, written=False)


def _record_use(token_id: int, now, *, written: bool) -> None:
    """A due use of the token: ``written`` by the statement that found it (PostgreSQL),
    else to be written: with the process's next batch (TouchBatch), else by the request's
    commit, or now outside a request."""
    if not written:
        batch = _touch_batch()
        if batch is not None:
            batch.add(token_id, now)
            return
    if has_request_context():
        request.environ[TOUCH_PENDING] = (token_id, now, written)
        return
    if not written:
        _touch(token_id, now, _touch_step())
    commit_keeping_loaded()  # the user stays loaded for the caller


@event.listens_for(Session, "before_commit")
def _write_pending_touch(session) -> None:
    if not has_request_context() or session is not db.session():
        return
    write_pending_touch()


@transactions.before_commit
def write_pending_touch() -> None:
    """Write the request's pending token use (``_touch_if_due``) in its transaction, just
    before it commits: the session's (above) or a hot view's (transactions.py)."""
    if not has_request_context():
        return
    pending = request.environ.pop(TOUCH_PENDING, None)
    if pending is not None:
        token_id, now, written = pending
        if not written:
            _touch(token_id, now, _touch_step())


class TouchBatch:
    """Token uses waiting to be written, for one engine: a daemon thread of each process
    (started at the first use, again after a fork) writes them every ``seconds`` in one
    transaction, one conditional UPDATE per token (the same as :func:`_touch`).

    Where the statement that finds a token cannot also stamp its use (SQLite has no
    data-modifying CTE), stamping it inside the request was a statement and its Python
    on every first use of a token in a minute: at the closing code, every check-in
    (issue 13). ``last_used_at`` is shown to its owner (profile, API, privacy export) to
    the minute (TOKEN_TOUCH_SECONDS); written a second later, it says the same. What a
    crash loses is at most the last ``seconds`` of such stamps; an interpreter that exits
    normally (a worker's restart) writes them first. A failed write keeps them for the
    next round."""

    MAX_PENDING = 100_000  # tokens; beyond that (the database away for long) new uses wait

    def __init__(self, engine, seconds: float, step: timedelta) -> None:
        self.engine = engine
        self.seconds = seconds
        self.step = step
        self.pending: dict[int, datetime] = {}
        self.pid = 0
        self.failing = False
        self._lock = threading.Lock()

    def add(self, token_id: int, now: datetime) -> None:
        with self._lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.pending.clear()  # (a fork's copy: the parent writes its own)
                threading.Thread(target=self._run, name="token-touch", daemon=True).start()
            if token_id in self.pending or len(self.pending) < self.MAX_PENDING:
                self.pending[token_id] = max(now, self.pending.get(token_id, now))

    def flush(self) -> int:
        """Write what is pending now; the number of tokens written (0 on a failure, which
        keeps them)."""
        with self._lock:
            if not self.pending:
                return 0
            taken, self.pending = self.pending, {}
        rows = [{"token_id": token_id, "now": now, "cutoff": now - self.step}
                for token_id, now in sorted(taken.items())]
        try:
            with self.engine.begin() as connection:
                connection.execute(_touch_statement(), rows)
        except Exception as err:  # noqa: BLE001 - kept for the next round
            if not self.failing:  # once per spell, not every round
                log.warning("token uses not written yet (%d kept): %s", len(rows), err)
            self.failing = True
            with self._lock:
                for token_id, now in taken.items():
                    if token_id in self.pending or len(self.pending) < self.MAX_PENDING:
                        self.pending[token_id] = max(now, self.pending.get(token_id, now))
            return 0
        self.failing = False
        return len(rows)

    def _run(self) -> None:
        pid = os.getpid()
        while self.pid == pid:
            time.sleep(self.seconds)
            self.flush()


_BATCHES: list[TouchBatch] = []


@atexit.register
def _flush_batches() -> None:
    for batch in _BATCHES:
        if batch.pid == os.getpid():
            batch.flush()


def _touch_batch() -> TouchBatch | None:
    """The app's batch of token uses, None when they are written in the request
    (TOKEN_TOUCH_BATCH_SECONDS = 0)."""
    app = current_app._get_current_object()
    batch = app.extensions.get("asnbelajar.touch_batch", False)
    if batch is False:
        seconds = float(app.config.get("TOKEN_TOUCH_BATCH_SECONDS") or 0)
        batch = TouchBatch(db.engine, seconds, _touch_step()) if seconds > 0 else None
        if batch is not None:
            _BATCHES.append(batch)
        app.extensions["asnbelajar.touch_batch"] = batch
    return batch


def finish_token_touch() -> None:
    """After a request whose view did not commit: discard what it left uncommitted (the
    end of the request would roll it back anyway, a stamp made by the token's statement
    with it) and commit the token's use alone."""
    pending = request.environ.get(TOUCH_PENDING)
    if pending is None:
        return
    db.session.rollback()
    token_id, now, _written = pending
    request.environ[TOUCH_PENDING] = (token_id, now, False)  # the rollback undid it
    db.session.commit()  # _write_pending_touch writes it


def user_for_token(token: str) -> User | None:
    """The active user a live token stands for (its use recorded), or None."""
    if not token:
        return None
    dialect = db.engine.dialect.name
    now = to_db(now_utc())
    found = db.session.execute(_user_for_token_statement(dialect),
                               lookup_params(token, dialect, now)).first()
    if found is None:
        return None
    user, token_id, last_used_at, expires_at, created_at = found[:5]
    stamped = found[5] if dialect == "postgresql" else None
    if not _token_use(user.is_active, token_id, last_used_at, expires_at, created_at,
                      now=now, stamped=stamped):
        return None
    return user


def _live(user_active: bool, expires_at, created_at, now) -> bool:
    """Whether a found token is live: its user active, the token not expired."""
    return user_active and _expiry(expires_at, created_at) > now


def _token_use(user_active: bool, token_id: int, last_used_at, expires_at,
               created_at, *, now, stamped: int | None = None) -> bool:
    """Whether a found token is live for an active user; records its use if so.
    ``stamped``: how many rows the statement that found it stamped (PostgreSQL; None
    where the statement does not stamp)."""
    if not _live(user_active, expires_at, created_at, now):
        return False
    if stamped is None:
        _touch_if_due(token_id, last_used_at, now)
    elif stamped:
        _record_use(token_id, now, written=True)
    return True


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a live API token stands for, as the hot views (hotpath.py) need them: no ORM
    object to build. What check-in and registration read of a user: the id, the role and
    the address a registration's confirmation goes to."""

    id: int
    role: str
    email: str


@cache
def holder_statement(dialect: str, *, stamp: bool = True):
    """The holder and the token's dates (on PostgreSQL recording the use: _with_stamp),
    found by the ``presented_hash`` of :func:`lookup_params`; :func:`holder_from_row`
    decides on the row (the same decision and recorded use as :func:`user_for_token`).
    The hot views read it joined with what their service needs. ``stamp`` False: a
    read only, for a request whose later statement records the use (registrations.hot on
    PostgreSQL); :func:`live_holder` decides on its row."""
    user, token = User.__table__, ApiToken.__table__
    return _by_presented_token(
        select(user.c.id, user.c.role, user.c.email, user.c.active, user.c.anonymized_at,
               token.c.id.label("token_id"), token.c.last_used_at, token.c.expires_at,
               token.c.created_at), dialect, stamp=stamp)


def live_in_statement(holder, now):
    """The SQL twin of :func:`_live` for a row of :func:`holder_statement` (``holder``: a
    CTE or subquery of it), for a statement that writes before this process has judged
    the token (registrations.hot): the user active and not erased, the token not expired
    (``expires_at``; for a token from before expiry existed, ``created_at`` after the
    ``unexpiring_since`` of :func:`live_params`). ``now``: the statement's own."""
    since = bindparam("unexpiring_since", type_=ApiToken.__table__.c.created_at.type)
    return and_(holder.c.active.is_(True), holder.c.anonymized_at.is_(None),
                or_(holder.c.expires_at > now,
                    and_(holder.c.expires_at.is_(None), holder.c.created_at > since)))


def live_params(now) -> dict:
    """The parameters of :func:`live_in_statement`."""
    return {"unexpiring_since": now - timedelta(days=_token_days())}


def live_holder(found, now) -> TokenHolder | None:
    """The holder a row of ``holder_statement(dialect, stamp=False)`` stands for, if its
    token is live (the decision :func:`holder_from_row` makes), without recording its
    use."""
    if found is None or found.id is None or not _live(
            found.active and found.anonymized_at is None, found.expires_at,
            found.created_at, now):
        return None
    return TokenHolder(found.id, found.role, found.email)


def holder_from_row(found, dialect: str, now) -> TokenHolder | None:
    """The holder a row of :func:`holder_statement` stands for, if its token is live (its
    use recorded), else None."""
    if found is None or found.id is None or not _token_use(
            found.active and found.anonymized_at is None, found.token_id,
            found.last_used_at, found.expires_at, found.created_at, now=now,
            stamped=found.stamped if dialect == "postgresql" else None):
        return None
    return TokenHolder(found.id, found.role, found.email)


def holder_and_read(row, dialect: str, now, prefix: str,
                    found_by: str) -> tuple[TokenHolder | None, dict[str, Any] | None]:
    """Split a hot view's row: :func:`holder_statement`'s columns joined with its service's
    read, whose columns carry ``prefix``. The live holder (None when the token is not) and
    the read's columns by their own names, None when it found nothing (its never-empty
    column ``found_by`` is empty)."""
    holder = holder_from_row(row, dialect, now)
    if holder is None:
        return None, None
    return holder, read_of(row, prefix, found_by)


def read_of(row, prefix: str, found_by: str) -> dict[str, Any] | None:
    """The columns of ``row`` that carry ``prefix``, by their own names; None when the
    read found nothing (its never-empty column ``found_by`` is empty)."""
    values = {name: row[i] for i, name in _prefixed(row._fields, prefix)}
    return values if values.get(found_by) is not None else None


@cache
def _prefixed(fields: tuple[str, ...], prefix: str) -> tuple[tuple[int, str], ...]:
    return tuple((i, name[len(prefix):]) for i, name in enumerate(fields)
                 if name.startswith(prefix))


def list_tokens(user: User) -> list[ApiToken]:
    """The user's live tokens (revoked and expired ones left out), newest first."""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    now = to_db(now_utc())
    return [r for r in rows if token_expires_at(r) > now]


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens. Someone else's or an unknown id: NotFound
    (never tell whether another person's token exists)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(_l("Token tidak ditemukan."))
    row.revoked_at = to_db(now_utc())
    return row


def revoke_presented_token(token: str) -> bool:
    """API logout: the presenting token stops working. False when it was not live."""
    row = token_row(token)
    if row is None:
        return False
    row.revoked_at = to_db(now_utc())
    return True


def end_all_sessions(user: User) -> None:
    """Every session cookie, remember-me cookie and API token of the person stops
    working: a new session token changes the id the cookies carry, and every token is
    revoked (password change, reset, erasure)."""
    user.session_token = secrets.token_hex(16)
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=to_db(now_utc())).execution_options(synchronize_session=False))


def end_session(user: User) -> None:
    """Logout: the cookie presented (and any copy of it, and the remember-me cookie) is
    dead from now on. The session token is per person, so the person's other browsers are
    signed out too; API tokens are left alone (they are revoked one by one)."""
    user.session_token = secrets.token_hex(16)


def ensure_session_token(user: User) -> None:
    """Accounts that never logged in since sessions were tied to a token get one."""
    if not user.session_token:
        user.session_token = secrets.token_hex(16)


def user_for_session_id(user_id: str) -> User | None:
    """Flask-Login's loader: the id is "<user id>:<session token>"; a cookie from before a
    logout or password change carries an old token and loads nobody."""
    raw_id, sep, token = (user_id or "").partition(":")
    if not raw_id.isdigit() or len(raw_id) > 12:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.is_active:
        return None
    if not user.session_token:
        # A cookie from before sessions carried a token: good only until the person's
        # next login, logout or password change gives the account one.
        return user if not token else None
    if not sep or not secrets.compare_digest(user.session_token, token):
        return None
    return user
