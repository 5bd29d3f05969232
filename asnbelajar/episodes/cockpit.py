"""The organizer's episode cockpit page, shared by the blueprints whose forms live on it
(episodes, attendance): their POST handlers re-render it with the failing form, so it is
a page helper here rather than a view one blueprint imports from another."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import render_template

from ..attendance.forms import FinalizeForm, MarkForm, ReportUploadForm
from ..timeutil import now_utc, to_local
from ..util.urls import external_url
from .forms import ActionForm, CancelEpisodeForm, CheckpointForm, SpeakerForm
from .models import Episode
from .services.cockpit import cockpit


def checkpoint_defaults(form: CheckpointForm, episode: Episode) -> None:
    """Suggest the next window: "awal" at the start, "akhir" before the end."""
    tz = episode.timezone
    starts, ends = to_local(episode.starts_at, tz), to_local(episode.ends_at, tz)
    labels = {c.label.lower() for c in episode.checkpoints}
    if "awal" not in labels:
        form.label.data = "awal"
        form.opens_time.data = starts.time()
        form.closes_time.data = (starts + timedelta(minutes=30)).time()
    elif "akhir" not in labels:
        form.label.data = "akhir"
        form.opens_time.data = (ends - timedelta(minutes=20)).time()
        form.closes_time.data = (ends + timedelta(minutes=15)).time()
    form.required.data = True


def render_manage(episode: Episode, status: int = 200, **forms: Any):
    """The episode cockpit; POST handlers re-render it with their failing form."""
    if "checkpoint_form" not in forms:
        forms["checkpoint_form"] = CheckpointForm(formdata=None)
        checkpoint_defaults(forms["checkpoint_form"], episode)
    # Prefixes keep ids unique: several of these forms have a "reason" field.
    forms.setdefault("cancel_form", CancelEpisodeForm(formdata=None, prefix="cancel"))
    forms.setdefault("speaker_form", SpeakerForm(formdata=None))
    forms.setdefault("upload_form", ReportUploadForm(formdata=None))
    forms.setdefault("mark_form", MarkForm(formdata=None, prefix="mark"))
    forms.setdefault("finalize_form", FinalizeForm(formdata=None))
    forms.setdefault("action_form", ActionForm(formdata=None))
    figures = cockpit(episode)
    return render_template(
        "episodes/manage.html", episode=episode, now=now_utc(),
        reg_counts=figures.reg_counts, checkin_counts=figures.checkin_counts,
        report=figures.report, marks=figures.marks, preview=figures.preview,
        threshold=figures.threshold, finalized=figures.finalized,
        checkin_url=external_url("attendance.checkin", episode_id=episode.id), **forms,
    ), status
