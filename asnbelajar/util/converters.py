"""URL converters: ``<int:...>`` bounded to what the database can hold.

Werkzeug's ``int`` accepts any run of digits, so ``/episodes/99999999999`` reached the
database and failed there (a 500 on PostgreSQL: integer out of range; on SQLite a Python
int too large). The app registers :class:`BoundedIntConverter` as ``int``: at most ten
digits and at most 2**31-1 (PostgreSQL ``integer``), so such a URL matches no route and
answers 404 like any unknown id.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``int`` that never yields a value outside 0..2**31-1 (or ``max`` when smaller)."""

    regex = r"\d{1,10}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        ceiling = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=ceiling, signed=signed)
        if signed:
            self.regex = r"-?\d{1,10}"
            if self.min is None:
                self.min = -DB_INT_MAX - 1


def register_converters(app) -> None:
    """Replace ``int`` before any route is added (routes compile their converter then)."""
    app.url_map.converters["int"] = BoundedIntConverter
