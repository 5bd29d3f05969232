"""Registrant exports (CSV and XLSX), streamed.

Rows come from :func:`~asnbelajar.registrations.services.registrants_statement` as plain
tuples fetched in batches (``yield_per``), never as ORM objects: a 20,000-row export keeps a
flat memory profile. CSV is UTF-8 with a BOM (so Excel detects the encoding) and every text
cell that a spreadsheet would read as a formula is prefixed with a quote (CSV injection).
XLSX is written by openpyxl's write-only workbook into a temporary file that is then sent
in chunks.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from ..accounts.nip import format_nip
from ..episodes.models import Episode
from ..extensions import db
from ..timeutil import now_utc, to_local

__all__ = [
    "CSV_MIMETYPE",
    "HEADER",
    "XLSX_MIMETYPE",
    "export_filename",
    "iter_csv",
    "iter_file",
    "neutralize",
    "write_xlsx",
]

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ZONE = "Asia/Jakarta"
BATCH = 1000
CHUNK_BYTES = 64 * 1024

HEADER = (
    "No", "Nama", "NIP", "Jenis pegawai", "Email", "Instansi", "Unit kerja", "Jabatan",
    "Pangkat/golongan", "Provinsi", "WhatsApp", "Status", "Posisi tunggu",
    "Terdaftar pada (WIB)", "Sumber", "Presensi", "Hadir", "Nomor sertifikat",
)
COLUMN_WIDTHS = (7, 32, 22, 13, 32, 40, 28, 28, 16, 22, 17, 14, 13, 19, 11, 10, 8, 30)

STATUS_LABELS = {"registered": "Terdaftar", "waitlisted": "Daftar tunggu",
                 "cancelled": "Dibatalkan"}
SOURCE_LABELS = {"web": "Web", "api": "API", "walk_in": "Walk-in", "import": "Impor",
                 "organizer": "Panitia"}
EMPLOYEE_LABELS = {"pns": "PNS", "pppk": "PPPK", "non_asn": "Non-ASN"}
# A spreadsheet evaluates a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Prefix text that a spreadsheet would evaluate (``=cmd|…``, ``+62…``) with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_filename(episode: Episode, ext: str) -> str:
    return f"registran-seri-{episode.number}-{episode.year}.{ext}"


def _values(number: int, row) -> list[Any]:
    """One export row; the registration time stays a (local, naive) datetime."""
    attended = "" if row.attended is None else ("Ya" if row.attended else "Tidak")
    registered_at = to_local(row.created_at, EXPORT_ZONE).replace(tzinfo=None)
    return [
        number, row.full_name, row.nip or "",
        EMPLOYEE_LABELS.get(row.employee_type or "", row.employee_type or ""),
        row.email, row.instansi or "", row.unit_kerja or "", row.jabatan or "",
        row.pangkat_golongan or "", row.province or "", row.phone or "",
        STATUS_LABELS.get(row.status, row.status), row.position or "", registered_at,
        SOURCE_LABELS.get(row.source, row.source), row.checkins or 0, attended,
        row.certificate_number or "",
    ]


def _rows(stmt) -> Iterator[list[Any]]:
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    try:
        for number, row in enumerate(result, start=1):
            yield _values(number, row)
    finally:
        result.close()


def iter_csv(stmt) -> Iterator[bytes]:
    """The CSV as byte chunks: BOM and header first, then about BATCH rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for values in _rows(stmt):
        # The NIP is grouped with spaces ("19850312 201001 1 001") so a spreadsheet keeps it
        # as text instead of turning 18 digits into 1.98503E+17 (XLSX cells are typed text).
        values[2] = format_nip(values[2]) if values[2] else ""
        values[13] = values[13].strftime("%Y-%m-%d %H:%M")
        writer.writerow([neutralize(v) for v in values])
        pending += 1
        if pending >= BATCH:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode()


def write_xlsx(stmt, title: str) -> tuple[IO[bytes], int]:
    """Write the workbook to a temporary file; returns (file positioned at 0, size)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Pendaftar")
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="0A3D6B")
    header = []
    for name in HEADER:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    count = 0
    for values in _rows(stmt):
        when = WriteOnlyCell(sheet, value=values[13])
        when.number_format = "dd/mm/yyyy hh:mm"
        values[13] = when
        # Cells are typed, so only text starting with "=" could become a formula here.
        # Empty cells are left out of the sheet (None), which is what makes openpyxl fast.
        sheet.append([_xlsx_value(v) for v in values])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{count + 1}"
    workbook.properties.title = title[:250]
    workbook.properties.creator = "ASN Belajar"
    workbook.properties.created = now_utc().replace(tzinfo=None)
    # Closed by iter_file once sent (or by the caller on error), hence no "with".
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    try:
        workbook.save(spool)
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)
    return spool, size


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        if not value:
            return None
        if value.startswith("="):
            return "'" + value
    return value


def iter_file(handle: IO[bytes]) -> Iterator[bytes]:
    """Send a temporary file in chunks and close (delete) it at the end."""
    try:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()
