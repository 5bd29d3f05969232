"""Remember a slow aggregate in the process while the tables it reads have not changed.

Public figures such as the program totals on the home page count every registration of
every year: a few milliseconds for a small program, about a second at the scale of the real
series (466,000 registrations), on every anonymous page view. :func:`remembered` keeps such
a result in the worker process when

* computing it took at least ``slow_seconds`` (50 ms: quick results are always recomputed,
  so small programs and the tests see exact, current figures; at the real season's size
  each of the program page's two aggregates takes 0.2 s, under load 0.4 s), and
* it is younger than ``fresh_for`` seconds (a public total a minute old is fine, and a busy
  registration day changes the tables every few seconds), or PostgreSQL's
  insert/update/delete counters of the tables it reads are unchanged (they may lag a commit
  by a few seconds) and it is younger than ``max_age`` seconds.

SQLite has no such counters: results there are never kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import text

from ..extensions import db

T = TypeVar("T")
_lock = threading.Lock()
_kept: dict[tuple, tuple[Any, float, Any]] = {}  # key -> (counters, stored at, value)


def table_counters(tables: Sequence[str]) -> Any | None:
    """The server's change counters of ``tables`` (PostgreSQL), else ``None``."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    rows = db.session.execute(text(
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
        "WHERE relname = ANY(:names) ORDER BY relname"), {"names": list(tables)}).all()
    return (bind.url.render_as_string(hide_password=True), tuple(tuple(r) for r in rows))


def remembered(key: tuple, tables: Sequence[str], compute: Callable[[], T], *,
               slow_seconds: float = 0.05, fresh_for: float = 60.0,
               max_age: float = 600.0) -> T:
    counters = table_counters(tables)
    if counters is not None:
        with _lock:
            kept = _kept.get(key)
        if kept is not None and kept[0][0] == counters[0]:
            age = time.monotonic() - kept[1]
            if age < fresh_for or (kept[0] == counters and age < max_age):
                return kept[2]
    started = time.monotonic()
    value = compute()
    if counters is not None and time.monotonic() - started >= slow_seconds:
        with _lock:
            _kept[key] = (counters, time.monotonic(), value)
    return value
