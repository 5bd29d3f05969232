"""Bulk import of registrants from CSV or XLSX: read, validate, preview, apply.

The same :func:`plan_import` serves the preview and the confirmation: it reads the file,
checks every row with the account rules (``parse_nip``, ``check_email``, ``apply_profile``
for province, WhatsApp number and employee type; no rule is written twice), looks up the
existing accounts and registrations in one query each and says, per row, what would
happen. :func:`apply_import` re-plans under the episode's lock and applies everything in the
caller's transaction, or nothing when any row has an error. Re-importing a file changes
nothing: registrants already registered or waitlisted are reported as unchanged.

Between the preview and the confirmation the file is kept under ``uploads/imports/`` with
a random name; the form carries only a signed ticket naming it and its SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import zip_longest
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Instansi, ParticipantProfile, User
from ..accounts.reference import name_key
from ..accounts.services import (
    ProfileData,
    apply_profile,
    check_email,
    find_or_create_instansi,
    make_reset_token,
)
from ..audit.services import record_event
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..notifications.services import queue_email, render_email
from ..timeutil import now_utc, to_db
from ..uploads import path_of, store_bytes, upload_root
from ..util.textfiles import TextFileError, decode_upload, sniff_delimiter
from .models import Registration
from .services import lock_episode, registered_count

MAX_ROWS = 10_000
FOLDER = "imports"
TICKET_SALT = "registrant-import"
TICKET_MAX_AGE = 6 * 3600  # seconds between preview and confirmation
STALE_AFTER = 24 * 3600  # abandoned previews are deleted after a day
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


# Reading the file ----------------------------------------------------------------------

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


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError,
            TypeError):
        raise ImportFileError(_l("Berkas XLSX tidak dapat dibaca (rusak atau bukan "
                                 "lembar kerja Excel).")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_l("Berkas XLSX tidak berisi lembar kerja."))
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
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


# Validation ----------------------------------------------------------------------------

def _check_profile(row: ImportRow) -> None:
    """Validate the profile columns with :func:`apply_profile` itself, on a throwaway
    profile; every failing field is reported (it is blanked and the check repeated)."""
    data = ProfileData(
        nip=None if row.has_error("nip") else row.values.get("nip") or None,
        employee_type=_employee_type(row.values.get("employee_type")),
        instansi=None,  # required for new accounts only (plan_import); never created here
        unit_kerja=row.values.get("unit_kerja"), jabatan=row.values.get("jabatan"),
        pangkat_golongan=row.values.get("pangkat_golongan"),
        province=row.values.get("province"), phone=row.values.get("phone"),
    )
    for _attempt in range(6):
        profile = ParticipantProfile()
        try:
            apply_profile(profile, data)
        except ValidationError as err:
            name = err.field or "nip"
            if not row.has_error(name):
                row.error(name, err.message)
            if name == "nip":
                data.nip = data.employee_type = None
            elif hasattr(data, name):
                setattr(data, name, None)
            else:
                break
            continue
        row.nip = profile.nip
        if not row.errors:
            row.profile = {
                "nip": profile.nip, "employee_type": profile.employee_type,
                "birth_date": profile.birth_date, "gender": profile.gender,
                "unit_kerja": profile.unit_kerja, "jabatan": profile.jabatan,
                "pangkat_golongan": profile.pangkat_golongan, "province": profile.province,
                "phone": profile.phone,
            }
        return


def _employee_type(raw: str | None) -> str | None:
    value = (raw or "").strip().lower()
    if not value:
        return None
    return EMPLOYEE_TYPES.get(value, value)  # unknown values fail in apply_profile


def _validate_row(row: ImportRow) -> None:
    values = row.values
    try:
        row.email = check_email(values.get("email"))
    except ValidationError as err:
        row.error("email", err.message)
    if not values.get("full_name"):
        row.error("full_name", _l("Nama wajib diisi."))
    for name, limit in LIMITS.items():
        if len(values.get(name) or "") > limit:
            row.error(name, _l("Terlalu panjang (maksimal %(n)d karakter).", n=limit))
    _check_profile(row)


def _chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_accounts(emails: list[str], nips: list[str]) -> list:
    """Accounts holding any of these emails or NIPs: one query (per 5,000 of each)."""
    found: dict[int, Any] = {}
    for email_part, nip_part in zip_longest(_chunks(emails), _chunks(nips), fillvalue=[]):
        stmt = (
            select(User.id, User.email, User.role, User.active, User.anonymized_at,
                   ParticipantProfile.nip)
            .outerjoin(ParticipantProfile, ParticipantProfile.user_id == User.id)
            .where(or_(User.email.in_(email_part), ParticipantProfile.nip.in_(nip_part)))
        )
        for row in db.session.execute(stmt):
            found[row.id] = row
    return list(found.values())


def plan_import(episode: Episode, data: bytes, filename: str) -> ImportPlan:
    """Read and check the file and say what importing it would do. Changes nothing."""
    rows, ignored = read_table(data, filename)
    first_email: dict[str, int] = {}
    first_nip: dict[str, int] = {}
    for row in rows:
        _validate_row(row)
        if row.email:
            if row.email in first_email:
                row.error("email", _l("Email yang sama sudah ada di baris %(line)d.",
                                      line=first_email[row.email]))
            else:
                first_email[row.email] = row.line
        if row.nip:
            if row.nip in first_nip:
                row.error("nip", _l("NIP yang sama sudah ada di baris %(line)d.",
                                    line=first_nip[row.nip]))
            else:
                first_nip[row.nip] = row.line

    accounts = _existing_accounts(sorted(first_email), sorted(first_nip))
    by_email = {a.email: a for a in accounts}
    by_nip = {a.nip: a for a in accounts if a.nip}
    for row in rows:
        if row.errors:
            continue
        account = by_email.get(row.email)
        if account is None:
            if row.nip and row.nip in by_nip:
                row.error("nip", _l("NIP ini sudah dipakai akun lain dengan email berbeda "
                                    "(%(email)s).", email=by_nip[row.nip].email))
            elif not row.values.get("instansi"):
                row.error("instansi", _l("Instansi wajib diisi untuk akun baru."))
            else:
                row.action = NEW
            continue
        if account.role != "participant":
            row.error("email", _l("Email ini milik akun panitia atau narasumber, bukan "
                                  "peserta."))
        elif account.anonymized_at is not None or not account.active:
            row.error("email", _l("Akun dengan email ini sudah dihapus atau dinonaktifkan."))
        elif row.nip and account.nip != row.nip:
            if account.nip:
                row.error("nip", _l("Email ini sudah terdaftar dengan NIP lain."))
            else:
                row.error("nip", _l("Akun dengan email ini tidak memiliki NIP; peserta perlu "
                                    "melengkapi NIP di profilnya sendiri."))
        else:
            row.user_id = account.id
            row.action = REGISTER

    user_ids = [row.user_id for row in rows if row.user_id]
    existing: dict[int, tuple[int, str]] = {}
    for part in _chunks(user_ids):
        for reg_id, user_id, status in db.session.execute(
                select(Registration.id, Registration.user_id, Registration.status)
                .where(Registration.episode_id == episode.id,
                       Registration.user_id.in_(part))):
            existing[user_id] = (reg_id, status)
    for row in rows:
        if row.action == REGISTER and row.user_id in existing:
            reg_id, status = existing[row.user_id]
            if status == "cancelled":
                row.registration_id = reg_id
            else:
                row.action, row.current_status = UNCHANGED, status

    left = None
    if episode.capacity is not None:
        # People already waiting keep their turn: imported rows only take places nobody
        # on the waiting list is owed.
        waiting = db.session.scalar(
            select(func.count()).select_from(Registration)
            .where(Registration.episode_id == episode.id, Registration.status == "waitlisted"))
        left = max(episode.capacity - registered_count(episode.id) - (waiting or 0), 0)
    free = left
    for row in rows:
        if row.action in (NEW, REGISTER):
            if free is None or free > 0:
                row.outcome = "registered"
                free = None if free is None else free - 1
            else:
                row.outcome = "waitlisted"
    return ImportPlan(filename=filename, rows=rows, ignored_columns=ignored,
                      capacity_left=left)


def check_importable(episode: Episode) -> None:
    """Organizers may import outside the registration window, not into a closed episode."""
    if episode.status != "published":
        raise Conflict(_l("Impor hanya untuk episode yang sudah terbit dan tidak dibatalkan."),
                       code="not_open")
    if episode.has_ended():
        raise Conflict(_l("Episode sudah berakhir; pendaftar tidak dapat diimpor lagi."),
                       code="ended")


# Applying ------------------------------------------------------------------------------

@dataclass
class _Invitee:
    """What the invitation email and the reset token need of a new account."""

    id: int
    email: str
    full_name: str
    password_hash: str | None = None


def _instansi_ids(names: set[str]) -> dict[str, tuple[int, str]]:
    """name_key → (id, reference spelling), creating agencies not yet known."""
    keys = {name_key(n): n for n in names}
    found: dict[str, tuple[int, str]] = {}
    for part in _chunks(sorted(keys)):
        for id_, key, name in db.session.execute(
                select(Instansi.id, Instansi.name_key, Instansi.name)
                .where(Instansi.name_key.in_(part))):
            found[key] = (id_, name)
    for key, name in keys.items():
        if key not in found:
            instansi = find_or_create_instansi(name)
            db.session.flush()
            found[key] = (instansi.id, instansi.name)
    return found


def apply_import(episode_id: int, data: bytes, filename: str, actor_id: int | None,
                 *, ip: str | None = None) -> ImportResult:
    """Apply the whole file or nothing (the caller commits; raises ImportRejected)."""
    episode = lock_episode(episode_id)
    check_importable(episode)
    plan = plan_import(episode, data, filename)
    if plan.has_errors:
        raise ImportRejected(plan)
    now = to_db(now_utc())
    todo = [row for row in plan.rows if row.action in (NEW, REGISTER)]
    new_rows = [row for row in todo if row.action == NEW]

    invitees: dict[int, _Invitee] = {}
    if new_rows:
        agencies = _instansi_ids({row.values["instansi"] for row in new_rows})
        try:
            created = db.session.execute(
                insert(User).returning(User.id, User.email, sort_by_parameter_order=True),
                [{"email": row.email, "full_name": row.values["full_name"],
                  "role": "participant", "password_hash": None, "active": True,
                  "locale": "id", "timezone": "Asia/Jakarta", "created_at": now}
                 for row in new_rows],
            ).all()
        except IntegrityError:
            raise Conflict(_l("Sebagian email baru saja didaftarkan orang lain. Unggah ulang "
                              "berkas untuk melihat pratinjau terbaru."),
                           code="import_race") from None
        for row, (user_id, email) in zip(new_rows, created, strict=True):
            row.user_id = user_id
            invitees[user_id] = _Invitee(user_id, email, row.values["full_name"])
        profiles = []
        for row in new_rows:
            agency_id, agency_name = agencies[name_key(row.values["instansi"])]
            profiles.append({**row.profile, "user_id": row.user_id, "instansi_id": agency_id,
                             "instansi_name": agency_name, "anonymized": False,
                             "updated_at": now})
        try:
            db.session.execute(insert(ParticipantProfile), profiles)
        except IntegrityError:
            raise Conflict(_l("Sebagian NIP baru saja didaftarkan orang lain. Unggah ulang "
                              "berkas untuk melihat pratinjau terbaru."),
                           code="import_race") from None

    # Queue order follows the file: each row one microsecond after the previous one.
    stamps = {row.line: now + timedelta(microseconds=index) for index, row in enumerate(todo)}
    inserts = [row for row in todo if row.registration_id is None]
    revived = [row for row in todo if row.registration_id is not None]
    if inserts:
        made = db.session.execute(
            insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
            [{"episode_id": episode.id, "user_id": row.user_id, "status": row.outcome,
              "source": "import", "created_at": stamps[row.line],
              "queued_at": stamps[row.line]} for row in inserts],
        ).scalars().all()
        for row, reg_id in zip(inserts, made, strict=True):
            row.registration_id = reg_id
    if revived:
        db.session.execute(update(Registration), [
            {"id": row.registration_id, "status": row.outcome, "source": "import",
             "queued_at": stamps[row.line], "cancelled_at": None} for row in revived])

    _notify(episode, todo, invitees, stamps)
    result = ImportResult(rows=len(plan.rows), accounts_created=len(new_rows),
                          registered=sum(1 for r in todo if r.outcome == "registered"),
                          waitlisted=sum(1 for r in todo if r.outcome == "waitlisted"),
                          unchanged=plan.count(UNCHANGED))
    record_event(actor_id, "registrants.import", "episode", episode.id, after={
        "file": filename, "sha256": hashlib.sha256(data).hexdigest(), "rows": result.rows,
        "accounts_created": result.accounts_created, "registered": result.registered,
        "waitlisted": result.waitlisted, "unchanged": result.unchanged}, ip=ip)
    db.session.flush()
    return result


def _notify(episode: Episode, rows: list[ImportRow], invitees: dict[int, _Invitee],
            stamps: dict) -> None:
    """Invitations for new accounts (set a password), confirmations for the others.

    Dedupe keys follow :func:`~asnbelajar.registrations.services.register`'s, so nobody
    gets the same confirmation twice.
    """
    config = current_app.config
    minutes = int(config["PASSWORD_RESET_MAX_AGE"]) // 60
    ics = ics_attachment(episode)
    positions = _waitlist_positions(episode) if any(
        row.outcome == "waitlisted" for row in rows) else {}
    users: dict[int, _Invitee] = {}
    others = [row.user_id for row in rows if row.user_id not in invitees]
    for part in _chunks(others):
        for user_id, email, full_name in db.session.execute(
                select(User.id, User.email, User.full_name).where(User.id.in_(part))):
            users[user_id] = _Invitee(user_id, email, full_name)
    for row in rows:
        position = positions.get(row.registration_id)
        attachments = [ics] if row.outcome == "registered" else []
        if row.user_id in invitees:
            user = invitees[row.user_id]
            link = f"{config['BASE_URL']}/reset-password/{make_reset_token(user)}"
            subject, text, html = render_email(
                "account_invited", user=user, episode=episode, link=link, minutes=minutes,
                status=row.outcome, position=position,
                forgot_url=f"{config['BASE_URL']}/forgot-password")
            queue_email(f"account_invited:{user.id}:{episode.id}", user.email, subject, text,
                        html, attachments)
            continue
        user = users[row.user_id]
        template = ("registration_confirmed" if row.outcome == "registered"
                    else "registration_waitlisted")
        subject, text, html = render_email(template, user=user, episode=episode,
                                           position=position)
        queue_email(f"{template}:{row.registration_id}:{stamps[row.line].isoformat()}",
                    user.email, subject, text, html, attachments)


def _waitlist_positions(episode: Episode) -> dict[int, int]:
    """registration id → place on the waiting list, for the whole list in one query."""
    return dict(db.session.execute(
        select(Registration.id,
               func.row_number().over(order_by=(Registration.queued_at, Registration.id)))
        .where(Registration.episode_id == episode.id, Registration.status == "waitlisted")
    ).all())


# Keeping the upload between preview and confirmation ------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TICKET_SALT)


_STORED_NAME = re.compile(rf"{FOLDER}/[0-9a-f]{{32}}\.(csv|xlsx)")


def stash_upload(data: bytes, filename: str, *, episode_id: int, user_id: int) -> str:
    """Store the upload under a random name; return a signed ticket for the confirm form."""
    _prune_stale()
    ext = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    if ext == "xlsx" else "text/csv")
    stored = store_bytes(data, folder=FOLDER, original_name=filename,
                         content_type=content_type, ext=ext)
    return _serializer().dumps({"f": stored.stored_name, "n": stored.original_name,
                                "h": hashlib.sha256(data).hexdigest(), "e": episode_id,
                                "u": user_id})


def load_upload(ticket: str, *, episode_id: int, user_id: int) -> tuple[bytes, str, str]:
    """(data, original filename, stored name) for a ticket made for this episode and user."""
    gone = ValidationError(_l("Berkas pratinjau sudah kedaluwarsa atau tidak ditemukan. "
                              "Unggah ulang berkasnya."), code="import_expired", field="file")
    try:
        info = _serializer().loads(ticket or "", max_age=TICKET_MAX_AGE)
    except (SignatureExpired, BadSignature):
        raise gone from None
    if (not isinstance(info, dict) or info.get("e") != episode_id
            or info.get("u") != user_id or not _STORED_NAME.fullmatch(str(info.get("f")))):
        raise gone
    try:
        data = path_of(info["f"]).read_bytes()
    except (OSError, ValidationError):
        raise gone from None
    if hashlib.sha256(data).hexdigest() != info.get("h"):
        raise gone
    return data, str(info.get("n") or "impor"), info["f"]


def discard_upload(stored_name: str) -> None:
    if _STORED_NAME.fullmatch(stored_name):
        path_of(stored_name).unlink(missing_ok=True)


def _prune_stale() -> None:
    folder = upload_root() / FOLDER
    if not folder.is_dir():
        return
    cutoff = time.time() - STALE_AFTER
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
