"""Certificate use cases: issue (in bulk), number, verify, revoke, reissue, render."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, select, update

from ..accounts.models import ParticipantProfile, User
from ..accounts.nip import mask_nip
from ..attendance.models import AttendanceVerdict
from ..audit.services import record_event
from ..database import insert_ignore
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..speakers.models import EpisodeSpeaker, Speaker
from ..timeutil import (
    ROMAN_MONTHS,
    format_date_id,
    format_day_id,
    now_utc,
    to_db,
    to_local,
)
from .models import Certificate, CertificateCounter
from .pdf import CertificateDocument, render_certificate_pdf

SPEAKER_ROLE_LABELS = {"narasumber": "Narasumber", "moderator": "Moderator",
                       "keynote": "Keynote Speaker"}


def new_verification_code() -> str:
    # 16 random bytes (128 bits): unguessable, and short enough for a QR code.
    return secrets.token_urlsafe(16)


def _scope(episode: Episode) -> str:
    return f"{episode.program_id}:{episode.year}"


def allocate_numbers(scope: str, count: int) -> range:
    """Reserve ``count`` consecutive sequence numbers in one atomic UPDATE ... RETURNING.

    The row lock (PostgreSQL) or the database write lock (SQLite) serializes allocators;
    the numbers roll back with the transaction, so none are lost or repeated.
    """
    if count <= 0:
        return range(0)
    db.session.execute(insert_ignore(CertificateCounter.__table__).values(scope=scope,
                                                                          last_value=0))
    last = db.session.execute(
        update(CertificateCounter).where(CertificateCounter.scope == scope)
        .values(last_value=CertificateCounter.last_value + count)
        .returning(CertificateCounter.last_value)
    ).scalar_one()
    return range(last - count + 1, last + 1)


def format_number(episode: Episode, seq: int, kind: str = "participant") -> str:
    local = to_local(episode.starts_at, episode.timezone)
    pattern = current_app.config["CERTIFICATE_NUMBER_PATTERN"]
    number = pattern.format(seq=seq, series=episode.number,
                            month_roman=ROMAN_MONTHS[local.month - 1], month=local.month,
                            year=episode.year, episode_id=episode.id)
    return number if kind == "participant" else number.replace("/ASNB/", "/ASNB-NS/")


def _frozen_common(episode: Episode) -> dict:
    cfg = current_app.config
    return {
        "episode_id": episode.id, "program_name": episode.program.name,
        "episode_label": f"Seri {episode.number} Tahun {episode.year}",
        "episode_title": episode.title,
        "held_on": to_local(episode.starts_at, episode.timezone).date(),
        "signer_name": cfg["CERTIFICATE_SIGNER_NAME"],
        "signer_title": cfg["CERTIFICATE_SIGNER_TITLE"],
    }


def issue_participant_certificates(episode: Episode, eligible, user_id: int | None = None) -> int:
    """Issue certificates to eligible participants who never had one for this episode.

    ``eligible`` is an SQL condition on AttendanceVerdict. One query reads the frozen data,
    one UPDATE reserves the numbers, one multi-row INSERT writes them. A revoked
    certificate is not replaced here (that is :func:`reissue_certificate`'s job).
    """
    query = (
        select(User.id, User.full_name, ParticipantProfile.nip, ParticipantProfile.instansi_name)
        .select_from(AttendanceVerdict)
        .join(User, User.id == AttendanceVerdict.user_id)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == User.id)
        .where(eligible)
        # A correlated count (an index probe per person) rather than an anti-join: see
        # ledger.services.credit_episode.
        .where(select(func.count()).select_from(Certificate).where(
            Certificate.episode_id == episode.id,
            Certificate.user_id == AttendanceVerdict.user_id,
            Certificate.kind == "participant").scalar_subquery() == 0)
        .order_by(User.full_name, User.id)
    )
    if user_id is not None:
        query = query.where(AttendanceVerdict.user_id == user_id)
    people = db.session.execute(query).all()
    if not people:
        return 0
    numbers = allocate_numbers(_scope(episode), len(people))
    common = _frozen_common(episode)
    stamp = to_db(now_utc())
    rows = [
        {
            **common, "kind": "participant", "user_id": uid, "seq": seq,
            "number": format_number(episode, seq), "verification_code": new_verification_code(),
            "name": name, "nip": nip, "instansi": instansi, "jp": episode.jp,
            "issued_at": stamp,
        }
        for (uid, name, nip, instansi), seq in zip(people, numbers, strict=True)
    ]
    db.session.execute(insert(Certificate), rows)
    return len(rows)


def queue_ready_emails(episode: Episode, since) -> int:
    """One "certificate ready" email per certificate issued since ``since``, queued with a
    single INSERT ... SELECT (the body is the same for everyone)."""
    from ..notifications.services import queue_email_to_many, render_email

    subject, text, html = render_email("certificate_ready", episode=episode, user=None)
    recipients = (
        select(Certificate.id, User.email)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.episode_id == episode.id, Certificate.issued_at >= since,
               Certificate.kind == "participant", User.anonymized_at.is_(None))
    )
    return queue_email_to_many("certificate-ready:", recipients, subject, text, html)


def certificate_by_code(code: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.verification_code == code))
    if cert is None:
        raise NotFound(_l("Sertifikat dengan kode ini tidak ditemukan."))
    return cert


@dataclass
class Verification:
    valid: bool
    revoked: bool
    number: str
    name: str
    nip_masked: str
    episode: str
    jp: int | None
    issued_at: object
    revoked_reason: str | None
    kind: str
    role: str | None

    def as_json(self) -> dict:
        from ..timeutil import iso
        return {
            "valid": self.valid, "revoked": self.revoked, "number": self.number,
            "name": self.name, "nip_masked": self.nip_masked, "episode": self.episode,
            "jp": self.jp, "issued_at": iso(self.issued_at), "kind": self.kind,
            "revoked_reason": self.revoked_reason,
        }


def verify(code: str) -> Verification:
    cert = certificate_by_code(code)
    return Verification(
        valid=cert.revoked_at is None, revoked=cert.revoked_at is not None,
        number=cert.number, name=cert.name, nip_masked=mask_nip(cert.nip),
        episode=f"{cert.program_name} {cert.episode_label}: {cert.episode_title}",
        jp=cert.jp, issued_at=cert.issued_at, revoked_reason=cert.revoked_reason,
        kind=cert.kind, role=cert.role,
    )


def verify_url(cert: Certificate) -> str:
    return f"{current_app.config['BASE_URL']}/verify/{cert.verification_code}"


def render_pdf(cert: Certificate) -> bytes:
    doc = CertificateDocument(
        kind=cert.kind, number=cert.number, verification_code=cert.verification_code,
        verify_url=verify_url(cert), name=cert.name, nip=cert.nip, instansi=cert.instansi,
        role=SPEAKER_ROLE_LABELS.get(cert.role or "", cert.role),
        program_name=cert.program_name, episode_label=cert.episode_label,
        episode_title=cert.episode_title,
        held_on=format_day_id(cert.held_on),
        jp=cert.jp if cert.kind == "participant" else None,
        issuer=current_app.config["CERTIFICATE_ISSUER"], signer_name=cert.signer_name,
        signer_title=cert.signer_title, issued_on=format_date_id(cert.issued_at),
    )
    return render_certificate_pdf(doc)


def can_download(cert: Certificate, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.role == "organizer":
        return True
    if cert.kind == "participant":
        return cert.user_id == user.id
    speaker = db.session.scalar(select(Speaker).where(Speaker.id == cert.speaker_id))
    return speaker is not None and speaker.user_id == user.id


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id)
        .order_by(Certificate.held_on.desc(), Certificate.id.desc())
    ))


def revoke_certificate(cert: Certificate, *, reason: str, actor_id: int | None) -> Certificate:
    """Revoke and reverse the JP credit that came with it (one ledger reversal)."""
    from ..ledger.services import live_credit, reverse_entry

    if not reason or not reason.strip():
        raise ValidationError(_l("Alasan pencabutan wajib diisi."), field="reason")
    if cert.revoked_at is not None:
        raise Conflict(_l("Sertifikat ini sudah dicabut."), code="already_revoked")
    cert.revoked_at = to_db(now_utc())
    cert.revoked_reason = reason.strip()[:500]
    db.session.flush()
    if cert.kind == "participant":
        credit = live_credit(cert.user_id, cert.episode_id)
        if credit is not None:
            reverse_entry(credit.id, reason=f"Sertifikat {cert.number} dicabut: {reason}",
                          actor_id=actor_id)
    record_event(actor_id, "certificate.revoke", "certificate", cert.id,
                 before={"revoked": False}, after={"revoked": True, "reason": reason})
    return cert


def reissue_certificate(cert: Certificate, *, actor_id: int | None,
                        reason: str = "") -> Certificate:
    """Replace a certificate (e.g. a corrected name): the old one is revoked, the new one
    gets a new number and code, and the JP credit moves to it."""
    from ..ledger.services import recredit_episode

    episode = db.session.get(Episode, cert.episode_id)
    if cert.kind == "participant" and cert.revoked_at is not None:
        replacement = db.session.scalar(select(Certificate.number).where(
            Certificate.episode_id == cert.episode_id, Certificate.user_id == cert.user_id,
            Certificate.kind == "participant", Certificate.revoked_at.is_(None)))
        if replacement:
            raise Conflict(_l("Sertifikat ini sudah diganti dengan %(number)s.",
                              number=replacement), code="already_reissued")
    if cert.revoked_at is None:
        revoke_certificate(cert, reason=reason or "Diterbitkan ulang", actor_id=actor_id)
    if cert.kind != "participant":
        raise ValidationError(_l("Hanya sertifikat peserta yang dapat diterbitkan ulang di "
                                 "sini."))
    user = db.session.get(User, cert.user_id)
    profile = user.profile
    seq = allocate_numbers(_scope(episode), 1)[0]
    new = Certificate(
        **_frozen_common(episode), kind="participant", user_id=user.id, seq=seq,
        number=format_number(episode, seq), verification_code=new_verification_code(),
        name=user.full_name, nip=profile.nip if profile else None,
        instansi=profile.instansi_name if profile else None, jp=episode.jp,
        reissue_of_id=cert.id,
    )
    db.session.add(new)
    db.session.flush()
    recredit_episode(episode, user.id, new.id, actor_id)
    record_event(actor_id, "certificate.reissue", "certificate", new.id,
                 before={"certificate_id": cert.id}, after={"certificate_id": new.id})
    return new


def issue_speaker_certificate(episode: Episode, speaker: Speaker) -> Certificate:
    link = db.session.scalar(select(EpisodeSpeaker).where(
        EpisodeSpeaker.episode_id == episode.id, EpisodeSpeaker.speaker_id == speaker.id))
    if link is None:
        raise NotFound(_l("Narasumber tidak terdaftar di episode ini."))
    existing = db.session.scalar(select(Certificate).where(
        Certificate.episode_id == episode.id, Certificate.speaker_id == speaker.id,
        Certificate.kind == "speaker").order_by(Certificate.revoked_at.is_not(None)))
    if existing is not None and existing.revoked_at is None:
        return existing
    if existing is not None:
        # A revocation sticks: downloading again must not quietly issue a new one.
        raise Conflict(_l("Sertifikat narasumber untuk episode ini telah dicabut: "
                          "%(reason)s", reason=existing.revoked_reason or "-"),
                       code="revoked")
    seq = allocate_numbers(_scope(episode) + ":speaker", 1)[0]
    cert = Certificate(
        **_frozen_common(episode), kind="speaker", speaker_id=speaker.id, seq=seq,
        number=format_number(episode, seq, kind="speaker"),
        verification_code=new_verification_code(), name=speaker.name, nip=None,
        instansi=speaker.institution, role=link.role, jp=None,
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def count_live(episode_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate).where(
        and_(Certificate.episode_id == episode_id, Certificate.revoked_at.is_(None),
             Certificate.kind == "participant"))) or 0
