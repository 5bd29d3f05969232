"""Console pages (organizers only) for agency names typed outside the reference list: the
list with each name's participants, provinces and closest reference agency, and mapping
a name onto a reference agency so the training-rate report counts those participants
there."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.agencies import (
    map_unlisted_agency,
    reference_choices,
    unlisted_agencies,
    unlisted_agency,
)
from ..accounts.forms import ActionForm
from ..errors import NotFound
from ..util.sql import int_arg, page_arg
from ..web import organizer_required, service_call
from .snapshots import forget_year_figures
from .views import bp

PER_PAGE = 25


@bp.get("/console/instansi")
@organizer_required
def agencies():
    """Typed agency names, most participants first; searchable. Others: 403."""
    query = " ".join(request.args.get("q", "").split())[:200]
    page = unlisted_agencies(query, page=page_arg(request.args), per_page=PER_PAGE)
    return render_template("reports/agencies.html", page=page, q=query)


def _render_map(key: str, *, status: int = 200):
    try:
        typed = unlisted_agency(key)
    except NotFound as err:
        flash(str(err.message), "warning")
        return redirect(url_for("reports.agencies"))
    query = " ".join(request.values.get("q", "").split())[:100]
    choices = reference_choices(query, near=typed.key)
    # Preselected only when the organizer picked it (the list's suggestion): a search
    # must never leave a merely similar agency ticked.
    chosen = int_arg(request.values, "instansi_id")
    return render_template("reports/agency_map.html", typed=typed, choices=choices, q=query,
                           chosen=chosen, form=ActionForm()), status


@bp.get("/console/instansi/map")
@organizer_required
def agency_map():
    """The confirmation step: one typed name, its participants, the reference agencies
    closest to it and a search of the reference list. Unknown name: back to the list."""
    key = request.args.get("name", "")
    if not key.strip():
        return redirect(url_for("reports.agencies"))
    return _render_map(key)


@bp.post("/console/instansi/map")
@organizer_required
def agency_map_save():
    """Map the name (one UPDATE, audited) and drop the stored report figures so the
    training rate counts the participants toward the agency at once. A bad or missing
    agency: 422 with the message, nothing changed; a name no longer typed by anyone:
    back to the list."""
    if not ActionForm().validate_on_submit():
        abort(400)
    key = request.form.get("name", "")
    with service_call(None) as done:
        mapping = map_unlisted_agency(key, request.form.get("instansi_id"),
                                      actor_id=current_user.id)
        forget_year_figures()
    if not done.ok:
        if isinstance(done.error, NotFound):
            return redirect(url_for("reports.agencies"))
        return _render_map(key, status=422)
    flash(_("%(n)s peserta dengan instansi “%(typed)s” kini tercatat di %(name)s.",
            n=mapping.participants, typed=mapping.typed, name=mapping.instansi.name),
          "success")
    return redirect(url_for("reports.agencies"))
