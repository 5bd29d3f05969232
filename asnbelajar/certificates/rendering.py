"""Certificate PDFs from the database: the design that applies, one renderer per design,
stored files (rendered in the background after finalize, on demand otherwise), and bulk
output (a streamed ZIP, one merged PDF for printing, a directory for the CLI).

Bulk paths read certificates in chunks by id and never hold more than one chunk of PDFs,
so memory stays flat for an episode of 7,700 attendees.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from threading import Lock
from typing import BinaryIO

from flask import current_app
from sqlalchemy import delete, select

from ..audit.services import record_event
from ..database import insert_ignore
from ..episodes.labels import official_series_label
from ..episodes.models import Episode
from ..extensions import db
from ..speakers.models import EpisodeSpeaker, Speaker
from ..timeutil import format_date_id, format_day_id, format_period_id, now_utc, to_db
from ..util.urls import external_url
from .models import Certificate, CertificateDesign, CertificateFile
from .pdf import (
    DEFAULT_PARTICIPANT_WORDING,
    DEFAULT_SPEAKER_WORDING,
    CertificateDocument,
    CertificateRenderer,
)
from .pdf import CertificateDesign as Design

SPEAKER_ROLE_LABELS = {"narasumber": "Narasumber", "moderator": "Moderator",
                       "keynote": "Keynote Speaker"}
CHUNK = 200  # certificates read (and PDFs held) at a time in bulk paths

DESIGN_FIELDS = ("issuer_lines", "title", "intro", "participant_wording", "speaker_wording",
                 "signer_name", "signer_title", "signer_nip", "logo", "background",
                 "signature", "speakers_page")


@dataclass(frozen=True)
class ResolvedDesign:
    """The design that applies to an episode: its own fields, else its program's, else the
    configured defaults."""

    design: Design
    signer_name: str
    signer_title: str
    signer_nip: str | None
    version: tuple  # changes whenever a row behind it changes (renderer cache key)


def design_rows(episode: Episode) -> tuple[CertificateDesign | None, CertificateDesign | None]:
    """(program's row, episode's row)."""
    rows = db.session.scalars(select(CertificateDesign).where(
        (CertificateDesign.program_id == episode.program_id)
        | (CertificateDesign.episode_id == episode.id))).all()
    program = next((r for r in rows if r.program_id is not None), None)
    own = next((r for r in rows if r.episode_id is not None), None)
    return program, own


def merge_design(program: CertificateDesign | None, own: CertificateDesign | None,
                 program_name: str) -> ResolvedDesign:
    cfg = current_app.config

    def pick(name: str, default=None):
        for row in (own, program):
            value = getattr(row, name, None) if row is not None else None
            if value is not None and value != "":
                return value
        return default

    issuer = pick("issuer_lines", cfg["CERTIFICATE_ISSUER"])
    signer_name = pick("signer_name", cfg["CERTIFICATE_SIGNER_NAME"])
    design = Design(
        program_name=program_name,
        issuer_lines=tuple(line.strip() for line in issuer.splitlines() if line.strip()),
        title=pick("title", "SERTIFIKAT"), intro=pick("intro", "diberikan kepada"),
        participant_wording=pick("participant_wording", DEFAULT_PARTICIPANT_WORDING),
        speaker_wording=pick("speaker_wording", DEFAULT_SPEAKER_WORDING),
        logo=pick("logo"), background=pick("background"), signature=pick("signature"),
        # The signature image belongs to whoever the design names as signer.
        signature_signer=signer_name, speakers_page=bool(pick("speakers_page", False)),
    )
    version = tuple((row.id, row.updated_at) if row is not None else None
                    for row in (program, own)) + (
        program_name, issuer, signer_name, cfg["CERTIFICATE_SIGNER_TITLE"])
    return ResolvedDesign(design, signer_name,
                          pick("signer_title", cfg["CERTIFICATE_SIGNER_TITLE"]),
                          pick("signer_nip", cfg.get("CERTIFICATE_SIGNER_NIP")), version)


def resolve_design(episode: Episode) -> ResolvedDesign:
    program, own = design_rows(episode)
    return merge_design(program, own, episode.program.name)


_renderers: dict[tuple, CertificateRenderer] = {}
_renderers_lock = Lock()


def renderer_for(resolved: ResolvedDesign) -> CertificateRenderer:
    """One prepared renderer per design version (images decoded once per process)."""
    with _renderers_lock:
        renderer = _renderers.get(resolved.version)
    if renderer is None:
        renderer = CertificateRenderer(resolved.design)
        with _renderers_lock:
            if len(_renderers) >= 16:
                _renderers.pop(next(iter(_renderers)))
            _renderers[resolved.version] = renderer
    return renderer


def _speakers_of(episode: Episode) -> tuple[tuple[str, str | None, str | None], ...]:
    rows = db.session.execute(
        select(Speaker.name, Speaker.institution, EpisodeSpeaker.role)
        .join(EpisodeSpeaker, EpisodeSpeaker.speaker_id == Speaker.id)
        .where(EpisodeSpeaker.episode_id == episode.id)
        .order_by(EpisodeSpeaker.position, Speaker.id)).all()
    return tuple((name, institution, SPEAKER_ROLE_LABELS.get(role or "", role))
                 for name, institution, role in rows)


def verify_url(cert: Certificate) -> str:
    """The QR target, at the one configured public address."""
    return external_url("certificates.verify_page", code=cert.verification_code)


def document_for(cert: Certificate, *, issuer: str, speakers=(), topic: str | None = None,
                 stamp_revoked: bool = False, dates: dict | None = None) -> CertificateDocument:
    """``dates`` memoizes the formatted dates across a batch (they repeat).

    A certificate that froze its zone prints the episode's day and hours in it, the zone
    named ("Jumat, 1 Maret 2024, pukul 11.00–13.00 WIT"), and its issue date in it too;
    older ones print the day only, as they always did."""
    revoked = stamp_revoked and cert.revoked_at is not None
    dates = {} if dates is None else dates
    zoned = bool(cert.timezone) and cert.held_from is not None
    if zoned:
        held_key = ("period", cert.held_from, cert.held_until, cert.timezone)
        issued_key = ("date", cert.issued_at, cert.timezone)
    else:
        held_key, issued_key = ("day", cert.held_on), ("date", cert.issued_at, None)
    if held_key not in dates:
        dates[held_key] = (format_period_id(cert.held_from, cert.held_until, cert.timezone)
                           if zoned else format_day_id(cert.held_on))
    if issued_key not in dates:
        dates[issued_key] = format_date_id(cert.issued_at, cert.timezone)
    return CertificateDocument(
        kind=cert.kind, number=cert.number, verification_code=cert.verification_code,
        verify_url=verify_url(cert), name=cert.name, nip=cert.nip, instansi=cert.instansi,
        role=SPEAKER_ROLE_LABELS.get(cert.role or "", cert.role),
        program_name=cert.program_name, episode_label=cert.episode_label,
        episode_title=cert.episode_title, held_on=dates[held_key],
        jp=cert.jp if cert.kind == "participant" else None, issuer=issuer,
        signer_name=cert.signer_name, signer_title=cert.signer_title,
        signer_nip=cert.signer_nip, issued_on=dates[issued_key],
        revoked=revoked,
        revoked_note=(f"Dicabut {format_date_id(cert.revoked_at)}: {cert.revoked_reason or '-'}"
                      if revoked else None),
        speakers=speakers, topic=topic,
    )


class EpisodeBatch:
    """What every certificate of one episode shares, looked up once."""

    def __init__(self, episode: Episode):
        self.episode = episode
        self.resolved = resolve_design(episode)
        self.renderer = renderer_for(self.resolved)
        self.issuer = " ".join(self.resolved.design.issuer_lines)
        wants_page = self.resolved.design.speakers_page
        self.speakers = _speakers_of(episode) if wants_page else ()
        self.topic = episode.summary if wants_page else None
        self.dates: dict = {}

    def document(self, cert: Certificate, *, stamp_revoked: bool = False) -> CertificateDocument:
        if len(self.dates) > 1024:
            self.dates.clear()
        return document_for(cert, issuer=self.issuer, speakers=self.speakers, topic=self.topic,
                            stamp_revoked=stamp_revoked, dates=self.dates)

    def render(self, cert: Certificate, *, stamp_revoked: bool = False) -> bytes:
        return self.renderer.render(self.document(cert, stamp_revoked=stamp_revoked))


def render_certificate(cert: Certificate, *, stamp_revoked: bool = False) -> bytes:
    """A fresh rendering with the design that applies now (organizers' stamped copies,
    on-demand downloads)."""
    episode = db.session.get(Episode, cert.episode_id)
    return EpisodeBatch(episode).render(cert, stamp_revoked=stamp_revoked)


# Stored files -------------------------------------------------------------------------------


def _file_row(cert_id: int, data: bytes) -> dict:
    return {"certificate_id": cert_id, "pdf": data, "size_bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "rendered_at": to_db(now_utc())}


def store_files(rows: list[tuple[int, bytes]]) -> int:
    """Store rendered PDFs; a file stored meanwhile by another process is kept."""
    if not rows:
        return 0
    db.session.execute(insert_ignore(CertificateFile.__table__),
                       [_file_row(cert_id, data) for cert_id, data in rows])
    return len(rows)


def stored_file(cert_id: int) -> CertificateFile | None:
    return db.session.get(CertificateFile, cert_id)


def pdf_for_download(cert: Certificate) -> tuple[bytes, bool]:
    """(PDF, signed) as issued: the stored file, or a rendering stored now so the next
    download (and the ZIP) reuse it. The caller commits."""
    stored = stored_file(cert.id)
    if stored is not None:
        return stored.pdf, stored.signed_at is not None
    data = render_certificate(cert)
    store_files([(cert.id, data)])
    return data, False


def discard_unsigned_files(episode_id: int, actor_id: int | None) -> int:
    """Drop the episode's stored files that carry no electronic signature, so that the
    render job (or the next download) renders them again with the design that applies
    now. Signed files stay: a signature covers the file exactly as it was signed."""
    ids = select(Certificate.id).where(Certificate.episode_id == episode_id)
    dropped = db.session.execute(
        delete(CertificateFile).where(CertificateFile.certificate_id.in_(ids),
                                      CertificateFile.signed_at.is_(None))
        .returning(CertificateFile.certificate_id)).all()
    record_event(actor_id, "certificate.rerender", "episode", episode_id,
                 after={"files": len(dropped)})
    return len(dropped)


def _live(episode_id: int, kinds: Iterable[str]):
    return (Certificate.episode_id == episode_id) & Certificate.revoked_at.is_(None) & (
        Certificate.kind.in_(tuple(kinds)))


def _missing_file():
    return ~select(CertificateFile.certificate_id).where(
        CertificateFile.certificate_id == Certificate.id).exists()


def render_missing_files(episode_id: int, limit: int | None = None,
                         kinds: Iterable[str] = ("participant", "speaker")) -> int:
    """Render and store files for the episode's live certificates that have none, in
    chunks (each chunk flushed, the caller commits). Returns how many were stored."""
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        return 0
    batch = EpisodeBatch(episode)
    done = 0
    while limit is None or done < limit:
        size = CHUNK if limit is None else min(CHUNK, limit - done)
        certs = db.session.scalars(
            select(Certificate).where(_live(episode_id, kinds), _missing_file())
            .order_by(Certificate.id).limit(size)).all()
        if not certs:
            break
        store_files([(cert.id, batch.render(cert)) for cert in certs])
        db.session.flush()
        for cert in certs:
            db.session.expunge(cert)
        done += len(certs)
    return done


def episodes_missing_files(limit: int = 20) -> list[int]:
    """Finalized episodes with live certificates that have no stored file yet."""
    return list(db.session.scalars(
        select(Certificate.episode_id)
        .join(Episode, Episode.id == Certificate.episode_id)
        .where(Episode.finalized_at.is_not(None), Certificate.revoked_at.is_(None),
               _missing_file())
        .group_by(Certificate.episode_id).order_by(Certificate.episode_id).limit(limit)))


def render_due_files() -> dict[str, int]:
    """Scheduler job: render files for finalized episodes, a bounded batch per run, one
    commit per episode. Downloads that come first render on demand and store the file,
    so nobody waits for this batch."""
    per_run = int(current_app.config["CERTIFICATE_RENDER_BATCH"])
    rendered = 0
    episodes = 0
    for episode_id in episodes_missing_files():
        try:
            count = render_missing_files(episode_id, limit=per_run)
            db.session.commit()
        except Exception:  # one broken episode (e.g. a bad image) must not stop the rest
            db.session.rollback()
            current_app.logger.exception("rendering certificates of episode %s failed",
                                         episode_id)
            continue
        rendered += count
        episodes += 1
        if rendered >= per_run:
            break
    return {"episodes": episodes, "rendered": rendered}


# Bulk output --------------------------------------------------------------------------------


def _ids(episode_id: int, kinds: Iterable[str]) -> list[int]:
    return list(db.session.scalars(select(Certificate.id).where(_live(episode_id, kinds))
                                   .order_by(Certificate.kind, Certificate.seq,
                                             Certificate.id)))


def _chunks(ids: list[int]) -> Iterator[list[Certificate]]:
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        certs = {c.id: c for c in db.session.scalars(
            select(Certificate).where(Certificate.id.in_(part)))}
        yield [certs[i] for i in part if i in certs]
        for cert in certs.values():
            db.session.expunge(cert)


def count_live_certificates(episode_id: int, speakers: bool = False) -> int:
    return len(_ids(episode_id, ("participant", "speaker") if speakers else ("participant",)))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(number: str) -> str:
    """A certificate number as a file name: "00012/ASNB/41/II/2024" -> "00012-ASNB-41-II-2024"."""
    return _UNSAFE.sub("-", number).strip("-.") or "sertifikat"


class _ZipSink(io.RawIOBase):
    """A write-only, unseekable stream: zipfile then writes data descriptors and never
    seeks back, and the bytes it wrote can be taken out piece by piece."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def iter_episode_zip(episode_id: int, *, speakers: bool = False) -> Iterator[bytes]:
    """A ZIP of the episode's live certificates (file name = number), produced piece by
    piece: stored files where they exist, rendered for the rest. PDFs are stored without
    recompression (they are compressed already)."""
    episode = db.session.get(Episode, episode_id)
    kinds = ("participant", "speaker") if speakers else ("participant",)
    ids = _ids(episode_id, kinds)
    batch = EpisodeBatch(episode) if episode is not None else None
    sink = _ZipSink()
    names: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for certs in _chunks(ids):
            stored = dict(db.session.execute(
                select(CertificateFile.certificate_id, CertificateFile.pdf)
                .where(CertificateFile.certificate_id.in_([c.id for c in certs]))).all())
            for cert in certs:
                data = stored.get(cert.id) or batch.render(cert)
                name = safe_filename(cert.number)
                if name in names:  # two numbers that differ only in unsafe characters
                    name = f"{name}-{cert.verification_code}"
                names.add(name)
                issued = cert.issued_at or datetime(2024, 1, 1)
                info = zipfile.ZipInfo(f"{name}.pdf", date_time=issued.timetuple()[:6])
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, data)
                yield sink.take()
            stored.clear()
    yield sink.take()


def write_merged_pdf(episode_id: int, out: BinaryIO, *, speakers: bool = False,
                     progress: Callable[[int], None] | None = None) -> int:
    """Every live certificate of the episode as pages of one PDF (for printing)."""
    episode = db.session.get(Episode, episode_id)
    batch = EpisodeBatch(episode)
    kinds = ("participant", "speaker") if speakers else ("participant",)

    def docs() -> Iterator[CertificateDocument]:
        for certs in _chunks(_ids(episode_id, kinds)):
            for cert in certs:
                yield batch.document(cert)

    return batch.renderer.render_merged(
        docs(), out, title=f"Sertifikat {episode.program.name} {episode.label}",
        progress=progress)


def write_episode_files(episode_id: int, out_dir: Path, *, speakers: bool = False,
                        progress: Callable[[int], None] | None = None) -> int:
    """Render every live certificate of the episode into ``out_dir`` (CLI)."""
    episode = db.session.get(Episode, episode_id)
    batch = EpisodeBatch(episode)
    kinds = ("participant", "speaker") if speakers else ("participant",)
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for certs in _chunks(_ids(episode_id, kinds)):
        for cert in certs:
            (out_dir / f"{safe_filename(cert.number)}.pdf").write_bytes(batch.render(cert))
            count += 1
            if progress is not None:
                progress(1)
    return count


SAMPLE = {
    "name": "Dr. Siti Nurhaliza Prawirodirdjo, S.Sos., M.Si.",
    "nip": "198503122010012001",
    "instansi": "Dinas Komunikasi dan Informatika Kabupaten Bandung Barat",
}


def preview_pdf(resolved: ResolvedDesign, episode: Episode | None, *, kind: str = "participant",
                program_name: str = "ASN Belajar") -> bytes:
    """A certificate of sample data in a design (console live preview)."""
    code = "7K3M-9QXR-2B4D-HJ5N"
    title = episode.title if episode else "Transformasi Digital Pelayanan Publik"
    label = official_series_label(episode.number if episode else 41,
                                  episode.year if episode else 2024)
    speakers = ((("Prof. Budi Santoso, Ph.D.", "Universitas Padjadjaran", "Narasumber"),)
                if episode is None else _speakers_of(episode))
    doc = CertificateDocument(
        kind=kind, number=("00012/ASNB/41/II/2024" if kind == "participant"
                           else "00002/ASNB-NS/41/II/2024"),
        verification_code=code,
        verify_url=external_url("certificates.verify_page", code=code),
        name=SAMPLE["name"] if kind == "participant" else "Prof. Budi Santoso, Ph.D.",
        nip=SAMPLE["nip"] if kind == "participant" else None,
        instansi=SAMPLE["instansi"] if kind == "participant" else "Universitas Padjadjaran",
        role="Narasumber" if kind == "speaker" else None,
        program_name=program_name, episode_label=label, episode_title=title,
        held_on=(format_period_id(episode.starts_at, episode.ends_at, episode.timezone)
                 if episode else format_period_id(now_utc(), now_utc() + timedelta(hours=2))),
        jp=(episode.jp if episode else 2)
        if kind == "participant" else None,
        issuer=" ".join(resolved.design.issuer_lines), signer_name=resolved.signer_name,
        signer_title=resolved.signer_title, signer_nip=resolved.signer_nip,
        issued_on=format_date_id(now_utc()), speakers=speakers,
        topic=(episode.summary if episode else "Contoh ringkasan materi episode."),
    )
    return CertificateRenderer(resolved.design).render(doc)
