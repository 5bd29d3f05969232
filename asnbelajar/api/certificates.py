"""JSON API routes of certificates (DESIGN.md): the episode's ZIP, revoke, reissue.
Registered on the API blueprint by ``api/views.py``."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, stream_with_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..certificates.models import Certificate
from ..certificates.rendering import iter_episode_zip, safe_filename
from ..certificates.services import (
    certificate_by_code,
    reissue_certificate,
    replacement_of,
    revoke_certificate,
)
from ..episodes.services import get_episode
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..timeutil import iso
from ..util.urls import external_url
from . import schemas
from .schemas import parse
from .views import _json_body, bp, require


def certificate_json(cert: Certificate) -> dict[str, Any]:
    replacement = replacement_of(cert)
    return {
        "id": cert.id, "kind": cert.kind, "number": cert.number,
        "verification_code": cert.verification_code, "episode_id": cert.episode_id,
        "user_id": cert.user_id, "speaker_id": cert.speaker_id, "name": cert.name,
        "jp": cert.jp, "valid": cert.revoked_at is None, "issued_at": iso(cert.issued_at),
        "revoked_at": iso(cert.revoked_at), "revoked_reason": cert.revoked_reason,
        "reissue_of": (db.session.get(Certificate, cert.reissue_of_id).verification_code
                       if cert.reissue_of_id else None),
        "replaced_by": replacement.verification_code if replacement else None,
        "pdf_url": external_url("certificates.download", code=cert.verification_code),
        "verify_url": external_url("certificates.verify_page", code=cert.verification_code),
    }


@bp.get("/episodes/<int:episode_id>/certificates.zip")
@require("organizer")
def episode_certificates_zip(user: User, episode_id: int):
    """Every live participant certificate of the episode as PDFs in a streamed ZIP (file
    names by certificate number), produced piece by piece in constant memory."""
    episode = get_episode(episode_id)
    name = safe_filename(f"sertifikat-{episode.year}-seri-{episode.number}")
    response = Response(stream_with_context(iter_episode_zip(episode.id)),
                        mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/certificates/<code>/revoke")
@require("organizer")
def certificates_revoke(user: User, code: str):
    data = parse(schemas.Revoke, _json_body())
    reason = data.get("reason")
    if not isinstance(reason, str):
        raise ValidationError(_l("Alasan pencabutan wajib diisi."), field="reason")
    cert = certificate_by_code(code)
    revoke_certificate(cert, reason=reason, actor_id=user.id)
    db.session.commit()
    return jsonify(certificate_json(cert))


@bp.post("/certificates/<code>/reissue")
@require("organizer")
def certificates_reissue(user: User, code: str):
    data = parse(schemas.Reissue, _json_body())
    reason = data.get("reason") or ""
    if not isinstance(reason, str):
        raise ValidationError(_l("Alasan harus berupa teks."), field="reason")
    cert = certificate_by_code(code)
    try:
        new = reissue_certificate(cert, actor_id=user.id, reason=reason.strip()[:400])
        db.session.commit()
    except IntegrityError:
        # A concurrent reissue of the same certificate won the race (one live certificate).
        db.session.rollback()
        raise Conflict(_l("Sertifikat ini baru saja diterbitkan ulang oleh orang lain."),
                       code="already_reissued") from None
    return jsonify(certificate_json(new))
