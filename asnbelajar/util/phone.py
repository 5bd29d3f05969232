"""Indonesian mobile numbers as WhatsApp addresses them.

People type ``0812-3456-7890``, ``+62 812 3456 7890`` or ``6281234567890``; WhatsApp's
Cloud API wants E.164 without the plus: ``6281234567890``. A mobile number is ``8`` and
8 to 11 more digits after the country code (``08xx`` numbers of 10 to 13 digits).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError

__all__ = ["INVALID_MOBILE", "mask_number", "require_whatsapp_number", "whatsapp_number"]

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"^628[1-9][0-9]{7,10}$")

INVALID_MOBILE = _l("Nomor WhatsApp harus nomor ponsel Indonesia yang valid, mis. "
                    "0812 3456 7890 atau +62 812 3456 7890.")


def whatsapp_number(raw: str | None) -> str | None:
    """``6281234567890`` for an Indonesian mobile number in any usual spelling; None for
    anything else (a landline, a foreign number, letters, too short or too long)."""
    text = _SEPARATORS.sub("", (raw or "").strip())
    if text.startswith("+"):
        text = text[1:]
    if text.startswith("620"):  # "+62 0812 ..." (the trunk zero kept by habit)
        text = "62" + text[3:]
    elif text.startswith("0"):
        text = "62" + text[1:]
    return text if _MOBILE.match(text) else None


def require_whatsapp_number(raw: str | None, field: str = "phone") -> str:
    """:func:`whatsapp_number`, or a ValidationError naming ``field``."""
    number = whatsapp_number(raw)
    if number is None:
        raise ValidationError(INVALID_MOBILE, field=field)
    return number


def mask_number(number: str | None) -> str:
    """``62812****7890``: enough for an organizer to recognise, not to dial."""
    digits = number or ""
    if len(digits) < 9:
        return "****"
    return f"{digits[:5]}{'*' * (len(digits) - 9)}{digits[-4:]}"
