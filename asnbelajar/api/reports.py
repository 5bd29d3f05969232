"""JSON API routes of reports and SIASN (DESIGN.md): training rate, year summary, episode
report, SIASN records. Registered on the API blueprint by ``api/views.py``."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..episodes.services import get_episode
from ..errors import ValidationError
from ..extensions import db
from ..reports.episode_report import episode_report
from ..reports.exports import training_rate_response
from ..reports.services import check_year, current_year
from ..reports.snapshots import year_figures
from ..siasn.services import FIELDS as SIASN_FIELDS
from ..siasn.services import episode_records, participant_records, record_rows
from ..util.spreadsheets import CSV_MIMETYPE, attachment, iter_csv
from .views import bp, require


def _year() -> int:
    return check_year(request.args.get("year"), default=current_year())


def _format() -> str:
    fmt = (request.args.get("format") or "json").lower()
    if fmt not in ("json", "csv", "xlsx"):
        raise ValidationError(_l("Parameter format harus json, csv atau xlsx."), field="format")
    return fmt


@bp.get("/reports/training-rate")
@require("organizer")
def reports_training_rate(user: User):
    year = _year()
    fmt = _format()
    province = (request.args.get("province") or "").strip() or None
    rows = year_figures(year).training_rate(province)
    db.session.commit()
    if fmt == "json":
        return jsonify(rows)
    return training_rate_response(rows, year, province, fmt)


@bp.get("/reports/summary")
@require("organizer")
def reports_summary(user: User):
    summary = year_figures(_year()).summary
    db.session.commit()
    return jsonify(summary)


@bp.get("/episodes/<int:episode_id>/report")
@require("organizer")
def episodes_report(user: User, episode_id: int):
    return jsonify(episode_report(get_episode(episode_id)))


def _siasn_csv(records: list[dict], filename: str) -> Response:
    return Response(iter_csv(SIASN_FIELDS, record_rows(records)), mimetype=CSV_MIMETYPE,
                    headers=attachment(filename))


@bp.get("/episodes/<int:episode_id>/siasn")
@require("organizer")
def episodes_siasn(user: User, episode_id: int):
    episode = get_episode(episode_id)
    fmt = _format()
    if fmt == "xlsx":
        raise ValidationError(_l("Parameter format harus json atau csv."), field="format")
    records = episode_records(episode.id)
    if fmt == "csv":
        return _siasn_csv(records, f"siasn-{episode.year}-seri-{episode.number}.csv")
    return jsonify(records)


@bp.get("/participants/<nip>/siasn")
@require("organizer")
def participant_siasn(user: User, nip: str):
    year = _year()
    fmt = _format()
    if fmt == "xlsx":
        raise ValidationError(_l("Parameter format harus json atau csv."), field="format")
    records = participant_records(nip, year)
    if fmt == "csv":
        return _siasn_csv(records, f"siasn-{records[0]['nip'] if records else 'peserta'}"
                                   f"-{year}.csv")
    return jsonify(records)
