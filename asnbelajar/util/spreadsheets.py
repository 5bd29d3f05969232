"""CSV and XLSX files for people to open in a spreadsheet: the one place for the rules.

* **Encoding.** CSV is UTF-8 with a byte-order mark, so Excel reads the names right, and
  CRLF line ends.
* **Formula safety** (CSV injection, as Indico's ``util/spreadsheets.py``): a text cell
  never starts with ``= + - @`` (those are stripped) and holds no tab, carriage return,
  line break or other control character (each becomes a space, so nothing starts with
  one either). Numbers pass untouched: ``-2`` JP is a value, not a formula. Values a
  spreadsheet would mangle (18-digit NIPs, phone numbers with a leading ``0``) are
  written by the caller in a grouped form that stays text ("19850312 201001 1 001").
* **XLSX cells are typed**: text is stored as a string cell whatever it starts with, so
  nothing can become a formula and the text is kept exactly (a phone keeps its ``+``).
* **Reading XLSX safely.** :func:`check_xlsx` runs before openpyxl sees an uploaded
  file: a ZIP that is not one, too many members, a member or a total that would inflate
  past ``XLSX_MAX_ENTRY_BYTES`` / ``XLSX_MAX_TOTAL_BYTES`` (read from the ZIP directory,
  then enforced while inflating, since the directory can lie), or an XML part with a
  DTD (``<!DOCTYPE``/``<!ENTITY``: entity expansion, external entities) is refused with
  :class:`UnsafeSpreadsheet` before anything is parsed. openpyxl itself parses through
  defusedxml (installed with the app), a second guard.
* **Streaming.** :func:`iter_csv` yields byte chunks of about ``batch`` rows;
  :func:`write_xlsx` writes openpyxl's write-only workbook to a spooled temporary file
  sent by :func:`iter_file`. Neither holds every row in memory.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = [
    "BOM",
    "CSV_MIMETYPE",
    "UnsafeSpreadsheet",
    "XLSX_MIMETYPE",
    "attachment",
    "check_xlsx",
    "csv_bytes",
    "iter_csv",
    "iter_file",
    "safe_cell",
    "write_xlsx",
]

BOM = "\ufeff"
# Werkzeug adds "; charset=utf-8" to a text/* mimetype itself: naming it here sent it twice.
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_BATCH = 1000
CHUNK_BYTES = 64 * 1024
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0A3D6B")

# Leading characters a spreadsheet would start a formula with (whitespace too, so that
# " =cmd" cannot hide one behind a space).
_FORMULA_PREFIX = re.compile(r"^[=+\-@\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


# An XLSX of 20,000 registrants has parts of a few MB; these leave a wide margin while
# keeping what openpyxl holds in memory (it keeps the shared strings) far below 1 GB.
XLSX_MAX_MEMBERS = 500
XLSX_MAX_ENTRY_BYTES = 32 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 96 * 1024 * 1024
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeSpreadsheet(ValueError):
    """An uploaded XLSX refused before parsing; ``str()`` is a message for people."""


def check_xlsx(data: bytes, *, max_entry: int = XLSX_MAX_ENTRY_BYTES,
               max_total: int = XLSX_MAX_TOTAL_BYTES) -> None:
    """Raise :class:`UnsafeSpreadsheet` unless ``data`` is a ZIP whose parts stay small
    when inflated and whose XML carries no DTD. Inflates each XML part once, in chunks,
    counting as it goes (never more than ``max_entry`` bytes of one part in memory)."""
    from flask_babel import lazy_gettext as _l

    unreadable = _l("Berkas XLSX tidak dapat dibaca (rusak atau bukan lembar kerja Excel).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UnsafeSpreadsheet(str(unreadable)) from None
    too_big = _l("Berkas XLSX terlalu besar setelah dibuka (maksimal %(mb)d MB per bagian, "
                 "%(total)d MB seluruhnya).", mb=max_entry // 2**20, total=max_total // 2**20)
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise UnsafeSpreadsheet(str(unreadable))
        if any(m.file_size > max_entry for m in members) or \
                sum(m.file_size for m in members) > max_total:
            raise UnsafeSpreadsheet(str(too_big))
        total = 0
        for member in members:
            if member.is_dir():
                continue
            xml = member.filename.lower().endswith((".xml", ".rels", ".vml"))
            try:
                with archive.open(member) as part:
                    size, tail = 0, b""
                    while chunk := part.read(CHUNK_BYTES):
                        size += len(chunk)
                        total += len(chunk)
                        if size > max_entry or total > max_total:
                            raise UnsafeSpreadsheet(str(too_big))
                        if xml and _DTD.search(tail + chunk):
                            raise UnsafeSpreadsheet(str(_l(
                                "Berkas XLSX memuat definisi dokumen (DTD) yang tidak "
                                "diizinkan. Simpan ulang dari Excel lalu unggah lagi.")))
                        tail = chunk[-16:]
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                    RuntimeError) as err:
                if isinstance(err, UnsafeSpreadsheet):
                    raise
                raise UnsafeSpreadsheet(str(unreadable)) from None


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text and never evaluates.

    ``None`` becomes ``""``; numbers pass as they are; dates become ISO text; any other
    value is text whose control characters (tab, CR, LF, ...) become one space and whose
    leading ``= + - @`` (and spaces) are dropped.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = _CONTROL.sub(" ", str(value))
    return _FORMULA_PREFIX.sub("", text).strip()


def _writer(buffer: io.StringIO):
    return csv.writer(buffer, lineterminator="\r\n")


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """A small CSV file in memory (BOM first, every cell through :func:`safe_cell`)."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def iter_csv(header: Sequence[str] | None, rows: Iterable[Sequence[Any]], *,
             batch: int = CSV_BATCH) -> Iterator[bytes]:
    """A CSV file as byte chunks: the BOM and header first, then about ``batch`` rows per
    chunk. ``rows`` may be a lazy iterator (a ``yield_per`` result)."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    if header is not None:
        writer.writerow([safe_cell(name) for name in header])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value: Any, datetime_format: str) -> Any:
    if value is None or value == "":
        return None  # left out of the sheet, which is what keeps openpyxl fast
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        # Typed as text: openpyxl would otherwise store "=..." as a formula.
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = datetime_format
        return cell
    return value


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_name: str,
               title: str = "", column_widths: Sequence[int] | None = None,
               freeze: str = "A2", datetime_format: str = "dd/mm/yyyy hh:mm",
               creator: str = "ASN Belajar") -> tuple[IO[bytes], int]:
    """Write one sheet (bold header, filter, frozen panes) to a temporary file.

    Returns the file positioned at 0 and its size; send it with :func:`iter_file`, which
    closes it. Datetimes must be naive local times (spreadsheets have no time zones).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    for index, width in enumerate(column_widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, datetime_format) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count + 1}"
    workbook.properties.title = title[:250]
    workbook.properties.creator = creator
    # Closed by iter_file once sent (or here on error), hence no "with".
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    try:
        workbook.save(spool)
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)
    return spool, size


def iter_file(handle: IO[bytes]) -> Iterator[bytes]:
    """Send a temporary file in chunks and close (delete) it at the end."""
    try:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition header that makes a browser save ``filename``."""
    safe = re.sub(r'[^A-Za-z0-9._-]+', "-", filename).strip("-") or "unduhan"
    return {"Content-Disposition": f'attachment; filename="{safe}"'}
