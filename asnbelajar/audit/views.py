"""Web pages of the audit domain: the organizers' read-only audit log."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..timeutil import DEFAULT_ZONE, to_local, zone_abbr
from ..util.sql import page_arg, paginate
from ..web import organizer_required
from .models import AuditEvent

bp = Blueprint("audit", __name__)

PER_PAGE = 50


ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        if ISO_DATETIME.match(value):
            # Snapshots hold UTC; organizers read the log in WIB.
            local = to_local(datetime.fromisoformat(value.replace("Z", "+00:00")), DEFAULT_ZONE)
            return f"{local:%Y-%m-%d %H.%M} {zone_abbr(DEFAULT_ZONE)}"
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


def change_rows(before: dict | None, after: dict | None) -> list[dict[str, Any]]:
    """One row per key: the value before and after (either side may be absent). Keys
    that only appear afterwards with no value (an empty field at creation) are left out."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [{"key": "", "before": _value_text(before or None),
                 "after": _value_text(after or None)}]
    keys = list(before) + [k for k in after if k not in before and after[k] is not None]
    return [{"key": key,
             "before": _value_text(before[key]) if key in before else None,
             "after": _value_text(after[key]) if key in after else None}
            for key in keys]


def _distinct(column) -> list[str]:
    return list(db.session.scalars(select(column).group_by(column).order_by(column)))


@bp.get("/console/audit")
@organizer_required
def index():
    action = request.args.get("action") or None
    object_type = request.args.get("object_type") or None
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    page = paginate(query, page=page_arg(request.args), per_page=PER_PAGE)
    return render_template(
        "audit/index.html", page=page, action=action, object_type=object_type,
        actions=_distinct(AuditEvent.action), object_types=_distinct(AuditEvent.object_type),
        changes={e.id: change_rows(e.before, e.after) for e in page.items},
    )
