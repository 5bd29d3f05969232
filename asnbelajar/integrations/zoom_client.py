"""A small client for Zoom's REST API (v2) with a Server-to-Server OAuth app.

* token: ``POST {oauth}/oauth/token?grant_type=account_credentials&account_id=…`` with
  HTTP Basic (client id, client secret) → ``{access_token, expires_in}``; kept in memory
  until a minute before it expires, never stored or logged;
* meetings and webinars: ``POST /users/me/meetings|webinars``, ``PATCH`` and ``DELETE
  /meetings|webinars/{id}``;
* registrants: ``POST /meetings|webinars/{id}/batch_registrants`` (up to 30 at once),
  ``POST /meetings|webinars/{id}/registrants`` one by one where batches are refused, and
  ``PUT …/registrants/status`` with ``action=cancel``;
* the participant report: ``GET /report/meetings|webinars/{id}/participants`` page by
  page with ``next_page_token``.

Standard library only (``urllib``), a timeout on every call. A 429 is waited out inline
when Zoom asks for at most ``max_inline_wait`` seconds, otherwise raised as
:class:`ZoomRateLimited` carrying ``retry_after`` so the scheduler retries later; a 5xx or a
network error is retried twice with a short pause, then raised as :class:`ZoomUnavailable`.
Error messages carry Zoom's own text and never the credentials.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib import error, parse, request

BATCH_SIZE = 30  # Zoom's limit for batch_registrants


class ZoomError(Exception):
    """Zoom refused the call; ``message`` is what Zoom said (no credentials in it)."""

    def __init__(self, message: str, *, status: int | None = None, code: Any = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class ZoomAuthError(ZoomError):
    """The account id, client id or secret was refused (or lacks a scope)."""


class ZoomRateLimited(ZoomError):
    def __init__(self, message: str, retry_after: float):
        super().__init__(message, status=429)
        self.retry_after = retry_after


class ZoomUnavailable(ZoomError):
    """Zoom answered 5xx or could not be reached, even after retrying."""


class ZoomNotFound(ZoomError):
    pass


@dataclass(frozen=True)
class ZoomSettings:
    api_url: str
    oauth_url: str
    account_id: str
    client_id: str
    client_secret: str
    timeout: float = 15.0
    max_inline_wait: float = 5.0
    retries: int = 2

    def __post_init__(self) -> None:
        for url in (self.api_url, self.oauth_url):
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"Zoom address must be http(s): {url!r}")

    def __repr__(self) -> str:  # never print the secret, even in a traceback's locals
        return (f"ZoomSettings(api_url={self.api_url!r}, account_id={self.account_id!r}, "
                f"client_id={self.client_id!r}, client_secret='***')")


_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def _message(body: Any, fallback: str) -> str:
    if isinstance(body, dict):
        for key in ("message", "reason", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:400]
    return fallback


def _retry_after(value: str | None, default: float = 1.0) -> float:
    try:
        seconds = float(value) if value is not None else default
    except ValueError:
        return 60.0  # an HTTP date or garbage: wait a minute
    return min(max(seconds, 0.0), 3600.0)


class ZoomClient:
    def __init__(self, settings: ZoomSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._sleep = sleep

    # ------------------------------------------------------------------ transport

    def _send(self, req: request.Request) -> tuple[int, dict[str, str], bytes]:
        try:
            with request.urlopen(req, timeout=self.settings.timeout) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read()
        except error.HTTPError as exc:
            return exc.code, dict(exc.headers or {}), exc.read() or b""

    def _token(self, *, fresh: bool = False) -> str:
        s = self.settings
        key = (s.oauth_url, s.account_id, s.client_id)
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not fresh and cached[1] > time.monotonic():
                return cached[0]
        query = parse.urlencode({"grant_type": "account_credentials",
                                 "account_id": s.account_id})
        basic = base64.b64encode(f"{s.client_id}:{s.client_secret}".encode()).decode()
        # Zoom documents the grant in the query string; the same pair in the form body
        # suits OAuth servers that read it there.
        req = request.Request(  # noqa: S310 - http(s) only, checked in ZoomSettings
            f"{s.oauth_url.rstrip('/')}/oauth/token?{query}", method="POST",
            data=query.encode(), headers={
                "Authorization": f"Basic {basic}", "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded"})
        try:
            status, headers, raw = self._send(req)
        except (OSError, ValueError) as exc:
            raise ZoomUnavailable(f"Zoom OAuth tidak dapat dihubungi ({type(exc).__name__})"
                                  ) from None
        body = _json(raw)
        if status == 429:
            raise ZoomRateLimited(_message(body, "Batas laju OAuth Zoom tercapai"),
                                  _retry_after(_header(headers, "Retry-After")))
        if status >= 500:
            raise ZoomUnavailable(_message(body, f"Zoom OAuth menjawab {status}"), status=status)
        if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
            raise ZoomAuthError(_message(body, f"Zoom menolak kredensial (HTTP {status})"),
                                status=status)
        token = str(body["access_token"])
        lifetime = float(body.get("expires_in") or 3600)
        with _tokens_lock:
            _tokens[key] = (token, time.monotonic() + max(lifetime - 60, 1))
        return token

    def call(self, method: str, path: str, *, body: Any = None,
             query: dict[str, Any] | None = None) -> Any:
        """One API call; returns the decoded JSON (or None for 204)."""
        url = f"{self.settings.api_url.rstrip('/')}{path}"
        if query:
            url += "?" + parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else None
        refreshed = False
        failures = 0
        while True:
            req = request.Request(url, method=method, data=data, headers={  # noqa: S310
                "Authorization": f"Bearer {self._token(fresh=refreshed)}",
                "Content-Type": "application/json", "Accept": "application/json"})
            try:
                status, headers, raw = self._send(req)
            except (OSError, ValueError) as exc:
                failures += 1
                if failures > self.settings.retries:
                    raise ZoomUnavailable(
                        f"Zoom tidak dapat dihubungi ({type(exc).__name__})") from None
                self._sleep(0.5 * failures)
                continue
            payload = _json(raw)
            if status == 401 and not refreshed:
                refreshed = True  # the token expired early: fetch a new one once
                continue
            if status == 429:
                wait = _retry_after(_header(headers, "Retry-After"))
                if wait <= self.settings.max_inline_wait and failures < self.settings.retries:
                    failures += 1
                    self._sleep(wait)
                    continue
                raise ZoomRateLimited(_message(payload, "Batas laju API Zoom tercapai"), wait)
            if status >= 500:
                failures += 1
                if failures > self.settings.retries:
                    raise ZoomUnavailable(_message(payload, f"Zoom menjawab {status}"),
                                          status=status)
                self._sleep(0.5 * failures)
                continue
            if status in (401, 403):
                raise ZoomAuthError(_message(payload, f"Zoom menolak akses (HTTP {status})"),
                                    status=status)
            if status == 404:
                raise ZoomNotFound(_message(payload, "Tidak ditemukan di Zoom"), status=404,
                                   code=payload.get("code") if isinstance(payload, dict)
                                   else None)
            if status >= 400:
                raise ZoomError(_message(payload, f"Zoom menolak permintaan (HTTP {status})"),
                                status=status,
                                code=payload.get("code") if isinstance(payload, dict) else None)
            return payload

    # ------------------------------------------------------------------ API

    def me(self) -> dict[str, Any]:
        return _object(self.call("GET", "/users/me"))

    def create(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return _object(self.call("POST", f"/users/me/{kind}s", body=body))

    def update(self, kind: str, zoom_id: str, body: dict[str, Any]) -> None:
        self.call("PATCH", f"/{kind}s/{parse.quote(zoom_id)}", body=body)

    def delete(self, kind: str, zoom_id: str) -> None:
        reminder = "cancel_meeting_reminder" if kind == "meeting" else "cancel_webinar_reminder"
        # Already gone at Zoom (404): the goal is reached.
        with contextlib.suppress(ZoomNotFound):
            self.call("DELETE", f"/{kind}s/{parse.quote(zoom_id)}", query={reminder: "true"})

    def add_registrant(self, kind: str, zoom_id: str, person: dict[str, str]
                       ) -> dict[str, Any]:
        return _object(self.call("POST", f"/{kind}s/{parse.quote(zoom_id)}/registrants",
                                 body=person))

    def batch_registrants(self, kind: str, zoom_id: str, people: list[dict[str, str]]
                          ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"auto_approve": True, "registrants": people}
        if kind == "meeting":
            body["registrants_confirmation_email"] = False
        answer = _object(self.call("POST", f"/{kind}s/{parse.quote(zoom_id)}/batch_registrants",
                                   body=body))
        return [item for item in answer.get("registrants") or [] if isinstance(item, dict)]

    def cancel_registrants(self, kind: str, zoom_id: str,
                           registrants: list[dict[str, str]]) -> None:
        """Cancel registrants in one call; where Zoom refuses the status update (400/404),
        delete them one by one instead (a registrant already gone counts as done)."""
        try:
            self.call("PUT", f"/{kind}s/{parse.quote(zoom_id)}/registrants/status",
                      body={"action": "cancel", "registrants": registrants})
            return
        except (ZoomRateLimited, ZoomUnavailable, ZoomAuthError):
            raise
        except ZoomError as err:
            if err.status not in (400, 404):
                raise
        for registrant in registrants:
            with contextlib.suppress(ZoomNotFound):
                self.call("DELETE", f"/{kind}s/{parse.quote(zoom_id)}/registrants/"
                                    f"{parse.quote(registrant['id'])}")

    def report_participants(self, kind: str, zoom_id: str) -> Iterator[dict[str, Any]]:
        """Every participant row of the report, following ``next_page_token``."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = _object(self.call(
                "GET", f"/report/{kind}s/{parse.quote(zoom_id)}/participants",
                query={"page_size": 300, "next_page_token": token}))
            rows = page.get("participants")
            yield from (row for row in rows if isinstance(row, dict)) \
                if isinstance(rows, list) else ()
            token = page.get("next_page_token") or None
            if not isinstance(token, str):
                return
            if not token or token in seen:
                return
            seen.add(token)


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None


def _object(payload: Any) -> dict[str, Any]:
    """Zoom's answer as a JSON object; anything else (a damaged answer) reads as empty."""
    return payload if isinstance(payload, dict) else {}


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def forget_tokens() -> None:
    """Drop cached access tokens (after the credentials change)."""
    with _tokens_lock:
        _tokens.clear()
