"""Record organizer actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..extensions import db
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record_event(
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id, action=action, object_type=object_type, object_id=object_id,
        before=_jsonable(before), after=_jsonable(after), ip=ip,
    )
    db.session.add(event)
    return event
