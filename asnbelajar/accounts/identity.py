"""Identity assurance for NIPs: self-declared until confirmed (single sign-on claim, an
agency's official list imported by an organizer, or an organizer's review); a claimed NIP
can be disputed by its owner ("this NIP is mine") and an organizer decides, audited.

A disputed NIP keeps counting for its current holder until the decision: an upheld
dispute takes the NIP off that account (which becomes non-ASN until it gives a NIP of its
own), so the claimant can register with it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..timeutil import now_utc, to_db
from .models import NipDispute, ParticipantProfile
from .nip import NIPError, normalize_nip, parse_nip
from .services import _clean, check_email

MAX_STATEMENT = 2000
MAX_IMPORT_ROWS = 200_000
_DIGITS = re.compile(r"^[0-9]{18}$")


def _profile_by_nip(nip: str) -> ParticipantProfile | None:
    return db.session.scalar(select(ParticipantProfile).where(ParticipantProfile.nip == nip))


def submit_nip_dispute(*, full_name: str, email: str, nip: str, statement: str,
                       claimant_user_id: int | None = None) -> NipDispute:
    """Record "this NIP is mine". The NIP must be registered to an account (otherwise the
    claimant may simply use it); the holder's NIP is marked disputed until an organizer
    decides. Asking again while a dispute is open returns the open one."""
    name = _clean(full_name)
    if not name:
        raise ValidationError(_l("Nama lengkap wajib diisi."), field="full_name")
    address = check_email(email)
    try:
        clean_nip = parse_nip(nip or "").nip
    except NIPError as err:
        raise ValidationError(err.message, code="invalid_nip", field="nip") from None
    text = (statement or "").strip()
    if len(text) < 10:
        raise ValidationError(_l("Tuliskan penjelasan minimal 10 karakter."), field="statement")
    if len(text) > MAX_STATEMENT:
        raise ValidationError(_l("Penjelasan terlalu panjang (maksimal %(n)d karakter).",
                                 n=MAX_STATEMENT), field="statement")
    holder = _profile_by_nip(clean_nip)
    if holder is None:
        raise ValidationError(
            _l("NIP ini belum dipakai akun mana pun; Anda dapat mendaftar dengan NIP ini."),
            code="nip_free", field="nip")
    if claimant_user_id is not None and holder.user_id == claimant_user_id:
        raise ValidationError(_l("NIP ini sudah tercatat di akun Anda sendiri."),
                              code="own_nip", field="nip")
    existing = db.session.scalar(select(NipDispute).where(
        NipDispute.nip == clean_nip, NipDispute.claimant_email == address,
        NipDispute.status == "open"))
    if existing is not None:
        return existing
    dispute = NipDispute(nip=clean_nip, holder_user_id=holder.user_id,
                         claimant_user_id=claimant_user_id, claimant_name=name,
                         claimant_email=address, statement=text, status="open",
                         created_at=to_db(now_utc()))
    try:
        with db.session.begin_nested():
            db.session.add(dispute)
            db.session.flush()
    except IntegrityError:
        # The same claim was sent twice at once; the partial unique index kept one.
        return db.session.scalar(select(NipDispute).where(
            NipDispute.nip == clean_nip, NipDispute.claimant_email == address,
            NipDispute.status == "open"))
    holder.nip_status = "disputed"
    record_event(claimant_user_id, "nip.dispute_opened", "nip_dispute", dispute.id,
                 after={"nip": clean_nip, "holder_user_id": holder.user_id})
    return dispute


def open_disputes() -> list[NipDispute]:
    return list(db.session.scalars(
        select(NipDispute).where(NipDispute.status == "open")
        .order_by(NipDispute.created_at, NipDispute.id)))


def get_dispute(dispute_id: int) -> NipDispute:
    dispute = db.session.get(NipDispute, dispute_id)
    if dispute is None:
        raise NotFound(_l("Sengketa NIP tidak ditemukan."))
    return dispute


def decide_nip_dispute(dispute: NipDispute, *, upheld: bool, actor_id: int,
                       note: str | None = None) -> NipDispute:
    """An organizer decides. Upheld: the NIP leaves the holder's account (non-ASN until
    they give their own). Rejected: the holder keeps it, self-declared again once no other
    dispute is open. Audited either way."""
    if dispute.status != "open":
        raise Conflict(_l("Sengketa ini sudah diputuskan."), code="already_decided")
    holder = (db.session.get(ParticipantProfile, dispute.holder_user_id)
              if dispute.holder_user_id else None)
    before = {"status": dispute.status, "holder_user_id": dispute.holder_user_id,
              "holder_nip": holder.nip if holder else None,
              "holder_nip_status": holder.nip_status if holder else None}
    dispute.status = "upheld" if upheld else "rejected"
    dispute.decided_by_id = actor_id
    dispute.decided_at = to_db(now_utc())
    dispute.decision_note = (note or "").strip()[:MAX_STATEMENT] or None
    if holder is not None and holder.nip == dispute.nip:
        if upheld:
            holder.nip = None
            holder.employee_type = "non_asn"
            holder.birth_date = None
            holder.gender = None
            holder.nip_status = "self_declared"
            # Every other open claim on the NIP is moot: it is free now.
            for other in db.session.scalars(select(NipDispute).where(
                    NipDispute.nip == dispute.nip, NipDispute.status == "open",
                    NipDispute.id != dispute.id)):
                other.status = "rejected"
                other.decided_by_id = actor_id
                other.decided_at = dispute.decided_at
                other.decision_note = "NIP dilepas oleh putusan sengketa lain"
        else:
            still_open = db.session.scalar(select(func.count()).select_from(NipDispute).where(
                NipDispute.nip == dispute.nip, NipDispute.status == "open",
                NipDispute.id != dispute.id))
            if not still_open:
                holder.nip_status = "self_declared"
    db.session.flush()
    record_event(actor_id, "nip.dispute_" + dispute.status, "nip_dispute", dispute.id,
                 before=before,
                 after={"status": dispute.status, "note": dispute.decision_note,
                        "holder_nip": holder.nip if holder else None})
    return dispute


def confirm_nip(nip: str, actor_id: int | None, *, source: str = "review") -> ParticipantProfile:
    """An organizer's review (or SSO) confirms that the NIP belongs to its account. A
    disputed NIP is confirmed only by deciding the dispute."""
    try:
        clean_nip = parse_nip(nip or "").nip
    except NIPError as err:
        raise ValidationError(err.message, code="invalid_nip", field="nip") from None
    profile = _profile_by_nip(clean_nip)
    if profile is None:
        raise NotFound(_l("Tidak ada akun dengan NIP ini."))
    if profile.nip_status == "disputed":
        raise Conflict(_l("NIP ini sedang disengketakan; putuskan sengketanya dahulu."),
                       code="nip_disputed", field="nip")
    if profile.nip_status != "confirmed":
        profile.nip_status = "confirmed"
        record_event(actor_id, "nip.confirmed", "participant_profile", profile.user_id,
                     after={"nip": clean_nip, "source": source})
    return profile


@dataclass
class NipImport:
    rows: int = 0
    confirmed: int = 0
    already: int = 0
    not_registered: int = 0
    disputed: int = 0
    invalid: list[int] = field(default_factory=list)  # line numbers


def _csv_records(reader):
    """The reader's rows; a file the csv module cannot read (binary, a stray quote) is a
    422 naming the line, not a 500."""
    try:
        yield from reader
    except csv.Error as err:
        raise ValidationError(_l("Baris %(line)d: format CSV rusak (%(reason)s).",
                                 line=reader.line_num, reason=str(err)), field="file") from None


def _nip_cells(data: bytes) -> list[tuple[int, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    column = 0
    out: list[tuple[int, str]] = []
    for number, row in enumerate(_csv_records(reader), start=1):
        if number > MAX_IMPORT_ROWS:
            raise ValidationError(_l("Berkas terlalu banyak baris (maksimal %(n)d).",
                                     n=MAX_IMPORT_ROWS), field="file")
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1:
            lowered = [cell.strip().lower() for cell in row]
            if "nip" in lowered:
                column = lowered.index("nip")
                continue
            if not normalize_nip(row[0]).isdigit():
                continue  # some other header
        out.append((number, row[column] if column < len(row) else ""))
    return out


def import_confirmed_nips(data: bytes, actor_id: int) -> NipImport:
    """An agency's official list (CSV, a column "nip" or NIPs in the first column):
    every registered NIP on it becomes confirmed. Disputed NIPs wait for the decision;
    NIPs nobody registered are counted, nothing is created. One audit event."""
    result = NipImport()
    nips: dict[str, int] = {}
    for line, raw in _nip_cells(data):
        result.rows += 1
        nip = normalize_nip(raw)
        if not _DIGITS.match(nip):
            result.invalid.append(line)
            continue
        nips.setdefault(nip, line)
    if result.rows == 0:
        raise ValidationError(_l("Berkas tidak berisi NIP."), code="empty_file", field="file")
    found = {p.nip: p for chunk in _chunks(list(nips), 500) for p in db.session.scalars(
        select(ParticipantProfile).where(ParticipantProfile.nip.in_(chunk)))}
    for nip in nips:
        profile = found.get(nip)
        if profile is None:
            result.not_registered += 1
        elif profile.nip_status == "confirmed":
            result.already += 1
        elif profile.nip_status == "disputed":
            result.disputed += 1
        else:
            profile.nip_status = "confirmed"
            result.confirmed += 1
    db.session.flush()
    record_event(actor_id, "nip.import_confirmed", "participant_profile", None,
                 after={"rows": result.rows, "confirmed": result.confirmed,
                        "already": result.already, "not_registered": result.not_registered,
                        "disputed": result.disputed, "invalid": len(result.invalid)})
    return result


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
