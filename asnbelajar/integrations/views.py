"""Console pages of the integrations: the Zoom connection (with a test button), the Zoom
panel of an episode (create the meeting or webinar, pull the report), and the WhatsApp
Business connection (with a test message)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..episodes.services import get_episode
from ..notifications.services import count_by_status
from ..web import organizer_required, service_call
from . import registrants, reports
from . import services as zoom
from . import whatsapp_settings as wa
from .forms import (
    EpisodeZoomForm,
    PullReportForm,
    WhatsAppConnectionForm,
    WhatsAppTestForm,
    ZoomConnectionForm,
    ZoomTestForm,
)

bp = Blueprint("integrations", __name__)


@bp.app_context_processor
def _zoom_panel():
    # The episode cockpit (episodes/manage.html) includes the Zoom panel; it asks for the
    # panel's data and forms through these, so the cockpit view needs no Zoom code.
    return {"zoom_status_for": zoom.episode_zoom_status,
            "zoom_forms": lambda: {"create": EpisodeZoomForm(formdata=None),
                                   "pull": PullReportForm(formdata=None, prefix="pull")},
            "zoom_configured": lambda: zoom.get_connection() is not None,
            # A participant's own Zoom link (episode page, dashboard).
            "personal_join_url": registrants.participant_join_url}


def _panel(episode_id: int) -> str:
    return url_for("episodes.manage", episode_id=episode_id, _anchor="zoom")


@bp.route("/console/integrations/zoom", methods=["GET", "POST"])
@organizer_required
def zoom_settings():
    """The Zoom connection. The secret field is always empty: it is never sent back."""
    conn = zoom.get_connection()
    form = ZoomConnectionForm(obj=conn if conn else None)
    if form.validate_on_submit():
        with service_call(form) as done:
            zoom.save_connection(form.account_id.data, form.client_id.data,
                                 form.client_secret.data or "", current_user.id)
        if done.ok:
            flash(_("Koneksi Zoom disimpan."), "success")
            return redirect(url_for("integrations.zoom_settings"))
    status = 422 if form.errors else 200
    form.client_secret.data = None
    return render_template("integrations/zoom.html", form=form, conn=conn,
                           test_form=ZoomTestForm()), status


@bp.post("/console/integrations/zoom/test")
@organizer_required
def zoom_test():
    form = ZoomTestForm()
    if form.validate_on_submit():
        with service_call() as done:
            ok, message = zoom.test_connection(current_user.id)
        if done.ok:
            flash(message, "success" if ok else "danger")
    return redirect(url_for("integrations.zoom_settings"))


@bp.post("/console/episodes/<int:episode_id>/zoom")
@organizer_required
def episode_zoom_create(episode_id: int):
    """404: unknown episode."""
    episode = get_episode(episode_id)
    form = EpisodeZoomForm()
    if form.validate_on_submit():
        with service_call() as done:
            meeting = zoom.create_zoom_for_episode(
                episode, form.kind.data, current_user.id,
                registration_required=bool(form.registration_required.data),
                auto_recording=form.auto_recording.data)
        if done.ok:
            flash(_("%(kind)s Zoom dibuat (ID %(id)s).", kind=meeting.kind.capitalize(),
                    id=meeting.zoom_id), "success")
    else:
        flash(_("Pilihan Zoom tidak valid."), "danger")
    return redirect(_panel(episode.id))


@bp.post("/console/episodes/<int:episode_id>/zoom/pull-report")
@organizer_required
def episode_zoom_pull(episode_id: int):
    """404: unknown episode."""
    episode = get_episode(episode_id)
    form = PullReportForm(prefix="pull")
    if form.validate_on_submit():
        with service_call() as done:
            summary = reports.pull_report(episode, current_user.id,
                                       confirm=bool(form.confirm.data))
        if done.ok:
            flash(_("Laporan Zoom ditarik: %(rows)d baris, %(matched)d cocok dengan pendaftar, "
                    "%(unmatched)d tidak cocok.", rows=summary.rows, matched=summary.matched,
                    unmatched=len(summary.unmatched)), "success")
    return redirect(_panel(episode.id))


def _whatsapp_page(form: WhatsAppConnectionForm, test_form: WhatsAppTestForm, status: int):
    form.access_token.data = None  # the stored token never goes to a browser
    return render_template("integrations/whatsapp.html", form=form, test_form=test_form,
                           conn=wa.get_whatsapp(), counts=count_by_status("whatsapp")), status


@bp.route("/console/integrations/whatsapp", methods=["GET", "POST"])
@organizer_required
def whatsapp_settings():
    """The WhatsApp Business connection. The token field is always empty: the stored
    token is never sent back. 403: not an organizer."""
    conn = wa.get_whatsapp()
    form = WhatsAppConnectionForm(obj=conn if conn else None)
    if form.validate_on_submit():
        with service_call(form) as done:
            saved = wa.save_whatsapp(
                enabled=bool(form.enabled.data), phone_number_id=form.phone_number_id.data,
                access_token=form.access_token.data or "",
                reminder_template=form.reminder_template.data,
                certificate_template=form.certificate_template.data,
                language_code=form.language_code.data, actor_id=current_user.id)
        if done.ok:
            flash(_("Koneksi WhatsApp disimpan; notifikasi WhatsApp aktif.") if saved.enabled
                  else _("Koneksi WhatsApp disimpan; notifikasi WhatsApp tidak aktif."),
                  "success")
            return redirect(url_for("integrations.whatsapp_settings"))
    return _whatsapp_page(form, WhatsAppTestForm(formdata=None), 422 if form.errors else 200)


@bp.post("/console/integrations/whatsapp/test")
@organizer_required
def whatsapp_test():
    """Send a test message now to the number typed. A bad number: the page again with
    the message under the field (422). 403: not an organizer."""
    test_form = WhatsAppTestForm()
    if test_form.validate_on_submit():
        with service_call(test_form) as done:
            ok, message = wa.send_test_message(test_form.phone.data, test_form.kind.data,
                                               current_user.id, current_user.full_name)
        if done.ok:
            flash(message, "success" if ok else "danger")
            return redirect(url_for("integrations.whatsapp_settings"))
    conn = wa.get_whatsapp()
    return _whatsapp_page(WhatsAppConnectionForm(obj=conn, formdata=None), test_form,
                          422 if test_form.errors else 200)
