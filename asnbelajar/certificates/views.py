"""Web pages of the certificates domain: my certificates, PDF download, public verification,
and the organizers' search, revoke and reissue."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.nip import format_nip, normalize_nip
from ..errors import DomainError, NotFound
from ..extensions import db, limiter, login_manager
from ..util.forms import BaseForm
from ..util.sql import LIKE_ESCAPE, contains_pattern, match_words, page_arg, paginate
from ..web import organizer_required
from .models import Certificate
from .services import (
    can_download,
    certificate_by_code,
    certificates_of,
    reissue_certificate,
    render_pdf,
    revoke_certificate,
    verify,
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


@bp.route("/certificates/<code>.pdf")
def download(code: str):
    """Anonymous: login redirect for a browser, 401 otherwise. Unknown code: 404.
    Someone else's certificate: 403. Works with a session or a Bearer token."""
    if not current_user.is_authenticated:
        if _wants_html():
            return login_manager.unauthorized()
        abort(401)
    cert = certificate_by_code(code)
    if not can_download(cert, current_user):
        abort(403)
    response = make_response(render_pdf(cert))
    filename = "sertifikat-" + cert.number.replace("/", "-") + ".pdf"
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _code_from_input(raw: str | None) -> str:
    """Accept a bare code or a pasted verification URL (from the QR code)."""
    text = (raw or "").strip().rstrip("/")
    if "/verify/" in text:
        text = text.rsplit("/verify/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip()[:MAX_CODE_LENGTH]


@bp.route("/verify")
def verify_form():
    code = _code_from_input(request.args.get("code"))
    if code:
        return redirect(url_for("certificates.verify_page", code=code))
    return render_template("certificates/verify_form.html",
                           missing=request.args.get("code") is not None)


@bp.route("/verify/<code>")
@limiter.limit("60 per minute")
def verify_page(code: str):
    """Public. Shows only what the certificate states plus a masked NIP; 404 when unknown."""
    try:
        result = verify(code[:MAX_CODE_LENGTH])
    except NotFound:
        response = make_response(
            render_template("certificates/verify.html", result=None, code=code), 404)
    else:
        response = make_response(
            render_template("certificates/verify.html", result=result, code=code))
    # Names are shown to whoever holds the code, not to search engines.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-cache"
    return response


# Organizer console: find, revoke and reissue certificates ---------------------------------

ADMIN_PER_PAGE = 25


class RevokeForm(BaseForm):
    reason = TextAreaField(
        _l("Alasan pencabutan"),
        validators=[DataRequired(_l("Alasan pencabutan wajib diisi.")), Length(max=400)],
        description=_l("Tampil di halaman verifikasi publik sertifikat ini."),
        render_kw={"rows": 3, "placeholder": _l("mis. peserta terbukti tidak hadir")},
    )


class ReissueForm(BaseForm):
    reason = TextAreaField(
        _l("Alasan penerbitan ulang"), validators=[Optional(), Length(max=400)],
        description=_l("Menjadi alasan pencabutan sertifikat lama. Kosongkan untuk "
                       "\u201cDiterbitkan ulang\u201d."),
        render_kw={"rows": 2, "placeholder": _l("mis. perbaikan penulisan nama")},
    )


def _certificate_or_404(certificate_id: int) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        abort(404)
    return cert


def _safe_next(default: str) -> str:
    """Only a path on this site: never an absolute URL an attacker could plant."""
    from ..accounts.views import safe_next

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
        try:
            revoke_certificate(cert, reason=form.reason.data, actor_id=current_user.id)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
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
