"""Times in Zoom reports: the many ways Zoom (and Excel re-saving its files) writes them.

Wall-clock times without an offset are the Zoom account's local time; they are read in the
given zone and returned as aware UTC datetimes. Anything unreadable — a garbage cell, an
impossible date, an offset like ``+99:99`` — gives ``None`` so the caller can name the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DateOrder = Literal["mdy", "dmy"]

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        # English, Indonesian, then the other languages Zoom's portal exports in.
        ("january", "jan", "januari", "enero", "ene", "janvier", "janv", "januar", "janeiro"),
        ("february", "feb", "februari", "peb", "febrero", "février", "fevrier", "févr",
         "fevr", "februar", "fevereiro", "fev"),
        ("march", "mar", "maret", "marzo", "mars", "märz", "mär", "maerz", "mrz", "março",
         "marco"),
        ("april", "apr", "abril", "abr", "avril", "avr"),
        ("may", "mei", "mayo", "mai", "maio"),
        ("june", "jun", "juni", "junio", "juin", "junho"),
        ("july", "jul", "juli", "julio", "juillet", "juil", "julho"),
        ("august", "aug", "agustus", "agu", "agt", "ags", "agosto", "ago", "août", "aout"),
        ("september", "sep", "sept", "septiembre", "setiembre", "septembre", "setembro",
         "set"),
        ("october", "oct", "oktober", "okt", "octubre", "octobre", "outubro", "out"),
        ("november", "nov", "nop", "noviembre", "novembre", "novembro"),
        ("december", "dec", "desember", "des", "diciembre", "dic", "décembre", "decembre",
         "déc", "dezember", "dez", "dezembro"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_TIME = (
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:[.,]\d+)?)?"
    r"(?:\s*(?P<ap>[ap])\.?\s*m\.?)?"
    r"(?:\s*(?P<off>z|utc|gmt|[+-]\d{2}:?\d{2}))?"
)
_SEP = r"(?:\s*,?\s*|t)"
_ISO_RE = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<mo>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_SEP}{_TIME}")
_NUMERIC_RE = re.compile(
    rf"(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}|\d{{2}}){_SEP}{_TIME}"
)
_NAMED_MDY_RE = re.compile(
    rf"(?P<mon>[^\W\d_]{{3,10}})\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y>\d{{4}})"
    rf"{_SEP}{_TIME}"
)
_NAMED_DMY_RE = re.compile(
    rf"(?P<d>\d{{1,2}})[\s-]*(?P<mon>[^\W\d_]{{3,10}})\.?[\s-]*,?\s*(?P<y>\d{{4}}){_SEP}{_TIME}"
)


def _clean_time_text(text: str) -> str:
    text = " ".join(text.split()).lower()
    return re.sub(r"\s*([/:,\-])\s*", r"\1", text)


@dataclass(frozen=True)
class TimeParts:
    year: int
    month: int | None  # None: numeric day/month pair still to be ordered
    day: int | None
    a: int | None  # first and second number of an "a/b/yyyy" date
    b: int | None
    hour: int
    minute: int
    second: int
    ampm: str | None
    offset: str | None


def split_time(raw: str) -> TimeParts | None:
    text = _clean_time_text(raw)
    for pattern, shape in (
        (_ISO_RE, "iso"),
        (_NUMERIC_RE, "numeric"),
        (_NAMED_MDY_RE, "named"),
        (_NAMED_DMY_RE, "named"),
    ):
        match = pattern.fullmatch(text)
        if not match:
            continue
        g = match.groupdict()
        year = int(g["y"])
        if year < 100:
            year += 2000
        month = day = a = b = None
        if shape == "iso":
            month, day = int(g["mo"]), int(g["d"])
        elif shape == "numeric":
            a, b = int(g["a"]), int(g["b"])
        else:
            month = _MONTHS.get(g["mon"])
            if month is None:
                continue
            day = int(g["d"])
        return TimeParts(
            year=year, month=month, day=day, a=a, b=b,
            hour=int(g["h"]), minute=int(g["mi"]), second=int(g["s"] or 0),
            ampm=g["ap"], offset=g["off"],
        )
    return None


def _offset_zone(offset: str) -> tzinfo | None:
    """The zone of an explicit offset; None for one no clock shows (``+99:99``)."""
    if offset in ("z", "utc", "gmt"):
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    # Real offsets run from -12:00 to +14:00; anything else is a damaged cell.
    if hours > 14 or minutes >= 60 or (hours == 14 and minutes):
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def to_utc(parts: TimeParts, order: DateOrder, zone: tzinfo) -> datetime | None:
    if parts.month is not None:
        month, day = parts.month, parts.day
    elif order == "dmy":
        month, day = parts.b, parts.a
    else:
        month, day = parts.a, parts.b
    hour = parts.hour
    if parts.ampm is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if parts.ampm == "p" else 0)
    try:
        local = datetime(parts.year, month or 0, day or 0, hour, parts.minute, parts.second)
    except ValueError:
        return None
    tz = _offset_zone(parts.offset) if parts.offset else zone
    if tz is None:
        return None
    try:
        return local.replace(tzinfo=tz).astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 shifted past the calendar's end
        return None


def resolve_zone(tz: str) -> tzinfo:
    aliases = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
    name = aliases.get(tz.strip().upper(), tz.strip())
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Zona waktu '{tz}' tidak dikenal.") from exc


FORMATS_HINT = (
    "Format yang dikenali antara lain 03/23/2022 09:02:10 AM, Mar 23, 2022 09:02:10 "
    "dan 2022-03-23 09:02:10."
)
