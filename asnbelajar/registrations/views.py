"""Web pages of the registrations domain: register, cancel, and "my registrations"."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.nip import format_nip
from ..accounts.reference import PROVINCES
from ..audit.services import record_event
from ..episodes.models import Episode
from ..episodes.services import get_episode
from ..errors import DomainError
from ..evaluations.services import evaluation_open
from ..extensions import db
from ..timeutil import now_utc
from ..uploads import read_limited
from ..util import spreadsheets
from ..util.sql import page_arg
from ..web import organizer_required, role_required, safe_next, service_call
from . import exports, importing
from .forms import ImportConfirmForm, ImportUploadForm
from .hot import register_with_its_write
from .registrants import (
    RegistrantFilters,
    count_registrants,
    registrant_counts,
    registrant_instansi_options,
    registrants_page,
    registrants_statement,
)
from .services import (
    cancel_registration,
    my_registrations,
    place_in_line,
)

bp = Blueprint("registrations", __name__)


def _back(episode_id: int) -> str:
    return safe_next(request.form.get("next")) or url_for("episodes.detail",
                                                         episode_id=episode_id)


# The view is named register_view so it does not shadow the service it calls.
@bp.route("/episodes/<int:episode_id>/register", methods=["POST"], endpoint="register")
@role_required("participant")
def register_view(episode_id: int):
    """404 for an unknown episode (from the service); organizers get the service's refusal;
    a participant without recorded consent (or agency) is sent to the profile page."""
    with service_call(category=None, keep_loaded=True) as done:
        result = register_with_its_write(episode_id, current_user, source="web")
        # All the answer needs, read in the unit: nothing is read after the COMMIT.
        status, created, position = result.status, result.created, place_in_line(result)
    if not done.ok:
        if done.error.status == 404:
            raise done.error
        if done.error.code in ("consent_required", "profile_incomplete"):
            # The service's gate: consent and agency are given on the profile page.
            flash(str(done.error.message), "warning")
            return redirect(url_for("accounts.profile",
                                    next=url_for("episodes.detail", episode_id=episode_id)))
        flash(str(done.error.message), "danger")
        return redirect(_back(episode_id))
    if status == "waitlisted":
        flash(_("Kuota penuh. Anda masuk daftar tunggu, posisi %(n)d. Kami akan mengirim "
                "email bila ada tempat.", n=position), "warning")
    elif created:
        flash(_("Anda terdaftar. Konfirmasi dan undangan kalender dikirim ke email Anda."),
              "success")
    else:
        flash(_("Anda sudah terdaftar di episode ini."), "info")
    return redirect(_back(episode_id))


@bp.route("/episodes/<int:episode_id>/cancel", methods=["POST"])
@role_required("participant")
def cancel(episode_id: int):
    with service_call() as done:
        cancel_registration(episode_id, current_user)
    if done.ok:
        flash(_("Pendaftaran Anda dibatalkan."), "info")
    return redirect(_back(episode_id))


@bp.route("/me/registrations")
@role_required("participant")
def mine():
    """Upcoming registrations in full, past ones paginated (the user's own only)."""
    mine = my_registrations(current_user.id, page=page_arg(request.args))
    return render_template(
        "registrations/mine.html", upcoming=mine.upcoming, past=mine.past,
        past_page=mine.past_page, certificates=mine.certificates, evaluated=mine.evaluated,
        positions=mine.positions, checked_in=mine.checked_in, now=now_utc(),
        evaluation_open=evaluation_open,
    )


# Organizer: registrant table, exports and bulk import -----------------------------------

REGISTRANTS_PER_PAGE = 50


@bp.get("/console/episodes/<int:episode_id>/registrants")
@organizer_required
def registrants(episode_id: int):
    """Search, filter, sort and page through an episode's registrants (full NIP, email and
    phone: organizers only). 404: unknown episode; other roles: 403."""
    episode = get_episode(episode_id)
    filters = RegistrantFilters.from_args(request.args)
    page = registrants_page(episode, filters, page=page_arg(request.args),
                            per_page=REGISTRANTS_PER_PAGE)
    instansi_options = registrant_instansi_options(episode)
    if filters.instansi and filters.instansi not in instansi_options:
        instansi_options.insert(0, filters.instansi)
    return render_template(
        "registrations/registrants.html", episode=episode, page=page, filters=filters,
        counts=registrant_counts(episode), provinces=PROVINCES,
        instansi_options=instansi_options, now=now_utc(), format_nip=format_nip,
    )


@bp.get("/console/episodes/<int:episode_id>/registrants.<any(csv, xlsx):fmt>",
        endpoint="export")
@organizer_required
def export_registrants(episode_id: int, fmt: str):
    """The table's rows (same filters and order) as CSV or XLSX, streamed. 404/403 as the
    table."""
    episode = get_episode(episode_id)
    filters = RegistrantFilters.from_args(request.args)
    record_event(current_user.id, "registrants.export", "episode", episode.id,
                 after={"format": fmt, "filters": filters.as_args(),
                        "rows": count_registrants(episode, filters)},
                 ip=request.remote_addr)
    db.session.commit()
    stmt = registrants_statement(episode, filters)
    filename = exports.export_filename(episode, fmt)
    headers = {**spreadsheets.attachment(filename), "Cache-Control": "no-store"}
    if fmt == "csv":
        return Response(stream_with_context(exports.iter_csv(stmt)),
                        mimetype=spreadsheets.CSV_MIMETYPE, headers=headers)
    handle, size = exports.write_xlsx(stmt, f"Pendaftar {episode.label}")
    headers["Content-Length"] = str(size)
    return Response(spreadsheets.iter_file(handle), mimetype=spreadsheets.XLSX_MIMETYPE,
                    headers=headers, direct_passthrough=True)


def _import_page(episode: Episode, form: ImportUploadForm, status: int = 200):
    try:
        importing.check_importable(episode)
        blocked = None
    except DomainError as err:
        blocked = err.message
    return render_template("registrations/import.html", episode=episode, form=form,
                           max_mb=_import_max_bytes() / 1024 / 1024, blocked=blocked,
                           aliases=importing.COLUMN_ALIASES), status


def _import_max_bytes() -> int:
    return int(current_app.config["IMPORT_MAX_BYTES"])


@bp.route("/console/episodes/<int:episode_id>/registrants/import",
          methods=["GET", "POST"], endpoint="import_upload")
@organizer_required
def import_upload(episode_id: int):
    """GET: the upload form. POST: check the file and show the preview (nothing is saved
    except the file itself, under a random name). 404/403 as the table."""
    episode = get_episode(episode_id)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _import_page(episode, form, 422 if request.method == "POST" else 200)
    upload = form.file.data
    try:
        importing.check_importable(episode)
        data = read_limited(upload.stream, _import_max_bytes())
        plan = importing.plan_import(episode, data, upload.filename or "")
    except DomainError as err:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(err.message)]
        return _import_page(episode, form, 422)
    ticket = None
    if not plan.has_errors:
        ticket = importing.stash_upload(data, upload.filename or "impor.csv",
                                        episode_id=episode.id, user_id=current_user.id)
    db.session.rollback()  # the preview only read
    return render_template("registrations/import_preview.html", episode=episode, plan=plan,
                           confirm_form=ImportConfirmForm(formdata=None, ticket=ticket),
                           importing=importing)


@bp.post("/console/episodes/<int:episode_id>/registrants/import/confirm",
         endpoint="import_confirm")
@organizer_required
def import_confirm(episode_id: int):
    """Apply the previewed file, all rows or none. 404/403 as the table."""
    episode = get_episode(episode_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Formulir konfirmasi tidak sah. Unggah ulang berkasnya."), "danger")
        return redirect(url_for("registrations.import_upload", episode_id=episode.id))
    try:
        data, filename, stored = importing.load_upload(
            form.ticket.data, episode_id=episode.id, user_id=current_user.id)
        result = importing.apply_import(episode.id, data, filename, current_user.id,
                                        ip=request.remote_addr)
        db.session.commit()
    except importing.ImportRejected as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return render_template("registrations/import_preview.html", episode=episode,
                               plan=err.plan, confirm_form=None, importing=importing), 422
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for("registrations.import_upload", episode_id=episode.id))
    importing.discard_upload(stored)
    flash(_("Impor selesai: %(rows)d baris, %(new)d akun baru, %(reg)d terdaftar, "
            "%(wait)d daftar tunggu, %(same)d sudah terdaftar (tidak berubah).",
            rows=result.rows, new=result.accounts_created, reg=result.registered,
            wait=result.waitlisted, same=result.unchanged), "success")
    return redirect(url_for("registrations.registrants", episode_id=episode.id,
                            sort="registered_at", dir="desc"))


@bp.get("/console/episodes/<int:episode_id>/registrants/import/template.csv",
        endpoint="import_template")
@organizer_required
def import_template(episode_id: int):
    """An empty CSV with the recognized header and one example row."""
    episode = get_episode(episode_id)
    body = spreadsheets.csv_bytes([
        ("nip", "nama", "email", "jenis_pegawai", "instansi", "unit_kerja", "jabatan",
         "pangkat_golongan", "provinsi", "whatsapp"),
        ("19850312 201001 1 001", "Contoh Nama Peserta", "nama@instansi.go.id", "PNS",
         "Pemerintah Provinsi Jawa Barat", "Bidang Pengembangan Kompetensi",
         "Analis SDM Aparatur", "III/b", "Jawa Barat", "0812 3456 7890"),
    ])
    filename = f"templat-impor-seri-{episode.number}-{episode.year}.csv"
    return Response(body, mimetype=spreadsheets.CSV_MIMETYPE,
                    headers=spreadsheets.attachment(filename))
