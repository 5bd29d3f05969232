"""A small client for SIASN's web service, following the public SDK
(black-coffee04/ws-siasn-php): the request paths, headers and response shapes it uses.

* WSO token: ``POST {WSO}/oauth2/token`` with HTTP Basic (consumer key, consumer secret)
  and ``grant_type=client_credentials`` → ``{access_token, expires_in}``;
* SSO token: ``POST {SSO}/auth/realms/public-siasn/protocol/openid-connect/token`` with
  ``grant_type=password, client_id, username, password`` → ``{access_token, expires_in}``;
* every API call sends ``Authorization: Bearer <wso>`` and ``Auth: bearer <sso>``;
* the person: ``GET {API}/apisiasn/1.0/pns/data-utama/{nip}`` → ``{data: {id, ...}}``;
* the certificate: ``POST {API}/apisiasn/1.0/upload-dok`` (multipart ``file``,
  ``id_ref_dokumen=874``, the course document type) → ``{data: {...}}``;
* the course: ``POST {API}/apisiasn/1.0/kursus/save`` (JSON, dates ``dd-mm-yyyy``, the
  uploaded document in ``path``) → ``{success, mapData: {rwKursusId}, message}``.

Standard library only (``urllib``), with a timeout on every call. Errors carry the
service's own message so organizers can read why a record failed.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib import error, parse, request

KURSUS_DOCUMENT_TYPE = "874"
SSO_TOKEN_PATH = "/auth/realms/public-siasn/protocol/openid-connect/token"  # noqa: S105


class SiasnError(Exception):
    """The service refused or could not be reached; ``message`` is what it said."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SiasnConfig:
    sso_url: str
    wso_url: str
    api_url: str
    consumer_key: str
    consumer_secret: str
    client_id: str
    username: str
    password: str
    timeout: float = 20.0


def _message(body: Any, fallback: str) -> str:
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:1000]
    return fallback


class SiasnClient:
    def __init__(self, config: SiasnConfig):
        self.config = config
        self._wso: str | None = None
        self._sso: str | None = None

    # Transport ------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, data: bytes | None = None,
              headers: dict[str, str] | None = None) -> Any:
        if not url.startswith(("https://", "http://")):
            raise SiasnError("Alamat SIASN harus http(s).")
        req = request.Request(url, data=data, method=method,  # noqa: S310 - checked above
                              headers=headers or {})
        try:
            with request.urlopen(req, timeout=self.config.timeout) as response:  # noqa: S310
                raw = response.read()
                status = response.status
        except error.HTTPError as err:
            raw = err.read()
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            raise SiasnError(_message(body, f"HTTP {err.code}"), status=err.code) from None
        except (error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise SiasnError(f"SIASN tidak dapat dihubungi: {reason}") from None
        try:
            return json.loads(raw or b"null")
        except ValueError:
            raise SiasnError(f"Jawaban SIASN bukan JSON (HTTP {status}).",
                             status=status) from None

    def _token(self, url: str, form: dict[str, str], basic: tuple[str, str] | None) -> str:
        headers = {"Accept": "application/json",
                   "Content-Type": "application/x-www-form-urlencoded"}
        if basic:
            pair = f"{basic[0]}:{basic[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        body = self._send("POST", url, data=parse.urlencode(form).encode(), headers=headers)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise SiasnError(_message(body, "Respon tidak mengandung token akses."))
        return str(token)

    def wso_token(self) -> str:
        if self._wso is None:
            c = self.config
            self._wso = self._token(c.wso_url.rstrip("/") + "/oauth2/token",
                                    {"grant_type": "client_credentials"},
                                    (c.consumer_key, c.consumer_secret))
        return self._wso

    def sso_token(self) -> str:
        if self._sso is None:
            c = self.config
            self._sso = self._token(c.sso_url.rstrip("/") + SSO_TOKEN_PATH,
                                    {"grant_type": "password", "client_id": c.client_id,
                                     "username": c.username, "password": c.password}, None)
        return self._sso

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.wso_token()}",
                "Auth": f"bearer {self.sso_token()}", "Accept": "application/json"}

    def _api(self, path: str) -> str:
        return self.config.api_url.rstrip("/") + "/apisiasn/1.0" + path

    # Calls ------------------------------------------------------------------------------

    def pns_id(self, nip: str) -> str:
        """SIASN's id of the person (``pnsOrangId``) for a NIP."""
        body = self._send("GET", self._api(f"/pns/data-utama/{parse.quote(nip)}"),
                          headers=self._headers())
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise SiasnError(_message(body, "NIP tidak ditemukan di SIASN."))
        return str(data["id"])

    def upload_document(self, filename: str, content: bytes) -> dict[str, Any]:
        boundary = uuid.uuid4().hex
        parts = [
            (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n').encode()
            + content + b"\r\n",
            (f'--{boundary}\r\nContent-Disposition: form-data; name="id_ref_dokumen"'
             f'\r\n\r\n{KURSUS_DOCUMENT_TYPE}\r\n').encode(),
            f"--{boundary}--\r\n".encode(),
        ]
        headers = {**self._headers(),
                   "Content-Type": f"multipart/form-data; boundary={boundary}"}
        body = self._send("POST", self._api("/upload-dok"), data=b"".join(parts),
                          headers=headers)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data:
            raise SiasnError(_message(body, "Unggah dokumen sertifikat ditolak."))
        return data

    def save_kursus(self, record: dict[str, Any]) -> str:
        """Create the course-history record; returns SIASN's ``rwKursusId``."""
        headers = {**self._headers(), "Content-Type": "application/json"}
        body = self._send("POST", self._api("/kursus/save"),
                          data=json.dumps(record).encode("utf-8"), headers=headers)
        map_data = body.get("mapData") if isinstance(body, dict) else None
        remote_id = map_data.get("rwKursusId") if isinstance(map_data, dict) else None
        if not remote_id or (isinstance(body, dict) and body.get("success") is False):
            raise SiasnError(_message(body, "Riwayat kursus ditolak SIASN."))
        return str(remote_id)
