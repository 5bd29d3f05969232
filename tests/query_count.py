"""Count the SQL statements a block of code (usually one test-client request) sends.

    with count_queries() as queries:
        client.post(...)
    assert len(queries) <= 3, queries.report()

Listens on every Engine (the application's, whatever the database) for
``before_cursor_execute``; transaction control (BEGIN/COMMIT/SAVEPOINT) is not a statement
the code under test chose, so it is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT",
            "PRAGMA")


class Queries(list):
    def report(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(
            f"  {i + 1}. {' '.join(s.split())[:300]}" for i, s in enumerate(self))


@contextmanager
def count_queries() -> Iterator[Queries]:
    queries = Queries()

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        if not statement.lstrip().upper().startswith(_CONTROL):
            queries.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield queries
    finally:
        event.remove(Engine, "before_cursor_execute", record)
