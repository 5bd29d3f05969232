"""Secrets kept in the database (web-service passwords) encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256) under a key that is ``ENCRYPTION_KEY`` when set
(``ASNBELAJAR_ENCRYPTION_KEY``, any string: it is stretched to a Fernet key) or else
derived from ``SECRET_KEY``. Changing the key makes stored secrets unreadable: they must be
entered again, which :func:`decrypt` reports as :class:`SecretUnreadable`.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

__all__ = ["SecretUnreadable", "decrypt", "encrypt"]

_CONTEXT = b"asnbelajar/util/crypto v1"


class SecretUnreadable(ValueError):
    """A stored secret cannot be decrypted with the current key."""


def _fernet() -> Fernet:
    material = current_app.config.get("ENCRYPTION_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(material, str):
        material = material.encode("utf-8")
    # HKDF would do as well; one SHA-256 over a fixed context is enough to turn a long
    # random secret into a 32-byte key and keeps the key apart from Flask's own uses.
    key = hashlib.sha256(_CONTEXT + b"\x00" + material).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise SecretUnreadable("stored secret cannot be decrypted with the current key") from None
