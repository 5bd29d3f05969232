"""What an import is made of: recognized columns, rows with their errors and outcome,
the plan of the whole file and its result, and the errors an import raises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from ...errors import ValidationError

MAX_ROWS = 10_000
IN_CHUNK = 5000  # values per IN (...) list, below every driver's parameter limit

# Header names (normalized: lower case, non-alphanumerics as "_") → field.
COLUMN_ALIASES: dict[str, str] = {
    "nip": "nip", "ni_pppk": "nip", "nip_ni_pppk": "nip",
    "nama": "full_name", "nama_lengkap": "full_name", "full_name": "full_name",
    "name": "full_name", "nama_peserta": "full_name",
    "email": "email", "e_mail": "email", "alamat_email": "email", "surel": "email",
    "jenis_pegawai": "employee_type", "employee_type": "employee_type",
    "instansi": "instansi", "nama_instansi": "instansi", "agency": "instansi",
    "unit_kerja": "unit_kerja", "unit": "unit_kerja",
    "jabatan": "jabatan", "position": "jabatan",
    "pangkat_golongan": "pangkat_golongan", "pangkat_gol": "pangkat_golongan",
    "pangkat": "pangkat_golongan", "golongan": "pangkat_golongan", "rank": "pangkat_golongan",
    "provinsi": "province", "province": "province",
    "whatsapp": "phone", "no_whatsapp": "phone", "nomor_whatsapp": "phone", "no_wa": "phone",
    "wa": "phone", "phone": "phone", "telepon": "phone", "no_hp": "phone", "nomor_hp": "phone",
}
FIELDS = ("nip", "full_name", "email", "employee_type", "instansi", "unit_kerja", "jabatan",
          "pangkat_golongan", "province", "phone")
REQUIRED_COLUMNS = ("email", "full_name")
FIELD_LABELS = {
    "nip": _l("NIP"), "full_name": _l("Nama"), "email": _l("Email"),
    "employee_type": _l("Jenis pegawai"), "instansi": _l("Instansi"),
    "unit_kerja": _l("Unit kerja"), "jabatan": _l("Jabatan"),
    "pangkat_golongan": _l("Pangkat/golongan"), "province": _l("Provinsi"),
    "phone": _l("WhatsApp"), "file": _l("Berkas"),
}
LIMITS = {"full_name": 200, "instansi": 200, "unit_kerja": 200, "jabatan": 200,
          "pangkat_golongan": 60}
EMPLOYEE_TYPES = {"pns": "pns", "pppk": "pppk", "p3k": "pppk", "non_asn": "non_asn",
                  "nonasn": "non_asn", "non-asn": "non_asn", "non asn": "non_asn",
                  "umum": "non_asn"}
# Actions of a valid row.
NEW, REGISTER, UNCHANGED = "new", "register", "unchanged"


class ImportFileError(ValidationError):
    """The upload is not a table we can read (wrong type, encoding, header, size)."""

    code = "bad_import_file"

    def __init__(self, message):
        super().__init__(message, field="file")


class ImportRejected(ValidationError):
    """Confirmation refused: some rows have errors (the plan says which)."""

    code = "import_has_errors"

    def __init__(self, plan: ImportPlan):
        super().__init__(_l("Impor dibatalkan: %(n)d baris bermasalah. Tidak ada data yang "
                            "diubah.", n=plan.error_rows))
        self.plan = plan


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    action: str | None = None  # NEW, REGISTER, UNCHANGED (None when the row has errors)
    outcome: str | None = None  # "registered" or "waitlisted" (what the import does)
    current_status: str | None = None  # the existing registration's status, if any
    user_id: int | None = None
    registration_id: int | None = None  # a cancelled registration to revive
    email: str | None = None
    nip: str | None = None
    profile: dict[str, Any] | None = None  # normalized profile columns for a new account

    def error(self, field_name: str, message) -> None:
        self.errors.append((field_name, str(message)))

    def has_error(self, field_name: str) -> bool:
        return any(f == field_name for f, _m in self.errors)


@dataclass
class ImportPlan:
    filename: str
    rows: list[ImportRow]
    ignored_columns: list[str]
    capacity_left: int | None

    @property
    def error_rows(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        """(line, field label, message) for every problem, in file order."""
        return [(row.line, str(FIELD_LABELS.get(f, f)), m)
                for row in self.rows for f, m in row.errors]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def outcome_count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    accounts_created: int
    registered: int
    waitlisted: int
    unchanged: int


def chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    """``values`` in slices short enough for one IN (...) list."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
