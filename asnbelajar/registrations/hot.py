"""The hot registration's statement (api.views.registrations_create_hot and the
registration form, issue 13).

One statement reads the token's holder (on PostgreSQL recording the token's use) and what
:func:`~.services.register` reads before deciding (on PostgreSQL with the episode's lock).
On PostgreSQL the same statement also writes, when that row certainly qualifies, the
registration and its queued confirmation, and in a request's own hot transaction it
commits as it ends (:func:`register_in_its_statement`): the episode's lock is held inside
the database server only, after a read that checked the token and the failure limits
(where rate limiting is on).

The registration form uses the same statement for its signed-in participant
(:func:`register_with_its_write`), in the form's own transaction: the lock is then held
for the statement and the COMMIT that follows it.

The rules stay in :func:`~.services.register`. It applies every one of them to the row
read here, as always, and confirms what was written early (the same status, source and
confirmation it would write); a divergence is logged as an error and the ordinary view
answers with the registration as it stands. Inside a transaction already in progress (a
test's session) the statement does not commit: a divergence raises
:class:`~asnbelajar.hotpath.NotHot`, which rolls it back. SQLite has no data-modifying
CTE: its statement only reads, and ``register`` writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, case, cast, func, not_, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .. import direct, transactions
from ..accounts.models import User
from ..accounts.services import CONSENT_VERSION
from ..accounts.sessions import (
    TokenHolder,
    holder_and_read,
    holder_statement,
    live_holder,
    live_in_statement,
    live_params,
    lookup_params,
    read_of,
)
from ..errors import DomainError
from ..extensions import db
from ..hotpath import NotHot
from ..notifications.models import OutboxEmail
from ..notifications.rendering import queue_rendered_later_from, queued_params
from ..timeutil import now_utc, to_db
from .emails import (
    confirmation_key_and_context,
    confirmation_key_suffix,
    confirmation_template_of,
)
from .models import Registration
from .services import RegistrationResult, _before_lock_for, register, repeat_of

log = logging.getLogger(__name__)

_PREFIX = "registering_"


@cache
def _token_and_before_lock(dialect: str):
    """The token's holder (accounts.sessions.holder_statement) and ``register``'s read for
    that holder, in one statement; on PostgreSQL with the early write
    (:func:`_written_early`). One row per live token; the episode's columns are empty
    when there is no such episode."""
    holder = holder_statement(dialect).cte("holder")
    if dialect != "postgresql":
        user_id = select(holder.c.id).scalar_subquery()
        episode = _before_lock_for(dialect, user_id).subquery("registering")
        return (select(holder, *[c.label(f"{_PREFIX}{c.name}") for c in episode.c])
                .select_from(holder.outerjoin(episode, true())))
    # Written before this process judges the token: the statement itself writes only for
    # a live one (with rate limiting off no read comes before it).
    return _read_and_early_write(holder, live=live_in_statement(holder, _now()))


@cache
def _person_and_before_lock():
    """PostgreSQL: the same statement for a person already known (the registration
    form's signed-in participant): the holder found by its id (``holder_id``)."""
    user = User.__table__
    holder = (select(user.c.id, user.c.role, user.c.email)
              .where(user.c.id == bindparam("holder_id")).cte("holder"))
    return _read_and_early_write(holder, live=true())


def _read_and_early_write(holder, *, live):
    """PostgreSQL: ``register``'s read for ``holder``'s person (the episode locked) with
    the early write (:func:`_written_early`, only where ``live`` holds), one row per
    holder."""
    user_id = select(holder.c.id).scalar_subquery()
    # A CTE, read by the early write and by the answer: evaluated (and locked) once.
    episode = _before_lock_for("postgresql", user_id).cte("registering")
    written, queued = _written_early(holder, user_id, episode, live)
    return (select(holder, *[c.label(f"{_PREFIX}{c.name}") for c in episode.c],
                   select(written.c.id).scalar_subquery().label("written_id"),
                   select(written.c.status).scalar_subquery().label("written_status"),
                   select(written.c.source).scalar_subquery().label("written_source"),
                   select(func.count()).select_from(queued).scalar_subquery()
                   .label("written_queued"))
            .select_from(holder.outerjoin(episode, true())))


def _now():
    return bindparam("now", type_=Registration.__table__.c.created_at.type)


def _written_early(holder, user_id, episode, live):
    """PostgreSQL: the registration's INSERT ... ON CONFLICT DO NOTHING and its
    confirmation (what ``register`` would write), when the row read with the lock
    certainly qualifies: a participant with the current consent and an agency, no
    registration of theirs, a published episode inside its registration window. The
    status follows the capacity policy on the counts read with the lock (a place beyond
    those taken and those owed to the waiting list, else the waiting list). Anything
    else writes nothing here and ``register`` decides as always. ``live``: the holder's
    own condition (a live token's)."""
    table = Registration.__table__
    now = _now()
    full = and_(episode.c.capacity.is_not(None),
                episode.c.capacity <= episode.c.registered_count + episode.c.waitlisted_count)
    qualifying = (
        select(episode.c.id, cast(user_id, table.c.user_id.type),
               case((full, "waitlisted"), else_="registered"),
               bindparam("source", type_=table.c.source.type), now, now)
        .where(select(holder.c.role).scalar_subquery() == "participant",
               select(live).select_from(holder).scalar_subquery(),
               episode.c.status == "published",
               episode.c.registration_id.is_(None),
               episode.c.profile_user_id.is_not(None),
               episode.c.consent_at.is_not(None),
               episode.c.consent_version == bindparam("consent_version"),
               episode.c.instansi_name != "",
               func.coalesce(episode.c.registration_opens_at, episode.c.published_at) <= now,
               now < func.coalesce(episode.c.registration_closes_at, episode.c.ends_at)))
    written = (pg_insert(table)
               .from_select(["episode_id", "user_id", "status", "source", "created_at",
                             "queued_at"], qualifying)
               .on_conflict_do_nothing()
               .returning(table.c.id, table.c.status, table.c.source).cte("written"))
    # Confirmed by email unless a Zoom meeting that registers people sends the join link.
    confirmed = (select(written.c.id, written.c.status)
                 .where(or_(written.c.status != "registered",
                            not_(select(episode.c.zoom_link_follows).scalar_subquery())))
                 .subquery("confirmed"))
    key, context = confirmation_key_and_context(
        confirmed.c.id, confirmation_template_of(confirmed.c.status))
    queued = (queue_rendered_later_from(confirmed, key, context,
                                        to_addr=select(holder.c.email).scalar_subquery())
              .returning(OutboxEmail.__table__.c.id).cte("queued"))
    return written, queued


def read_token_and_episode(token: str, episode_id: int, *,
                           source: str) -> tuple[TokenHolder | None, Any]:
    """The live token's holder and the row ``register`` takes as ``prefetched`` (None
    when there is no such episode), read by one statement; on PostgreSQL with the
    episode locked and, when it certainly qualifies, the registration by ``source``
    written (``written_id``, ``written_status``, ``written_source``, ``written_queued``;
    ``read_at``: the moment it was judged by). (None, None) for a token that is not
    live."""
    connection = transactions.connection()
    dialect = connection.dialect.name
    moment = now_utc()
    now = to_db(moment)
    params = {**lookup_params(token, dialect, now), "episode_id": episode_id}
    if dialect == "postgresql":
        params.update(_early_write_params(now, source), **live_params(now))
    row = direct.first(connection, _token_and_before_lock(dialect), params)
    holder, values = holder_and_read(row, dialect, now, _PREFIX, "status")
    if values is None:
        return holder, None
    if dialect == "postgresql":
        _with_early_write(values, row, moment)
    return holder, SimpleNamespace(**values)


def _with_early_write(values: dict[str, Any], row, moment: datetime) -> dict[str, Any]:
    values.update(read_at=moment, written_id=row.written_id,
                  written_status=row.written_status, written_source=row.written_source,
                  written_queued=row.written_queued)
    return values


def register_with_its_write(episode_id: int, user: User, *,
                            source: str) -> RegistrationResult:
    """:func:`~.services.register` for a signed-in participant (the registration form).

    On PostgreSQL its read, the episode's lock and, when the row certainly qualifies, the
    registration with its queued confirmation are one statement
    (:func:`_read_and_early_write`, the API's), so the lock is held for that statement
    and the caller's COMMIT after it: one round trip, where ``register``'s locked read
    then its INSERT held it for two. ``register`` applies every rule to that row and
    confirms what was written, as for the API; should it not confirm it, the write is
    rolled back (the caller's transaction, which holds nothing else yet), the error
    logged, and ``register`` runs as usual. Elsewhere, ``register`` itself."""
    connection = transactions.connection()
    if connection.dialect.name != "postgresql":
        return register(episode_id, user, source=source)
    moment = now_utc()
    row = direct.first(connection, _person_and_before_lock(), {
        "holder_id": user.id, "episode_id": episode_id,
        **_early_write_params(to_db(moment), source)})
    values = read_of(row, _PREFIX, "status") if row is not None else None
    found = SimpleNamespace(**_with_early_write(values, row, moment)) if values else None
    try:
        return register(episode_id, user, source=source, prefetched=found)
    except NotHot as err:
        log.error("registration %s (episode %s) was written early but the rules do not "
                  "confirm it: %s; registered again as usual", found.written_id,
                  episode_id, err)
        db.session.rollback()
        return register(episode_id, user, source=source)


def commits_in_its_statement() -> bool:
    """Whether this hot registration runs as :func:`register_in_its_statement` does: on
    PostgreSQL, inside a hot transaction of its own."""
    return transactions.active() and transactions.dialect_name() == "postgresql"


def register_in_its_statement(token: str, episode_id: int, *, source: str,
                              allowed: Callable[[TokenHolder | None], bool],
                              limits_apply: bool = True) -> RegistrationResult | None:
    """PostgreSQL: the hot registration, committed by its one writing statement.

    The statement of :func:`read_token_and_episode` takes the episode's lock, writes the
    registration and its confirmation when the row read with the lock certainly
    qualifies, and commits as it ends (transactions.commit_each_statement): the lock is
    held inside the database server only. Held until a COMMIT sent after the answer had
    come back to this process, the next registration for the episode waited out this
    process's round trips and its turn on a busy CPU; with gunicorn's threads (the
    deployment's 5 workers x 4 threads on two cores) registration ran at 41-42 % of the
    reference INSERT, committed in the statement at 47-52 % (BENCHMARKS.md).

    What must hold before anything is written is decided first, on a read that locks and
    writes nothing: the token is live and its holder ``allowed`` (a participant, no
    failure limit reached). That read is there for the limits alone: where none
    ``limits_apply`` (rate limiting switched off), the holder is judged on the
    statement's own read, since it writes only for a participant's live token. Then the
    statement. A repeat it did not write is answered as
    it stands (:func:`~.services.repeat_of`, which writes nothing); anything else it did
    not write (a closed or draft episode, an incomplete profile, a registration cancelled
    before, a double submit) is left to the ordinary view (None). What it wrote,
    :func:`~.services.register` confirms as before; should the rules not confirm it, the
    registration is committed nonetheless: that is logged as the error it is, and the
    ordinary view answers with the registration as it stands (None)."""
    transactions.commit_each_statement()
    if limits_apply:
        connection = transactions.connection()
        dialect, now = connection.dialect.name, to_db(now_utc())
        read = direct.first(connection, holder_statement(dialect, stamp=False),
                            lookup_params(token, dialect, now, stamp=False))
        if not allowed(live_holder(read, now)):
            return None
    holder, found = read_token_and_episode(token, episode_id, source=source)
    if not limits_apply and not allowed(holder):
        return None  # nothing written: the statement writes for a participant only
    written = getattr(found, "written_id", None)
    if written is None:
        if holder is None or found is None or found.registration_id is None:
            return None
        try:  # a repeat is answered as it stands; it writes nothing
            return repeat_of(episode_id, holder, found)
        except DomainError:
            return None
    try:
        if holder is None:
            raise NotHot("the token's holder is gone")
        return register(episode_id, holder, source=source, prefetched=found)
    except (DomainError, NotHot) as err:
        log.error("registration %s (episode %s) was committed by the hot statement but "
                  "the rules do not confirm it: %s", written, episode_id, err)
        return None


def _early_write_params(now: datetime, source: str) -> dict[str, Any]:
    return {**queued_params("", "registration"), "now": now, "source": source,
            "consent_version": CONSENT_VERSION, "key_suffix": confirmation_key_suffix(now)}
