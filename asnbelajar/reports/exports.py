"""Training-rate table as CSV or XLSX (the one spreadsheet policy of ``util.spreadsheets``:
BOM, formula prefixes stripped, typed XLSX cells)."""

from __future__ import annotations

from typing import Any

from flask import Response

from ..util.spreadsheets import (
    CSV_MIMETYPE,
    XLSX_MIMETYPE,
    attachment,
    iter_csv,
    iter_file,
    write_xlsx,
)

# The label says where the hours come from: JP recorded on this platform, not every
# training an ASN took in the year.
HEADER = ("Instansi", "Provinsi instansi", "Peserta ASN",
          "Mencapai target JP (JP di platform ini)", "Training rate (peserta)",
          "Jumlah ASN instansi", "Training rate (jumlah ASN)")
WIDTHS = (48, 24, 13, 22, 16, 16, 18)


def _rows(rows: list[dict[str, Any]]):
    for r in rows:
        yield [r["instansi"], r["province"], r["participants"], r["reached_target"],
               r["rate"], r["headcount"], r["headcount_rate"]]


def training_rate_response(rows: list[dict[str, Any]], year: int, province: str | None,
                           fmt: str) -> Response:
    stem = f"training-rate-{year}" + (f"-{province}" if province else "")
    if fmt == "csv":
        return Response(iter_csv(HEADER, _rows(rows)), mimetype=CSV_MIMETYPE,
                        headers=attachment(stem + ".csv"))
    handle, size = write_xlsx(
        HEADER, _rows(rows), sheet_name=f"Training rate {year}",
        title=f"Training rate {year} (JP di platform ini)", column_widths=WIDTHS)
    return Response(iter_file(handle), mimetype=XLSX_MIMETYPE,
                    headers={**attachment(stem + ".xlsx"), "Content-Length": str(size)})
