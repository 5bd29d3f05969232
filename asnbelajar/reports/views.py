"""Web pages of the reports domain (organizers only: anonymous → login, other roles → 403):
the console's dashboard, the training rate per agency with the headcounts it is measured
against, the episode report and the annual report (page and PDF). SIASN pages are in
``siasn_views`` on the same blueprint."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Instansi
from ..episodes.labels import series_label
from ..episodes.services import get_episode
from ..errors import DomainError
from ..extensions import db
from ..uploads import read_limited
from ..web import organizer_required, service_call
from . import charts
from .annual_pdf import render_annual_pdf
from .episode_report import checkins_per_minute, episode_report
from .exports import training_rate_response
from .forms import HeadcountForm, HeadcountImportForm
from .services import (
    MAX_YEAR,
    MIN_YEAR,
    TRAINING_RATE_SORTS,
    ImportRejected,
    agency_provinces,
    check_year,
    current_year,
    delete_headcount,
    headcounts,
    import_headcounts,
    report_years,
    set_headcount,
)
from .snapshots import annual_report, year_figures

bp = Blueprint("reports", __name__)


def _year() -> int:
    """The year asked for; a bad value falls back to this year with a notice."""
    try:
        return check_year(request.args.get("year"), default=current_year())
    except DomainError as err:
        flash(str(err.message), "warning")
        return current_year()


@bp.get("/console")
@organizer_required
def dashboard():
    """The organizer's first page: the year at a glance."""
    year = _year()
    figures = year_figures(year, refresh=request.args.get("recount") == "1")
    db.session.commit()  # a recount is kept for the next visitor
    labels = [series_label(e.number) for e in figures.episodes]
    return render_template(
        "reports/dashboard.html", d=figures, year=year, years=report_years(),
        episodes_chart=charts.grouped_bars(
            labels,
            [(_("Terdaftar"), charts.REGISTERED, [e.registered for e in figures.episodes]),
             (_("Hadir"), charts.ATTENDED, [e.attended for e in figures.episodes])],
            title=_("Pendaftar dan kehadiran per episode, %(year)s", year=year),
            chart_id="chart-episodes"),
        province_chart=charts.province_map(
            dict(figures.provinces),
            title=_("Peserta per provinsi, %(year)s", year=year), chart_id="chart-provinces"),
        jp_chart=charts.horizontal_bars(
            [(f"{label} JP", n) for label, n in figures.jp_buckets],
            title=_("Sebaran JP peserta ASN, %(year)s", year=year), chart_id="chart-jp"),
    )


@bp.get("/console/reports/training-rate")
@organizer_required
def training_rate_page():
    year = _year()
    province = (request.args.get("province") or "").strip() or None
    sort = request.args.get("sort", "instansi")
    if sort not in TRAINING_RATE_SORTS:
        sort = "instansi"
    descending = request.args.get("order") == "desc"
    figures = year_figures(year, refresh=request.args.get("recount") == "1")
    db.session.commit()
    rows = figures.training_rate(province, sort=sort, descending=descending)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return training_rate_response(rows, year, province, fmt)
    return render_template(
        "reports/training_rate.html", rows=rows, year=year, years=report_years(),
        province=province, provinces=agency_provinces(), sort=sort, descending=descending,
        computed_at=figures.computed_at,
        totals={"participants": sum(r["participants"] for r in rows),
                "reached_target": sum(r["reached_target"] for r in rows)},
    )


def _render_headcounts(year: int, form=None, import_form=None, errors=None, status=200):
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        year = current_year()  # a rejected form's year (e.g. 10**30) never reaches a query
    form = form or HeadcountForm(formdata=None, year=year)
    import_form = import_form or HeadcountImportForm(formdata=None, year=year)
    names = list(db.session.scalars(db.select(Instansi.name).where(Instansi.is_reference)
                                    .order_by(Instansi.name)))
    return render_template(
        "reports/headcounts.html", year=year, years=report_years(), rows=headcounts(year),
        form=form, import_form=import_form, errors=errors or [], instansi_names=names,
    ), status


@bp.route("/console/reports/headcounts", methods=["GET", "POST"])
@organizer_required
def headcounts_page():
    year = _year()
    form = HeadcountForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with service_call(form) as done:
                row = set_headcount(form.instansi.data, form.year.data, form.headcount.data,
                                    actor_id=current_user.id)
            if done.ok:
                flash(_("Jumlah ASN %(name)s tahun %(year)s disimpan.",
                        name=row.instansi.name, year=row.year), "success")
                return redirect(url_for("reports.headcounts_page", year=row.year))
        return _render_headcounts(form.year.data or year, form=form, status=422)
    return _render_headcounts(year)


@bp.post("/console/reports/headcounts/import")
@organizer_required
def headcounts_import():
    form = HeadcountImportForm()
    year = form.year.data if form.year.data else None
    if not form.validate_on_submit():
        return _render_headcounts(year or current_year(), import_form=form, status=422)
    try:
        data = read_limited(form.file.data, int(current_app.config["IMPORT_MAX_BYTES"]))
        result = import_headcounts(data, default_year=year, actor_id=current_user.id)
        db.session.commit()
    except ImportRejected as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return _render_headcounts(year or current_year(), import_form=form,
                                  errors=err.errors, status=422)
    except DomainError as err:
        db.session.rollback()
        form.file.errors = [str(err.message)]
        return _render_headcounts(year or current_year(), import_form=form, status=422)
    flash(_("%(n)s jumlah ASN instansi disimpan.", n=result.rows), "success")
    return redirect(url_for("reports.headcounts_page", year=year or current_year()))


@bp.post("/console/reports/headcounts/<int:headcount_id>/delete")
@organizer_required
def headcount_delete(headcount_id: int):
    delete_headcount(headcount_id)
    db.session.commit()
    flash(_("Jumlah ASN dihapus."), "success")
    return redirect(url_for("reports.headcounts_page", year=request.args.get("year")))


@bp.get("/console/episodes/<int:episode_id>/report")
@organizer_required
def episode_report_page(episode_id: int):
    """404: unknown episode."""
    episode = get_episode(episode_id)
    report = episode_report(episode)
    series = checkins_per_minute(episode)
    checkin_charts = [
        (s, charts.minute_bars(
            s.minutes, title=_("Check-in per menit di sekitar titik \"%(label)s\"",
                               label=s.label),
            chart_id=f"chart-cp-{s.checkpoint_id}", opens=0,
            closes=int((s.closes_at - s.opens_at).total_seconds() // 60)))
        for s in series
    ]
    funnel = charts.horizontal_bars(
        [(_("Terdaftar"), report["registered"]), (_("Hadir"), report["attended"]),
         (_("Bersertifikat"), report["certified"])],
        title=_("Corong peserta %(label)s", label=episode.label), chart_id="chart-funnel")
    return render_template("reports/episode.html", episode=episode, r=report,
                           funnel=funnel, checkin_charts=checkin_charts)


@bp.get("/console/reports/annual")
@organizer_required
def annual():
    year = _year()
    report = annual_report(year, refresh=request.args.get("recount") == "1")
    db.session.commit()
    return render_template("reports/annual.html", a=report, year=year, years=report_years())


@bp.get("/console/reports/annual.pdf")
@organizer_required
def annual_pdf():
    year = _year()
    pdf = render_annual_pdf(annual_report(year))
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="laporan-tahunan-asn-belajar-{year}.pdf"'})


from . import agency_views as _agency_views  # noqa: E402,F401  registers the agency pages
from . import siasn_views as _siasn_views  # noqa: E402,F401  registers the SIASN pages
