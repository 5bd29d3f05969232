"""A local stand-in for Zoom's API (OAuth token, meetings/webinars, registrants, report
participants), served by a threaded http.server on 127.0.0.1 for the tests.

It keeps what a test needs to check: every request (method, path, body, Authorization),
the meetings with their current settings, registrants per meeting, and it can be told to
answer 429 (with Retry-After) or 5xx for the next N calls to a path prefix.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .local_server import LocalServer


@dataclass
class Fault:
    prefix: str
    status: int
    count: int
    retry_after: str | None = None


@dataclass
class StandIn:
    account_id: str = "acc-123"
    client_id: str = "client-abc"
    client_secret: str = "S3cr3t-zoom-value-9f8e7d"  # noqa: S105 - a test value
    requests: list[dict[str, Any]] = field(default_factory=list)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    registrants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    report: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    page_size: int = 2
    batch_supported: bool = True
    reject_emails: set[str] = field(default_factory=set)  # Zoom refuses these registrants
    tokens_issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(85500000001))
    url: str = ""

    def fail(self, prefix: str, status: int, count: int = 1,
             retry_after: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(prefix, status, count, retry_after))

    def calls(self, method: str | None = None, prefix: str = "") -> list[dict[str, Any]]:
        return [r for r in self.requests
                if (method is None or r["method"] == method) and r["path"].startswith(prefix)]


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
            raw = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if raw:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            is_json = "json" in (self.headers.get("Content-Type") or "")
            body = json.loads(raw) if raw.strip() and is_json else None
            auth = self.headers.get("Authorization", "")
            with state.lock:
                state.requests.append({"method": method, "path": path, "query": query,
                                       "body": body, "auth": auth})
                for fault in state.faults:
                    if fault.count > 0 and path.startswith(fault.prefix):
                        fault.count -= 1
                        headers = {"Retry-After": fault.retry_after} if fault.retry_after \
                            else {}
                        return self._send(fault.status, {"code": fault.status,
                                                         "message": "stand-in fault"}, headers)
                return self._route(method, path, query, body, auth)

        def _route(self, method, path, query, body, auth):
            if path == "/oauth/token" and method == "POST":
                expected = base64.b64encode(
                    f"{state.client_id}:{state.client_secret}".encode()).decode()
                if auth != f"Basic {expected}" or query.get("account_id") != [state.account_id]:
                    return self._send(400, {"reason": "Invalid client_id or client_secret",
                                            "error": "invalid_client"})
                state.tokens_issued += 1
                return self._send(200, {"access_token": f"tok-{state.tokens_issued}",
                                        "token_type": "bearer", "expires_in": 3599})
            if not auth.startswith("Bearer tok-"):
                return self._send(401, {"code": 124, "message": "Invalid access token."})
            api = path.removeprefix("/v2")
            if api == "/users/me" and method == "GET":
                return self._send(200, {"id": "host1", "email": "zoom.bpsdm@example.go.id",
                                        "account_id": state.account_id})
            m = re.fullmatch(r"/users/me/(meetings|webinars)", api)
            if m and method == "POST":
                zoom_id = str(next(state._ids))
                kind = m.group(1)[:-1]
                state.meetings[zoom_id] = {"kind": kind, **body, "deleted": False}
                state.registrants[zoom_id] = []
                return self._send(201, {"id": int(zoom_id), "topic": body.get("topic"),
                                        "join_url": f"https://zoom.example/j/{zoom_id}"})
            m = re.fullmatch(r"/(meetings|webinars)/(\d+)", api)
            if m:
                meeting = state.meetings.get(m.group(2))
                if meeting is None or meeting["deleted"]:
                    return self._send(404, {"code": 3001, "message": "Meeting does not exist"})
                if method == "PATCH":
                    meeting.update(body)
                    return self._send(204)
                if method == "DELETE":
                    meeting["deleted"] = True
                    return self._send(204)
            m = re.fullmatch(r"/(meetings|webinars)/(\d+)/batch_registrants", api)
            if m and method == "POST":
                if not state.batch_supported:
                    return self._send(400, {"code": 300, "message": "Batch not available"})
                out = [self._register(m.group(2), person) for person in body["registrants"]
                       if person["email"] not in state.reject_emails]
                return self._send(201, {"registrants": [
                    {"email": r["email"], "registrant_id": r["id"], "join_url": r["join_url"],
                     "participant_pin_code": 1} for r in out]})
            m = re.fullmatch(r"/(meetings|webinars)/(\d+)/registrants", api)
            if m and method == "POST":
                if body["email"] in state.reject_emails:
                    return self._send(400, {"code": 300, "message": "Invalid email"})
                r = self._register(m.group(2), body)
                return self._send(201, {"id": int(m.group(2)), "registrant_id": r["id"],
                                        "join_url": r["join_url"]})
            m = re.fullmatch(r"/(meetings|webinars)/(\d+)/registrants/status", api)
            if m and method == "PUT":
                ids = {r["id"] for r in body["registrants"]}
                for r in state.registrants.get(m.group(2), []):
                    if r["id"] in ids:
                        r["status"] = "cancelled"
                return self._send(204)
            m = re.fullmatch(r"/(meetings|webinars)/(\d+)/registrants/([\w-]+)", api)
            if m and method == "DELETE":
                before = len(state.registrants.get(m.group(2), []))
                state.registrants[m.group(2)] = [
                    r for r in state.registrants.get(m.group(2), []) if r["id"] != m.group(3)]
                if len(state.registrants[m.group(2)]) == before:
                    return self._send(404, {"code": 3027, "message": "Registrant not found"})
                return self._send(204)
            m = re.fullmatch(r"/report/(meetings|webinars)/(\d+)/participants", api)
            if m and method == "GET":
                rows = state.report.get(m.group(2))
                if rows is None:
                    return self._send(404, {"code": 3001, "message": "Meeting does not exist"})
                start = int((query.get("next_page_token") or ["0"])[0] or 0)
                page = rows[start:start + state.page_size]
                nxt = start + state.page_size
                return self._send(200, {"participants": page, "page_size": state.page_size,
                                        "total_records": len(rows),
                                        "next_page_token": str(nxt) if nxt < len(rows) else ""})
            return self._send(404, {"code": 404, "message": f"no route {method} {path}"})

        def _register(self, zoom_id: str, person: dict[str, Any]) -> dict[str, Any]:
            existing = [r for r in state.registrants[zoom_id]
                        if r["email"] == person["email"] and r["status"] == "approved"]
            if existing:
                return existing[0]
            rid = f"r{zoom_id[-3:]}{len(state.registrants[zoom_id]) + 1:05d}"
            record = {"id": rid, "email": person["email"],
                      "first_name": person.get("first_name"),
                      "last_name": person.get("last_name"), "status": "approved",
                      "join_url": f"https://zoom.example/w/{zoom_id}?tk={rid}"}
            state.registrants[zoom_id].append(record)
            return record

        def do_GET(self):  # noqa: N802
            self._handle("GET")

        def do_POST(self):  # noqa: N802
            self._handle("POST")

        def do_PATCH(self):  # noqa: N802
            self._handle("PATCH")

        def do_PUT(self):  # noqa: N802
            self._handle("PUT")

        def do_DELETE(self):  # noqa: N802
            self._handle("DELETE")

    return Handler


class ZoomStandIn(LocalServer):
    """Context manager: ``with ZoomStandIn() as zoom: zoom.url, zoom.state``."""

    def __init__(self) -> None:
        self.state = StandIn()
        super().__init__(_handler(self.state))
        self.state.url = self.url
