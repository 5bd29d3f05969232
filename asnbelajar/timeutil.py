"""One clock and one formatter: store UTC, show Indonesian local time.

Month and day names come from Babel's CLDR data (locale ``id`` or ``en``), not from
tables kept here.

``now_utc()`` is the only "now" in the code base (tests freeze it by patching
``asnbelajar.timeutil._clock``). Datetimes are stored naive-in-UTC in the database
(SQLite has no time zones) and are made aware again with :func:`as_utc`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names

ZONES: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
ZONE_BY_ABBR = {abbr: name for name, abbr in ZONES.items()}
DEFAULT_ZONE = "Asia/Jakarta"

# Provinces outside WIB (UU/Keppres 41/1987 as extended to the provinces formed since);
# every other province of accounts.reference.PROVINCES keeps WIB.
_WITA_PROVINCES = frozenset({
    "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Selatan",
    "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara", "Gorontalo",
    "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara",
})
_WIT_PROVINCES = frozenset({
    "Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya", "Papua Selatan",
    "Papua Tengah", "Papua Pegunungan",
})
PROVINCE_ZONES: dict[str, str] = {
    **{p.lower(): "Asia/Makassar" for p in _WITA_PROVINCES},
    **{p.lower(): "Asia/Jayapura" for p in _WIT_PROVINCES},
}

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _system_clock


def now_utc() -> datetime:
    """The current time, aware, in UTC."""
    return _clock()


def as_utc(value: datetime | None) -> datetime | None:
    """Make a datetime aware in UTC (naive values are taken to be UTC already)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_db(value: datetime | None) -> datetime | None:
    """Aware datetime → naive UTC for storage."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    """"Now" the way the database stores it (naive UTC): the one default for timestamp
    columns, ``mapped_column(default=utcnow)``."""
    return to_db(now_utc())


def zone(name: str | None) -> ZoneInfo:
    name = ZONE_BY_ABBR.get((name or "").upper(), name)
    if name not in ZONES:
        name = DEFAULT_ZONE
    return ZoneInfo(name)


def zone_for_province(province: str | None) -> str:
    """The IANA zone of an Indonesian province (WIB when unknown or not given)."""
    return PROVINCE_ZONES.get(" ".join((province or "").split()).lower(), DEFAULT_ZONE)


def zone_name(value: str | None) -> str | None:
    """"Asia/Makassar" for "Asia/Makassar" or "WITA"; None for anything else."""
    text = (value or "").strip()
    text = ZONE_BY_ABBR.get(text.upper(), text)
    return text if text in ZONES else None


def to_local(value: datetime, tz: str | None = None) -> datetime:
    return as_utc(value).astimezone(zone(tz))


def local_year(value: datetime, tz: str | None = None) -> int:
    return to_local(value, tz).year


def current_year() -> int:
    """The year now in the series' home zone (WIB): the default year of the JSON API,
    the ledger pages, the reports and the console. One rule for all of them, since a
    JP ledger year is also fixed in the episode's zone, never the viewer's."""
    return local_year(now_utc(), DEFAULT_ZONE)


def zone_abbr(tz: str | None) -> str:
    return ZONES[zone(tz).key]


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601; a value without offset is taken as WIB (the series' home zone)."""
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(DEFAULT_ZONE))
    return parsed.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, for the JSON API."""
    if value is None:
        return None
    return as_utc(value).isoformat()


def _babel_locale(locale: str | None) -> str:
    return "en" if str(locale or "id").lower().startswith("en") else "id"


def day_names(locale: str | None = "id") -> tuple[str, ...]:
    """Monday-first weekday names: ("Senin", ..., "Minggu") or ("Monday", ...)."""
    names = get_day_names("wide", locale=_babel_locale(locale))
    return tuple(names[i] for i in range(7))


def format_datetime_id(value: datetime | None, tz: str | None = None, *,
                       with_time: bool = True, locale: str = "id") -> str:
    """ "Kamis, 22 Februari 2024, pukul 13.00 WIB" (or the English equivalent)."""
    if value is None:
        return ""
    local = to_local(value, tz)
    text = format_day_id(local.date(), locale=locale)
    if not with_time:
        return text
    if _babel_locale(locale) == "en":
        return f"{text}, {local:%H:%M} {zone_abbr(tz)}"
    return f"{text}, pukul {local:%H.%M} {zone_abbr(tz)}"


def format_period_id(start: datetime, end: datetime | None, tz: str | None = None, *,
                     locale: str = "id") -> str:
    """ "Jumat, 1 Maret 2024, pukul 11.00–13.00 WIT": the day and hours in ``tz`` with
    the zone named once (certificates: a reader must never have to guess the zone)."""
    if end is None:
        return format_datetime_id(start, tz, locale=locale)
    first, last = to_local(start, tz), to_local(end, tz)
    day = format_day_id(first.date(), locale=locale)
    if _babel_locale(locale) == "en":
        return f"{day}, {first:%H:%M}–{last:%H:%M} {zone_abbr(tz)}"
    return f"{day}, pukul {first:%H.%M}–{last:%H.%M} {zone_abbr(tz)}"


def format_date_id(value: date | datetime | None, tz: str | None = None,
                   locale: str = "id") -> str:
    """ "22 Februari 2024" ."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, tz).date()
    return format_date(value, "d MMMM y", locale=_babel_locale(locale))


def format_time_id(value: datetime | None, tz: str | None = None) -> str:
    """ "13.00 WIB" ."""
    if value is None:
        return ""
    local = to_local(value, tz)
    return f"{local:%H.%M} {zone_abbr(tz)}"


def format_day_id(value: date | None, locale: str = "id") -> str:
    """ "Kamis, 22 Februari 2024" for a calendar date."""
    if value is None:
        return ""
    return format_date(value, "EEEE, d MMMM y", locale=_babel_locale(locale))
