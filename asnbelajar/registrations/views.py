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
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..accounts.nip import format_nip
from ..accounts.services import PROVINCES
from ..accounts.views import safe_next
from ..audit.services import record_event
from ..certificates.models import Certificate
from ..episodes.models import Episode
from ..episodes.services import get_episode
from ..errors import DomainError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..timeutil import now_utc, to_db
from ..uploads import read_limited
from ..web import organizer_required, role_required
from . import exports, importing
from .forms import ImportConfirmForm, ImportUploadForm
from .models import Registration
from .services import (
    RegistrantFilters,
    cancel_registration,
    count_registrants,
    register,
    registrant_counts,
    registrant_instansi_options,
    registrants_statement,
    waitlist_position,
)

bp = Blueprint("registrations", __name__)

PER_PAGE = 20


def _back(episode_id: int) -> str:
    return safe_next(request.form.get("next")) or url_for("episodes.detail",
                                                         episode_id=episode_id)


# The view is named register_view so it does not shadow the service it calls.
@bp.route("/episodes/<int:episode_id>/register", methods=["POST"], endpoint="register")
@role_required("participant")
def register_view(episode_id: int):
    """404 for an unknown episode (from the service); organizers get the service's refusal."""
    profile = current_user.profile
    if current_user.role == "participant" and (profile is None or not profile.is_complete):
        flash(_("Lengkapi profil Anda (instansi, provinsi, dan persetujuan data) sebelum "
                "mendaftar episode."), "warning")
        return redirect(url_for("accounts.profile",
                                next=url_for("episodes.detail", episode_id=episode_id)))
    try:
        result = register(episode_id, current_user, source="web")
        position = waitlist_position(result.registration)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        flash(str(err.message), "danger")
        return redirect(_back(episode_id))
    if result.status == "waitlisted":
        flash(_("Kuota penuh. Anda masuk daftar tunggu, posisi %(n)d. Kami akan mengirim "
                "email bila ada tempat.", n=position), "warning")
    elif result.created:
        flash(_("Anda terdaftar. Konfirmasi dan undangan kalender dikirim ke email Anda."),
              "success")
    else:
        flash(_("Anda sudah terdaftar di episode ini."), "info")
    return redirect(_back(episode_id))


@bp.route("/episodes/<int:episode_id>/cancel", methods=["POST"])
@role_required("participant")
def cancel(episode_id: int):
    try:
        cancel_registration(episode_id, current_user)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        flash(_("Pendaftaran Anda dibatalkan."), "info")
    return redirect(_back(episode_id))


@bp.route("/me/registrations")
@role_required("participant")
def mine():
    """Upcoming registrations in full, past ones paginated (the user's own only)."""
    now = to_db(now_utc())
    base = (
        select(Registration, Episode)
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.user_id == current_user.id)
    )
    upcoming = db.session.execute(
        base.where(Episode.ends_at > now, Registration.status != "cancelled",
                   Episode.status != "draft")
        .order_by(Episode.starts_at)
    ).all()
    past_page = db.paginate(
        select(Registration)
        .join(Episode, Episode.id == Registration.episode_id)
        .options(contains_eager(Registration.episode))
        .where(Registration.user_id == current_user.id,
               (Episode.ends_at <= now) | (Registration.status == "cancelled")
               | (Episode.status == "draft"))
        .order_by(Episode.starts_at.desc()),
        page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False,
    )
    past = [(reg, reg.episode) for reg in past_page.items]
    episode_ids = [ep.id for _reg, ep in upcoming] + [ep.id for _reg, ep in past]
    certificates = _certificates_by_episode(current_user.id, episode_ids)
    evaluated = _evaluated_episodes(current_user.id, episode_ids)
    positions = {reg.id: waitlist_position(reg) for reg, _ep in upcoming
                 if reg.status == "waitlisted"}
    return render_template(
        "registrations/mine.html", upcoming=upcoming, past=past, past_page=past_page,
        certificates=certificates, evaluated=evaluated, positions=positions, now=now_utc(),
    )


def _certificates_by_episode(user_id: int, episode_ids: list[int]) -> dict[int, Certificate]:
    if not episode_ids:
        return {}
    rows = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id,
                                  Certificate.kind == "participant",
                                  Certificate.episode_id.in_(episode_ids),
                                  Certificate.revoked_at.is_(None))
    )
    return {cert.episode_id: cert for cert in rows}


def _evaluated_episodes(user_id: int, episode_ids: list[int]) -> set[int]:
    if not episode_ids:
        return set()
    return set(db.session.scalars(
        select(Evaluation.episode_id).where(Evaluation.user_id == user_id,
                                            Evaluation.episode_id.in_(episode_ids))
    ))


# Organizer: registrant table, exports and bulk import -----------------------------------

REGISTRANTS_PER_PAGE = 50


class RowPagination(Pagination):
    """Flask-SQLAlchemy pagination over plain rows: one query for the page, one count."""

    def _query_items(self) -> list:
        stmt = self._query_args["statement"]
        return list(db.session.execute(stmt.limit(self.per_page).offset(self._query_offset)))

    def _query_count(self) -> int:
        return self._query_args["counter"]()


@bp.get("/console/episodes/<int:episode_id>/registrants")
@organizer_required
def registrants(episode_id: int):
    """Search, filter, sort and page through an episode's registrants (full NIP, email and
    phone: organizers only). 404: unknown episode; other roles: 403."""
    episode = get_episode(episode_id)
    filters = RegistrantFilters.from_args(request.args)
    page = RowPagination(
        page=request.args.get("page", 1, type=int), per_page=REGISTRANTS_PER_PAGE,
        max_per_page=REGISTRANTS_PER_PAGE, error_out=False,
        statement=registrants_statement(episode, filters),
        counter=lambda: count_registrants(episode, filters),
    )
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
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "Cache-Control": "no-store"}
    if fmt == "csv":
        return Response(stream_with_context(exports.iter_csv(stmt)),
                        mimetype=exports.CSV_MIMETYPE, headers=headers)
    handle, size = exports.write_xlsx(stmt, f"Pendaftar {episode.label}")
    headers["Content-Length"] = str(size)
    return Response(exports.iter_file(handle), mimetype=exports.XLSX_MIMETYPE,
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
    body = ("\ufeffnip,nama,email,jenis_pegawai,instansi,unit_kerja,jabatan,pangkat_golongan,"
            "provinsi,whatsapp\r\n"
            "19850312 201001 1 001,Contoh Nama Peserta,nama@instansi.go.id,PNS,"
            "Pemerintah Provinsi Jawa Barat,Bidang Pengembangan Kompetensi,"
            "Analis SDM Aparatur,III/b,Jawa Barat,081234567890\r\n")
    filename = f"templat-impor-seri-{episode.number}-{episode.year}.csv"
    return Response(body.encode(), mimetype=exports.CSV_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
