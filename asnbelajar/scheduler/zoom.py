"""The Zoom sync job: episode moves and cancellations sent to Zoom, registrants pushed
(personal join links) and cancelled, participant reports pulled after the end.

Everything is derived from database state, so a rerun, a restart or a second scheduler
does no harm; each step commits on its own, so a rate limit halfway keeps what was done.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..episodes.models import Episode
from ..errors import DomainError
from ..extensions import db
from ..integrations import registrants, reports
from ..integrations import services as zoom
from ..integrations.models import ZoomMeeting
from ..integrations.registrants import personal_join_urls
from ..integrations.reports import report_pending

__all__ = ["personal_join_urls", "report_pending", "sync_zoom"]


def sync_zoom() -> dict[str, Any]:
    if zoom.get_connection() is None:
        return {"skipped": "not configured"}
    try:
        client = zoom.zoom_client()
    except DomainError as err:
        return {"skipped": str(err.message)}
    summary: dict[str, Any] = {"synced": 0, "pushed": 0, "removed": 0, "failed": 0,
                               "reports": {}, "errors": []}
    for meeting_id in zoom.meetings_to_sync():
        if zoom.sync_meeting(db.session.get(ZoomMeeting, meeting_id), client):
            summary["synced"] += 1
        db.session.commit()

    limit = int(current_app.config["ZOOM_PUSH_LIMIT"])
    for meeting_id in registrants.meetings_with_registrant_work():
        meeting = db.session.get(ZoomMeeting, meeting_id)
        removed = registrants.remove_cancelled(meeting, client)
        db.session.commit()
        pushed = registrants.push_registrants(meeting, client, limit)
        db.session.commit()
        summary["pushed"] += pushed.pushed
        summary["removed"] += removed.removed
        summary["failed"] += pushed.failed
        summary["errors"] += (removed.errors + pushed.errors)[:5]

    for episode_id in reports.reports_due():
        episode = db.session.get(Episode, episode_id)
        try:
            result = reports.pull_report(episode, None, client=client)
            db.session.commit()
            summary["reports"][episode_id] = {"rows": result.rows, "matched": result.matched}
        except DomainError as err:
            db.session.rollback()
            # No report yet (Zoom prepares it after the end) or Zoom unreachable: later.
            reports.report_retry_later(episode_id, str(err.message))
            db.session.commit()
            summary["reports"][episode_id] = {"error": str(err.message)}
    return summary
