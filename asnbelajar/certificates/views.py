"""Web pages of the certificates domain: my certificates, PDF download, public verification,
and the organizers' search, revoke and reissue."""

from __future__ import annotations

import json
import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from ..accounts.nip import format_nip, normalize_nip
from ..episodes.models import Episode, Program
from ..errors import DomainError, NotFound
from ..extensions import db, limiter, login_manager
from ..util.sql import (
    LIKE_ESCAPE,
    contains_pattern,
    id_arg,
    match_words,
    page_arg,
    paginate,
)
from ..util.urls import external_url
from ..web import json_error, organizer_required, safe_next, service_call
from . import signing
from .forms import DesignForm, ReissueForm, RevokeForm, SignForm
from .models import Certificate, CertificateFile
from .pdf import (
    DEFAULT_PARTICIPANT_WORDING,
    DEFAULT_SPEAKER_WORDING,
    PLACEHOLDERS,
    first_page_png,
)
from .rendering import (
    count_live_certificates,
    discard_unsigned_files,
    iter_episode_zip,
    pdf_for_download,
    render_missing_files,
    safe_filename,
    write_merged_pdf,
)
from .services import (
    can_download,
    certificate_by_code,
    certificate_by_number,
    certificates_of,
    code_key,
    design_row,
    looks_like_number,
    preview_design,
    read_design_image,
    reissue_certificate,
    render_pdf,
    replacement_of,
    revoke_certificate,
    save_design,
    verify,
    verify_certificate,
)

bp = Blueprint("certificates", __name__)

MAX_CODE_LENGTH = 64


@bp.route("/me/certificates")
@login_required
def mine():
    certificates = certificates_of(current_user.id)
    return render_template("certificates/mine.html", certificates=certificates)


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/pdf",
                                                "application/json"])
    return best == "text/html" and "Authorization" not in request.headers


def _pdf_response(data: bytes, cert: Certificate, *, suffix: str = ""):
    response = make_response(data)
    filename = f"sertifikat-{safe_filename(cert.number)}{suffix}.pdf"
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _revoked_response(cert: Certificate):
    """410 for a revoked certificate's owner, pointing to the replacement when there is
    one: the JSON error shape for API clients, a page for a browser."""
    replacement = replacement_of(cert)
    url = (external_url("certificates.download", code=replacement.verification_code)
           if replacement else None)
    message = (_("Sertifikat ini sudah dicabut dan diganti dengan sertifikat %(n)s.",
                 n=replacement.number) if replacement
               else _("Sertifikat ini sudah dicabut dan tidak dapat diunduh lagi."))
    if not _wants_html():
        response = json_error(410, "revoked", message)
        body = response.get_json()
        body["error"]["revoked_reason"] = cert.revoked_reason
        body["error"]["replacement_url"] = url
        response.set_data(json.dumps(body))
        if url:
            response.headers["Link"] = f'<{url}>; rel="successor-version"'
        return response
    return render_template("certificates/revoked.html", cert=cert, replacement=replacement,
                           message=message), 410


@bp.route("/certificates/<code>.pdf")
def download(code: str):
    """Anonymous: login redirect for a browser, 401 otherwise. Unknown code: 404.
    Someone else's certificate: 403. Revoked: 410 for its owner (with the replacement),
    a copy stamped DICABUT for organizers. Works with a session or a Bearer token.
    Served from the stored file; rendered (and stored) on demand when there is none."""
    if not current_user.is_authenticated:
        if _wants_html():
            return login_manager.unauthorized()
        abort(401)
    cert = certificate_by_code(code)
    if not can_download(cert, current_user):
        abort(403)
    if cert.revoked_at is not None:
        if current_user.role != "organizer":
            return _revoked_response(cert)
        return _pdf_response(render_pdf(cert, stamp_revoked=True), cert, suffix="-DICABUT")
    data, _signed = pdf_for_download(cert)
    db.session.commit()
    return _pdf_response(data, cert)


def _code_from_input(raw: str | None) -> str:
    """Accept a bare code or a pasted verification URL (from the QR code)."""
    text = (raw or "").strip().rstrip("/")
    if "/verify/" in text:
        text = text.rsplit("/verify/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip()[:MAX_CODE_LENGTH]


def _verify_response(body: str, status: int = 200):
    response = make_response(body, status)
    # Names are shown to whoever holds the code, not to search engines.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/verify")
@limiter.limit("60 per minute")
def verify_form():
    """Public. A code (or the QR link) goes to its page; a certificate number must come
    with the holder's name or the NIP's last four digits."""
    number = (request.args.get("number") or "").strip()[:80]
    proof = (request.args.get("proof") or "").strip()[:200]
    raw = request.args.get("code")
    if number or proof:
        try:
            cert = certificate_by_number(number, proof)
        except NotFound as err:
            return _verify_response(render_template(
                "certificates/verify_form.html", number=number, proof=proof,
                number_error=err.message), 404)
        return _verify_response(render_template(
            "certificates/verify.html", result=verify_certificate(cert),
            code=cert.verification_code))
    code = _code_from_input(raw)
    if code and looks_like_number(code):
        # A certificate number typed as a code: ask for the second half instead of a 404.
        return _verify_response(render_template(
            "certificates/verify_form.html", number=code, proof="", number_hint=True))
    if code:
        return redirect(url_for("certificates.verify_page", code=code))
    return _verify_response(render_template("certificates/verify_form.html",
                                            missing=raw is not None))


@bp.route("/verify/<code>")
@limiter.limit("60 per minute")
def verify_page(code: str):
    """Public. Shows only what the certificate states plus a masked NIP; 404 (a page with
    the number form) when unknown. Codes are accepted in any letter case."""
    try:
        result = verify(code[:MAX_CODE_LENGTH])
    except NotFound:
        return _verify_response(render_template(
            "certificates/verify.html", result=None, code=code), 404)
    return _verify_response(render_template("certificates/verify.html", result=result,
                                            code=code))


@bp.route("/verify/<path:text>")
@limiter.limit("60 per minute")
def verify_path(text: str):
    """A certificate number pasted after /verify/ (it holds slashes): the number form,
    prefilled, instead of a bare 404."""
    return _verify_response(render_template(
        "certificates/verify_form.html", number=text[:80], proof="", number_hint=True), 404)


# Organizer console: find, revoke and reissue certificates ---------------------------------

ADMIN_PER_PAGE = 25


def _certificate_or_404(certificate_id: int) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        abort(404)
    return cert


def _safe_next(default: str) -> str:
    """Only a path on this site: never an absolute URL an attacker could plant."""
    return safe_next(request.values.get("next")) or default


def _back_url(cert: Certificate) -> str:
    if cert.kind == "participant" and cert.user_id:
        return url_for("ledger.participant_ledger", user_id=cert.user_id, _anchor="sertifikat")
    return url_for("certificates.admin_search", q=cert.number)


def _live_replacement(cert: Certificate) -> Certificate | None:
    """Another valid certificate of the same holder and episode (a reissue made earlier),
    shown on the confirmation page; reissue_certificate refuses such a case on its own."""
    if cert.kind != "participant":
        return None
    return db.session.scalar(select(Certificate).where(
        Certificate.episode_id == cert.episode_id, Certificate.user_id == cert.user_id,
        Certificate.kind == "participant", Certificate.revoked_at.is_(None),
        Certificate.id != cert.id))


def _search_condition(query: str):
    """Number (any part), verification code (or a pasted verification URL), holder name
    (every word) or NIP digits."""
    text = " ".join(query.split())
    lowered = text.lower()
    conditions = [
        func.lower(Certificate.number).like(contains_pattern(lowered), escape=LIKE_ESCAPE),
        Certificate.verification_code == _code_from_input(text),
        Certificate.code_key == code_key(_code_from_input(text)),
        match_words(lowered, Certificate.name),
    ]
    digits = normalize_nip(text)
    if digits.isascii() and digits.isdigit() and len(digits) >= 4:
        conditions.append(Certificate.nip.contains(digits))
    return or_(*conditions)


@bp.get("/console/certificates")
@organizer_required
def admin_search():
    """Organizers: search every certificate, newest first."""
    query = request.args.get("q", "").strip()[:200]
    status = request.args.get("status", "")
    stmt = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if query:
        stmt = stmt.where(_search_condition(query))
    if status == "valid":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif status == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    else:
        status = ""
    page = paginate(stmt, page=page_arg(request.args), per_page=ADMIN_PER_PAGE)
    return render_template("certificates/admin.html", page=page, q=query, status=status)


@bp.route("/console/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@organizer_required
def revoke(certificate_id: int):
    """Confirm, then revoke with a reason; the JP credit that came with it is reversed.
    404: unknown certificate."""
    cert = _certificate_or_404(certificate_id)
    back = _safe_next(_back_url(cert))
    form = RevokeForm()
    if cert.revoked_at is None and form.validate_on_submit():
        with service_call() as done:
            revoke_certificate(cert, reason=form.reason.data, actor_id=current_user.id)
        if done.ok:
            flash(_("Sertifikat %(n)s dicabut. Halaman verifikasi kini menyatakan DICABUT.",
                    n=cert.number), "success")
        return redirect(back)
    if request.method == "POST" and cert.revoked_at is not None:
        flash(_("Sertifikat ini sudah dicabut."), "warning")
        return redirect(back)
    return render_template("certificates/admin_action.html", action="revoke", cert=cert,
                           form=form, back=back, format_nip=format_nip), (
        422 if form.errors else 200)


@bp.route("/console/certificates/<int:certificate_id>/reissue", methods=["GET", "POST"])
@organizer_required
def reissue(certificate_id: int):
    """Confirm, then replace with a new number and code from today's profile data; the old
    one is revoked and the JP credit moves. 404: unknown certificate."""
    cert = _certificate_or_404(certificate_id)
    back = _safe_next(_back_url(cert))
    replacement = _live_replacement(cert)
    blocked = None
    if cert.kind != "participant":
        blocked = _("Hanya sertifikat peserta yang dapat diterbitkan ulang di sini.")
    elif replacement is not None:
        blocked = _("Sertifikat ini sudah diganti oleh %(n)s.", n=replacement.number)
    form = ReissueForm()
    if form.validate_on_submit():
        if blocked:
            flash(blocked, "warning")
            return redirect(back)
        try:
            new = reissue_certificate(cert, actor_id=current_user.id,
                                      reason=(form.reason.data or "").strip())
            db.session.commit()
        except (DomainError, IntegrityError) as err:
            # IntegrityError: a concurrent reissue of the same certificate won the race.
            db.session.rollback()
            flash(getattr(err, "message", None) or _("Sertifikat ini baru saja diterbitkan "
                                                      "ulang oleh orang lain."), "danger")
            return redirect(back)
        flash(_("Sertifikat baru %(new)s diterbitkan; %(old)s dicabut.", new=new.number,
                old=cert.number), "success")
        return redirect(back)
    return render_template("certificates/admin_action.html", action="reissue", cert=cert,
                           form=form, back=back, blocked=blocked, replacement=replacement,
                           format_nip=format_nip), (422 if form.errors else 200)


# Organizer console: an episode's certificates in bulk, its design, electronic signing ----


def _episode_or_404(episode_id: int) -> Episode:
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        abort(404)
    return episode


def _file_counts(episode_id: int) -> dict[str, int]:
    live = (Certificate.episode_id == episode_id) & Certificate.revoked_at.is_(None)
    stored, signed = db.session.execute(
        select(func.count(CertificateFile.certificate_id),
               func.count(CertificateFile.signed_at))
        .join(Certificate, Certificate.id == CertificateFile.certificate_id).where(live)
    ).one()
    return {"participants": count_live_certificates(episode_id),
            "all": count_live_certificates(episode_id, speakers=True),
            "stored": stored, "signed": signed}


@bp.get("/console/episodes/<int:episode_id>/certificates")
@organizer_required
def episode_certificates(episode_id: int):
    """Organizers: counts, bulk downloads, background files, signing. 404: unknown."""
    episode = _episode_or_404(episode_id)
    return render_template("certificates/episode.html", episode=episode,
                           counts=_file_counts(episode_id), sign_form=SignForm(),
                           signing_on=signing.configured(),
                           seal_on=signing.seal_configured())


@bp.get("/console/episodes/<int:episode_id>/certificates.zip")
@organizer_required
def episode_zip(episode_id: int):
    """A streamed ZIP of the live participant certificates (speakers' with
    ``?speakers=1``); memory stays flat whatever the episode's size. 404: unknown."""
    episode = _episode_or_404(episode_id)
    return zip_response(episode, speakers=request.args.get("speakers") == "1")


def zip_response(episode: Episode, *, speakers: bool = False) -> Response:
    """Shared by the console and ``GET /api/v1/episodes/{id}/certificates.zip``."""
    name = safe_filename(f"sertifikat-{episode.year}-seri-{episode.number}")
    response = Response(stream_with_context(iter_episode_zip(episode.id, speakers=speakers)),
                        mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/console/episodes/<int:episode_id>/certificates-print.pdf")
@organizer_required
def episode_print(episode_id: int):
    """Every live certificate as pages of one PDF, for printing. 404: unknown."""
    episode = _episode_or_404(episode_id)
    # Spooled to disk past 16 MB: thousands of pages never sit in memory twice.
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    write_merged_pdf(episode.id, out, speakers=request.args.get("speakers") == "1")
    out.seek(0)
    name = safe_filename(f"sertifikat-cetak-{episode.year}-seri-{episode.number}")
    return send_file(out, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{name}.pdf", max_age=0)


@bp.post("/console/episodes/<int:episode_id>/certificates/render")
@organizer_required
def episode_render(episode_id: int):
    """Render the missing stored files now (the scheduler does it too). 404: unknown."""
    _episode_or_404(episode_id)
    with service_call() as done:
        count = render_missing_files(episode_id)
    if done.ok:
        flash(_("%(n)s berkas sertifikat dirender dan disimpan.", n=count), "success")
    return redirect(url_for("certificates.episode_certificates", episode_id=episode_id))


@bp.post("/console/episodes/<int:episode_id>/certificates/rerender")
@organizer_required
def episode_rerender(episode_id: int):
    """After a design change: unsigned stored files are dropped and rendered again with
    the current design (by the job, or at the next download). 404: unknown episode."""
    _episode_or_404(episode_id)
    with service_call() as done:
        count = discard_unsigned_files(episode_id, current_user.id)
    if done.ok:
        flash(_("%(n)s berkas akan dirender ulang dengan desain terbaru; berkas yang sudah "
                "ditandatangani tidak berubah.", n=count), "success")
    return redirect(url_for("certificates.episode_certificates", episode_id=episode_id))


@bp.post("/console/episodes/<int:episode_id>/certificates/sign")
@organizer_required
def episode_sign(episode_id: int):
    """Sign stored files with a personal BSrE signature. The passphrase is used for this
    request only: never stored, logged or echoed back. 404: unknown episode."""
    episode = _episode_or_404(episode_id)
    form = SignForm()
    if not signing.configured():
        flash(_("Penandatanganan elektronik BSrE belum dikonfigurasi."), "warning")
    elif form.validate_on_submit():
        render_missing_files(episode_id)
        db.session.commit()
        try:
            result = signing.sign_episode(episode_id, nik=form.nik.data.strip(),
                                          passphrase=form.passphrase.data, mode="personal",
                                          actor_id=current_user.id)
        except signing.SigningError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            flash(_("%(n)s sertifikat ditandatangani secara elektronik; %(r)s belum.",
                    n=result.signed, r=result.remaining), "success")
        form.passphrase.data = None
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("certificates.episode_certificates", episode_id=episode.id))


def _design_scope(program_id: int | None, episode_id: int | None):
    if episode_id is not None:
        episode = _episode_or_404(episode_id)
        return {"episode_id": episode.id}, episode, episode.program
    program = db.session.get(Program, program_id) if program_id else db.session.scalar(
        select(Program).order_by(Program.id))
    if program is None:
        abort(404)
    return {"program_id": program.id}, None, program


def _design_inputs(form: DesignForm) -> tuple[dict, dict, set]:
    data = {name: getattr(form, name).data for name in (
        "issuer_lines", "title", "intro", "participant_wording", "speaker_wording",
        "signer_name", "signer_title", "signer_nip", "speakers_page")}
    images = {}
    for name in ("logo", "signature", "background"):
        upload = request.files.get(name)
        if upload is not None and upload.filename:
            images[name] = read_design_image(upload.stream, name)
    remove = {name for name in ("logo", "signature", "background")
              if getattr(form, f"remove_{name}").data}
    return data, images, remove


@bp.route("/console/certificates/design", methods=["GET", "POST"])
@bp.route("/console/episodes/<int:episode_id>/certificates/design", methods=["GET", "POST"])
@organizer_required
def design(episode_id: int | None = None):
    """A program's certificate design (``?program=ID``, default the first program) or an
    episode's override of it, with a live preview. 404: unknown program or episode."""
    scope, episode, program = _design_scope(id_arg(request.args, "program"), episode_id)
    row = design_row(**scope)
    form = DesignForm(obj=row)
    if request.method == "GET" and row is not None and row.speakers_page is not None:
        form.speakers_page.data = "1" if row.speakers_page else "0"
    if episode is None:
        form.speakers_page.choices = [SelectChoice("", _("Tidak")), SelectChoice("1", _("Ya"))]
    if form.validate_on_submit():
        with service_call(form) as done:
            data, images, remove = _design_inputs(form)
            save_design(**scope, data=data, images=images, remove=remove,
                        actor_id=current_user.id)
        if done.ok:
            flash(_("Desain sertifikat disimpan. Berkas yang sudah dirender tetap seperti "
                    "saat diterbitkan; unduhan baru memakai desain ini."), "success")
            return redirect(request.full_path.rstrip("?"))
    programs = db.session.scalars(select(Program).order_by(Program.name)).all()
    response = make_response(render_template(
        "certificates/design.html", form=form, row=row, episode=episode, program=program,
        programs=programs, placeholders=PLACEHOLDERS,
        default_participant=DEFAULT_PARTICIPANT_WORDING,
        default_speaker=DEFAULT_SPEAKER_WORDING), 422 if form.errors else 200)
    # The live preview shows a picture fetched by the page script (a blob: URL).
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'self'; form-action 'self'")
    return response


@bp.post("/console/certificates/design/preview.pdf")
@bp.post("/console/episodes/<int:episode_id>/certificates/design/preview.pdf")
@organizer_required
def design_preview(episode_id: int | None = None):
    """The unsaved form rendered on sample data (the live preview): the PDF, or its first
    page as PNG with ``?format=png``. 404: unknown scope; 422 with the message as text
    when the input is not usable."""
    scope, _episode, _program = _design_scope(id_arg(request.args, "program"),
                                              episode_id)
    form = DesignForm()
    if not form.validate():
        message = " ".join(str(m) for errors in form.errors.values() for m in errors)
        return Response(message, status=422, mimetype="text/plain")
    try:
        data, images, remove = _design_inputs(form)
        pdf = preview_design(**scope, data=data, images=images, remove=remove,
                             kind="speaker" if request.args.get("kind") == "speaker"
                             else "participant")
    except DomainError as err:
        db.session.rollback()
        return Response(str(err.message), status=422, mimetype="text/plain")
    db.session.rollback()
    if request.args.get("format") == "png":
        response = make_response(first_page_png(pdf))
        response.headers["Content-Type"] = "image/png"
    else:
        response = make_response(pdf)
        response.headers["Content-Type"] = "application/pdf"
    response.headers["Cache-Control"] = "no-store"
    return response
