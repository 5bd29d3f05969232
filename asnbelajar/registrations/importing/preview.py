"""The preview of an import: every row checked with the account rules, matched to
existing accounts and registrations, and given its outcome under the capacity policy.
Changes nothing; :func:`~.apply.apply_import` re-plans under the episode lock."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ...accounts.models import ParticipantProfile, User
from ...accounts.services import ProfileData, apply_profile, check_email
from ...episodes.models import Episode
from ...errors import Conflict, ValidationError
from ...extensions import db
from ..models import Registration
from ..services import places_for_newcomers
from .parsing import read_table
from .rows import EMPLOYEE_TYPES, LIMITS, NEW, REGISTER, UNCHANGED, ImportPlan, ImportRow, chunks


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


def _existing_accounts(emails: list[str], nips: list[str]) -> list:
    """Accounts holding any of these emails or NIPs: one query (per 5,000 of each)."""
    found: dict[int, Any] = {}
    for email_part, nip_part in zip_longest(chunks(emails), chunks(nips), fillvalue=[]):
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
    for part in chunks(user_ids):
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

    # The one capacity policy (the waiting list is served first): imported rows only take
    # places nobody waiting is owed.
    left = places_for_newcomers(episode)
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
