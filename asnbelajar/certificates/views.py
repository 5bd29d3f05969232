"""Web pages of the certificates domain: my certificates, PDF download, public verification."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import NotFound
from ..extensions import limiter, login_manager
from .services import can_download, certificate_by_code, certificates_of, render_pdf, verify

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
