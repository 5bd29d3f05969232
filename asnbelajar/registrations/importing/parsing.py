"""Reading an uploaded CSV or XLSX into rows: file type, header, cells typed by Excel.

Text decoding and delimiter sniffing are the shared ones of :mod:`asnbelajar.util.textfiles`
(the Zoom report reader uses them too).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ...util.spreadsheets import UnsafeSpreadsheet, check_xlsx
from ...util.textfiles import TextFileError, decode_upload, sniff_delimiter
from .rows import (
    COLUMN_ALIASES,
    FIELD_LABELS,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ImportFileError,
    ImportRow,
)


def _header_key(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value or "").strip().lower()).strip("_")


def _decode(data: bytes) -> str:
    try:
        return decode_upload(data).text
    except TextFileError as err:
        if err.reason == "binary":
            raise ImportFileError(
                _l("Isi berkas bukan teks CSV. Unggah berkas CSV atau XLSX.")) from None
        raise ImportFileError(_l(
            "Berkas CSV bukan teks UTF-8, UTF-16 atau Windows-1252 (baris %(line)d). Di "
            "Excel, simpan dengan pilihan \"CSV UTF-8 (Comma delimited)\", atau unggah "
            "berkas XLSX.", line=err.line or 1)) from None


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as err:
        raise ImportFileError(_l("Baris %(line)d: format CSV rusak (%(reason)s).",
                                 line=reader.line_num, reason=str(err))) from None


# What openpyxl raises for a damaged workbook: bad ZIP, missing parts, XML syntax errors
# (SyntaxError covers ElementTree's and lxml's), values it cannot convert.
_XLSX_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError,
                TypeError, SyntaxError, AttributeError, IndexError, EOFError)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        check_xlsx(data)  # sizes once inflated, no DTD: before openpyxl parses anything
    except UnsafeSpreadsheet as err:
        raise ImportFileError(str(err)) from None
    unreadable = _l("Berkas XLSX tidak dapat dibaca (rusak atau bukan lembar kerja Excel).")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS:
        raise ImportFileError(unreadable) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_l("Berkas XLSX tidak berisi lembar kerja."))
        sheet = workbook.worksheets[0]
        rows = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        while True:
            try:  # a sheet's XML is parsed as it is read: broken XML shows up here
                line, values = next(rows)
            except StopIteration:
                break
            except _XLSX_ERRORS:
                raise ImportFileError(unreadable) from None
            yield line, list(values)
    finally:
        workbook.close()


def _cell_text(field_name: str, value: Any) -> tuple[str, str | None]:
    """(text, error) for one cell; numbers typed into Excel need care."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int | float):
        if field_name == "nip":
            # Excel keeps 15 significant digits: an 18-digit NIP typed as a number has
            # already lost its last digits, so it cannot be repaired here.
            return "", str(_l("NIP tersimpan sebagai angka di Excel sehingga digit "
                              "terakhirnya hilang. Format kolom NIP sebagai Teks lalu "
                              "ketik ulang."))
        if isinstance(value, float) and not value.is_integer():
            return str(value), None
        text = str(int(value))
        if field_name == "phone" and text.startswith("8"):
            text = "0" + text  # Excel dropped the leading zero of 0812...
        return text, None
    text = " ".join(str(value).split())
    # A leading apostrophe is how spreadsheets (and our own CSV export) mark text.
    if text.startswith("'"):
        text = text[1:].strip()
    return text, None


def read_table(data: bytes, filename: str) -> tuple[list[ImportRow], list[str]]:
    """Rows (with their line numbers) and the names of ignored columns.

    Raises :class:`ImportFileError` for anything that is not a readable table with a
    header row naming at least the email and name columns.
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data:
        raise ImportFileError(_l("Berkas kosong."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_l("Format Excel lama (.xls) tidak didukung. Simpan sebagai "
                                 ".xlsx atau CSV UTF-8."))
    if data.startswith(b"PK\x03\x04"):
        if ext not in ("xlsx", ""):
            raise ImportFileError(_l("Isi berkas adalah XLSX; beri nama berakhiran .xlsx."))
        records: Iterable[tuple[int, list[Any]]] = _xlsx_rows(data)
    elif ext == "xlsx":
        raise ImportFileError(_l("Isi berkas bukan XLSX yang valid."))
    elif ext in ("csv", "txt", ""):
        records = _csv_rows(data)
    else:
        raise ImportFileError(_l("Jenis berkas tidak didukung. Unggah CSV atau XLSX."))

    columns: list[str | None] | None = None
    ignored: list[str] = []
    rows: list[ImportRow] = []
    for line, record in records:
        if all(value is None or not str(value).strip() for value in record):
            continue  # blank line
        if columns is None:
            columns, ignored = _read_header(line, record)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_l("Berkas berisi lebih dari %(n)d baris data. Bagi menjadi "
                                     "beberapa berkas.", n=MAX_ROWS))
        row = ImportRow(line=line, values={})
        for index, key in enumerate(columns):
            if key is None:
                continue
            text, error = _cell_text(key, record[index] if index < len(record) else None)
            row.values[key] = text
            if error:
                row.error(key, error)
        rows.append(row)
    if columns is None:
        raise ImportFileError(_l("Berkas kosong: tidak ada baris judul kolom."))
    if not rows:
        raise ImportFileError(_l("Berkas hanya berisi judul kolom, tanpa baris data."))
    return rows, ignored


def _read_header(line: int, record: list[Any]) -> tuple[list[str | None], list[str]]:
    columns: list[str | None] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for value in record:
        key = COLUMN_ALIASES.get(_header_key(value))
        if key and key in seen:
            raise ImportFileError(_l("Baris %(line)d: kolom \"%(name)s\" muncul dua kali.",
                                     line=line, name=str(value).strip()))
        if key:
            seen.add(key)
        elif value is not None and str(value).strip() and _header_key(value) != "no":
            ignored.append(str(value).strip())
        columns.append(key)
    missing = [str(FIELD_LABELS[k]).lower() for k in REQUIRED_COLUMNS if k not in seen]
    if missing:
        raise ImportFileError(_l(
            "Baris %(line)d harus berisi judul kolom; kolom wajib tidak ditemukan: "
            "%(missing)s. Kolom yang dikenal: nip, nama, email, jenis_pegawai, instansi, "
            "unit_kerja, jabatan, pangkat_golongan, provinsi, whatsapp.",
            line=line, missing=", ".join(missing)))
    return columns, ignored
