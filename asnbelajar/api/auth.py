"""JSON API routes of sessions and tokens (DESIGN.md): logout, the holder's own tokens,
revoking one. Registered on the API blueprint by ``api/views.py``."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..accounts.models import ApiToken, User
from ..accounts.sessions import (
    bearer_token,
    list_tokens,
    revoke_presented_token,
    revoke_token,
    token_expires_at,
)
from ..extensions import db
from ..timeutil import iso
from .views import bp, require


def _presented_token() -> str:
    return bearer_token(request.headers.get("Authorization"))


def token_json(row: ApiToken) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "created_at": iso(row.created_at),
            "last_used_at": iso(row.last_used_at), "expires_at": iso(token_expires_at(row))}


@bp.post("/auth/logout")
@require()
def auth_logout(user: User):
    """204; the presenting token stops working (then 401 like any dead token)."""
    revoke_presented_token(_presented_token())
    db.session.commit()
    return "", 204


@bp.get("/auth/tokens")
@require()
def auth_tokens(user: User):
    """The holder's own live tokens (never another person's, never a secret)."""
    return jsonify([token_json(row) for row in list_tokens(user)])


@bp.delete("/auth/tokens/<int:token_id>")
@require()
def auth_token_revoke(user: User, token_id: int):
    """204; another person's or an unknown token: 404 (existence is not told)."""
    revoke_token(user, token_id)
    db.session.commit()
    return "", 204
