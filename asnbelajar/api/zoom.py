"""JSON API for the Zoom integration (routes on the v1 blueprint of ``api/views.py``).

The connection's secret is accepted by PUT and never returned by anything.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..episodes.services import get_episode
from ..errors import ValidationError
from ..extensions import db
from ..integrations import services as zoom
from ..integrations.reports import pull_report
from ..timeutil import iso
from . import schemas
from .schemas import parse
from .views import _json_body, bp, require


def _flag(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ValidationError(_l("%(name)s harus true atau false.", name=name), field=name)


@bp.put("/integrations/zoom")
@require("organizer")
def zoom_connection_put(user: User):
    data = parse(schemas.ZoomConnectionPut, _json_body())
    zoom.save_connection(data.get("account_id"), data.get("client_id"),
                         data.get("client_secret"), user.id)
    db.session.commit()
    return "", 204


@bp.get("/integrations/zoom")
@require("organizer")
def zoom_connection_get(user: User):
    body = zoom.connection_json()
    conn = zoom.get_connection()
    body["tested_at"] = iso(conn.tested_at) if conn else None
    body["test_ok"] = conn.test_ok if conn else None
    return jsonify(body)


@bp.post("/integrations/zoom/test")
@require("organizer")
def zoom_connection_test(user: User):
    ok, message = zoom.test_connection(user.id)
    db.session.commit()
    return jsonify({"ok": ok, "message": message})


@bp.post("/episodes/<int:episode_id>/zoom")
@require("organizer")
def episode_zoom_create(user: User, episode_id: int):
    episode = get_episode(episode_id)
    data = parse(schemas.ZoomCreate, _json_body())
    existed = zoom.meeting_of(episode.id) is not None
    meeting = zoom.create_zoom_for_episode(
        episode, data.get("kind"), user.id,
        registration_required=_flag(data, "registration_required", True),
        auto_recording=data.get("auto_recording", "none"))
    db.session.commit()
    return jsonify({"zoom_id": meeting.zoom_id, "join_url": meeting.join_url,
                    "kind": meeting.kind}), 200 if existed else 201


@bp.post("/episodes/<int:episode_id>/zoom/pull-report")
@require("organizer")
def episode_zoom_pull_report(user: User, episode_id: int):
    episode = get_episode(episode_id)
    data = parse(schemas.ZoomPull, _json_body())
    summary = pull_report(episode, user.id, confirm=_flag(data, "confirm", False))
    db.session.commit()
    return jsonify(summary.as_json())
