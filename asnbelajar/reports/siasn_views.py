"""SIASN pages of the console (organizers only): records per episode and per participant
as CSV, agency credentials (secrets are write-only: a page never shows them), the push
status of every certificate with the service's message, and a retry."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Instansi
from ..episodes.services import get_episode
from ..errors import DomainError
from ..extensions import db
from ..siasn.models import PUSH_STATUSES
from ..siasn.services import (
    FIELDS,
    credentials,
    delete_credential,
    episode_records,
    needing_confirmation,
    participant_records,
    push_counts,
    push_statuses,
    record_rows,
    retry_push,
    save_credential,
)
from ..util.spreadsheets import CSV_MIMETYPE, attachment, iter_csv
from ..web import organizer_required
from .forms import SiasnCredentialForm
from .services import check_year, current_year
from .views import bp


def _render(form=None, status: int = 200):
    state = request.args.get("status")
    if state not in PUSH_STATUSES:
        state = None
    names = list(db.session.scalars(db.select(Instansi.name).where(Instansi.is_reference)
                                    .order_by(Instansi.name)))
    return render_template(
        "reports/siasn.html", form=form or SiasnCredentialForm(formdata=None),
        credentials=credentials(), pushes=push_statuses(status=state), counts=push_counts(),
        state=state, statuses=PUSH_STATUSES, unconfirmed=needing_confirmation(),
        instansi_names=names, year=current_year(),
    ), status


@bp.get("/console/siasn")
@organizer_required
def siasn():
    return _render()


@bp.post("/console/siasn/credentials")
@organizer_required
def siasn_credentials():
    form = SiasnCredentialForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    try:
        save_credential({k: getattr(form, k).data for k in (
            "instansi", "siasn_instansi_id", "consumer_key", "consumer_secret", "client_id",
            "username", "password", "jenis_diklat_id", "enabled")}, actor_id=current_user.id)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        field = getattr(form, err.field, None) if err.field else None
        if field is not None:
            field.errors = [*list(field.errors or []), str(err.message)]
        else:
            flash(str(err.message), "danger")
        return _render(form, 422)
    flash(_("Kredensial SIASN disimpan (rahasia terenkripsi, tidak ditampilkan lagi)."),
          "success")
    return redirect(url_for("reports.siasn"))


@bp.post("/console/siasn/credentials/<int:credential_id>/delete")
@organizer_required
def siasn_credential_delete(credential_id: int):
    try:
        delete_credential(credential_id, actor_id=current_user.id)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        flash(_("Kredensial SIASN dihapus."), "success")
    return redirect(url_for("reports.siasn"))


@bp.post("/console/siasn/pushes/<int:push_id>/retry")
@organizer_required
def siasn_retry(push_id: int):
    try:
        retry_push(push_id, actor_id=current_user.id)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        flash(_("Dijadwalkan untuk dikirim ulang pada putaran berikutnya."), "success")
    return redirect(url_for("reports.siasn", status=request.args.get("status")))


def _csv(records, filename: str) -> Response:
    return Response(iter_csv(FIELDS, record_rows(records)), mimetype=CSV_MIMETYPE,
                    headers=attachment(filename))


@bp.get("/console/episodes/<int:episode_id>/siasn.csv")
@organizer_required
def siasn_episode_csv(episode_id: int):
    """404: unknown episode."""
    episode = get_episode(episode_id)
    return _csv(episode_records(episode.id), f"siasn-{episode.year}-seri-{episode.number}.csv")


@bp.get("/console/siasn/participant")
@organizer_required
def siasn_participant():
    nip = (request.args.get("nip") or "").strip()
    try:
        year = check_year(request.args.get("year"), default=current_year())
        records = participant_records(nip, year)
    except DomainError as err:
        flash(str(err.message), "danger")
        return redirect(url_for("reports.siasn"))
    if request.args.get("format") == "csv":
        return _csv(records, f"siasn-{nip}-{year}.csv")
    return render_template("reports/siasn_participant.html", records=records, nip=nip,
                           year=year)
