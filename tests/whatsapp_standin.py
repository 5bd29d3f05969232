"""A local stand-in for the WhatsApp Business Cloud API (Meta's Graph API), served by a
threaded http.server on 127.0.0.1 for the tests.

``POST /{version}/{phone_number_id}/messages`` answers like Meta: 200 with
``{"messaging_product", "contacts", "messages": [{"id": "wamid..."}]}``; 401 with Graph's
``OAuthException`` code 190 for a wrong token; 400 code 100 subcode 33 for an unknown
phone number id; 400 code 131026 for a recipient in ``refuse``. It records every request
(method, path, Authorization header, JSON body), can be told to answer a status with a
Meta error code for the next N calls, and to stay silent for a while (a hung API).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from .local_server import LocalServer


@dataclass
class Fault:
    status: int
    code: int | None
    count: int
    message: str = "Simulated failure"


@dataclass
class StandIn:
    token: str = "EAAGtest0token0WhatsApp0cloud0api0SECRET0value0xyz"  # noqa: S105 - test
    phone_number_id: str = "109876543210"
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # numbers Meta cannot deliver to
    delay: float = 0.0  # seconds before answering: longer than the client's timeout hangs
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def fail(self, status: int, code: int | None = None, count: int = 1,
             message: str = "Simulated failure") -> None:
        with self.lock:
            self.faults.append(Fault(status, code, count, message))

    def delivered(self) -> list[dict[str, Any]]:
        """Bodies of the messages accepted (answered 200)."""
        return [r["body"] for r in self.requests if r["status"] == 200]


def _error(message: str, code: int, subcode: int | None = None,
           details: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "AbCdEfGh123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like graph.facebook.com

        def setup(self) -> None:
            super().setup()
            # Headers and body go out as two writes: without this, Nagle's algorithm and
            # the client's delayed ACK add 40 ms to every answer on loopback.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            record = {"method": "POST", "path": self.path,
                      "authorization": self.headers.get("Authorization"),
                      "content_type": self.headers.get("Content-Type"), "body": body,
                      "status": None}
            with state.lock:
                state.requests.append(record)
                delay = state.delay
            if delay:
                time.sleep(delay)
            status, answer = self._answer(body)
            record["status"] = status
            with contextlib.suppress(OSError):  # the client may have given up waiting
                self._send(status, answer)

        def _answer(self, body: Any) -> tuple[int, Any]:
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[2] != "messages":
                return 404, _error("Unknown path", 100)
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                return 401, _error("Error validating access token: Session has expired.",
                                   190, 463)
            if parts[1] != state.phone_number_id:
                return 400, _error(f"Unsupported post request. Object with ID '{parts[1]}' "
                                   "does not exist", 100, 33)
            with state.lock:
                for fault in state.faults:
                    if fault.count > 0:
                        fault.count -= 1
                        error = _error(fault.message, fault.code or fault.status)
                        return fault.status, error
            if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
                return 400, _error("(#100) Invalid parameter", 100)
            to = str(body.get("to") or "")
            if to in state.refuse:
                return 400, _error("(#131026) Message Undeliverable.", 131026,
                                   details="Recipient is not a valid WhatsApp user")
            message_id = f"wamid.HBgN{next(state._ids):06d}"
            return 200, {"messaging_product": "whatsapp",
                         "contacts": [{"input": to, "wa_id": to}],
                         "messages": [{"id": message_id}]}

    return Handler


class WhatsAppStandIn(LocalServer):
    """Context manager: ``with WhatsAppStandIn() as wa: wa.url, wa.state``."""

    def __init__(self) -> None:
        self.state = StandIn()
        super().__init__(_handler(self.state))
