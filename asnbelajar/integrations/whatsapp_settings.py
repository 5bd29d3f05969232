"""WhatsApp use cases for organizers: the Cloud API connection (number, token, templates,
on/off) and a test message; and what the outbox and the queueing code ask of it.

The access token is decrypted only to build a :class:`WhatsAppClient`; it is never
returned, rendered, logged or written to the audit log (which records only whether it
changed). A blank token field keeps the stored one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..audit.services import record_event
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..notifications.models import OutboxEmail
from ..timeutil import format_datetime_id, now_utc, to_db
from ..util.crypto import SecretUnreadable, decrypt, encrypt
from ..util.phone import mask_number, require_whatsapp_number
from ..util.urls import public_base_url
from .models import WhatsAppConnection
from .whatsapp import DEFAULT_LANGUAGE, WhatsAppClient, WhatsAppError, WhatsAppSettings

KINDS = ("reminder", "certificate")
# Meta's rules: template names are lower-case letters, digits and underscores; language
# codes look like "id" or "en_US".
_TEMPLATE_RE = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_PHONE_ID_RE = re.compile(r"^[0-9]{5,40}$")


def get_whatsapp() -> WhatsAppConnection | None:
    return db.session.get(WhatsAppConnection, 1)


@dataclass(frozen=True)
class ActiveWhatsApp:
    """What queueing needs of an enabled connection: the template per kind (None: that
    kind is not sent)."""

    reminder_template: str | None
    certificate_template: str | None


def active_whatsapp() -> ActiveWhatsApp | None:
    """The connection when an organizer switched WhatsApp on; None otherwise."""
    conn = get_whatsapp()
    if conn is None or not conn.enabled:
        return None
    return ActiveWhatsApp(conn.reminder_template or None, conn.certificate_template or None)


def whatsapp_enabled() -> bool:
    """Whether participants are offered (and sent) WhatsApp notifications."""
    return active_whatsapp() is not None


def _text(value: Any, field_name: str, label: str, pattern: re.Pattern, hint: str, *,
          required: bool) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(_l("%(label)s harus berupa teks.", label=label), field=field_name)
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(_l("%(label)s wajib diisi.", label=label), field=field_name)
        return ""
    if not pattern.match(text):
        raise ValidationError(_l("%(label)s tidak valid: %(hint)s", label=label, hint=hint),
                              field=field_name)
    return text


# One rule per field, used by save_whatsapp and by the console form (which shows every
# field's error at once).

def clean_phone_number_id(value: Any) -> str:
    return _text(value, "phone_number_id", "Phone number ID", _PHONE_ID_RE,
                 str(_l("hanya angka, seperti yang tertera di WhatsApp Manager")),
                 required=True)


def clean_access_token(value: Any, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(_l("Token akses harus berupa teks."), field="access_token")
    token = (value or "").strip()
    if not token and required:
        raise ValidationError(_l("Token akses wajib diisi."), field="access_token")
    if token and (len(token) < 20 or len(token) > 2000 or any(ch.isspace() for ch in token)):
        raise ValidationError(_l("Token akses tidak valid (tanpa spasi, 20-2000 karakter)."),
                              field="access_token")
    return token


def clean_template(value: Any, field_name: str = "reminder_template") -> str:
    label = _l("Templat pengingat") if field_name == "reminder_template" \
        else _l("Templat sertifikat siap")
    return _text(value, field_name, str(label), _TEMPLATE_RE,
                 str(_l("huruf kecil, angka dan garis bawah, persis seperti di "
                        "WhatsApp Manager")), required=False)


def clean_language(value: Any) -> str:
    return _text(value, "language_code", str(_l("Kode bahasa")), _LANGUAGE_RE,
                 str(_l("mis. id atau en_US")), required=False) or DEFAULT_LANGUAGE


def save_whatsapp(*, enabled: bool, phone_number_id: Any, access_token: Any,
                  reminder_template: Any, certificate_template: Any, language_code: Any,
                  actor_id: int | None) -> WhatsAppConnection:
    """Store the connection. Every field is checked before anything changes. Switching
    it on needs at least one template. Renaming a template also renames it in WhatsApp
    messages not yet sent (queued or failed), so a retry after fixing a wrong name works.
    """
    conn = get_whatsapp()
    phone_id = clean_phone_number_id(phone_number_id)
    token = clean_access_token(access_token, required=conn is None)
    reminder = clean_template(reminder_template, "reminder_template")
    certificate = clean_template(certificate_template, "certificate_template")
    language = clean_language(language_code)
    if enabled and not (reminder or certificate):
        raise ValidationError(_l("Isi paling sedikit satu nama templat sebelum mengaktifkan "
                                 "WhatsApp."), field="reminder_template")

    before = None if conn is None else {
        "enabled": conn.enabled, "phone_number_id": conn.phone_number_id,
        "reminder_template": conn.reminder_template,
        "certificate_template": conn.certificate_template, "language_code": conn.language_code}
    if conn is None:
        conn = WhatsAppConnection(id=1)
        db.session.add(conn)
    for old, new in ((conn.reminder_template, reminder),
                     (conn.certificate_template, certificate)):
        if old and new and old != new:
            db.session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.channel == "whatsapp", OutboxEmail.template == old,
                       OutboxEmail.status.in_(("pending", "failed")))
                .values(template=new).execution_options(synchronize_session=False))
    changed_number = conn.phone_number_id != phone_id
    conn.enabled = bool(enabled)
    conn.phone_number_id = phone_id
    if token:
        conn.access_token_enc = encrypt(token)
    conn.reminder_template = reminder or None
    conn.certificate_template = certificate or None
    conn.language_code = language
    conn.updated_by = actor_id
    conn.updated_at = to_db(now_utc())
    if token or changed_number:
        # A new token or number: the last test and the last failure say nothing about it.
        conn.tested_at = conn.test_ok = conn.test_message = None
        conn.failure = conn.failure_at = None
    db.session.flush()
    record_event(actor_id, "whatsapp.connection", "whatsapp_connection", 1, before=before,
                 after={"enabled": conn.enabled, "phone_number_id": phone_id,
                        "reminder_template": conn.reminder_template,
                        "certificate_template": conn.certificate_template,
                        "language_code": language, "token_changed": bool(token)})
    return conn


def whatsapp_client(conn: WhatsAppConnection | None = None) -> WhatsAppClient:
    """A client for the stored connection. Conflict when there is none or its token can
    no longer be decrypted (the encryption key changed)."""
    conn = conn or get_whatsapp()
    if conn is None:
        raise Conflict(_l("Koneksi WhatsApp belum diatur. Organizer mengisinya di Konsol → "
                          "WhatsApp."), code="whatsapp_not_configured")
    try:
        token = decrypt(conn.access_token_enc)
    except SecretUnreadable:
        raise Conflict(_l("Token WhatsApp tidak dapat dibaca dengan kunci enkripsi saat ini; "
                          "masukkan ulang di Konsol → WhatsApp."),
                       code="whatsapp_token_unreadable") from None
    config = current_app.config
    return WhatsAppClient(WhatsAppSettings(
        base_url=config["WHATSAPP_BASE_URL"], version=config["WHATSAPP_API_VERSION"],
        phone_number_id=conn.phone_number_id, access_token=token,
        timeout=float(config["WHATSAPP_TIMEOUT"]),
        connect_timeout=float(config["WHATSAPP_CONNECT_TIMEOUT"])))


def sample_parameters(name: str) -> list[str]:
    """The four parameters every template gets (name, episode, time in the person's
    zone, link), filled with sample values for a test message."""
    return [name, str(_l("Pesan uji ASN Belajar")),
            format_datetime_id(now_utc(), "Asia/Jakarta"), public_base_url()]


def send_test_message(to: Any, kind: Any, actor_id: int | None,
                      actor_name: str) -> tuple[bool, str]:
    """Send one template message now (not through the outbox) to a number the organizer
    typed; the outcome is kept on the connection and audited (the number masked)."""
    number = require_whatsapp_number(to if isinstance(to, str) else None, field="phone")
    conn = get_whatsapp()
    if conn is None:
        raise Conflict(_l("Simpan koneksi WhatsApp terlebih dahulu."),
                       code="whatsapp_not_configured")
    if kind not in KINDS:
        raise ValidationError(_l("Pilih templat yang akan diuji."), field="kind")
    template = conn.reminder_template if kind == "reminder" else conn.certificate_template
    if not template:
        raise ValidationError(_l("Nama templat ini belum diisi."), field="kind")
    client = whatsapp_client(conn)
    try:
        message_id = client.send_template(number, template, conn.language_code,
                                          sample_parameters(actor_name))
        ok = True
        message = str(_l("Pesan uji terkirim ke %(to)s (id %(id)s).",
                         to=mask_number(number), id=message_id))
        conn.failure = conn.failure_at = None
    except WhatsAppError as err:
        ok = False
        message = str(_l("WhatsApp menolak atau tidak dapat dihubungi: %(msg)s",
                         msg=err.message))
    finally:
        client.close()
    conn.tested_at = to_db(now_utc())
    conn.test_ok = ok
    conn.test_message = message[:500]
    record_event(actor_id, "whatsapp.test", "whatsapp_connection", 1,
                 after={"ok": ok, "to": mask_number(number), "template": template})
    return ok, message


def note_failure(message: str | None) -> None:
    """Keep (or with None clear) the last server-level delivery failure for the console
    page; the outbox calls this when Meta refuses the token or cannot be reached."""
    conn = get_whatsapp()
    if conn is None or conn.failure == message:
        return
    conn.failure = message[:500] if message else None
    conn.failure_at = to_db(now_utc()) if message else None
