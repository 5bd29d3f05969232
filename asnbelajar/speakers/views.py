"""Web pages of the speakers domain: the organizer's speaker list and editor, public
speaker photos, the speaker portal (sessions, figures, evaluations, materials,
certificate) and material downloads.

Console pages are organizer-only. The portal is for the account linked to a speaker
(whatever its role: a participant may also speak) and for organizers, who pick the
speaker with ``?speaker=<id>``. A speaker only ever reaches sessions they present in.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..certificates.rendering import pdf_for_download
from ..certificates.services import can_download
from ..episodes.forms import ROLE_LABELS
from ..episodes.models import Episode
from ..episodes.services import get_episode
from ..errors import ValidationError
from ..evaluations.models import SCORE_FIELDS
from ..extensions import db, login_manager
from ..timeutil import now_utc
from ..uploads import path_of
from ..util.sql import id_arg, page_arg, paginate
from ..web import organizer_required, service_call
from .forms import ConfirmForm, MaterialForm, SpeakerProfileForm
from .models import Speaker
from .services import (
    account_states,
    add_material,
    can_download_material,
    can_manage_material,
    create_speaker,
    delete_material,
    delete_speaker,
    get_material,
    get_speaker,
    invite_speaker,
    portal_for,
    session_counts,
    session_detail,
    sessions_of_speaker,
    speaker_certificate,
    speaker_of_user,
    speaker_roles,
    speakers_query,
    update_speaker,
)

bp = Blueprint("speakers", __name__)

PER_PAGE = 25
PHOTO_MAX_AGE = 7 * 24 * 3600


def _is_organizer() -> bool:
    return bool(current_user.is_authenticated and current_user.role == "organizer")


def _upload(field):
    """``(stream, filename)`` of an uploaded file, or None when the input was left empty."""
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.stream, storage.filename


# Template helpers (also for the episode pages) ---------------------------------------------

@bp.app_template_global()
def speaker_photo_url(speaker: Speaker | None) -> str | None:
    """The photo's URL; it changes with the photo, so browsers may cache it for long."""
    if speaker is None or not speaker.photo:
        return None
    version = speaker.photo.rsplit("/", 1)[-1][:10]
    return url_for("speakers.photo", speaker_id=speaker.id, v=version)


@bp.before_app_request
def _forget_speaker_portal() -> None:
    # An app context may outlive a request (tests, scripts): ask again in each request.
    g.pop("speaker_portal_of", None)


@bp.app_template_global()
def has_speaker_portal() -> bool:
    """Whether the signed-in user has a speaker portal (for the navigation)."""
    if not current_user.is_authenticated:
        return False
    if current_user.role == "speaker":
        return True
    # Once per request and user: one indexed lookup however often the layout asks.
    cached = g.get("speaker_portal_of")
    if cached is None or cached[0] != current_user.id:
        cached = g.speaker_portal_of = (current_user.id,
                                        speaker_of_user(current_user.id) is not None)
    return cached[1]


# Organizer console -------------------------------------------------------------------------

@bp.get("/console/speakers")
@organizer_required
def index():
    q = " ".join((request.args.get("q") or "").split())[:100]
    page = paginate(speakers_query(q), page=page_arg(request.args), per_page=PER_PAGE)
    return render_template(
        "speakers/index.html", page=page, q=q,
        counts=session_counts([s.id for s in page.items]),
        accounts=account_states(page.items),
    )


def _render_form(form: SpeakerProfileForm, speaker: Speaker | None, status: int = 200):
    sessions = sessions_of_speaker(speaker.id) if speaker else []
    return render_template(
        "speakers/form.html", form=form, speaker=speaker, sessions=sessions,
        account=account_states([speaker]).get(speaker.id) if speaker else None,
        confirm_form=ConfirmForm(formdata=None), role_labels=ROLE_LABELS, now=now_utc(),
    ), status


@bp.route("/console/speakers/new", methods=["GET", "POST"])
@organizer_required
def new():
    form = SpeakerProfileForm()
    if form.validate_on_submit():
        with service_call(form) as done:
            speaker = create_speaker(form.service_data(), current_user.id,
                                     photo=_upload(form.photo))
        if done.ok:
            flash(_("Narasumber %(name)s tersimpan.", name=speaker.name), "success")
            return redirect(url_for("speakers.edit", speaker_id=speaker.id))
    return _render_form(form, None, 422 if form.errors else 200)


@bp.route("/console/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit(speaker_id: int):
    """404: unknown speaker."""
    speaker = get_speaker(speaker_id)
    form = SpeakerProfileForm(obj=None if request.method == "POST" else speaker)
    if request.method == "GET":
        form.photo.data = None  # obj= filled it with the stored name
    if form.validate_on_submit():
        with service_call(form) as done:
            update_speaker(speaker, form.service_data(), current_user.id,
                           photo=_upload(form.photo), remove_photo=form.remove_photo.data)
        if done.ok:
            flash(_("Perubahan tersimpan."), "success")
            return redirect(url_for("speakers.edit", speaker_id=speaker.id))
    return _render_form(form, speaker, 422 if form.errors else 200)


@bp.post("/console/speakers/<int:speaker_id>/delete")
@organizer_required
def delete(speaker_id: int):
    """404: unknown speaker. A speaker with sessions stays (flash message)."""
    speaker = get_speaker(speaker_id)
    name = speaker.name
    if ConfirmForm().validate_on_submit():
        with service_call() as done:
            delete_speaker(speaker, current_user.id)
        if not done.ok:
            return redirect(url_for("speakers.edit", speaker_id=speaker_id))
        flash(_("Narasumber %(name)s dihapus.", name=name), "success")
    return redirect(url_for("speakers.index"))


@bp.post("/console/speakers/<int:speaker_id>/invite")
@organizer_required
def invite(speaker_id: int):
    """404: unknown speaker. No email or an account linked elsewhere: flash message."""
    speaker = get_speaker(speaker_id)
    if ConfirmForm().validate_on_submit():
        with service_call() as done:
            result = invite_speaker(speaker, current_user.id)
        if done.ok:
            email = result.user.email
            if result.created:
                flash(_("Akun narasumber dibuat. Undangan berisi tautan untuk membuat kata "
                        "sandi dikirim ke %(email)s.", email=email), "success")
            elif result.pending:
                flash(_("Akun %(email)s belum membuktikan alamatnya, jadi belum ditautkan. "
                        "Undangan berisi tautan; akun ditautkan setelah narasumber membukanya.",
                        email=email), "success")
            elif result.linked:
                flash(_("Akun %(email)s yang sudah ada ditautkan ke narasumber ini, dan "
                        "undangan dikirim.", email=email), "success")
            else:
                flash(_("Undangan dikirim ulang ke %(email)s.", email=email), "success")
    return redirect(url_for("speakers.edit", speaker_id=speaker.id))


# Public photo ------------------------------------------------------------------------------

@bp.get("/speakers/<int:speaker_id>/photo")
def photo(speaker_id: int):
    """Public (speaker photos appear on episode pages). 404: unknown speaker or no photo."""
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or not speaker.photo:
        abort(404)
    try:
        path = path_of(speaker.photo)
    except ValidationError:
        abort(404)
    if not path.is_file():
        abort(404)
    mimetype = "image/png" if speaker.photo.endswith(".png") else "image/jpeg"
    response = send_file(path, mimetype=mimetype, max_age=PHOTO_MAX_AGE, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    return response


# Speaker portal ----------------------------------------------------------------------------

def _viewed_speaker() -> Speaker | None:
    """The speaker a portal page is about: organizers pick one with ``?speaker=<id>``;
    everyone else gets the speaker linked to their own account (the parameter is
    ignored, so it cannot open someone else's portal)."""
    if _is_organizer():
        speaker_id = id_arg(request.args, "speaker")
        if speaker_id:
            return get_speaker(speaker_id)
    return speaker_of_user(current_user.id)


def _session_speaker(episode: Episode) -> Speaker | None:
    """The viewing speaker of this episode; 403 unless they present in it. Organizers
    always pass (with the chosen speaker, or None)."""
    speaker = _viewed_speaker()
    if _is_organizer():
        return speaker if speaker and speaker_roles(episode.id, speaker.id) else None
    if speaker is None or not speaker_roles(episode.id, speaker.id):
        abort(403)
    return speaker


def _session_url(episode: Episode, speaker: Speaker | None, **kwargs) -> str:
    if _is_organizer() and speaker is not None:
        kwargs["speaker"] = speaker.id
    return url_for("speakers.session", episode_id=episode.id, **kwargs)


@bp.get("/speaker")
@login_required
def portal():
    """403: an account that is neither linked to a speaker, a speaker account nor an
    organizer. An organizer without ``?speaker=`` is sent to the speaker list."""
    speaker = _viewed_speaker()
    if speaker is None:
        if _is_organizer():
            flash(_("Pilih narasumber untuk melihat portalnya."), "info")
            return redirect(url_for("speakers.index"))
        if current_user.role != "speaker":
            abort(403)
    now = now_utc()
    return render_template(
        "speakers/portal.html", speaker=speaker, now=now,
        portal=portal_for(speaker, now) if speaker else None, role_labels=ROLE_LABELS,
        viewing_as=_is_organizer(), join_window=_join_window(),
    )


def _join_window() -> timedelta:
    """How long before the start the speaker's join link shows (as for participants)."""
    return timedelta(minutes=int(current_app.config.get("JOIN_LINK_MINUTES_BEFORE", 30)))


def _render_session(episode: Episode, speaker: Speaker | None, status: int = 200,
                    material_form: MaterialForm | None = None):
    now = now_utc()
    detail = session_detail(episode, speaker, now)
    return render_template(
        "speakers/session.html", episode=episode, speaker=speaker, detail=detail, now=now,
        material_form=material_form or MaterialForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None), role_labels=ROLE_LABELS,
        score_fields=SCORE_FIELDS, viewing_as=_is_organizer(), join_window=_join_window(),
        can_manage=lambda m: can_manage_material(m, current_user),
        session_url=lambda **kw: _session_url(episode, speaker, **kw),
    ), status


@bp.get("/speaker/episodes/<int:episode_id>")
@login_required
def session(episode_id: int):
    """404: unknown episode. 403: not a speaker of this episode (nor an organizer)."""
    episode = get_episode(episode_id)
    return _render_session(episode, _session_speaker(episode))


@bp.post("/speaker/episodes/<int:episode_id>/materials")
@login_required
def upload_material(episode_id: int):
    """404: unknown episode. 403: not a speaker of this episode (nor an organizer).
    A refused file re-renders the page (422) with the reason under the input."""
    episode = get_episode(episode_id)
    speaker = _session_speaker(episode)
    form = MaterialForm()
    if form.validate_on_submit():
        with service_call(form) as done:
            material = add_material(episode, _upload(form.file), speaker=speaker,
                                    title=form.title.data, actor_id=current_user.id)
        if done.ok:
            flash(_("Materi \"%(title)s\" diunggah.", title=material.title), "success")
            return redirect(_session_url(episode, speaker, _anchor="materi"))
    return _render_session(episode, speaker, 422, material_form=form)


@bp.post("/speaker/episodes/<int:episode_id>/materials/<int:material_id>/delete")
@login_required
def remove_material(episode_id: int, material_id: int):
    """404: unknown episode or material. 403: not a speaker of this episode, or another
    speaker's material (organizers may remove any)."""
    episode = get_episode(episode_id)
    speaker = _session_speaker(episode)
    material = get_material(episode.id, material_id)
    if not can_manage_material(material, current_user):
        abort(403)
    if ConfirmForm().validate_on_submit():
        title = material.title
        delete_material(material, current_user.id)
        db.session.commit()
        flash(_("Materi \"%(title)s\" dihapus.", title=title), "success")
    return redirect(_session_url(episode, speaker, _anchor="materi"))


@bp.get("/episodes/<int:episode_id>/materials/<int:material_id>")
def material(episode_id: int, material_id: int):
    """Anonymous: login redirect. 404: unknown episode or material. 403: anyone but
    organizers, the episode's speakers, and participants registered for it once it has
    started."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    episode = get_episode(episode_id)
    item = get_material(episode.id, material_id)
    if not can_download_material(episode, current_user):
        abort(403)
    try:
        path = path_of(item.stored_name)
    except ValidationError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=True,
                         download_name=item.original_name, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/speaker/episodes/<int:episode_id>/certificate.pdf")
@login_required
def certificate(episode_id: int):
    """404: unknown episode, or an organizer who named no speaker of it. 403: not a
    speaker of this episode. Before the episode has ended: back to the page with a
    message."""
    episode = get_episode(episode_id)
    speaker = _session_speaker(episode)
    if speaker is None:
        abort(404)
    with service_call(category="warning") as done:
        cert = speaker_certificate(episode, speaker)
    if not done.ok:
        return redirect(_session_url(episode, speaker))
    if not can_download(cert, current_user):
        abort(403)
    # The stored file as issued (signed where BSrE is configured), rendered once if none.
    data, _signed = pdf_for_download(cert)
    db.session.commit()
    response = make_response(data)
    filename = "sertifikat-narasumber-" + cert.number.replace("/", "-") + ".pdf"
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
