"""Personal data (UU PDP 27/2022): a participant's copy of everything held about them,
and erasure of their identity (anonymization) that keeps the ledger consistent and
certificates verifiable.

Kept apart from :mod:`.services` because it reaches into every domain's records (and
cancels registrations through the registrations service), whereas the account services
are needed by those domains: this way the imports point one way only.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, delete, func, or_, select, update
from werkzeug.security import check_password_hash

from ..attendance.models import (
    AttendanceImport,
    AttendanceInterval,
    AttendanceMark,
    AttendanceVerdict,
    CheckIn,
)
from ..audit.models import AuditEvent
from ..audit.services import record_event
from ..certificates.models import Certificate
from ..certificates.services import verify_url
from ..database import is_postgres
from ..episodes.models import Checkpoint, Episode
from ..errors import Conflict, NotFound, ValidationError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..ledger.models import LedgerEntry
from ..notifications.models import OutboxEmail
from ..notifications.whatsapp import forget_person as forget_whatsapp
from ..registrations.models import Registration
from ..registrations.services import lock_episode, promote_waitlisted
from ..timeutil import iso, now_utc, to_db
from ..util.urls import external_url
from .models import ApiToken, NipDispute, User
from .services import CONSENT_VERSION, prune_login_throttle

ANONYMIZED_EMAIL_DOMAIN = "anonymized.invalid"
DELETE_CONFIRMATION_WORD = "HAPUS"


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _episode_ref(episode) -> dict[str, Any] | None:
    if episode is None:
        return None
    return {"id": episode.id, "label": episode.label, "title": episode.title,
            "starts_at": iso(episode.starts_at), "ends_at": iso(episode.ends_at)}


def export_personal_data(user_id: int) -> dict[str, Any]:
    """Everything the platform holds about one participant, as JSON-ready data (UU PDP
    art. 7 and 8: access and a copy). One query per kind of record, whatever the number of
    rows. Organizer identities (who marked or credited) are left out: they are not the
    participant's data."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("Akun tidak ditemukan."))
    prof = user.profile

    def by_episode(model, order):
        return db.session.execute(
            select(model, Episode).join(Episode, Episode.id == model.episode_id)
            .where(model.user_id == user_id).order_by(Episode.starts_at, *order)
        ).all()

    registrations = [
        {"episode": _episode_ref(ep), "status": r.status, "source": r.source,
         "registered_at": iso(r.created_at), "queued_at": iso(r.queued_at),
         "promoted_at": iso(r.promoted_at), "cancelled_at": iso(r.cancelled_at)}
        for r, ep in by_episode(Registration, [Registration.id])
    ]
    check_ins = [
        {"episode": _episode_ref(ep), "checkpoint": label, "at": iso(c.created_at),
         "ip": c.ip}
        for c, label, ep in db.session.execute(
            select(CheckIn, Checkpoint.label, Episode)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .join(Episode, Episode.id == CheckIn.episode_id)
            .where(CheckIn.user_id == user_id).order_by(CheckIn.created_at, CheckIn.id)
        ).all()
    ]
    intervals = [
        {"episode": _episode_ref(ep), "joined_at": iso(i.joined_at),
         "left_at": iso(i.left_at), "minutes": i.seconds // 60}
        for i, ep in by_episode(AttendanceInterval, [AttendanceInterval.joined_at])
    ]
    marks = [
        {"episode": _episode_ref(ep), "attended": m.attended, "reason": m.reason,
         "at": iso(m.created_at)}
        for m, ep in by_episode(AttendanceMark, [AttendanceMark.id])
    ]
    verdicts = [
        {"episode": _episode_ref(ep), "attended": v.attended, "reason": v.reason,
         "checkpoints_passed": v.checkpoints_passed, "minutes": v.minutes,
         "computed_at": iso(v.computed_at)}
        for v, ep in by_episode(AttendanceVerdict, [AttendanceVerdict.id])
    ]
    evaluations = [
        {"episode": _episode_ref(ep),
         "scores": {"material": e.score_material, "speaker": e.score_speaker,
                    "organization": e.score_organization, "relevance": e.score_relevance},
         "comment": e.comment, "submitted_at": iso(e.created_at)}
        for e, ep in by_episode(Evaluation, [Evaluation.id])
    ]
    ledger = [
        {"id": e.id, "kind": e.kind, "jp": e.jp, "year": e.year,
         "episode": _episode_ref(ep), "title": e.title, "provider": e.provider,
         "occurred_on": _iso_date(e.occurred_on), "reason": e.reason,
         "reverses_id": e.reverses_id, "certificate_id": e.certificate_id,
         "created_at": iso(e.created_at)}
        for e, ep in db.session.execute(
            select(LedgerEntry, Episode)
            .outerjoin(Episode, Episode.id == LedgerEntry.episode_id)
            .where(LedgerEntry.user_id == user_id)
            .order_by(LedgerEntry.created_at, LedgerEntry.id)
        ).all()
    ]
    certificates = [
        {"id": c.id, "number": c.number, "verification_code": c.verification_code,
         "verify_url": verify_url(c),
         "pdf_url": external_url("certificates.download", code=c.verification_code),
         "episode_id": c.episode_id, "program": c.program_name, "episode": c.episode_label,
         "episode_title": c.episode_title, "held_on": _iso_date(c.held_on), "jp": c.jp,
         "name": c.name, "nip": c.nip, "instansi": c.instansi,
         "issued_at": iso(c.issued_at), "revoked_at": iso(c.revoked_at),
         "revoked_reason": c.revoked_reason}
        for c in db.session.scalars(
            select(Certificate).where(Certificate.user_id == user_id,
                                      Certificate.kind == "participant")
            .order_by(Certificate.issued_at, Certificate.id)
        )
    ]
    tokens = [
        {"name": t.name, "created_at": iso(t.created_at), "last_used_at": iso(t.last_used_at),
         "revoked_at": iso(t.revoked_at)}
        for t in db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        )
    ]
    return {
        "generated_at": iso(now_utc()),
        "privacy_notice_version": CONSENT_VERSION,
        "account": {
            "id": user.id, "email": user.email, "full_name": user.full_name,
            "role": user.role, "created_at": iso(user.created_at),
            "last_login_at": iso(user.last_login_at), "locale": user.locale,
            "timezone": user.timezone, "anonymized_at": iso(user.anonymized_at),
        },
        "profile": None if prof is None else {
            "nip": prof.nip, "employee_type": prof.employee_type,
            "birth_date": _iso_date(prof.birth_date), "gender": prof.gender,
            "instansi": prof.instansi_name, "unit_kerja": prof.unit_kerja,
            "jabatan": prof.jabatan, "pangkat_golongan": prof.pangkat_golongan,
            "province": prof.province, "phone": prof.phone,
            "whatsapp_opt_in_at": iso(prof.whatsapp_opt_in_at),
            "consent_version": prof.consent_version, "consent_at": iso(prof.consent_at),
            "updated_at": iso(prof.updated_at),
        },
        "registrations": registrations,
        "check_ins": check_ins,
        "attendance_intervals": intervals,
        "attendance_marks": marks,
        "attendance_verdicts": verdicts,
        "evaluations": evaluations,
        "ledger_entries": ledger,
        "ledger_jp_by_year": _jp_by_year(ledger),
        "certificates": certificates,
        "api_tokens": tokens,
    }


def _jp_by_year(entries: list[dict[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for entry in entries:
        key = str(entry["year"])
        totals[key] = totals.get(key, 0) + entry["jp"]
    return dict(sorted(totals.items()))


def anonymized_email(user_id: int) -> str:
    return f"deleted-{user_id}@{ANONYMIZED_EMAIL_DOMAIN}"


@dataclass
class AnonymizeSummary:
    registrations_cancelled: int
    promoted: int
    tokens_revoked: int
    mail_files_removed: int = 0


ERASED = "[dihapus]"


def _scrub_text(value: str | None, needles: list[str], replacement: str) -> str | None:
    if not value:
        return value
    out = value
    for needle in needles:
        out = re.sub(re.escape(needle), replacement, out, flags=re.IGNORECASE)
    return out


def _scrub_json(value: Any, needles: list[str], replacement: str) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, needles, replacement)
    if isinstance(value, list):
        return [_scrub_json(v, needles, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, needles, replacement) for k, v in value.items()}
    return value


def _mentions(value: Any, needles: list[str]) -> bool:
    text = json.dumps(value, ensure_ascii=False).lower() if not isinstance(value, str) \
        else value.lower()
    return any(n.lower() in text for n in needles)


def scrub_traces(user_id: int, email: str, full_name: str) -> int:
    """Erase the person's address and name where they were copied outside the account:
    the outbox (rows sent to them are deleted; others that mention them are rewritten),
    the development mail folder's .eml copies of those rows, the unmatched lists kept from
    video-platform reports, NIP disputes they filed, and audit-log details. Returns the
    number of mail files removed.

    Whole-table scans over the outbox text and the import lists: erasure is rare and these
    are the only places a copy can hide; the ledger, check-ins and certificates hold ids.
    """
    needles = [n for n in {email.strip(), " ".join(full_name.split())} if len(n) >= 3]
    replacement = ERASED
    outbox = OutboxEmail.__table__
    gone_ids: list[int] = []
    lowered = [n.lower() for n in needles]
    mention = or_(*[func.lower(column).contains(n, autoescape=True)
                    for n in lowered for column in (outbox.c.subject, outbox.c.body_text)])
    for row in db.session.execute(
            select(outbox.c.id, outbox.c.to_addr, outbox.c.subject, outbox.c.body_text,
                   outbox.c.body_html)
            .where(or_(func.lower(outbox.c.to_addr) == email.lower(), mention))).all():
        gone_ids.append(row.id)
        if row.to_addr.lower() == email.lower():
            continue
        db.session.execute(update(outbox).where(outbox.c.id == row.id).values(
            subject=_scrub_text(row.subject, needles, replacement),
            body_text=_scrub_text(row.body_text, needles, replacement),
            body_html=_scrub_text(row.body_html, needles, replacement)))
    if gone_ids:
        db.session.execute(delete(outbox).where(
            outbox.c.id.in_(gone_ids), func.lower(outbox.c.to_addr) == email.lower()))

    for imported in db.session.scalars(select(AttendanceImport)):
        if imported.unmatched and _mentions(imported.unmatched, needles):
            imported.unmatched = [
                _scrub_json(entry, needles, replacement) for entry in imported.unmatched]

    db.session.execute(update(NipDispute).where(or_(
        NipDispute.claimant_user_id == user_id,
        func.lower(NipDispute.claimant_email) == email.lower())).values(
        claimant_name=replacement, claimant_email=anonymized_email(user_id),
        statement=replacement).execution_options(synchronize_session=False))

    events = db.session.scalars(select(AuditEvent).where(or_(*[
        func.lower(cast(column, Text)).contains(n, autoescape=True)
        for n in lowered for column in (AuditEvent.before, AuditEvent.after)])))
    for event in events:
        if event.before is not None:
            event.before = _scrub_json(event.before, needles, replacement)
        if event.after is not None:
            event.after = _scrub_json(event.after, needles, replacement)

    return remove_mail_files(gone_ids)


def remove_mail_files(outbox_ids: list[int]) -> int:
    """Delete the development mail backend's copies (instance/mail/<id>.eml)."""
    folder = Path(current_app.instance_path) / "mail"
    removed = 0
    for email_id in outbox_ids:
        path = folder / f"{email_id:08d}.eml"
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def anonymize_user(user_id: int, *, actor_id: int | None, reason: str) -> AnonymizeSummary:
    """Delete a participant's identity while keeping the records others rely on.

    In the caller's one transaction: the account can no longer log in and frees its email
    and NIP for a new sign-up; identifying profile fields are cleared (the agency id stays
    so aggregate reports keep their history); API tokens are revoked; registrations for
    episodes not yet finalized are cancelled (so no certificate is later issued to a
    nameless account) and freed places go to the waiting list. Ledger entries and
    certificates are not touched: a certificate froze the name and NIP printed on it, and
    verifying it must keep confirming what the holder received.
    """
    stmt = select(User).where(User.id == user_id).execution_options(populate_existing=True)
    if is_postgres():
        stmt = stmt.with_for_update(of=User)  # a double submit anonymizes once
    user = db.session.scalar(stmt)
    if user is None:
        raise NotFound(_l("Akun tidak ditemukan."))
    if user.anonymized_at is not None:
        raise Conflict(_l("Akun ini sudah dihapus."), code="anonymized")
    if user.role != "participant":
        raise ValidationError(_l("Hanya akun peserta yang dapat dihapus dengan cara ini."),
                              code="not_participant")
    now = to_db(now_utc())

    active = db.session.execute(
        select(Registration.id, Registration.episode_id, Registration.status)
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.user_id == user_id,
               Registration.status.in_(("registered", "waitlisted")),
               Episode.finalized_at.is_(None))
    ).all()
    freed = set()
    for _reg_id, episode_id, status in sorted(active, key=lambda row: row[1]):
        # Episodes locked in id order, as every other capacity decision takes them.
        episode = lock_episode(episode_id)
        if status == "registered" and not episode.has_ended():
            freed.add(episode_id)
    if active:
        db.session.execute(
            update(Registration).where(Registration.id.in_([row[0] for row in active]))
            .values(status="cancelled", cancelled_at=now)
            .execution_options(synchronize_session="fetch")
        )
    promoted = 0
    for episode_id in sorted(freed):
        promoted += len(promote_waitlisted(lock_episode(episode_id)))

    tokens = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session="fetch")
    ).rowcount
    # The address a check-in came from is personal data too; the check-in itself stays
    # as attendance evidence behind the ledger.
    db.session.execute(update(CheckIn).where(CheckIn.user_id == user_id).values(ip=None)
                       .execution_options(synchronize_session=False))

    # WhatsApp messages to them or about their registrations and certificates, any status.
    forget_whatsapp(user.id, user.profile.phone if user.profile else None)
    erased_files = scrub_traces(user.id, user.email, user.full_name)

    user.email = anonymized_email(user.id)
    user.full_name = f"Peserta Terhapus #{user.id}"
    user.email_verified_at = None
    user.session_token = secrets.token_hex(16)  # any cookie still around is dead
    user.password_hash = None
    user.active = False
    user.anonymized_at = now
    prof = user.profile
    if prof is not None:
        prof.nip = None
        prof.birth_date = None
        prof.gender = None
        prof.phone = None
        prof.whatsapp_opt_in_at = None
        prof.unit_kerja = None
        prof.jabatan = None
        prof.pangkat_golongan = None
        prof.province = None
        prof.anonymized = True
    summary = AnonymizeSummary(registrations_cancelled=len(active), promoted=promoted,
                               tokens_revoked=tokens or 0, mail_files_removed=erased_files)
    # The event names the account by id only: copying the erased data into the audit log
    # would undo the erasure.
    record_event(actor_id, "account.anonymize", "user", user.id,
                 after={"reason": (reason or "").strip()[:500],
                        "registrations_cancelled": summary.registrations_cancelled,
                        "promoted": summary.promoted,
                        "tokens_revoked": summary.tokens_revoked})
    db.session.flush()
    return summary


def delete_own_account(user: User, *, password: str, confirmation: str) -> AnonymizeSummary:
    """A participant deletes their own account: the current password and the typed word
    HAPUS confirm it is really them and really meant."""
    if (confirmation or "").strip().upper() != DELETE_CONFIRMATION_WORD:
        raise ValidationError(
            _l("Ketik %(word)s untuk mengonfirmasi.", word=DELETE_CONFIRMATION_WORD),
            field="confirmation",
        )
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(_l("Kata sandi salah."), code="wrong_password", field="password")
    return anonymize_user(user.id, actor_id=user.id,
                          reason="Permintaan peserta melalui halaman Hapus akun")


def apply_retention() -> dict[str, int]:
    """Scheduler job (safe to run twice): clear the addresses check-ins and audit events
    came from once they are IP_RETENTION_DAYS old (0 keeps them), and forget idle login
    failure counts. The records themselves stay: attendance evidence and the audit trail."""
    days = int(current_app.config.get("IP_RETENTION_DAYS") or 0)
    cleared_checkins = cleared_audit = 0
    if days > 0:
        cutoff = to_db(now_utc()) - timedelta(days=days)
        cleared_checkins = db.session.execute(
            update(CheckIn).where(CheckIn.created_at < cutoff, CheckIn.ip.is_not(None))
            .values(ip=None).execution_options(synchronize_session=False)).rowcount or 0
        cleared_audit = db.session.execute(
            update(AuditEvent).where(AuditEvent.created_at < cutoff, AuditEvent.ip.is_not(None))
            .values(ip=None).execution_options(synchronize_session=False)).rowcount or 0
    throttles = prune_login_throttle()
    db.session.commit()
    return {"checkin_ips_cleared": cleared_checkins, "audit_ips_cleared": cleared_audit,
            "login_throttles_pruned": throttles}
