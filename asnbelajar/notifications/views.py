"""Organizers' view of the outbox: what was sent, what waits, what failed and why."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..util.sql import page_arg, paginate
from ..web import organizer_required
from .models import CHANNELS
from .services import STATUSES, count_by_status, outbox_query, retry_emails

bp = Blueprint("notifications", __name__)

PER_PAGE = 50


@bp.get("/console/email")
@organizer_required
def index():
    """Queued, sending, sent and failed messages (email and WhatsApp) with the last
    error; filter by channel, search by recipient. 403: not an organizer."""
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    channel = request.args.get("channel") or None
    if channel not in CHANNELS:
        channel = None
    recipient = (request.args.get("q") or "").strip()[:254] or None
    page = paginate(outbox_query(status, recipient, channel), page=page_arg(request.args),
                    per_page=PER_PAGE)
    return render_template("notifications/index.html", page=page, status=status,
                           recipient=recipient, channel=channel,
                           counts=count_by_status(channel), statuses=STATUSES,
                           channels=CHANNELS)


@bp.post("/console/email/retry")
@organizer_required
def retry():
    """Queue failed messages again: the ticked ones, or every failed one (``all=1``) of
    the channel shown. 403: not an organizer."""
    every = request.form.get("all") == "1"
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    channel = request.form.get("channel") or None
    count = retry_emails(ids, all_failed=every, actor_id=current_user.id,
                         channel=channel if channel in CHANNELS else None)
    db.session.commit()
    if count:
        flash(_l("%(n)s pesan diantrekan ulang dan akan dikirim dalam beberapa saat.", n=count),
              "success")
    else:
        flash(_l("Tidak ada pesan gagal yang dipilih."), "warning")
    return redirect(url_for("notifications.index", status=request.form.get("status") or None,
                            q=request.form.get("q") or None,
                            channel=channel if channel in CHANNELS else None))
