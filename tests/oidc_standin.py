"""A local stand-in OpenID Connect provider for the single sign-on tests: discovery,
an authorize endpoint that redirects back with a code, a token endpoint that answers with
an RS256-signed ID token (joserfc, the JOSE library Authlib moved to), and the JWKS.

The claims a login will carry are set per test (``standin.claims``); the nonce the client
sent to /authorize is copied into the ID token, as a real provider does.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from .local_server import LocalServer

CLIENT_ID = "asnbelajar-test"
CLIENT_SECRET = "rahasia-klien-uji"  # noqa: S105 - a test value


class OidcStandIn(LocalServer):
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "uji-1", "use": "sig",
                                                         "alg": "RS256"})
        self.claims: dict[str, Any] = {}
        # Set to another key to sign ID tokens the JWKS does not vouch for (a forgery).
        self.signing_key: RSAKey | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__(_handler(self))

    def id_token(self, nonce: str | None, **override: Any) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "sub": self.claims.get("sub", "subjek-1"), **self.claims, **override}
        if nonce is not None:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "uji-1"}, claims,
                          self.signing_key or self.key)


def _handler(state: OidcStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(200, {
                    "issuer": state.url,
                    "authorization_endpoint": state.url + "/authorize",
                    "token_endpoint": state.url + "/token",
                    "jwks_uri": state.url + "/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                              "client_secret_post"],
                })
            elif url.path == "/jwks":
                self._json(200, {"keys": [state.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                with state.lock:
                    state.codes[code] = {"nonce": query.get("nonce"),
                                         "redirect_uri": query["redirect_uri"]}
                target = query["redirect_uri"] + "?" + urlencode(
                    {"code": code, "state": query.get("state", "")})
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            else:
                cid, secret = form.get("client_id"), form.get("client_secret")
            state.token_requests.append(form)
            with state.lock:
                grant = state.codes.pop(form.get("code", ""), None)
            if cid != CLIENT_ID or secret != CLIENT_SECRET:
                self._json(401, {"error": "invalid_client"})
            elif grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                self._json(400, {"error": "invalid_grant"})
            else:
                self._json(200, {"access_token": secrets.token_urlsafe(16),
                                 "token_type": "Bearer", "expires_in": 300,
                                 "id_token": state.id_token(grant["nonce"])})

    return Handler
