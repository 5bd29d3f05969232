"""Registrant exports (CSV and XLSX), streamed.

Rows come from :func:`~asnbelajar.registrations.registrants.registrants_statement` as plain
tuples fetched in batches (``yield_per``), never as ORM objects: a 20,000-row export keeps a
flat memory profile. The files follow the one spreadsheet policy of
:mod:`asnbelajar.util.spreadsheets` (UTF-8 with a BOM, formula prefixes stripped from CSV
cells, typed XLSX text). In the CSV, the NIP and the WhatsApp number are written grouped
("19850312 201001 1 001", "0812 3456 7890") so a spreadsheet keeps them as text instead of
turning them into numbers; the XLSX keeps them exactly as stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ..accounts.nip import format_nip
from ..episodes.models import Episode
from ..extensions import db
from ..timeutil import to_local
from ..util import spreadsheets

__all__ = [
    "HEADER",
    "export_filename",
    "iter_csv",
    "write_xlsx",
]

EXPORT_ZONE = "Asia/Jakarta"
BATCH = spreadsheets.CSV_BATCH

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


def phone_text(phone: str | None) -> str:
    """A stored WhatsApp number (+62812...) as Indonesians write it, grouped by four
    ("0812 3456 7890"), which a spreadsheet keeps as text."""
    if not phone:
        return ""
    digits = "0" + phone[3:] if phone.startswith("+62") else phone.lstrip("+")
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def iter_csv(stmt) -> Iterator[bytes]:
    """The CSV as byte chunks: BOM and header first, then about BATCH rows per chunk."""
    def rows() -> Iterator[list[Any]]:
        for values in _rows(stmt):
            values[2] = format_nip(values[2]) if values[2] else ""
            values[10] = phone_text(values[10])
            yield values

    return spreadsheets.iter_csv(HEADER, rows(), batch=BATCH)


def write_xlsx(stmt, title: str) -> tuple[IO[bytes], int]:
    """Write the workbook to a temporary file; returns (file positioned at 0, size)."""
    return spreadsheets.write_xlsx(
        HEADER, _rows(stmt), sheet_name="Pendaftar", title=title,
        column_widths=COLUMN_WIDTHS, freeze="C2", datetime_format="dd/mm/yyyy hh:mm")
