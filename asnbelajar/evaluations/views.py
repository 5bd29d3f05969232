"""Web pages of the evaluations domain: the post-episode survey."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..episodes.services import get_episode
from ..extensions import db
from ..registrations.services import get_registration
from ..speakers.models import Speaker
from ..timeutil import now_utc
from ..web import role_required, service_call
from .forms import QUESTIONS, EvaluationForm
from .services import episode_speaker_ids, has_evaluated, submit_evaluation

bp = Blueprint("evaluations", __name__)


@bp.route("/episodes/<int:episode_id>/evaluation", methods=["GET", "POST"])
@role_required("participant")
def form(episode_id: int):
    """404 for an unknown or draft episode. Who may answer (registered, after the start)
    is the service's rule; the page explains it instead of showing a form that will fail."""
    episode = get_episode(episode_id, published_only=True)
    if episode.status == "cancelled":
        abort(404)
    if has_evaluated(episode.id, current_user.id):
        return render_template("evaluations/thanks.html", episode=episode)
    registration = get_registration(episode.id, current_user.id)
    registered = registration is not None and registration.status == "registered"
    started = episode.starts_at_utc <= now_utc()
    form = EvaluationForm()
    # Each speaker is rated on their own (radio groups "speaker-<id>"), not one shared score.
    speakers = [db.session.get(Speaker, sid) for sid in episode_speaker_ids(episode.id)]
    speaker_values = {s.id: request.form.get(f"speaker-{s.id}", "") for s in speakers}
    speaker_missing = [s.id for s in speakers if request.method == "POST"
                       and speaker_values[s.id] not in ("1", "2", "3", "4", "5")]
    if registered and started and form.validate_on_submit() and not speaker_missing:
        with service_call(form) as done:
            submit_evaluation(episode, current_user,
                              {**form.scores(), "speakers": speaker_values},
                              form.comment.data)
        if done.ok:
            flash(_("Terima kasih, evaluasi Anda sudah kami terima."), "success")
            return redirect(url_for("evaluations.form", episode_id=episode.id))
    return render_template(
        "evaluations/form.html", episode=episode, form=form, questions=QUESTIONS,
        registered=registered, started=started, speakers=speakers,
        speaker_values=speaker_values, speaker_missing=speaker_missing,
    )
