"""Web pages of the attendance domain: the participant's check-in page, the presenter view
of a checkpoint code, and the organizer's report upload, manual mark and finalize."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..accounts.services import find_user_by_login
from ..episodes.cockpit import render_manage
from ..episodes.models import Checkpoint, Episode
from ..episodes.services import get_episode
from ..errors import NotFound
from ..extensions import db, limiter
from ..registrations.services import get_registration, waitlist_position
from ..timeutil import as_utc, now_utc, to_local
from ..util.sql import id_arg
from ..util.urls import external_url
from ..web import organizer_required, role_required, service_call
from .forms import CheckInForm, FinalizeForm, MarkForm, ReportUploadForm
from .models import CheckIn
from .services import (
    check_in,
    checkins_of,
    finalize_episode,
    import_report,
    mark_attendance,
)

bp = Blueprint("attendance", __name__)


def _checkin_limit() -> str:
    return current_app.config["RATELIMIT_CHECKIN"]


def _user_key() -> str:
    return f"checkin-user:{current_user.get_id()}"


def _failed(response) -> bool:
    # Only failed attempts count: a room full of people typing the right code at once
    # must never be throttled, someone guessing codes must be.
    return response.status_code >= 400


def _manage_url(episode: Episode, anchor: str = "kehadiran") -> str:
    return url_for("episodes.manage", episode_id=episode.id, _anchor=anchor)


# Participant check-in -------------------------------------------------------------------

@bp.route("/episodes/<int:episode_id>/checkin", methods=["GET", "POST"])
@role_required("participant")
@limiter.limit(_checkin_limit, key_func=_user_key, methods=["POST"], deduct_when=_failed)
@limiter.limit("300 per minute", key_func=get_remote_address, methods=["POST"],
               deduct_when=_failed)
def checkin(episode_id: int):
    """404: unknown or draft episode. A failed check-in re-renders with its 4xx status,
    so the rate limits above count it."""
    episode = get_episode(episode_id, published_only=True)
    form = CheckInForm()
    error = None
    status = 200
    if form.validate_on_submit():
        with service_call(category=None, keep_loaded=True) as done:
            result = check_in(episode.id, current_user._get_current_object(), form.code.data,
                              ip=request.remote_addr)
            answer = {"ok": result.check_in.id, "new": int(result.created),
                      "walk_in": int(result.walk_in)}
        if not done.ok:
            error, status = done.error.message, done.error.status
        else:
            # Post/redirect/get: a refresh must not submit the code again.
            return redirect(url_for("attendance.checkin", episode_id=episode.id, **answer))
    elif request.method == "POST":
        error = " ".join(str(e) for e in form.code.errors) or _("Masukkan kode presensi.")
        status = 422

    confirmation = None
    ok = id_arg(request.args, "ok")
    if ok and request.method == "GET":
        found = db.session.get(CheckIn, ok)
        if found is not None and found.user_id == current_user.id \
                and found.episode_id == episode.id:
            confirmation = {"check_in": found, "new": request.args.get("new") == "1",
                            "walk_in": request.args.get("walk_in") == "1"}
    now = now_utc()
    open_checkpoints = [c for c in episode.checkpoints if c.is_open(now)]
    upcoming = [c for c in episode.checkpoints if as_utc(c.opens_at) > now]
    registration = get_registration(episode.id, current_user.id)
    mine = {c.checkpoint_id: c for c in checkins_of(episode.id, current_user.id)}
    return render_template(
        "attendance/checkin.html", episode=episode, form=form, error=error,
        confirmation=confirmation, open_checkpoints=open_checkpoints,
        next_checkpoint=upcoming[0] if upcoming else None, registration=registration,
        position=waitlist_position(registration) if registration else None, mine=mine,
        now=now, closed_ids={c.id for c in episode.checkpoints if as_utc(c.closes_at) <= now},
    ), status


# Presenter view -------------------------------------------------------------------------

@bp.get("/console/episodes/<int:episode_id>/checkpoints/<int:checkpoint_id>/present")
@organizer_required
def presenter(episode_id: int, checkpoint_id: int):
    """404: unknown episode, or a checkpoint of another episode."""
    episode = get_episode(episode_id)
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.episode_id != episode.id:
        raise NotFound(_("Checkpoint tidak ditemukan."))
    checkin_url = external_url("attendance.checkin", episode_id=episode.id)
    qr = segno.make(checkin_url, error="m").svg_data_uri(scale=8, border=2, dark="#0a1f33",
                                                           light="#ffffff")
    now = now_utc()
    # The code goes on screen only on the day its window opens (in the episode's zone) or
    # within the hour before: never days early, with a countdown of a hundred hours.
    opens = as_utc(checkpoint.opens_at)
    code_visible = (now >= opens - PRESENTER_LEAD
                    or to_local(opens, episode.timezone).date()
                    == to_local(now, episode.timezone).date())
    return render_template("attendance/presenter.html", episode=episode, checkpoint=checkpoint,
                           checkin_url=checkin_url, qr=qr, now=now, code_visible=code_visible)


PRESENTER_LEAD = timedelta(hours=1)


# Organizer actions (forms live on the episode cockpit) ----------------------------------

@bp.post("/console/episodes/<int:episode_id>/attendance/report")
@organizer_required
def upload_report(episode_id: int):
    episode = get_episode(episode_id)
    form = ReportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with service_call(category=None) as done:
            # Read one byte past the limit: the service refuses an oversized report.
            summary = import_report(
                episode, upload.read(current_app.config["REPORT_MAX_BYTES"] + 1),
                upload.filename, current_user.id, confirm=bool(form.confirm.data))
        if not done.ok:
            form.file.errors = [*form.file.errors, str(done.error.message)]
        else:
            flash(_("Laporan diimpor: %(rows)d baris, %(matched)d cocok dengan pendaftar, "
                    "%(unmatched)d tidak cocok.", rows=summary.rows, matched=summary.matched,
                    unmatched=len(summary.unmatched)), "success")
            if summary.sections:
                flash(summary.sections_text(), "info")
            return redirect(_manage_url(episode))
    return render_manage(episode, 422, upload_form=form)


@bp.post("/console/episodes/<int:episode_id>/attendance/mark")
@organizer_required
def mark(episode_id: int):
    episode = get_episode(episode_id)
    form = MarkForm(prefix="mark")
    if form.validate_on_submit():
        user = find_user_by_login(form.participant.data)
        if user is None:
            form.participant.errors = [_("Tidak ada akun dengan email atau NIP ini.")]
            return render_manage(episode, 422, mark_form=form)
        attended = form.attended.data == "yes"
        with service_call(category=None) as done:
            mark_attendance(episode, user.id, attended=attended, reason=form.reason.data,
                            actor_id=current_user.id)
        if not done.ok:
            field = form.reason if done.error.field == "reason" else form.participant
            field.errors = [*field.errors, str(done.error.message)]
        else:
            flash(_("%(name)s ditandai %(decision)s.", name=user.full_name,
                    decision=_("hadir") if attended else _("tidak hadir")), "success")
            return redirect(_manage_url(episode))
    return render_manage(episode, 422, mark_form=form)


@bp.post("/console/episodes/<int:episode_id>/finalize")
@organizer_required
def finalize(episode_id: int):
    episode = get_episode(episode_id)
    form = FinalizeForm()
    if form.validate_on_submit():
        with service_call() as done:
            summary = finalize_episode(episode.id, actor_id=current_user.id,
                                       force=bool(form.force.data))
        if done.ok:
            flash(_("Finalisasi selesai: %(a)d hadir, %(c)d dikreditkan, %(s)d sertifikat "
                    "diterbitkan.", a=summary.attended, c=summary.credited,
                    s=summary.certificates_issued), "success")
    return redirect(_manage_url(episode, "finalisasi"))
