"""Check-in by code: the closing-code minute's hot path (issue 13). A registered
participant's check-in is two statements on SQLite and, through the hot view, one on
PostgreSQL; every rule lives in :func:`check_in`, whichever way the row was read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, bindparam, cast, literal, select, true

from .. import direct, transactions
from ..accounts.models import User
from ..accounts.sessions import TokenHolder, holder_and_read, holder_statement, lookup_params
from ..database import insert_ignore
from ..episodes.models import Checkpoint, Episode
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..registrations.models import Registration
from ..registrations.services import register
from ..timeutil import as_utc, now_utc, to_db
from .models import CheckIn

MAX_CODE_LENGTH = 20


@dataclass(frozen=True, slots=True)
class WrittenCheckIn:
    """A check-in as just written: the row's columns, without the ORM object (building
    an instrumented CheckIn was 3 % of a check-in's CPU; nothing reads it back)."""

    id: int
    checkpoint_id: int
    episode_id: int
    user_id: int
    created_at: Any
    ip: str | None


@dataclass
class CheckInResult:
    check_in: CheckIn | WrittenCheckIn  # the earlier row of a repeat, or the one written
    created: bool
    checkpoint: Any  # the Checkpoint, or a row with its id, label, opens_at and closes_at
    walk_in: bool = False


# The hot path's statements are built once (at first use: building them configures the
# mappers, which needs every model imported) and only bound per request (issue 13).
def _checkpoint_for(user_id):
    """The checkpoint by code with its episode's status and the registration of
    ``user_id`` (a bound value or an expression): plain columns, no object to build (the
    answer needs only the label)."""
    return (select(Checkpoint.id, Checkpoint.label, Checkpoint.opens_at, Checkpoint.closes_at,
                   Episode.status.label("episode_status"),
                   Registration.status.label("registration_status"))
            .join(Episode, Episode.id == Checkpoint.episode_id)
            .outerjoin(Registration, and_(Registration.episode_id == Checkpoint.episode_id,
                                          Registration.user_id == user_id))
            .where(Checkpoint.episode_id == bindparam("episode_id"),
                   Checkpoint.code == bindparam("code")))


@cache
def _checkpoint_by_code():
    return _checkpoint_for(bindparam("user_id"))


@cache
def _checkpoint_and_insert():
    return _checkpoint_and_insert_for(bindparam("user_id"), bindparam("participant"))


def _checkpoint_and_insert_for(user_id, participant):
    """PostgreSQL: :func:`_checkpoint_by_code` and, when the row certainly qualifies (a
    registered participant, inside the window, an episode that takes check-ins), the
    INSERT, in one round trip. The rules stay in :func:`check_in`, which checks the row
    read here as always: this only writes early what it would write; anything else falls
    through to the ordinary path (and a refusal rolls the transaction back)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    table = CheckIn.__table__
    found = _checkpoint_for(user_id).cte("found")
    now = bindparam("now")
    qualifying = (
        select(found.c.id, cast(bindparam("episode_id"), table.c.episode_id.type),
               cast(user_id, table.c.user_id.type),
               cast(now, table.c.created_at.type), cast(bindparam("ip"), table.c.ip.type))
        .where(participant, found.c.registration_status == "registered",
               # Not NOT IN: an expanding IN renders the statement anew each time.
               found.c.episode_status != "draft", found.c.episode_status != "cancelled",
               found.c.opens_at <= now, found.c.closes_at > now))
    inserted = (pg_insert(table)
                .from_select(["checkpoint_id", "episode_id", "user_id", "created_at", "ip"],
                             qualifying)
                .on_conflict_do_nothing().returning(table.c.id).cte("inserted"))
    return select(found, select(inserted.c.id).scalar_subquery().label("inserted_id"))


@cache
def _token_and_checkpoint(dialect: str):
    """For the hot check-in (api.views): the token's holder
    (accounts.sessions.holder_statement; on PostgreSQL recording the token's use) and the
    checkpoint for that holder in one statement, one where there were two; on PostgreSQL
    with the early INSERT of :func:`_checkpoint_and_insert` (SQLite has no data-modifying
    CTE: :func:`check_in` inserts). One row per live token; the checkpoint's columns are
    empty when the code matches none."""
    holder = holder_statement(dialect).cte("holder")
    user_id = select(holder.c.id).scalar_subquery()
    if dialect == "postgresql":
        checkpoint = _checkpoint_and_insert_for(
            user_id, select(holder.c.role).scalar_subquery() == "participant")
    else:
        checkpoint = _checkpoint_for(user_id).add_columns(
            literal(None, Integer).label("inserted_id"))
    checkpoint = checkpoint.subquery("checkpoint")
    return (select(holder, *[c.label(f"checkpoint_{c.name}") for c in checkpoint.c])
            .select_from(holder.outerjoin(checkpoint, true())))


@dataclass(frozen=True)
class _FoundCheckpoint:
    read_at: Any  # the moment the statement judged the window by (and stamped a row with)
    id: int
    label: str
    opens_at: Any
    closes_at: Any
    episode_status: str
    registration_status: str | None
    inserted_id: int | None


def read_token_and_checkpoint(token: str, episode_id: int, code: str,
                              ip: str | None) -> tuple[TokenHolder | None, Any]:
    """The live token's holder and the checkpoint row :func:`check_in` takes as
    ``prefetched`` (None when the code matches none), read (and on PostgreSQL a qualifying
    check-in written) by one statement. (None, None) for a token that is not live."""
    connection = transactions.connection()
    dialect = connection.dialect.name
    moment = now_utc()
    now = to_db(moment)
    params = {**lookup_params(token, dialect, now), "episode_id": episode_id,
              "code": normalize_code(code), "now": now, "ip": (ip or "")[:45] or None}
    row = direct.first(connection, _token_and_checkpoint(dialect), params)
    holder, read = holder_and_read(row, dialect, now, "checkpoint_", "id")
    return holder, None if read is None else _FoundCheckpoint(read_at=moment, **read)


@cache
def _insert_check_in(dialect: str):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id for the engine's dialect."""
    table = CheckIn.__table__
    return insert_ignore(table).returning(table.c.id)


def normalize_code(raw: str | None) -> str:
    return "".join((raw or "").split()).upper()[:MAX_CODE_LENGTH + 1]


_NOT_READ = object()


def check_in(episode_id: int, user: User | TokenHolder, code: str,
             ip: str | None = None, *, prefetched: Any = _NOT_READ) -> CheckInResult:
    """Record that the participant entered a checkpoint code during its window.

    A repeat returns the earlier check-in (the unique constraint guarantees one row).
    Raises ValidationError for a wrong code, Conflict for a closed window, a cancelled
    episode, or a participant who is not registered where walk-ins are not allowed.

    The closing-code minute is the platform's peak (issue 13), so a registered person's
    check-in is two statements: the checkpoint by code with its episode's status and the
    person's registration in one query, then ``INSERT ... ON CONFLICT DO NOTHING RETURNING``
    (the row is built from what was written, not read back). Everything else (which error
    to show, the earlier check-in of a repeat, a walk-in's registration) is read only on
    the path that needs it. ``prefetched``: the checkpoint row as
    :func:`read_token_and_checkpoint` read it (None: no checkpoint has the code).
    """
    normalized = normalize_code(code)
    found = None
    # A prefetched row was judged (and a qualifying check-in written) at its own moment:
    # the rules below and the answer use the same one.
    now = getattr(prefetched, "read_at", None) or now_utc()
    ip = (ip or "")[:45] or None
    # On the request's connection, in its transaction: rows, not ORM objects, so the
    # ORM's per-statement bookkeeping is skipped on the hot path (issue 13).
    connection = transactions.connection()
    written_early = connection.dialect.name == "postgresql"
    if prefetched is not _NOT_READ:
        found = prefetched if normalized else None
    elif normalized:
        params = {"episode_id": episode_id, "user_id": user.id, "code": normalized}
        if written_early:
            params.update(now=to_db(now), ip=ip, participant=user.role == "participant")
            found = direct.first(connection, _checkpoint_and_insert(), params)
        else:
            found = direct.first(connection, _checkpoint_by_code(), params)
    if found is None:
        # Failure path: the episode decides between 404, cancelled and a wrong code.
        episode = db.session.get(Episode, episode_id)
        _check_episode_status(episode.status if episode else None)
        if not normalized:
            raise ValidationError(_l("Masukkan kode presensi."), code="code_required",
                                  field="code")
        raise _wrong_code()
    checkpoint = found  # id, label, opens_at, closes_at
    episode_status, registration_status = found.episode_status, found.registration_status
    _check_episode_status(episode_status)
    refusal = None
    if now < as_utc(checkpoint.opens_at):
        # Answered exactly like a wrong code: a guesser must not learn that a code exists
        # before the stream shows it (issue 9).
        refusal = _wrong_code()
    elif now >= as_utc(checkpoint.closes_at):
        refusal = Conflict(_l("Presensi \"%(label)s\" sudah ditutup.", label=checkpoint.label),
                           code="window_closed")
    elif user.role != "participant":
        refusal = Conflict(_l("Hanya peserta yang melakukan presensi."),
                           code="not_participant")
    if refusal is not None:
        # A repeat still answers with the earlier check-in, whatever the window says now.
        existing = _existing_check_in(checkpoint.id, user.id)
        if existing is not None:
            return CheckInResult(existing, created=False, checkpoint=checkpoint)
        raise refusal
    walk_in = False
    if registration_status is None or registration_status == "cancelled":
        existing = _existing_check_in(checkpoint.id, user.id)
        if existing is not None:
            return CheckInResult(existing, created=False, checkpoint=checkpoint)
        registration_status = register(episode_id, user, source="walk_in",
                                       walk_in=True).registration.status
        walk_in = True
    if registration_status == "waitlisted":
        raise Conflict(_l("Anda masih dalam daftar tunggu episode ini, sehingga belum dapat "
                          "presensi."), code="waitlisted")
    values = {"checkpoint_id": checkpoint.id, "episode_id": episode_id, "user_id": user.id,
              "created_at": to_db(now), "ip": ip}
    if written_early and found.inserted_id is not None:
        inserted = (found.inserted_id,)  # the checkpoint read wrote it (PostgreSQL)
    else:
        inserted = direct.first(connection, _insert_check_in(connection.dialect.name), values)
    if inserted is None:
        # RETURNING is empty: the row existed (a repeat, or a concurrent double submit).
        existing = _existing_check_in(checkpoint.id, user.id)
        return CheckInResult(existing, created=False, checkpoint=checkpoint)
    # The row as written; nothing is read back or reloaded.
    row = WrittenCheckIn(id=inserted[0], **values)
    return CheckInResult(row, created=True, checkpoint=checkpoint, walk_in=walk_in)


def _wrong_code() -> ValidationError:
    # Built only on the path that answers with it: the message's translation is not free.
    return ValidationError(_l("Kode presensi salah. Periksa kembali kode yang tampil di "
                              "layar siaran."), code="wrong_code", field="code")


def _check_episode_status(status: str | None) -> None:
    if status is None or status == "draft":
        raise NotFound(_l("Episode tidak ditemukan."))
    if status == "cancelled":
        raise Conflict(_l("Episode ini dibatalkan."), code="cancelled")


def _existing_check_in(checkpoint_id: int, user_id: int) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.checkpoint_id == checkpoint_id,
                              CheckIn.user_id == user_id))


def checkins_of(episode_id: int, user_id: int) -> list[CheckIn]:
    return list(db.session.scalars(
        select(CheckIn).where(CheckIn.episode_id == episode_id, CheckIn.user_id == user_id)
    ))
