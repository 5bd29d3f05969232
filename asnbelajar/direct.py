"""The closing-code minute's statements, run on the driver's cursor (issue 13).

A check-in or a registration is a few small statements; SQLAlchemy's work around each one
(the statement's cache key and compiled-cache lookup, the execution context, the bound
parameters rebuilt from the compiled statement, the result object) cost more CPU than the
database's own: measured in one process on SQLite, three statements and their commit took
0.27 ms through the session and 0.13 ms through this module, on PostgreSQL 0.73 ms and
0.53 ms. :func:`first` keeps everything that decides what runs and what it means:

- the SQL is SQLAlchemy's, compiled once per statement, dialect and set of parameter
  names, exactly as ``Connection.execute`` compiles it (a test compares the two);
- the parameters and the results go through the same type processors (a datetime as
  SQLite stores it, JSON), the literals bound in the statement keep their values;
- it runs on the request's connection (transactions.connection), in its transaction,
  through the dialect's ``do_execute`` (the PostgreSQL watchdog, database.guard_engine),
  after the engine's ``before_cursor_execute`` listeners (SQLite's writers' lock, the
  tests' statement counts); a driver error becomes SQLAlchemy's exception, a lost
  connection is invalidated as SQLAlchemy would (database.is_outage reads it).

Only statements without expanding (``IN``) parameters and without Python-side column
defaults left to compute (both refused); one row at most is read. With the
engine's ``echo`` on (statements logged), Connection.execute runs them, as it logs them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.sql import ClauseElement

# Plans kept per engine: the hot path has a dozen statements, each built once (functools
# cache); a caller that builds its statement per call gets no benefit and must not leak.
MAX_PLANS = 256


@dataclass
class _Plan:
    statement: ClauseElement  # kept alive: its id keys the plan
    sql: str
    positions: tuple[str, ...] | None  # bind names in order (positional paramstyles)
    names: tuple[tuple[str, str], ...]  # bind name, name in the SQL (named paramstyles)
    defaults: Mapping[str, Any]  # binds with a value in the statement (literals)
    bind_processors: tuple[tuple[str, Callable[[Any], Any]], ...]
    keys: tuple[str, ...]  # the result's column keys, or () when it returns no rows
    rows: _Rows | None = None  # set at the first execution that returns a row


class _Rows:
    """A plan's row type and result processors, known at its first execution (the
    processors may depend on the driver's column types)."""

    def __init__(self, plan: _Plan, dialect, description) -> None:
        types = [column.type for column in plan.statement.exported_columns]
        if len(types) != len(description):
            raise RuntimeError("the statement's columns do not match the cursor's")
        # (Keys that are not identifiers, or repeated, fail here rather than be renamed.)
        self.row_type = namedtuple("Row", plan.keys)  # noqa: PYI024
        self.processors = tuple(
            (i, processor) for i, (type_, column) in enumerate(zip(types, description,
                                                                  strict=True))
            if (processor := type_.dialect_impl(dialect).result_processor(dialect, column[1]))
            is not None)

    def make(self, raw: tuple) -> tuple:
        if self.processors:
            raw = list(raw)
            for i, processor in self.processors:
                raw[i] = processor(raw[i])
        return self.row_type._make(raw)


def _plan(statement: ClauseElement, dialect, names: frozenset[str]) -> _Plan:
    compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("direct.first takes no expanding or literal-execute parameters")
    if compiled.insert_prefetch or compiled.update_prefetch:
        # Column defaults computed in Python (default=, onupdate=) are filled in by the
        # execution context this module skips: the statement must name those columns.
        raise ValueError("direct.first takes no statement with Python-side column "
                         "defaults left to fill in: "
                         + ", ".join(c.key for c in compiled.insert_prefetch
                                     + compiled.update_prefetch))
    defaults, processors = {}, []
    for bind, name in compiled.bind_names.items():
        if not bind.required and bind.callable is None:
            defaults[name] = bind.value
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((name, processor))
    keys = tuple(statement.exported_columns.keys())  # a SELECT's or RETURNING's columns
    return _Plan(statement=statement, sql=str(compiled),
                 positions=tuple(compiled.positiontup) if compiled.positional else None,
                 names=tuple((name, compiled.escaped_bind_names.get(name, name))
                             for name in dict.fromkeys(compiled.bind_names.values())),
                 defaults=defaults,
                 bind_processors=tuple(processors), keys=keys)


def first(connection: Connection, statement: ClauseElement,
          params: Mapping[str, Any]) -> tuple | None:
    """Run ``statement`` (a Core statement built once, as the hot path's are) with
    ``params`` on ``connection`` (the request's: its transaction) and return its first
    row (a named tuple with the column keys ``Connection.execute`` would give), or None
    when it returns none."""
    if connection.engine.echo:  # statements logged: SQLAlchemy's own path logs them
        result = connection.execute(statement, params)
        return result.first() if result.returns_rows else None
    dialect = connection.dialect
    cache: dict = dialect.__dict__.setdefault("_asnb_direct_plans", {})
    names = frozenset(params)
    key = (id(statement), names)
    plan = cache.get(key)
    if plan is None:
        if len(cache) >= MAX_PLANS:  # statements built per call would pile up: start over
            cache.clear()
        plan = cache[key] = _plan(statement, dialect, names)
    values = {**plan.defaults, **params} if plan.defaults else dict(params)
    for name, processor in plan.bind_processors:
        if name in values:
            values[name] = processor(values[name])
    try:
        if plan.positions is not None:
            args: Any = tuple([values[name] for name in plan.positions])
        else:  # only the statement's own: what SQLAlchemy would send
            args = {sql_name: values[name] for name, sql_name in plan.names}
    except KeyError as missing:
        raise ArgumentError(f"a value is required for the parameter {missing}") from None
    if not connection.in_transaction():
        connection.begin()  # as Connection.execute begins: its commit() commits this
    cursor = None
    try:
        cursor = connection.connection.dbapi_connection.cursor()
        dispatch = connection.dispatch
        dispatch.before_cursor_execute(connection, cursor, plan.sql, args, None, False)
        dialect.do_execute(cursor, plan.sql, args, None)
        dispatch.after_cursor_execute(connection, cursor, plan.sql, args, None, False)
        raw = cursor.fetchone() if plan.keys else None
        if raw is None:
            return None
        if plan.rows is None:
            plan.rows = _Rows(plan, dialect, cursor.description)
    except dialect.loaded_dbapi.Error as err:
        # SQLAlchemy's own handling: its exception classes, a lost connection invalidated.
        connection._handle_dbapi_exception(err, plan.sql, args, cursor, None)
        raise  # not reached: the line above raises
    finally:
        if cursor is not None:
            cursor.close()
    return plan.rows.make(raw)
