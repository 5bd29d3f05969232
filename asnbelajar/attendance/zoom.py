"""Parse Zoom attendance reports (CSV) as organizers really download them.

Pure and framework-free: bytes in, plain dataclasses out. Accepted:

* a meeting's **Participants** report: an optional summary block (``Meeting ID, Topic, ...``),
  a blank line, then one row per connection;
* **usage exports** "with meeting data", where each row carries the meeting's and the host's
  columns (``User Name``, ``User Email``, ``Duration (Minutes)``) *before* the participant's
  (``Name (Original Name)``, ``User Email``, ``Join Time``, ...): every family is read from
  the participant's block, never the host's;
* **multi-meeting exports**: several blocks separated by blank lines; rows that continue a
  table after a blank line (same width, times where the times belong) stay in it;
* a webinar's **Attendee Report**: title lines, a summary, then ``Host Details``,
  ``Panelist Details`` and ``Attendee Details`` (or ``Other Attended``) sections, each with
  its own header row, naming people by one name column or by First Name and Last Name;
* the same in Zoom's other interface languages (column names in ``zoom_headers``).

Tables are found by recognising their header row (a name, a join-time and a leave-time
column), never by fixed line numbers. A row that looks like a participant header but lacks
one of them is an error naming its line, never a silent skip; exports that are not
participant reports (quality dashboards, unique users, registration or poll reports) are
refused with a message naming the report to download instead. Times are the Zoom account's
local wall-clock time; they are read in ``tz`` and returned as aware UTC datetimes. See
``docs/attendance-reports.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..util.textfiles import DELIMITERS, TextFileError, decode_upload, sniff_delimiter
from .intervals import attended_seconds, merge_intervals
from .zoom_headers import (
    EMPTY_MARKERS,
    NO,
    SUMMARY_WORDS,
    TOPIC_WORDS,
    YES,
    Header,
    filled_width,
    norm,
    other_report,
    read_header,
    section_title,
)
from .zoom_times import FORMATS_HINT, DateOrder, resolve_zone, split_time, to_utc

__all__ = [
    "ReportFormatError",
    "ReportRow",
    "ReportSection",
    "SkippedRow",
    "ZoomReport",
    "attended_seconds",
    "merge_intervals",
    "parse_zoom_report",
]



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
    registrant_id: str | None = None  # Zoom's registrant id (reports pulled through the API)


@dataclass(frozen=True)
class SkippedRow:
    """A row of a participant table that is not an attended connection."""

    line: int
    name: str
    email: str | None
    reason: str


@dataclass(frozen=True)
class ReportSection:
    """One participant table of the file: where its header is and how many rows it gave."""

    section: str
    line: int
    rows: int
    skipped: int


@dataclass
class ZoomReport:
    kind: str  # "meeting" or "webinar"
    topic: str | None
    rows: list[ReportRow]
    skipped: list[SkippedRow]
    sections: list[ReportSection] = field(default_factory=list)


EXPECTED_COLUMNS = (
    "Kolom yang diharapkan: nama (\"Name (Original Name)\", \"User Name (Original Name)\", "
    "atau \"First Name\" dan \"Last Name\"), email (\"User Email\" atau \"Email\"), "
    "\"Join Time\" dan \"Leave Time\" (juga dalam bahasa antarmuka Zoom lain, mis. "
    "\"Waktu Bergabung\"/\"Waktu Keluar\"); \"Duration (Minutes)\"/\"Time in Session "
    "(minutes)\" dan \"Attended\" dipakai bila ada."
)
_WHAT_TO_UPLOAD = (
    "Unggah laporan \"Participants\" rapat Zoom atau \"Attendee Report\" webinar Zoom "
    "dalam format CSV."
)
_FAMILY_LABEL = {
    "name": "nama (Name (Original Name) / User Name / First Name + Last Name)",
    "join": "Join Time",
    "leave": "Leave Time",
}


# --------------------------------------------------------------------------- reading

def _decode(data: bytes) -> str:
    try:
        return decode_upload(data).text
    except TextFileError as err:
        if err.reason == "binary":
            raise ReportFormatError(
                "Berkas ini bukan berkas teks CSV (mungkin file Excel/PDF atau rusak). "
                f"{_WHAT_TO_UPLOAD} {EXPECTED_COLUMNS}"
            ) from None
        raise ReportFormatError(
            "berkas bukan teks yang dapat dibaca (UTF-8, UTF-16 atau Windows-1252). "
            "Unduh ulang laporan dari Zoom tanpa membukanya di aplikasi lain.", err.line,
        ) from None


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
    header: Header
    section: str | None
    index: int  # which participant table of the file


@dataclass
class _Layout:
    tables: list[_TableRow]
    headers: list[tuple[Header, str | None]]
    topic: str | None
    webinar: bool
    near_miss: Header | None  # a header-like row lacking a required column
    title_lines: list[str]
    other_headers: list[list[str]]


def _cell(cells: Sequence[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return cells[index].strip()


def _continues(cells: list[str], header: Header) -> bool:
    """A row after a blank line that still belongs to the table above it."""
    if filled_width(cells) != header.width:
        return False
    for family in ("join", "leave"):
        raw = _cell(cells, header.columns.get(family))
        if raw is None:
            return False
        if raw.lower() not in EMPTY_MARKERS and split_time(raw) is None:
            return False
    return True


def _layout(rows: list[tuple[int, list[str]]]) -> _Layout:
    tables: list[_TableRow] = []
    headers: list[tuple[Header, str | None]] = []
    header: Header | None = None
    after_blank: Header | None = None
    section: str | None = None
    topic: str | None = None
    pending_topic: int | None = None
    webinar = False
    near_miss: Header | None = None
    title_lines: list[str] = []
    other_headers: list[list[str]] = []
    first = True

    for line, cells in rows:
        filled = [c.strip() for c in cells if c.strip()]
        if not filled:
            if header is not None:
                after_blank = header
            header = None  # a blank line ends a table, unless the rows go on after it
            continue
        if first:
            first = False
            if norm(filled[0]).startswith(("attendee report", "webinar", "laporan peserta")):
                webinar = True
        if len(filled) == 1 and (title := section_title(filled[0])):
            section = title
            webinar = True
            header = after_blank = None
            continue
        found = read_header(line, cells)
        if found is not None and not found.missing:
            header, after_blank = found, None
            headers.append((found, section))
            if "attended" in found.columns:
                webinar = True
            pending_topic = None
            continue
        if found is not None:
            if near_miss is None:
                near_miss = found
            other_headers.append(cells)
            header = after_blank = None
            continue
        if header is None and after_blank is not None and _continues(cells, after_blank):
            header = after_blank
            after_blank = None
        if header is not None:
            tables.append(_TableRow(line=line, cells=cells, header=header, section=section,
                                    index=len(headers) - 1))
            continue
        after_blank = None

        # Outside a table: title lines and summary blocks.
        if len(filled) <= 2:
            title_lines.append(" ".join(filled))
        normed = [norm(c) for c in cells]
        if any(c in SUMMARY_WORDS for c in normed) or len(filled) > 2:
            other_headers.append(cells)
        if "webinar id" in normed or "id webinar" in normed:
            webinar = True
        if topic is None and pending_topic is not None:
            if pending_topic < len(cells) and cells[pending_topic].strip():
                topic = cells[pending_topic].strip()
            pending_topic = None
        if topic is None:
            for index, cell in enumerate(normed):
                if cell in TOPIC_WORDS:
                    value = cells[index + 1].strip() if index + 1 < len(cells) else ""
                    if len(filled) == 2 and value:
                        topic = value  # vertical "Topic:,<value>"
                    else:
                        pending_topic = index  # horizontal header, value on the next line
                    break

    return _Layout(tables=tables, headers=headers, topic=topic, webinar=webinar,
                   near_miss=near_miss, title_lines=title_lines, other_headers=other_headers)


def _near_miss_error(header: Header, other: str | None) -> ReportFormatError:
    missing = " dan ".join(_FAMILY_LABEL[f] for f in header.missing)
    if other:
        return ReportFormatError(f"{other} {EXPECTED_COLUMNS}", header.line)
    return ReportFormatError(
        f"baris ini tampak seperti header tabel peserta, tetapi kolom {missing} tidak ada; "
        f"tabel di bawahnya tidak dapat dibaca. {EXPECTED_COLUMNS}",
        header.line,
    )


def _no_table_error(layout: _Layout | None, empty: bool = False) -> ReportFormatError:
    if empty:
        return ReportFormatError(f"Berkas kosong. {_WHAT_TO_UPLOAD} {EXPECTED_COLUMNS}")
    if layout is not None:
        other = other_report(layout.title_lines, layout.other_headers)
        if layout.near_miss is not None:
            return _near_miss_error(layout.near_miss, other)
        if other:
            return ReportFormatError(f"{other} {EXPECTED_COLUMNS}")
    return ReportFormatError(
        f"Tidak ditemukan tabel peserta Zoom dalam berkas. {_WHAT_TO_UPLOAD} {EXPECTED_COLUMNS}"
    )


# --------------------------------------------------------------------------- rows

def _email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    return None if value in EMPTY_MARKERS else value


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
            if not raw or raw.lower() in EMPTY_MARKERS:
                continue
            parts = split_time(raw)
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


def _name(row: _TableRow) -> str:
    header = row.header
    if header.first_last is not None:
        first = _cell(row.cells, header.first_last[0]) or ""
        last = _cell(row.cells, header.first_last[1]) or ""
        return " ".join(part for part in (first, last) if part and part not in EMPTY_MARKERS)
    return _cell(row.cells, header.columns["name"]) or ""


def _build_row(row: _TableRow, webinar: bool, order: DateOrder, zone: tzinfo
               ) -> ReportRow | SkippedRow:
    cells, columns, line = row.cells, row.header.columns, row.line
    name = _name(row)
    email = _email(_cell(cells, columns.get("email")))
    section = (row.section or "attendee") if webinar else "participants"

    join_raw = _cell(cells, columns["join"])
    leave_raw = _cell(cells, columns["leave"])
    width = filled_width(cells)
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
    if attended is not None and attended.lower() in NO:
        return SkippedRow(line, name, email, f"tidak hadir (Attended = {attended})")
    waiting = _cell(cells, columns.get("waiting"))
    if waiting is not None and waiting.lower() in YES:
        return SkippedRow(line, name, email, f"di ruang tunggu (In Waiting Room = {waiting})")
    if join_raw.lower() in EMPTY_MARKERS or leave_raw.lower() in EMPTY_MARKERS:
        shown = join_raw if join_raw.lower() in EMPTY_MARKERS else leave_raw
        return SkippedRow(
            line, name, email, f"tidak ada waktu masuk/keluar ('{shown or ''}')"
        )

    times: list[datetime] = []
    for label, raw in (("waktu masuk", join_raw), ("waktu keluar", leave_raw)):
        parts = split_time(raw)
        value = to_utc(parts, order, zone) if parts is not None else None
        if value is None:
            raise ReportFormatError(
                f"{label} '{_short(raw)}' tidak dikenali.{mismatch} {FORMATS_HINT}", line,
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
    """Parse a Zoom meeting Participants report, usage export or webinar Attendee Report.

    ``tz`` is the Zoom account's time zone (IANA name, or WIB/WITA/WIT); the file's
    wall-clock times are read in it and returned in UTC. ``date_order`` forces how a numeric
    ``a/b/yyyy`` date is read ("mdy" or "dmy"); by default it is detected per file.
    Raises :class:`ReportFormatError` for anything that is not a readable report.
    """
    zone = resolve_zone(tz)
    if not data or not data.strip():
        raise _no_table_error(None, empty=True)
    text = _decode(data)
    if not text.strip():
        raise _no_table_error(None, empty=True)

    sniffed = sniff_delimiter(text)
    layout: _Layout | None = None
    first_layout: _Layout | None = None
    for delimiter in (sniffed, *(d for d in DELIMITERS if d != sniffed)):
        candidate = _layout(_read_rows(text, delimiter))
        if first_layout is None:
            first_layout = candidate
        if candidate.headers:
            layout = candidate
            break
    if layout is None:
        raise _no_table_error(first_layout)
    # Quality dashboards carry Join/Leave Time too: refuse them even though a table was found.
    for header, _title in layout.headers:
        quality = other_report([], [list(header.cells)])
        if quality and "Dashboard" in quality:
            raise ReportFormatError(f"{quality} {EXPECTED_COLUMNS}", header.line)
    if layout.near_miss is not None:
        raise _near_miss_error(layout.near_miss, None)

    order = date_order or _detect_order(layout.tables)
    rows: list[ReportRow] = []
    skipped: list[SkippedRow] = []
    counts: dict[int, list[int]] = {i: [0, 0] for i in range(len(layout.headers))}
    for table_row in layout.tables:
        result = _build_row(table_row, layout.webinar, order, zone)
        if isinstance(result, ReportRow):
            rows.append(result)
            counts[table_row.index][0] += 1
        else:
            skipped.append(result)
            counts[table_row.index][1] += 1
    sections = [
        ReportSection(section=((title or "attendee") if layout.webinar else "participants"),
                      line=header.line, rows=counts[i][0], skipped=counts[i][1])
        for i, (header, title) in enumerate(layout.headers)
    ]
    return ZoomReport(
        kind="webinar" if layout.webinar else "meeting",
        topic=layout.topic,
        rows=rows,
        skipped=skipped,
        sections=sections,
    )
