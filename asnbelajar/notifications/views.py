"""Organizers' view of the outbox: what was sent, what waits, what failed and why."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..util.sql import page_arg, paginate
from ..web import organizer_required
from .services import STATUSES, count_by_status, outbox_query, retry_emails

bp = Blueprint("notifications", __name__)

PER_PAGE = 50


@bp.get("/console/email")
@organizer_required
def index():
    """Queued, sending, sent and failed mail with the last error; search by recipient.
    403: not an organizer."""
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    recipient = (request.args.get("q") or "").strip()[:254] or None
    page = paginate(outbox_query(status, recipient), page=page_arg(request.args),
                    per_page=PER_PAGE)
    return render_template("notifications/index.html", page=page, status=status,
                           recipient=recipient, counts=count_by_status(), statuses=STATUSES)


@bp.post("/console/email/retry")
@organizer_required
def retry():
    """Queue failed emails again: the ticked ones, or every failed one (``all=1``).
    403: not an organizer."""
    every = request.form.get("all") == "1"
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    count = retry_emails(ids, all_failed=every, actor_id=current_user.id)
    db.session.commit()
    if count:
        flash(_l("%(n)s email diantrekan ulang dan akan dikirim dalam beberapa saat.", n=count),
              "success")
    else:
        flash(_l("Tidak ada email gagal yang dipilih."), "warning")
    return redirect(url_for("notifications.index", status=request.form.get("status") or None,
                            q=request.form.get("q") or None))
