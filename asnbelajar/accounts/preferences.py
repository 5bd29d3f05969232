"""A participant's choice to get notifications on WhatsApp too.

Opting in needs a number WhatsApp can reach, an Indonesian mobile (``util.phone``); it
is stored as ``+628...`` like every profile phone, and the time of the opt-in is kept
(``whatsapp_opt_in_at``). Opting out clears it; so does a number that stops being a
mobile (an import or an edit), since nothing could be delivered to it. Whether organizers
switched WhatsApp on is the views' and the queueing code's business, not this module's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError
from ..timeutil import now_utc, to_db
from ..util.phone import require_whatsapp_number, whatsapp_number
from .models import ParticipantProfile


def opt_in_phone(phone: str | None) -> str:
    """The phone to store for someone opting in (``+6281234567890``). Raises a
    ValidationError on the phone field: empty, or not an Indonesian mobile number."""
    if not (phone or "").strip():
        raise ValidationError(_l("Isi Nomor WhatsApp (nomor ponsel Indonesia) untuk menerima "
                                 "pesan lewat WhatsApp."), field="phone")
    return "+" + require_whatsapp_number(phone, field="phone")


def record_whatsapp_choice(profile: ParticipantProfile, opt_in: bool | None) -> None:
    """Apply the choice after the profile's phone is set (None: unchanged)."""
    if opt_in:
        profile.whatsapp_opt_in_at = profile.whatsapp_opt_in_at or to_db(now_utc())
    elif opt_in is not None or not whatsapp_number(profile.phone):
        profile.whatsapp_opt_in_at = None
