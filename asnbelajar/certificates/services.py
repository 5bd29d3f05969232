"""Certificate use cases: issue (in bulk), number, verify, revoke, reissue.

Rendering, stored files and bulk downloads live in :mod:`.rendering`; electronic signing
in :mod:`.signing`.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from ..accounts.models import ParticipantProfile, User
from ..accounts.nip import NIPError, mask_nip, parse_nip
from ..attendance.models import AttendanceVerdict
from ..audit.services import record_event
from ..database import insert_ignore
from ..episodes.labels import official_series_label
from ..episodes.models import Episode, Program
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..ledger.services import live_credit, recredit_episode, reverse_entry
from ..notifications.services import queue_email, queue_email_to_many, render_email
from ..notifications.whatsapp import queue_certificate_ready as queue_whatsapp_ready
from ..speakers.models import EpisodeSpeaker, Speaker
from ..timeutil import DEFAULT_ZONE, ROMAN_MONTHS, iso, now_utc, to_db, to_local, zone_name
from ..uploads import check_image_pixels, read_limited
from ..util.bulk import insert_many
from ..util.urls import external_url
from .models import Certificate, CertificateCounter, CertificateDesign, CertificateFile
from .pdf import IMAGE_BOXES, prepare_image, wording_errors
from .rendering import (
    SPEAKER_ROLE_LABELS,
    merge_design,
    preview_pdf,
    render_certificate,
    resolve_design,
    verify_url,
)

__all__ = ["SPEAKER_ROLE_LABELS", "verify_url"]  # re-exported for other domains



# Crockford's base32: no I, L, O or U, so what is printed cannot be misread.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16  # 80 random bits
_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-]+")


def new_verification_code() -> str:
    """80 random bits as four groups of four Crockford characters: ``7K3M-9QXR-2B4D-HJ5N``."""
    bits = secrets.randbits(5 * CODE_CHARS)
    chars = "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(CODE_CHARS))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_CHARS, 4))


def code_key(raw: str) -> str:
    """The form a code is looked up by: separators and spaces dropped, upper case, and
    Crockford's look-alikes folded (O -> 0, I and L -> 1). Codes issued before the
    Crockford ones (22 URL-safe characters) keep working typed in any case: their key is
    computed the same way (the migration filled it in SQL)."""
    return _SEPARATORS.sub("", raw or "").upper().translate(_FOLD)[:40]


def _scope(episode: Episode, kind: str = "participant") -> str:
    """Counter scope: per program and year, and per kind when the pattern prints the kind
    (then "00001/ASNB/..." and "00001/ASNB-NS/..." differ). A pattern without ``{kind}``
    numbers participants and speakers from one sequence, so numbers never collide."""
    scope = f"{episode.program_id}:{episode.year}"
    if kind != "participant" and "{kind" in current_app.config["CERTIFICATE_NUMBER_PATTERN"]:
        scope += f":{kind}"
    return scope


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
    """The human number from ``CERTIFICATE_NUMBER_PATTERN``: placeholders ``seq``,
    ``kind`` (``CERTIFICATE_KIND_CODES``: ASNB for participants, ASNB-NS for speakers),
    ``series``, ``month_roman``, ``month``, ``year``, ``episode_id``."""
    cfg = current_app.config
    local = to_local(episode.starts_at, episode.timezone)
    return cfg["CERTIFICATE_NUMBER_PATTERN"].format(
        seq=seq, kind=cfg["CERTIFICATE_KIND_CODES"][kind], series=episode.number,
        month_roman=ROMAN_MONTHS[local.month - 1], month=local.month, year=episode.year,
        episode_id=episode.id)


def _frozen_common(episode: Episode, tz: str | None = None) -> dict:
    """What every certificate of the episode freezes. Dates are printed in ``tz``, the
    holder's zone (a participant in Jayapura reads 11.00 WIT for a 09.00 WIB episode);
    the episode's own zone when the holder has none."""
    design = resolve_design(episode)
    return {
        "episode_id": episode.id, "program_name": episode.program.name,
        "episode_label": official_series_label(episode.number, episode.year),
        "episode_title": episode.title,
        "signer_name": design.signer_name, "signer_title": design.signer_title,
        "signer_nip": design.signer_nip, **_frozen_times(episode, tz),
    }


def _frozen_times(episode: Episode, tz: str | None) -> dict:
    zone = zone_name(tz) or zone_name(episode.timezone) or DEFAULT_ZONE
    return {"timezone": zone, "held_from": episode.starts_at, "held_until": episode.ends_at,
            "held_on": to_local(episode.starts_at, zone).date()}


def _new_code() -> dict:
    code = new_verification_code()
    return {"verification_code": code, "code_key": code_key(code)}


def issue_participant_certificates(episode: Episode, eligible, user_id: int | None = None) -> int:
    """Issue certificates to eligible participants who never had one for this episode.

    ``eligible`` is an SQL condition on AttendanceVerdict. One query reads the frozen data,
    one UPDATE reserves the numbers, one multi-row INSERT writes them. A revoked
    certificate is not replaced here (that is :func:`reissue_certificate`'s job).
    """
    query = (
        select(User.id, User.full_name, ParticipantProfile.nip, ParticipantProfile.instansi_name,
               User.timezone)
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
    # Three zones at most: each participant's dates in their own.
    times = {tz: _frozen_times(episode, tz) for tz in {row.timezone for row in people}}
    stamp = to_db(now_utc())
    rows = [
        {
            **common, **times[tz], **_new_code(), "kind": "participant", "user_id": uid,
            "seq": seq, "number": format_number(episode, seq),
            "name": name, "nip": nip, "instansi": instansi, "jp": episode.jp,
            "issued_at": stamp,
        }
        for (uid, name, nip, instansi, tz), seq in zip(people, numbers, strict=True)
    ]
    # COPY on PostgreSQL: an episode of 15,000 attendees is issued in about a second.
    return insert_many(db.session, Certificate.__table__, rows)


def queue_ready_emails(episode: Episode, since) -> int:
    """One "certificate ready" email per certificate issued since ``since``, queued with a
    single INSERT ... SELECT (the body is the same for everyone); and a WhatsApp message
    for holders who opted in, when organizers switched WhatsApp on. Returns the emails."""

    subject, text, html = render_email("certificate_ready", episode=episode, user=None)
    recipients = (
        select(Certificate.id, User.email)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.episode_id == episode.id, Certificate.issued_at >= since,
               Certificate.kind == "participant", User.anonymized_at.is_(None))
    )
    queue_whatsapp_ready(episode, since)
    return queue_email_to_many("certificate-ready:", recipients, subject, text, html)


def certificate_by_code(code: str) -> Certificate:
    """By verification code, typed in any case, with or without the group separators."""
    code = (code or "").strip()[:64]
    key = code_key(code)
    cert = None
    if key:
        # code_key first; the exact code for rows that predate it or were inserted by hand.
        cert = db.session.scalar(select(Certificate).where(
            or_(Certificate.code_key == key, Certificate.verification_code == code)))
    if cert is None:
        raise NotFound(_l("Sertifikat dengan kode ini tidak ditemukan."))
    return cert


def looks_like_number(text: str) -> bool:
    """A certificate number typed where a code belongs ("00012/ASNB/41/II/2024")."""
    return "/" in (text or "")


def _name_words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.findall(r"[^\W\d_]+", text)


def _core_name(name: str) -> list[str]:
    """The name without academic titles: what follows the first comma ("M.Si.") and the
    abbreviations before it ("Dr.", "H.", "Ir.") are dropped."""
    head = (name or "").split(",", 1)[0]
    return _name_words(" ".join(w for w in head.split() if "." not in w))


def holder_matches(cert: Certificate, proof: str) -> bool:
    """The holder's name (with or without titles, any case) or the NIP's last four digits."""
    proof = (proof or "").strip()
    digits = re.sub(r"\D", "", proof)
    if len(digits) == 4 and digits == proof.replace(" ", ""):
        return bool(cert.nip) and cert.nip[-4:] == digits
    typed = _name_words(proof)
    return bool(typed) and typed in (_name_words(cert.name), _core_name(cert.name))


def certificate_by_number(number: str, proof: str) -> Certificate:
    """The public check by number: it must come with the holder's name or the NIP's last
    four digits. Unknown number and wrong proof get the same answer, so numbers (which
    are sequential) cannot be used to list holders."""
    number = " ".join((number or "").split())[:80]
    cert = None
    if number and (proof or "").strip():
        cert = db.session.scalar(select(Certificate).where(
            or_(Certificate.number == number, Certificate.number == number.upper())))
    if cert is None or not holder_matches(cert, proof):
        raise NotFound(_l("Tidak ada sertifikat dengan nomor itu atas nama atau NIP tersebut. "
                          "Periksa nomor dan nama (atau 4 digit terakhir NIP) yang Anda ketik."))
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
    verification_code: str
    signed: bool  # the stored copy carries a BSrE electronic signature
    signed_at: object
    nip_confirmed: bool | None  # None: no NIP, or the model does not track confirmation
    replaced_by: str | None  # the live replacement's verification code, when reissued
    # The episode's start and end (UTC): the page shows them in the viewer's zone, named.
    held_from: object = None
    held_until: object = None

    def as_json(self) -> dict:
        return {
            "valid": self.valid, "revoked": self.revoked, "number": self.number,
            "name": self.name, "nip_masked": self.nip_masked, "episode": self.episode,
            "jp": self.jp, "issued_at": iso(self.issued_at), "kind": self.kind,
            "revoked_reason": self.revoked_reason, "signed": self.signed,
            "signed_at": iso(self.signed_at), "nip_confirmed": self.nip_confirmed,
            "replaced_by": (external_url("api.verify_code", code=self.replaced_by)
                            if self.replaced_by else None),
        }


def _nip_confirmed(cert: Certificate) -> bool | None:
    """Whether the holder's NIP was confirmed (single sign-on, agency list, organizer
    review) and is still theirs; None when the certificate carries no NIP or the
    profile does not record confirmation."""
    column = getattr(ParticipantProfile, "nip_status", None)
    if not cert.nip or cert.user_id is None or column is None:
        return None
    row = db.session.execute(select(ParticipantProfile.nip, column).where(
        ParticipantProfile.user_id == cert.user_id)).first()
    return bool(row and row[0] == cert.nip and row[1] == "confirmed")


def replacement_of(cert: Certificate) -> Certificate | None:
    """The live certificate that replaced a revoked one (a reissue), if any."""
    if cert.revoked_at is None:
        return None
    return db.session.scalar(select(Certificate).where(
        Certificate.reissue_of_id == cert.id, Certificate.revoked_at.is_(None)))


def verify_certificate(cert: Certificate) -> Verification:
    stored = db.session.execute(select(CertificateFile.signed_at).where(
        CertificateFile.certificate_id == cert.id)).first()
    replacement = replacement_of(cert)
    held_from, held_until = cert.held_from, cert.held_until
    if held_from is None:
        # Issued before certificates froze their times: the episode's, which the page
        # names with a zone like any other time.
        held_from, held_until = db.session.execute(
            select(Episode.starts_at, Episode.ends_at).where(Episode.id == cert.episode_id)
        ).one()
    return Verification(
        valid=cert.revoked_at is None, revoked=cert.revoked_at is not None,
        number=cert.number, name=cert.name, nip_masked=mask_nip(cert.nip),
        episode=f"{cert.program_name} {cert.episode_label}: {cert.episode_title}",
        jp=cert.jp, issued_at=cert.issued_at, revoked_reason=cert.revoked_reason,
        kind=cert.kind, role=cert.role, verification_code=cert.verification_code,
        signed=bool(stored and stored[0]), signed_at=stored[0] if stored else None,
        nip_confirmed=_nip_confirmed(cert),
        replaced_by=replacement.verification_code if replacement else None,
        held_from=held_from, held_until=held_until,
    )


def verify(code: str) -> Verification:
    return verify_certificate(certificate_by_code(code))


def render_pdf(cert: Certificate, *, stamp_revoked: bool = False) -> bytes:
    """A fresh rendering (see rendering.pdf_for_download for the stored copy)."""
    return render_certificate(cert, stamp_revoked=stamp_revoked)


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
        **_frozen_common(episode, user.timezone), **_new_code(), kind="participant",
        user_id=user.id,
        seq=seq, number=format_number(episode, seq), name=user.full_name,
        nip=profile.nip if profile else None,
        instansi=profile.instansi_name if profile else None, jp=episode.jp,
        reissue_of_id=cert.id,
    )
    db.session.add(new)
    db.session.flush()
    recredit_episode(episode, user.id, new.id, actor_id)
    record_event(actor_id, "certificate.reissue", "certificate", new.id,
                 before={"certificate_id": cert.id}, after={"certificate_id": new.id})
    _queue_reissued_email(user, episode, old=cert, new=new)
    return new


def _queue_reissued_email(user: User, episode: Episode, *, old: Certificate,
                          new: Certificate) -> None:
    """Tell the participant (through the outbox, same transaction) which certificate now
    counts and where to download it."""

    if user.anonymized_at is not None:
        return
    subject, text, html = render_email(
        "certificate_reissued", user=user, episode=episode, old=old, new=new,
        download_url=external_url("certificates.download", code=new.verification_code),
        verify_url=verify_url(new))
    queue_email(f"certificate-reissued:{new.id}", user.email, subject, text, html)


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
    seq = allocate_numbers(_scope(episode, "speaker"), 1)[0]
    # A speaker with an account reads their own zone; others the episode's.
    holder = db.session.get(User, speaker.user_id) if speaker.user_id else None
    cert = Certificate(
        **_frozen_common(episode, holder.timezone if holder else None), **_new_code(),
        kind="speaker", speaker_id=speaker.id,
        seq=seq, number=format_number(episode, seq, kind="speaker"), name=speaker.name,
        nip=None,
        instansi=speaker.institution, role=link.role, jp=None,
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def count_live(episode_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate).where(
        and_(Certificate.episode_id == episode_id, Certificate.revoked_at.is_(None),
             Certificate.kind == "participant"))) or 0


# Design per program, override per episode -----------------------------------------------

PHOTOS = {"background"}  # stored as JPEG; logos and signatures as PNG (transparency)


def design_row(*, program_id: int | None = None,
               episode_id: int | None = None) -> CertificateDesign | None:
    column = (CertificateDesign.program_id if program_id is not None
              else CertificateDesign.episode_id)
    return db.session.scalar(select(CertificateDesign).where(
        column == (program_id if program_id is not None else episode_id)))


def read_design_image(stream, field: str) -> bytes:
    """Decode an uploaded image with Pillow (a fake image fails here) and prepare it for
    printing once: resized, re-encoded (which also drops any payload it carried)."""
    from PIL import Image, UnidentifiedImageError


    data = read_limited(stream, int(current_app.config["IMAGE_MAX_BYTES"]))
    check_image_pixels(data, field)  # from the header, before anything is decoded
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise ValidationError(_l("Format gambar harus JPG atau PNG."),
                                      code="bad_image", field=field)
        return prepare_image(data, box=IMAGE_BOXES[field], photo=field in PHOTOS)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationError(_l("Berkas bukan gambar yang valid (gunakan JPG atau PNG)."),
                              code="bad_image", field=field) from None


def _clean_design_data(data: dict) -> dict:

    out = {}
    for name in ("issuer_lines", "title", "intro", "participant_wording", "speaker_wording",
                 "signer_name", "signer_title"):
        value = (data.get(name) or "").strip()
        if name == "issuer_lines":
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
            if len(value.splitlines()) > 3:
                raise ValidationError(_l("Baris penerbit paling banyak 3."), field=name)
        if name.endswith("_wording") and wording_errors(value):
            raise ValidationError(_l("Penanda tidak dikenal: %(bad)s.",
                                     bad=", ".join(wording_errors(value))), field=name)
        out[name] = value or None
    nip = (data.get("signer_nip") or "").strip()
    if nip:

        try:
            nip = parse_nip(nip).nip
        except NIPError as err:
            raise ValidationError(err.message, field="signer_nip") from None
    out["signer_nip"] = nip or None
    page = data.get("speakers_page")
    out["speakers_page"] = None if page in (None, "") else page in (True, "1", "true")
    return out


def save_design(*, program_id: int | None = None, episode_id: int | None = None,
                data: dict, images: dict[str, bytes], remove: set[str],
                actor_id: int | None) -> CertificateDesign:
    """Create or update the design of a program or an episode. ``images`` are prepared
    (see :func:`read_design_image`); ``remove`` names images to drop."""
    if (program_id is None) == (episode_id is None):
        raise ValueError("a design belongs to a program or an episode")
    values = _clean_design_data(data)
    row = design_row(program_id=program_id, episode_id=episode_id)
    if row is None:
        row = CertificateDesign(program_id=program_id, episode_id=episode_id)
        db.session.add(row)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    for name in ("logo", "signature", "background"):
        if name in images:
            setattr(row, name, images[name])
        elif name in remove:
            setattr(row, name, None)
    row.updated_at = to_db(now_utc())
    row.updated_by = actor_id
    db.session.flush()
    record_event(actor_id, "certificate.design", "certificate_design", row.id,
                 before={k: v for k, v in before.items() if v is not None},
                 after={k: v for k, v in values.items() if v is not None}
                 | {"images": sorted(images), "removed": sorted(remove)})
    return row


def preview_design(*, program_id: int | None = None, episode_id: int | None = None,
                   data: dict,
                   images: dict[str, bytes], remove: set[str], kind: str = "participant"
                   ) -> bytes:
    """The PDF the design would give, on sample data, without saving anything."""

    values = _clean_design_data(data)
    episode = db.session.get(Episode, episode_id) if episode_id is not None else None
    program = db.session.get(Program, program_id if program_id is not None
                             else episode.program_id)
    saved = design_row(program_id=program_id, episode_id=episode_id)
    draft = CertificateDesign(program_id=program_id, episode_id=episode_id, **values)
    for name in ("logo", "signature", "background"):
        kept = None if name in remove else getattr(saved, name, None)
        setattr(draft, name, images.get(name, kept))
    program_row = (design_row(program_id=program.id) if episode_id is not None else None)
    resolved = (merge_design(program_row, draft, program.name) if episode_id is not None
                else merge_design(draft, None, program.name))
    return preview_pdf(resolved, episode, kind=kind, program_name=program.name)
