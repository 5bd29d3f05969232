"""Parse Zoom attendance reports (CSV) as organizers really download them.

Pure and framework-free: bytes in, plain dataclasses out. Two report kinds are accepted:

* a meeting's **Participants** report: an optional summary block (``Meeting ID, Topic, ...``),
  a blank line, then one row per connection;
* a webinar's **Attendee Report**: title lines, a summary, then ``Host Details``,
  ``Panelist Details`` and ``Attendee Details`` (or ``Other Attended``) sections, each with
  its own header row; every line usually ends with a comma.

Tables are found by recognising their header row (a name, a join-time and a leave-time
column, matched case-insensitively by family), never by fixed line numbers. Times are the
Zoom account's local wall-clock time without an offset; they are read in ``tz`` and returned
as aware UTC datetimes. See ``docs/attendance-reports.md``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ReportFormatError",
    "ReportRow",
    "SkippedRow",
    "ZoomReport",
    "attended_seconds",
    "merge_intervals",
    "parse_zoom_report",
]

DateOrder = Literal["mdy", "dmy"]
Interval = tuple[datetime, datetime]


class ReportFormatError(ValueError):
    """The uploaded file is not a Zoom attendance report we can read.

    ``message`` is user-facing Indonesian and starts with ``"Baris N: "`` when the problem
    is on a particular (1-based, physical) line; ``line`` is that number or ``None``.
    """

    def __init__(self, message: str, line: int | None = None):
        if line is not None and not message.startswith("Baris "):
            message = f"Baris {line}: {message}"
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class ReportRow:
    """One attended connection (a person who rejoins appears once per connection)."""

    line: int
    name: str
    email: str | None
    joined_at: datetime
    left_at: datetime
    duration_minutes: int | None
    section: str  # "participants" (meeting), "attendee", "panelist" or "host" (webinar)


@dataclass(frozen=True)
class SkippedRow:
    """A row of a participant table that is not an attended connection."""

    line: int
    name: str
    email: str | None
    reason: str


@dataclass
class ZoomReport:
    kind: str  # "meeting" or "webinar"
    topic: str | None
    rows: list[ReportRow]
    skipped: list[SkippedRow]


# --------------------------------------------------------------------------- headers

_FAMILIES: dict[str, frozenset[str]] = {
    "name": frozenset({
        "name", "user name", "participant", "participant name", "display name",
        "name (original name)", "user name (original name)",
    }),
    "email": frozenset({"user email", "email", "email address", "e-mail", "participant email"}),
    "join": frozenset({"join time", "joined time", "join date/time"}),
    "leave": frozenset({"leave time", "left time", "leave date/time"}),
    "duration": frozenset({
        "duration", "duration (minutes)", "time in session", "time in session (minutes)",
        "total duration", "total duration (minutes)",
    }),
    "attended": frozenset({"attended"}),
    "waiting": frozenset({"in waiting room"}),
}
_REQUIRED = ("name", "join", "leave")
_FAMILY_LABEL = {
    "name": "nama (Name (Original Name) / User Name (Original Name))",
    "join": "Join Time",
    "leave": "Leave Time",
}
EXPECTED_COLUMNS = (
    "Kolom yang diharapkan: nama (\"Name (Original Name)\" atau \"User Name (Original Name)\"), "
    "email (\"User Email\" atau \"Email\"), \"Join Time\" dan \"Leave Time\"; "
    "\"Duration (Minutes)\"/\"Time in Session (minutes)\" dan \"Attended\" dipakai bila ada."
)
_WHAT_TO_UPLOAD = (
    "Unggah laporan \"Participants\" rapat Zoom atau \"Attendee Report\" webinar Zoom "
    "dalam format CSV."
)

_SECTION_RE = re.compile(
    r"^(?:(host|panelist|attendee)s?\s+details|(other)\s+attended|(other)\s+attendees)\s*:?$"
)
_PAREN_SUFFIX_RE = re.compile(r"\s*\([^)]*\)\s*$")


def _norm(cell: str) -> str:
    text = " ".join(cell.replace("\ufeff", "").split()).lower()
    return text.rstrip(":").strip()


def _family(cell: str) -> str | None:
    text = _norm(cell)
    if not text:
        return None
    base = _PAREN_SUFFIX_RE.sub("", text)
    for family, names in _FAMILIES.items():
        if text in names or base in names:
            return family
    return None


@dataclass
class _Header:
    line: int
    columns: dict[str, int]
    width: int


def _width(cells: Sequence[str]) -> int:
    """Number of cells up to the last non-empty one (trailing commas ignored)."""
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return n


def _header_columns(cells: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        family = _family(cell)
        if family is not None and family not in columns:
            columns[family] = index
    return columns


def _section_title(cell: str) -> str | None:
    match = _SECTION_RE.match(_norm(cell))
    if not match:
        return None
    kind = match.group(1)
    return kind if kind else "attendee"  # "Other Attended" lists attendees too


# --------------------------------------------------------------------------- times

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "januari"),
        ("february", "feb", "februari", "peb"),
        ("march", "mar", "maret"),
        ("april", "apr"),
        ("may", "mei"),
        ("june", "jun", "juni"),
        ("july", "jul", "juli"),
        ("august", "aug", "agustus", "agu", "agt", "ags"),
        ("september", "sep", "sept"),
        ("october", "oct", "oktober", "okt"),
        ("november", "nov", "nop"),
        ("december", "dec", "desember", "des"),
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
    rf"(?P<mon>[a-z]{{3,9}})\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y>\d{{4}})"
    rf"{_SEP}{_TIME}"
)
_NAMED_DMY_RE = re.compile(
    rf"(?P<d>\d{{1,2}})[\s-]*(?P<mon>[a-z]{{3,9}})\.?[\s-]*,?\s*(?P<y>\d{{4}}){_SEP}{_TIME}"
)
_EMPTY_MARKERS = frozenset({"", "-", "--", "---", "\u2013", "\u2014", "n/a", "na"})
_NO = frozenset({"no", "n", "false", "0", "tidak"})
_YES = frozenset({"yes", "y", "true", "1", "ya"})


def _clean_time_text(text: str) -> str:
    text = " ".join(text.split()).lower()
    return re.sub(r"\s*([/:,\-])\s*", r"\1", text)


@dataclass(frozen=True)
class _TimeParts:
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


def _split_time(raw: str) -> _TimeParts | None:
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
        return _TimeParts(
            year=year, month=month, day=day, a=a, b=b,
            hour=int(g["h"]), minute=int(g["mi"]), second=int(g["s"] or 0),
            ampm=g["ap"], offset=g["off"],
        )
    return None


def _offset_zone(offset: str) -> tzinfo:
    if offset in ("z", "utc", "gmt"):
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _to_utc(parts: _TimeParts, order: DateOrder, zone: tzinfo) -> datetime | None:
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
    return local.replace(tzinfo=tz).astimezone(UTC)


def _resolve_zone(tz: str) -> tzinfo:
    aliases = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
    name = aliases.get(tz.strip().upper(), tz.strip())
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Zona waktu '{tz}' tidak dikenal.") from exc


# --------------------------------------------------------------------------- decoding

def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _looks_binary(data: bytes, text: str) -> bool:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        return True
    if "\x00" in text:
        return True
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return bool(sample) and controls / len(sample) > 0.05


def _read_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    rows: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for cells in reader:
            rows.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        raise ReportFormatError(
            f"berkas tidak dapat dibaca sebagai CSV ({exc}). {EXPECTED_COLUMNS}", previous + 1
        ) from exc
    return rows


# --------------------------------------------------------------------------- structure

@dataclass
class _TableRow:
    line: int
    cells: list[str]
    header: _Header
    section: str | None


@dataclass
class _Layout:
    tables: list[_TableRow]
    headers: int
    topic: str | None
    webinar: bool
    near_miss: tuple[int, list[str], set[str]] | None  # a header-like row lacking columns


def _layout(rows: list[tuple[int, list[str]]]) -> _Layout:
    tables: list[_TableRow] = []
    headers = 0
    header: _Header | None = None
    section: str | None = None
    topic: str | None = None
    pending_topic: int | None = None
    webinar = False
    near_miss: tuple[int, list[str], set[str]] | None = None
    first = True

    for line, cells in rows:
        filled = [c.strip() for c in cells if c.strip()]
        if not filled:
            header = None  # a blank line ends a table
            continue
        if first:
            first = False
            if _norm(filled[0]).startswith(("attendee report", "webinar")):
                webinar = True

        columns = _header_columns(cells)
        if all(f in columns for f in _REQUIRED):
            header = _Header(line=line, columns=columns, width=_width(cells))
            headers += 1
            if "attended" in columns:
                webinar = True
            pending_topic = None
            continue
        if len(filled) == 1 and (title := _section_title(filled[0])):
            section = title
            webinar = True
            header = None
            continue
        if header is not None:
            tables.append(_TableRow(line=line, cells=cells, header=header, section=section))
            continue

        # Outside a table: title lines and summary blocks.
        header_like = len(columns) >= 2 and any(f in columns for f in _REQUIRED)
        if header_like and (near_miss is None or len(columns) > len(near_miss[2])):
            near_miss = (line, cells, set(columns))
        normed = [_norm(c) for c in cells]
        if "webinar id" in normed:
            webinar = True
        if topic is None and pending_topic is not None:
            if pending_topic < len(cells) and cells[pending_topic].strip():
                topic = cells[pending_topic].strip()
            pending_topic = None
        if topic is None:
            for index, cell in enumerate(normed):
                if cell in ("topic", "topik", "meeting topic", "webinar topic"):
                    value = cells[index + 1].strip() if index + 1 < len(cells) else ""
                    if len(filled) == 2 and value:
                        topic = value  # vertical "Topic:,<value>"
                    else:
                        pending_topic = index  # horizontal header, value on the next line
                    break

    return _Layout(
        tables=tables, headers=headers, topic=topic, webinar=webinar, near_miss=near_miss
    )


def _no_table_error(layout: _Layout | None, empty: bool = False) -> ReportFormatError:
    if empty:
        return ReportFormatError(f"Berkas kosong. {_WHAT_TO_UPLOAD} {EXPECTED_COLUMNS}")
    if layout is not None and layout.near_miss is not None:
        line, _cells, found = layout.near_miss
        missing = " dan ".join(_FAMILY_LABEL[f] for f in _REQUIRED if f not in found)
        hint = ""
        if "join" not in found and "leave" not in found and "duration" in found:
            hint = (
                " Laporan ini tampaknya diunduh dengan opsi \"Show unique users\"; unduh ulang "
                "tanpa opsi itu agar setiap koneksi tercantum dengan Join Time dan Leave Time."
            )
        return ReportFormatError(
            f"baris ini tampak seperti header tabel peserta, tetapi kolom "
            f"{missing} tidak ada.{hint} {EXPECTED_COLUMNS}",
            line,
        )
    return ReportFormatError(
        f"Tidak ditemukan tabel peserta Zoom dalam berkas. {_WHAT_TO_UPLOAD} {EXPECTED_COLUMNS}"
    )


# --------------------------------------------------------------------------- rows

def _cell(cells: Sequence[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return cells[index].strip()


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    return None if value in _EMPTY_MARKERS else value


def _duration(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().replace(",", ".")
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return round(float(text))
    return None


def _short(value: str, limit: int = 40) -> str:
    value = value.replace("\x00", "")
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def _detect_order(tables: list[_TableRow]) -> DateOrder:
    """MM/DD (Zoom's US default) unless a value can only be DD/MM; mixed evidence is an error."""
    mdy_line: int | None = None
    dmy_line: int | None = None
    for row in tables:
        for family in ("join", "leave"):
            raw = _cell(row.cells, row.header.columns[family])
            if not raw or raw.lower() in _EMPTY_MARKERS:
                continue
            parts = _split_time(raw)
            if parts is None or parts.a is None or parts.b is None:
                continue
            if parts.a > 12 >= parts.b and dmy_line is None:
                dmy_line = row.line
            elif parts.b > 12 >= parts.a and mdy_line is None:
                mdy_line = row.line
    if dmy_line is not None and mdy_line is not None:
        raise ReportFormatError(
            f"format tanggal tidak konsisten: baris {mdy_line} memakai bulan/hari (MM/DD) "
            f"sedangkan baris {dmy_line} memakai hari/bulan (DD/MM).",
            max(dmy_line, mdy_line),
        )
    return "dmy" if dmy_line is not None else "mdy"


_FORMATS_HINT = (
    "Format yang dikenali antara lain 03/23/2022 09:02:10 AM, Mar 23, 2022 09:02:10 "
    "dan 2022-03-23 09:02:10."
)


def _build_row(row: _TableRow, webinar: bool, order: DateOrder, zone: tzinfo
               ) -> ReportRow | SkippedRow:
    cells, columns, line = row.cells, row.header.columns, row.line
    name = _cell(cells, columns["name"]) or ""
    email = _email(_cell(cells, columns.get("email")))
    section = (row.section or "attendee") if webinar else "participants"

    join_raw = _cell(cells, columns["join"])
    leave_raw = _cell(cells, columns["leave"])
    width = _width(cells)
    mismatch = ""
    if width != row.header.width:
        mismatch = (
            f" Baris ini punya {width} kolom, sedangkan header di baris {row.header.line} "
            f"punya {row.header.width}"
        )
        mismatch += (
            "; periksa apakah ada koma di nama yang tidak diberi tanda kutip."
            if width > row.header.width else "; baris ini tampaknya terpotong."
        )
    if join_raw is None or leave_raw is None:
        raise ReportFormatError(
            f"jumlah kolom tidak sesuai: kolom Join Time/Leave Time tidak ada.{mismatch}", line
        )

    attended = _cell(cells, columns.get("attended"))
    if attended is not None and attended.lower() in _NO:
        return SkippedRow(line, name, email, f"tidak hadir (Attended = {attended})")
    waiting = _cell(cells, columns.get("waiting"))
    if waiting is not None and waiting.lower() in _YES:
        return SkippedRow(line, name, email, f"di ruang tunggu (In Waiting Room = {waiting})")
    if join_raw.lower() in _EMPTY_MARKERS or leave_raw.lower() in _EMPTY_MARKERS:
        shown = join_raw if join_raw.lower() in _EMPTY_MARKERS else leave_raw
        return SkippedRow(
            line, name, email, f"tidak ada waktu masuk/keluar ('{shown or ''}')"
        )

    times: list[datetime] = []
    for label, raw in (("waktu masuk", join_raw), ("waktu keluar", leave_raw)):
        parts = _split_time(raw)
        value = _to_utc(parts, order, zone) if parts is not None else None
        if value is None:
            raise ReportFormatError(
                f"{label} '{_short(raw)}' tidak dikenali.{mismatch} {_FORMATS_HINT}", line,
            )
        times.append(value)
    joined_at, left_at = times
    if left_at < joined_at:
        raise ReportFormatError(
            f"waktu keluar '{_short(leave_raw)}' lebih awal daripada waktu masuk "
            f"'{_short(join_raw)}'.",
            line,
        )
    return ReportRow(
        line=line,
        name=name,
        email=email,
        joined_at=joined_at,
        left_at=left_at,
        duration_minutes=_duration(_cell(cells, columns.get("duration"))),
        section=section,
    )


# --------------------------------------------------------------------------- public API

def parse_zoom_report(data: bytes, tz: str = "Asia/Jakarta", *,
                      date_order: DateOrder | None = None) -> ZoomReport:
    """Parse a Zoom meeting Participants report or webinar Attendee Report.

    ``tz`` is the Zoom account's time zone (IANA name, or WIB/WITA/WIT); the file's
    wall-clock times are read in it and returned in UTC. ``date_order`` forces how a numeric
    ``a/b/yyyy`` date is read ("mdy" or "dmy"); by default it is detected per file.
    Raises :class:`ReportFormatError` for anything that is not a readable report.
    """
    zone = _resolve_zone(tz)
    if not data or not data.strip():
        raise _no_table_error(None, empty=True)
    text = _decode(data)
    if _looks_binary(data, text):
        raise ReportFormatError(
            "Berkas ini bukan berkas teks CSV (mungkin file Excel/PDF atau rusak). "
            f"{_WHAT_TO_UPLOAD} {EXPECTED_COLUMNS}"
        )
    if not text.strip():
        raise _no_table_error(None, empty=True)

    layout: _Layout | None = None
    first_layout: _Layout | None = None
    for delimiter in (",", ";", "\t"):
        candidate = _layout(_read_rows(text, delimiter))
        if first_layout is None:
            first_layout = candidate
        if candidate.headers:
            layout = candidate
            break
    if layout is None:
        raise _no_table_error(first_layout)

    order = date_order or _detect_order(layout.tables)
    rows: list[ReportRow] = []
    skipped: list[SkippedRow] = []
    for table_row in layout.tables:
        result = _build_row(table_row, layout.webinar, order, zone)
        if isinstance(result, ReportRow):
            rows.append(result)
        else:
            skipped.append(result)
    return ZoomReport(
        kind="webinar" if layout.webinar else "meeting",
        topic=layout.topic,
        rows=rows,
        skipped=skipped,
    )


def merge_intervals(intervals: Iterable[Interval], gap_seconds: int = 60) -> list[Interval]:
    """Sort and merge overlapping intervals and adjacent ones.

    Two intervals are adjacent when the next one starts at most ``gap_seconds`` after the
    previous one ends (a reconnect). The result is sorted and its intervals are separated by
    more than ``gap_seconds``.
    """
    if gap_seconds < 0:
        raise ValueError("gap_seconds must not be negative")
    gap = timedelta(seconds=gap_seconds)
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end < start:
            raise ValueError(f"interval ends before it starts: {start} > {end}")
        if merged and start - merged[-1][1] <= gap:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def attended_seconds(intervals: Iterable[Interval], gap_seconds: int = 0) -> int:
    """Total seconds covered by the intervals, each moment counted once.

    With the default ``gap_seconds=0`` this is the length of the union of the connections:
    overlaps (two devices) are not double-counted and short gaps between reconnects are not
    counted as attendance. Passing ``gap_seconds`` > 0 also counts those bridged gaps.
    """
    total = sum(
        (end - start for start, end in merge_intervals(intervals, gap_seconds)), timedelta()
    )
    return int(total.total_seconds())
