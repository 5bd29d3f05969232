"""Keeping an upload between the preview and the confirmation: stored under a random
name in ``uploads/imports/``; the confirm form carries only a signed ticket naming it and
its SHA-256. Abandoned files are pruned after a day."""

from __future__ import annotations

import hashlib
import re
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ...errors import ValidationError
from ...uploads import path_of, store_bytes, upload_root

FOLDER = "imports"
TICKET_SALT = "registrant-import"
TICKET_MAX_AGE = 6 * 3600  # seconds between preview and confirmation
STALE_AFTER = 24 * 3600  # abandoned previews are deleted after a day


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
