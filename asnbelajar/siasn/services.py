"""SIASN course-history records, agency credentials, and the push of certified
participations.

A record is one live participant certificate of an ASN (a certificate with a NIP), in the
fields of SIASN's course history (``kursus``) as its web service takes them: dates
``dd-mm-yyyy``, ``jumlahJam`` and ``tahunKursus`` integers. ``nip_confirmed`` says whether
the NIP on the certificate is the holder's confirmed NIP (self-declared NIPs are listed
but never pushed).

The push: where an agency stored SIASN credentials, each of its ASN's live certificates
with a confirmed NIP gets one ``siasn_push`` row (unique per certificate), which the
scheduler job sends with the certificate PDF. Failures keep the service's message; an
organizer may send a failed row again (status ``retried``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, literal, select

from ..accounts.models import Instansi, ParticipantProfile
from ..accounts.nip import normalize_nip
from ..accounts.reference import name_key
from ..audit.services import record_event
from ..certificates.models import Certificate
from ..certificates.services import render_pdf
from ..database import insert_ignore
from ..episodes.labels import official_series_label
from ..episodes.models import Episode, Program
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..timeutil import now_utc, to_db, to_local
from ..util.crypto import SecretUnreadable, decrypt, encrypt
from .client import SiasnClient, SiasnConfig, SiasnError
from .models import SiasnCredential, SiasnPush

FIELDS = ("nip", "nama", "namaKursus", "institusiPenyelenggara", "jumlahJam",
          "tanggalKursus", "tanggalSelesaiKursus", "tahunKursus", "nomorSertipikat",
          "nip_confirmed")


def siasn_date(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def _record_select():
    confirmed = and_(ParticipantProfile.nip_status == "confirmed",
                     ParticipantProfile.nip == Certificate.nip)
    return (
        select(Certificate, Episode, Program.name, Program.organizer_name,
               case((confirmed, True), else_=False).label("confirmed"))
        .join(Episode, Episode.id == Certificate.episode_id)
        .join(Program, Program.id == Episode.program_id)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == Certificate.user_id)
        .where(Certificate.kind == "participant", Certificate.revoked_at.is_(None),
               Certificate.nip.is_not(None))
        .order_by(Certificate.seq, Certificate.id)
    )


def _organizer(program_name: str, organizer_name: str | None) -> str:
    return (current_app.config.get("SIASN_ORGANIZER") or organizer_name
            or current_app.config.get("CERTIFICATE_ISSUER") or program_name)


def _record(cert: Certificate, episode: Episode, program_name: str,
            organizer_name: str | None, confirmed: bool) -> dict[str, Any]:
    start = to_local(episode.starts_at_utc, episode.timezone).date()
    end = to_local(episode.ends_at_utc, episode.timezone).date()
    return {
        "nip": cert.nip,
        "nama": cert.name,
        "namaKursus": f"{cert.program_name} {official_series_label(episode.number, episode.year)}: "
                      f"{cert.episode_title}"[:250],
        "institusiPenyelenggara": _organizer(program_name, organizer_name),
        "jumlahJam": int(cert.jp or 0),
        "tanggalKursus": siasn_date(cert.held_on or start),
        "tanggalSelesaiKursus": siasn_date(max(end, cert.held_on or start)),
        "tahunKursus": int(episode.year),
        "nomorSertipikat": cert.number,
        "nip_confirmed": bool(confirmed),
    }


def episode_records(episode_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(_record_select().where(Certificate.episode_id == episode_id))
    return [_record(*row) for row in rows]


def participant_records(nip: str, year: int) -> list[dict[str, Any]]:
    """Records of the ASN holding ``nip`` (as typed: separators allowed) for a year."""
    normalized = normalize_nip(nip or "")
    if not normalized.isdigit() or len(normalized) != 18:
        raise ValidationError(_l("NIP tidak valid."), field="nip")
    profile = db.session.scalar(select(ParticipantProfile)
                                .where(ParticipantProfile.nip == normalized))
    if profile is None:
        raise NotFound(_l("Tidak ada peserta dengan NIP itu."), code="participant_not_found")
    rows = db.session.execute(_record_select().where(Certificate.user_id == profile.user_id,
                                                     Episode.year == year))
    return [_record(*row) for row in rows]


def record_rows(records: list[dict[str, Any]]):
    """Rows for a CSV in the order of :data:`FIELDS` (NIP kept as text)."""
    for r in records:
        yield [r["nip"], r["nama"], r["namaKursus"], r["institusiPenyelenggara"],
               r["jumlahJam"], r["tanggalKursus"], r["tanggalSelesaiKursus"],
               r["tahunKursus"], r["nomorSertipikat"],
               "ya" if r["nip_confirmed"] else "belum"]


# Credentials ----------------------------------------------------------------------------

@dataclass
class CredentialView:
    """What a page may show about stored credentials: never a secret."""

    id: int
    instansi: str
    consumer_key: str
    client_id: str
    username: str
    siasn_instansi_id: str
    jenis_diklat_id: str | None
    enabled: bool
    updated_at: Any


def credentials() -> list[CredentialView]:
    return [
        CredentialView(id=c.id, instansi=c.instansi.name, consumer_key=c.consumer_key,
                       client_id=c.client_id, username=c.username,
                       siasn_instansi_id=c.siasn_instansi_id, jenis_diklat_id=c.jenis_diklat_id,
                       enabled=c.enabled, updated_at=c.updated_at)
        for c in db.session.scalars(select(SiasnCredential).join(Instansi)
                                    .order_by(Instansi.name))
    ]


def save_credential(data: dict[str, Any], *, actor_id: int | None) -> SiasnCredential:
    """Store (or replace) an agency's credentials. An empty secret on an update keeps the
    stored one, so the form never has to show it."""
    name = " ".join(str(data.get("instansi") or "").split())
    instansi = db.session.scalar(select(Instansi).where(Instansi.name_key == name_key(name)))
    if instansi is None:
        raise ValidationError(_l("Instansi tidak ada dalam daftar instansi."), field="instansi")
    cred = db.session.scalar(select(SiasnCredential)
                             .where(SiasnCredential.instansi_id == instansi.id))
    values = {k: str(data.get(k) or "").strip() for k in (
        "consumer_key", "consumer_secret", "client_id", "username", "password",
        "siasn_instansi_id", "jenis_diklat_id")}
    for key, label in (("consumer_key", _l("Consumer key")), ("client_id", _l("Client ID")),
                       ("username", _l("Nama pengguna SSO")),
                       ("siasn_instansi_id", _l("ID instansi SIASN"))):
        if not values[key]:
            raise ValidationError(_l("%(field)s wajib diisi.", field=label), field=key)
    for key in ("consumer_secret", "password"):
        if not values[key] and cred is None:
            raise ValidationError(_l("Rahasia wajib diisi saat pertama kali disimpan."),
                                  field=key)
    if cred is None:
        cred = SiasnCredential(instansi_id=instansi.id)
        db.session.add(cred)
    cred.consumer_key = values["consumer_key"][:200]
    cred.client_id = values["client_id"][:200]
    cred.username = values["username"][:200]
    cred.siasn_instansi_id = values["siasn_instansi_id"][:64]
    cred.jenis_diklat_id = values["jenis_diklat_id"][:20] or None
    if values["consumer_secret"]:
        cred.consumer_secret_enc = encrypt(values["consumer_secret"])
    if values["password"]:
        cred.password_enc = encrypt(values["password"])
    cred.enabled = bool(data.get("enabled", True))
    cred.updated_by = actor_id
    db.session.flush()
    record_event(actor_id, "siasn.credential_saved", "instansi", instansi.id,
                 after={"consumer_key": cred.consumer_key, "username": cred.username,
                        "enabled": cred.enabled})
    return cred


def delete_credential(credential_id: int, *, actor_id: int | None) -> None:
    cred = db.session.get(SiasnCredential, credential_id)
    if cred is None:
        raise NotFound(_l("Kredensial tidak ditemukan."))
    record_event(actor_id, "siasn.credential_deleted", "instansi", cred.instansi_id)
    db.session.delete(cred)
    db.session.flush()


def client_for(cred: SiasnCredential) -> SiasnClient:
    cfg = current_app.config
    return SiasnClient(SiasnConfig(
        sso_url=cfg["SIASN_SSO_URL"], wso_url=cfg["SIASN_WSO_URL"], api_url=cfg["SIASN_API_URL"],
        consumer_key=cred.consumer_key, consumer_secret=decrypt(cred.consumer_secret_enc),
        client_id=cred.client_id, username=cred.username, password=decrypt(cred.password_enc),
        timeout=float(cfg.get("SIASN_TIMEOUT", 20)),
    ))


# Push -----------------------------------------------------------------------------------

def _eligible():
    """Live certificates of ASN with a confirmed NIP whose agency has enabled credentials."""
    return (
        select(Certificate.id, ParticipantProfile.instansi_id, Certificate.episode_id)
        .join(ParticipantProfile, ParticipantProfile.user_id == Certificate.user_id)
        .join(SiasnCredential, and_(SiasnCredential.instansi_id == ParticipantProfile.instansi_id,
                                    SiasnCredential.enabled.is_(True)))
        .where(Certificate.kind == "participant", Certificate.revoked_at.is_(None),
               Certificate.nip.is_not(None), ParticipantProfile.nip_status == "confirmed",
               ParticipantProfile.nip == Certificate.nip,
               ~exists().where(SiasnPush.certificate_id == Certificate.id))
    )


def enqueue_pushes() -> int:
    """Queue every certificate that should go to SIASN and is not queued yet (one set-
    based INSERT; the unique certificate id makes a concurrent rerun queue nothing twice)."""
    stamp = to_db(now_utc())
    eligible = _eligible().subquery()
    stmt = insert_ignore(SiasnPush.__table__).from_select(
        ["certificate_id", "instansi_id", "episode_id", "status", "attempts", "created_at"],
        select(eligible.c.id, eligible.c.instansi_id, eligible.c.episode_id,
               literal("pending"), literal(0), literal(stamp, SiasnPush.created_at.type))
        # SQLite reads "SELECT ... ON CONFLICT" as a join constraint unless a WHERE comes
        # first (its documented parsing ambiguity); the condition is always true.
        .where(eligible.c.id.is_not(None)),
    )
    # RETURNING, not rowcount: psycopg reports no rowcount for ON CONFLICT DO NOTHING.
    return len(db.session.execute(stmt.returning(SiasnPush.__table__.c.id)).all())


def _kursus_payload(cred: SiasnCredential, record: dict[str, Any], pns_id: str,
                    document: dict[str, Any]) -> dict[str, Any]:
    return {
        "instansiId": cred.siasn_instansi_id,
        "institusiPenyelenggara": record["institusiPenyelenggara"],
        "jenisDiklatId": cred.jenis_diklat_id or "",
        "jenisKursus": "",
        "jenisKursusSertipikat": "",
        "jumlahJam": record["jumlahJam"],
        "lokasiId": "",
        "namaKursus": record["namaKursus"],
        "nomorSertipikat": record["nomorSertipikat"],
        "pnsOrangId": pns_id,
        "tahunKursus": record["tahunKursus"],
        "tanggalKursus": record["tanggalKursus"],
        "tanggalSelesaiKursus": record["tanggalSelesaiKursus"],
        "path": [document],
    }


def _fail(push: SiasnPush, message: str) -> None:
    push.status = "failed"
    push.last_error = message[:2000]


def push_pending(limit: int | None = None) -> dict[str, int]:
    """Send queued records (pending and retried), oldest first. Each record is committed
    on its own, so a crash mid-run loses at most the one in flight, and a record is marked
    before the network call so two schedulers never send it twice (the lease already
    makes one active)."""
    limit = limit or int(current_app.config.get("SIASN_PUSH_BATCH", 200))
    ids = list(db.session.scalars(
        select(SiasnPush.id).where(SiasnPush.status.in_(("pending", "retried")))
        .order_by(SiasnPush.created_at, SiasnPush.id).limit(limit)))
    clients: dict[int, SiasnClient | SiasnError] = {}
    sent = failed = 0
    for push_id in ids:
        push = db.session.get(SiasnPush, push_id)
        if push is None or push.status not in ("pending", "retried"):
            continue
        push.attempts += 1
        push.last_attempt_at = to_db(now_utc())
        cert = db.session.get(Certificate, push.certificate_id)
        cred = db.session.scalar(select(SiasnCredential)
                                 .where(SiasnCredential.instansi_id == push.instansi_id))
        if cert is None or cert.revoked_at is not None:
            _fail(push, "Sertifikat sudah dicabut; tidak dikirim.")
        elif cred is None or not cred.enabled:
            _fail(push, "Kredensial SIASN instansi tidak ada atau nonaktif.")
        else:
            client = clients.get(cred.id)
            if client is None:
                try:
                    client = client_for(cred)
                except SecretUnreadable:
                    client = SiasnError("Kredensial tersimpan tidak dapat dibuka; "
                                        "masukkan ulang rahasia SIASN instansi.")
                clients[cred.id] = client
            try:
                if isinstance(client, SiasnError):
                    raise client
                rows = db.session.execute(_record_select().where(Certificate.id == cert.id))
                record = _record(*rows.one())
                pns_id = client.pns_id(record["nip"])
                document = client.upload_document(
                    f"sertifikat-{cert.verification_code}.pdf", render_pdf(cert))
                push.remote_id = client.save_kursus(
                    _kursus_payload(cred, record, pns_id, document))
            except SiasnError as err:
                _fail(push, err.message)
            else:
                push.status = "sent"
                push.last_error = None
                push.sent_at = to_db(now_utc())
        if push.status == "sent":
            sent += 1
        else:
            failed += 1
        db.session.commit()
    return {"sent": sent, "failed": failed}


def run_push_job() -> dict[str, int]:
    """The scheduler job: queue what is new, then send a batch."""
    queued = enqueue_pushes()
    db.session.commit()
    return {"queued": queued, **push_pending()}


def retry_push(push_id: int, *, actor_id: int | None) -> SiasnPush:
    push = db.session.get(SiasnPush, push_id)
    if push is None:
        raise NotFound(_l("Catatan kiriman SIASN tidak ditemukan."))
    if push.status != "failed":
        raise ValidationError(_l("Hanya kiriman yang gagal yang dapat dikirim ulang."))
    push.status = "retried"
    db.session.flush()
    record_event(actor_id, "siasn.push_retried", "certificate", push.certificate_id)
    return push


@dataclass
class PushRow:
    id: int
    status: str
    attempts: int
    last_error: str | None
    remote_id: str | None
    sent_at: Any
    last_attempt_at: Any
    number: str
    name: str
    nip: str | None
    instansi: str
    episode_label: str


def push_statuses(*, status: str | None = None, episode_id: int | None = None,
                  limit: int = 500) -> list[PushRow]:
    query = (select(SiasnPush, Certificate.number, Certificate.name, Certificate.nip,
                    Instansi.name, Certificate.episode_label)
             .join(Certificate, Certificate.id == SiasnPush.certificate_id)
             .join(Instansi, Instansi.id == SiasnPush.instansi_id)
             .order_by(SiasnPush.id.desc()).limit(limit))
    if status:
        query = query.where(SiasnPush.status == status)
    if episode_id:
        query = query.where(SiasnPush.episode_id == episode_id)
    return [PushRow(id=p.id, status=p.status, attempts=p.attempts, last_error=p.last_error,
                    remote_id=p.remote_id, sent_at=p.sent_at, last_attempt_at=p.last_attempt_at,
                    number=number, name=name, nip=nip, instansi=instansi, episode_label=label)
            for p, number, name, nip, instansi, label in db.session.execute(query)]


def push_counts() -> dict[str, int]:
    return dict(db.session.execute(
        select(SiasnPush.status, func.count()).group_by(SiasnPush.status)).all())


def needing_confirmation(limit: int = 500) -> list[dict[str, Any]]:
    """ASN of agencies with SIASN credentials whose live certificates wait for a
    confirmed NIP: these are not pushed until an organizer confirms the NIP."""
    rows = db.session.execute(
        select(Certificate.nip, Certificate.name, Instansi.name,
               ParticipantProfile.nip_status, func.count())
        .join(ParticipantProfile, ParticipantProfile.user_id == Certificate.user_id)
        .join(Instansi, Instansi.id == ParticipantProfile.instansi_id)
        .join(SiasnCredential, SiasnCredential.instansi_id == Instansi.id)
        .where(Certificate.kind == "participant", Certificate.revoked_at.is_(None),
               Certificate.nip.is_not(None),
               (ParticipantProfile.nip_status != "confirmed")
               | (ParticipantProfile.nip != Certificate.nip)
               | ParticipantProfile.nip.is_(None))
        .group_by(Certificate.nip, Certificate.name, Instansi.name,
                  ParticipantProfile.nip_status)
        .order_by(Instansi.name, Certificate.name).limit(limit)
    ).all()
    return [{"nip": nip, "nama": name, "instansi": instansi, "nip_status": status,
             "certificates": n} for nip, name, instansi, status, n in rows]
