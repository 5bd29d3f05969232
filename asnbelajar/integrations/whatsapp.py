"""A small client for the WhatsApp Business Cloud API (Meta): template messages only.

``POST {base_url}/{version}/{phone_number_id}/messages`` with ``Authorization: Bearer
<token>`` and ::

    {"messaging_product": "whatsapp", "to": "6281234567890", "type": "template",
     "template": {"name": "...", "language": {"code": "id"},
                  "components": [{"type": "body", "parameters": [
                      {"type": "text", "text": "..."}, ...]}]}}

Messages a business starts must use a template Meta approved, so that is all this sends.
Meta's refusals are sorted for the outbox by what retrying can do:

* :class:`WhatsAppUnavailable` (server level, temporary): no answer within the timeout, a
  network error, 5xx, or a 429 of the account's or app's throughput limit. Every message
  is held and retried with backoff, like mail while the SMTP server is down.
* :class:`WhatsAppAuthError` (server level): the token is refused (401, code 190), lacks a
  permission (403, codes 0/3/10/200-299), or the phone number id is unknown (404, code 100
  subcode 33). Every message is held until an organizer fixes the connection.
* :class:`WhatsAppRetryLater` (this message, temporary): too many messages to this one
  number (code 131056).
* :class:`WhatsAppRejected` (this message, permanent): any other 4xx, e.g. an undeliverable
  recipient (131026), a bad parameter (100, 131008, 131009), a template problem (132xxx).

One ``requests`` session per client keeps the connection open across a batch (TLS once,
not per message) and honours ``HTTPS_PROXY``. The token travels only in the header: it is
not in any message, ``repr`` or log line (``requests`` logs method, path and status).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

DEFAULT_LANGUAGE = "id"
# Meta refuses a parameter with a new line, a tab or more than four spaces in a row.
MAX_PARAMETER_LENGTH = 300

_AUTH_CODES = frozenset({0, 3, 10, 190, 368, 131031}) | frozenset(range(200, 300))
_THROTTLE_CODES = frozenset({4, 80007, 130429, 131048})
_PAIR_LIMIT = 131056


class WhatsAppError(Exception):
    """Meta refused the message or could not be reached; ``message`` never holds the
    token. ``server_level``: every message would fail the same way (hold them all)."""

    server_level = False
    temporary = False

    def __init__(self, message: str, *, status: int | None = None, code: Any = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class WhatsAppUnavailable(WhatsAppError):
    server_level = True
    temporary = True


class WhatsAppAuthError(WhatsAppError):
    server_level = True


class WhatsAppRetryLater(WhatsAppError):
    temporary = True


class WhatsAppRejected(WhatsAppError):
    pass


@dataclass(frozen=True)
class WhatsAppSettings:
    base_url: str
    version: str
    phone_number_id: str
    access_token: str
    timeout: float = 10.0
    connect_timeout: float = 5.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"WhatsApp address must be http(s): {self.base_url!r}")

    def __repr__(self) -> str:  # never print the token, even in a traceback's locals
        return (f"WhatsAppSettings(base_url={self.base_url!r}, version={self.version!r}, "
                f"phone_number_id={self.phone_number_id!r}, access_token='***')")

    @property
    def messages_url(self) -> str:
        return (f"{self.base_url.rstrip('/')}/{self.version.strip('/')}/"
                f"{self.phone_number_id}/messages")


def clean_parameter(value: Any) -> str:
    """A template parameter as Meta accepts it: one line, no runs of spaces, not empty."""
    text = " ".join(str(value if value is not None else "").split())
    return text[:MAX_PARAMETER_LENGTH] or "-"


def template_body(to: str, template: str, language: str, parameters: list[Any]
                  ) -> dict[str, Any]:
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual",
                            "to": to, "type": "template",
                            "template": {"name": template,
                                         "language": {"code": language or DEFAULT_LANGUAGE}}}
    if parameters:
        body["template"]["components"] = [{
            "type": "body",
            "parameters": [{"type": "text", "text": clean_parameter(p)} for p in parameters]}]
    return body


def _meta_error(payload: Any) -> tuple[str, Any, Any]:
    """(message, code, subcode) of Graph's ``{"error": {...}}``."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return "", None, None
    parts = [str(error.get(key)).strip() for key in ("message", "error_user_msg")
             if isinstance(error.get(key), str) and error.get(key).strip()]
    details = (error.get("error_data") or {}).get("details") \
        if isinstance(error.get("error_data"), dict) else None
    if isinstance(details, str) and details.strip():
        parts.append(details.strip())
    return " — ".join(dict.fromkeys(parts))[:400], error.get("code"), error.get("error_subcode")


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def classify(status: int, payload: Any) -> WhatsAppError:
    """The error for a non-2xx answer (see the module docstring)."""
    text, raw_code, subcode = _meta_error(payload)
    code = _as_int(raw_code)
    where = f"HTTP {status}" + (f", kode {code}" if code is not None else "")
    message = f"{where}: {text}" if text else where
    if status < 400:
        # A redirect: WHATSAPP_BASE_URL does not point at the Graph API.
        return WhatsAppAuthError(f"{message} (alamat layanan WhatsApp salah?)",
                                 status=status, code=code)
    if status == 401 or code in _AUTH_CODES or (code == 100 and _as_int(subcode) == 33) \
            or status in (403, 404):
        return WhatsAppAuthError(message, status=status, code=code)
    if code == _PAIR_LIMIT:
        return WhatsAppRetryLater(message, status=status, code=code)
    if status == 429 or status >= 500 or code in _THROTTLE_CODES:
        return WhatsAppUnavailable(message, status=status, code=code)
    return WhatsAppRejected(message, status=status, code=code)


class WhatsAppClient:
    """Sends template messages over one kept-alive connection; ``close()`` when done."""

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self._session = requests.Session()

    def __enter__(self) -> WhatsAppClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def send_template(self, to: str, template: str, language: str,
                      parameters: list[Any]) -> str:
        """Send one template message; returns Meta's message id (``wamid...``)."""
        s = self.settings
        try:
            response = self._session.post(
                s.messages_url, json=template_body(to, template, language, parameters),
                headers={"Authorization": f"Bearer {s.access_token}",
                         "Accept": "application/json"},
                timeout=(s.connect_timeout, s.timeout), allow_redirects=False)
        except requests.Timeout:
            raise WhatsAppUnavailable(
                f"WhatsApp tidak menjawab dalam {s.timeout:g} detik") from None
        except requests.RequestException as exc:
            raise WhatsAppUnavailable(
                f"WhatsApp tidak dapat dihubungi ({type(exc).__name__})") from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 300:
            raise classify(response.status_code, payload)
        messages = payload.get("messages") if isinstance(payload, dict) else None
        first = messages[0] if isinstance(messages, list) and messages else None
        message_id = first.get("id") if isinstance(first, dict) else None
        if not isinstance(message_id, str) or not message_id:
            # Accepted, but not the answer Meta documents: treat as not sent (a retry may
            # send twice, never zero times).
            raise WhatsAppUnavailable(
                f"Jawaban WhatsApp tanpa id pesan (HTTP {response.status_code})")
        return message_id[:255]
