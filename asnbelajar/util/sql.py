"""Query helpers every domain uses the same way: LIKE escaping, word search, pages.

* :func:`escape_like` is the one way to put typed text into a ``LIKE`` pattern. ``/`` is
  the escape character because it needs no quoting in any SQL dialect's string literals
  (a backslash does in some PostgreSQL settings and MySQL).
* :func:`match_words` is the one search rule for "type a few words": every word must occur
  (case-insensitive, in any order) in at least one of the columns, so "negara
  kepegawaian" finds "Badan Kepegawaian Negara".
* :func:`paginate` / :class:`Page` are the one pagination: Flask-SQLAlchemy's
  ``Pagination`` (what the ``pagination`` template macro renders), for ORM entities, for
  plain rows, or for a page a service has already fetched with its total.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, or_
from sqlalchemy.sql import ColumnElement, Select

from ..extensions import db

__all__ = [
    "LIKE_ESCAPE",
    "Page",
    "contains_pattern",
    "escape_like",
    "id_arg",
    "int_arg",
    "match_words",
    "page_arg",
    "paginate",
    "search_words",
    "year_arg",
]

LIKE_ESCAPE = "/"
MAX_SEARCH_LENGTH = 200


def escape_like(value: str) -> str:
    """``value`` with LIKE's wildcards (and the escape character) taken literally; use the
    pattern with ``escape=LIKE_ESCAPE``."""
    return (value.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))


def contains_pattern(word: str, *, prefix: bool = False) -> str:
    """A LIKE pattern for text containing ``word`` (or starting with it when ``prefix``)."""
    escaped = escape_like(word)
    return f"{escaped}%" if prefix else f"%{escaped}%"


def search_words(text: str | None, *, max_length: int = MAX_SEARCH_LENGTH) -> list[str]:
    """The lower-cased words of a typed query (whitespace collapsed, length capped)."""
    return " ".join((text or "").split()).lower()[:max_length].split()


def match_words(text: str | list[str] | None, *columns,
                lowered: bool = False) -> ColumnElement[bool] | None:
    """Every word of ``text`` occurs in at least one of ``columns`` (case-insensitive).

    ``lowered=True`` when the columns already hold lower-case text (an indexed
    ``name_key``, an email), which spares a ``lower()`` that would defeat an index.
    Returns ``None`` when ``text`` has no words.
    """
    words = text if isinstance(text, list) else search_words(text)
    if not words:
        return None
    clauses = []
    for word in words:
        pattern = contains_pattern(word)
        clauses.append(or_(*(
            (column if lowered else func.lower(column)).like(pattern, escape=LIKE_ESCAPE)
            for column in columns
        )))
    return and_(*clauses)


def page_arg(args: Mapping[str, Any], name: str = "page") -> int:
    """The page number asked for in query arguments: 1 when absent, bad or below 1; at
    most ``MAX_PAGE`` (a huge page would overflow the database's OFFSET)."""
    page = int_arg(args, name, 1, low=-DB_INT_MAX, high=DB_INT_MAX) or 1
    return min(max(1, page), MAX_PAGE)


class _RowPagination(Pagination):
    """Plain rows (tuples) from a SELECT: one query for the page, one for the count."""

    def _query_items(self) -> list:
        stmt = self._query_args["statement"]
        return list(db.session.execute(stmt.limit(self.per_page).offset(self._query_offset)))

    def _query_count(self) -> int:
        return self._query_args["counter"]()


class Page(Pagination):
    """A page a service already fetched, with its total (e.g. one SELECT that returns
    the rows and the count together)."""

    def __init__(self, items: Sequence, *, page: int, per_page: int, total: int) -> None:
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False,
                         items=list(items), total=total)

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def paginate(stmt: Select, *, page: int, per_page: int, rows: bool = False,
             count: Callable[[], int] | None = None) -> Pagination:
    """One page of ``stmt``; a page past the end is empty rather than a 404.

    By default the statement selects one ORM entity and the items are those objects
    (``db.paginate``). With ``rows=True`` the items are the rows as selected, and
    ``count`` may give a cheaper way to count than wrapping the statement.
    """
    page = max(1, page)
    if not rows:
        return db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page,
                           error_out=False)
    if count is None:
        def count() -> int:
            counted = stmt.order_by(None).subquery()
            return db.session.scalar(db.select(func.count()).select_from(counted)) or 0
    return _RowPagination(page=page, per_page=per_page, max_per_page=per_page,
                          error_out=False, statement=stmt, counter=count)


# Integer query arguments ------------------------------------------------------------------

MAX_PAGE = 100_000  # 100,000 pages of 50 is far past any table; keeps OFFSET small
DB_INT_MAX = 2**31 - 1
MIN_YEAR, MAX_YEAR = 2000, 2100


def int_arg(args: Mapping[str, Any], name: str, default: int | None = None, *,
            low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """An integer query argument within ``low..high``; ``default`` when it is absent, not a
    whole number, or out of range (a database id beyond 2**31-1, a page past the end of
    the world), so no such value ever reaches a query."""
    raw = args.get(name)
    if raw is None:
        return default
    text = str(raw).strip()
    if not text or len(text) > 12 or not text.lstrip("-").isdigit() or not text.isascii():
        return default
    value = int(text)
    return value if low <= value <= high else default


def id_arg(args: Mapping[str, Any], name: str) -> int | None:
    """A database id from the query string (``?speaker=``, ``?program=``), else None."""
    return int_arg(args, name, low=1)


def year_arg(args: Mapping[str, Any], name: str = "year",
             default: int | None = None) -> int | None:
    """A year from the query string (2000-2100), else ``default``."""
    return int_arg(args, name, default, low=MIN_YEAR, high=MAX_YEAR)
