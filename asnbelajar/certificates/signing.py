"""Electronic signatures (TTE) from BSrE, BSSN's signing service, for certificate PDFs.

Off while ``BSRE_URL`` is unset. The service's shape (as its public clients use it):

* ``POST {base}/api/sign/pdf`` with HTTP basic auth and a multipart form: ``file`` (the
  PDF), ``nik``, ``passphrase``, ``tampilan`` (``invisible`` here: the page keeps its own
  design, QR code and text); the signed PDF comes back as the body.
* ``GET {base}/api/user/status/{nik}``: whether the NIK has an active signing certificate.

Two ways to sign, both in batches over the stored files of an episode:

* the institution's **e-seal**: NIK and passphrase from the configuration (a server
  secret like the database password), used by the scheduler after rendering;
* a signer's **personal signature**: NIK and passphrase typed in the console at signing
  time. The passphrase lives only in local variables of this request: it is never
  stored, never logged, never put in an exception message or an audit record.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit.services import record_event
from ..errors import DomainError
from ..extensions import db
from ..timeutil import now_utc, to_db
from .models import Certificate, CertificateFile


class SigningError(DomainError):
    status = 502
    code = "signing_failed"


class WrongPassphrase(SigningError):
    status = 422
    code = "wrong_passphrase"


class SignerNotRegistered(SigningError):
    status = 422
    code = "signer_not_registered"


class SigningUnavailable(SigningError):
    status = 503
    code = "signing_unavailable"


def configured() -> bool:
    return bool(current_app.config.get("BSRE_URL"))


def seal_configured() -> bool:
    cfg = current_app.config
    return configured() and bool(cfg.get("BSRE_SEAL_NIK")) and bool(
        cfg.get("BSRE_SEAL_PASSPHRASE"))


def _request(method: str, path: str, body: bytes | None = None,
             content_type: str | None = None) -> tuple[int, bytes, str]:
    cfg = current_app.config
    url = cfg["BSRE_URL"].rstrip("/") + path
    if not url.startswith(("http://", "https://")):
        raise SigningError(_l("BSRE_URL harus berupa alamat http(s)."), code="signing_config")
    req = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - checked above
    user, password = cfg.get("BSRE_USERNAME") or "", cfg.get("BSRE_PASSWORD") or ""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=float(cfg["BSRE_TIMEOUT"])) as resp:  # noqa: S310
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get("Content-Type", "")
    except (TimeoutError, urllib.error.URLError, OSError) as err:
        if isinstance(err, TimeoutError) or isinstance(getattr(err, "reason", None),
                                                       TimeoutError):
            raise SigningUnavailable(_l("Layanan TTE BSrE tidak menjawab tepat waktu. Coba "
                                        "lagi beberapa saat lagi."),
                                     code="signing_timeout") from None
        raise SigningUnavailable(_l("Layanan TTE BSrE tidak dapat dihubungi.")) from None


def _error_of(status: int, body: bytes) -> SigningError:
    """Map the service's error answer (JSON ``{"error": ..., "status_code": ...}``)."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        data = {}
    text = str(data.get("error") or data.get("message") or "").lower()
    code = data.get("status_code")
    if status == 401 and not text:
        return SigningError(_l("Akun layanan TTE BSrE ditolak: periksa BSRE_USERNAME dan "
                               "BSRE_PASSWORD."), code="signing_auth")
    if "passphrase" in text or code == 2031:
        return WrongPassphrase(_l("Passphrase TTE salah."), field="passphrase")
    if "terdaftar" in text or "not registered" in text or code in (1110, 2011):
        return SignerNotRegistered(_l("NIK ini tidak terdaftar sebagai pemilik sertifikat "
                                      "elektronik BSrE."), field="nik")
    if status >= 500:
        return SigningUnavailable(_l("Layanan TTE BSrE sedang bermasalah (HTTP %(s)s).",
                                     s=status))
    return SigningError(_l("Penandatanganan ditolak oleh BSrE (HTTP %(s)s).", s=status))


def user_status(nik: str) -> bool:
    """Whether ``nik`` holds an active BSrE signing certificate."""
    status, body, _ = _request("GET", f"/api/user/status/{nik.strip()}")
    if status != 200:
        raise _error_of(status, body)
    try:
        data = json.loads(body)
    except ValueError:
        raise SigningError(_l("Jawaban layanan TTE BSrE tidak dapat dibaca.")) from None
    return data.get("status_code") == 1111 or str(data.get("status", "")).upper() == "ISSUE"


def sign_pdf(pdf: bytes, *, nik: str, passphrase: str) -> bytes:
    """One PDF signed by BSrE. Raises a :class:`SigningError` subclass."""
    boundary = "asnb-" + secrets.token_hex(12)
    fields = {"nik": nik.strip(), "passphrase": passphrase,
              "tampilan": current_app.config["BSRE_TAMPILAN"]}
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="sertifikat.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode())
    parts.append(pdf)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    status, body, content_type = _request("POST", "/api/sign/pdf", b"".join(parts),
                                          f"multipart/form-data; boundary={boundary}")
    del fields, parts  # nothing keeps the passphrase beyond this call
    if status == 200 and body.startswith(b"%PDF"):
        return body
    raise _error_of(status, body)


@dataclass
class SignResult:
    signed: int
    remaining: int

    def as_json(self) -> dict:
        return {"signed": self.signed, "remaining": self.remaining}


def _unsigned(episode_id: int):
    return (select(CertificateFile.certificate_id)
            .join(Certificate, Certificate.id == CertificateFile.certificate_id)
            .where(Certificate.episode_id == episode_id, Certificate.revoked_at.is_(None),
                   CertificateFile.signed_at.is_(None)))


def unsigned_count(episode_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(
        _unsigned(episode_id).subquery())) or 0


def sign_episode(episode_id: int, *, nik: str, passphrase: str, mode: str,
                 actor_id: int | None, limit: int = 200) -> SignResult:
    """Sign up to ``limit`` stored, unsigned files of the episode, committing after each
    file so a failure halfway keeps what was signed. The first refusal (wrong passphrase,
    unregistered NIK, service down) stops the batch and is raised after committing."""
    if not configured():
        raise SigningError(_l("Penandatanganan elektronik BSrE belum dikonfigurasi."),
                           code="signing_not_configured")
    if mode not in ("seal", "personal"):
        raise ValueError(mode)
    ids = list(db.session.scalars(_unsigned(episode_id).order_by(
        CertificateFile.certificate_id).limit(limit)))
    signed = 0
    error: SigningError | None = None
    for cert_id in ids:
        pdf = db.session.scalar(select(CertificateFile.pdf).where(
            CertificateFile.certificate_id == cert_id))
        try:
            data = sign_pdf(pdf, nik=nik, passphrase=passphrase)
        except SigningError as err:
            error = err
            break
        db.session.execute(update(CertificateFile).where(
            CertificateFile.certificate_id == cert_id, CertificateFile.signed_at.is_(None))
            .values(pdf=data, size_bytes=len(data), signed_at=to_db(now_utc()),
                    signed_with=mode,
                    sha256=hashlib.sha256(data).hexdigest()))
        db.session.commit()
        signed += 1
    if signed:
        # The audit names the signer's NIK and the count, never the passphrase.
        record_event(actor_id, "certificate.sign", "episode", episode_id,
                     after={"signed": signed, "mode": mode, "nik": nik.strip()})
        db.session.commit()
    if error is not None:
        raise error
    return SignResult(signed, unsigned_count(episode_id))


def seal_due() -> dict[str, int]:
    """Scheduler job: seal stored files with the institutional e-seal, when configured."""
    if not seal_configured():
        return {"signed": 0}
    cfg = current_app.config
    episode_ids = list(db.session.scalars(
        select(Certificate.episode_id).join(
            CertificateFile, CertificateFile.certificate_id == Certificate.id)
        .where(CertificateFile.signed_at.is_(None), Certificate.revoked_at.is_(None))
        .group_by(Certificate.episode_id).limit(10)))
    total = 0
    for episode_id in episode_ids:
        try:
            total += sign_episode(episode_id, nik=cfg["BSRE_SEAL_NIK"],
                                  passphrase=cfg["BSRE_SEAL_PASSPHRASE"], mode="seal",
                                  actor_id=None).signed
        except SigningError as err:
            db.session.rollback()
            current_app.logger.warning("e-seal of episode %s stopped: %s", episode_id,
                                       err.code)
            break
    return {"signed": total}
