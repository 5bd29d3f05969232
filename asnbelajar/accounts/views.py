"""Web pages of the accounts domain: login, sign-up, password reset, profile, language,
privacy notice, personal-data download and account deletion, and the instansi
suggestions used by the sign-up form."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..timeutil import now_utc, to_local
from ..web import safe_next, service_call
from .forms import (
    AccountForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from .privacy import DELETE_CONFIRMATION_WORD, delete_own_account, export_personal_data
from .reference import search_instansi
from .services import (
    CONSENT_VERSION,
    ProfileData,
    authenticate,
    change_locale,
    consent_needed,
    request_password_reset,
    reset_password,
    sign_up,
    update_profile,
    user_for_reset_token,
)

bp = Blueprint("accounts", __name__)


def home_for(user) -> str:
    if user.role == "organizer":
        return url_for("reports.dashboard")
    if user.role == "participant":
        return url_for("ledger.dashboard")
    if user.role == "speaker":
        return url_for("speakers.portal")
    return url_for("episodes.home")


def _profile_data(form) -> ProfileData:
    employee_type = form.employee_type.data
    return ProfileData(
        # A non-ASN has no NIP even if the hidden field still holds one.
        nip=form.nip.data if employee_type in ("pns", "pppk") else None,
        employee_type=employee_type,
        instansi=form.instansi.data,
        unit_kerja=form.unit_kerja.data,
        jabatan=form.jabatan.data,
        pangkat_golongan=form.pangkat_golongan.data or None,
        province=form.province.data,
        phone=form.phone.data,
    )


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _reset_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is None:
            flash(_("Email/NIP atau kata sandi salah."), "danger")
        else:
            # A language picked before logging in carries over to the account.
            change_locale(user, session.pop("lang", None) or user.locale)
            db.session.commit()  # last_login_at, locale
            login_user(user, remember=form.remember.data)
            flash(_("Selamat datang, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(form.next.data) or home_for(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("episodes.home"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignupForm()
    if form.validate_on_submit():
        with service_call(form) as done:
            user = sign_up(
                email=form.email.data, password=form.password.data,
                full_name=form.full_name.data, consent=form.consent.data,
                profile=_profile_data(form), locale=session.get("lang") or "id",
            )
        if done.ok:
            login_user(user)
            flash(_("Akun Anda sudah dibuat. Selamat belajar!"), "success")
            return redirect(url_for("ledger.dashboard"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/instansi/search")
def instansi_search():
    """Up to 20 reference agencies whose name contains every word of ``q``."""
    response = jsonify({"results": search_instansi(request.args.get("q"))})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.login.data)
        db.session.commit()
        # The same answer whether or not the account exists.
        flash(_("Jika akun tersebut terdaftar, kami sudah mengirim tautan untuk mengatur "
                "ulang kata sandi ke email akun. Periksa juga folder spam."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str):
    """400 page when the token is invalid, expired or already used."""
    form = ResetPasswordForm()
    if request.method == "GET":
        user_for_reset_token(token)  # a bad link is told now, not after typing
    if form.validate_on_submit():
        with service_call(form) as done:
            reset_password(token, form.password.data)
        if done.ok:
            flash(_("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."),
                  "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Own name, display zone and (participants) profile; anonymous: login redirect."""
    user = current_user
    prof = user.profile
    if prof is None:
        form = AccountForm(obj=None if request.method == "POST" else user)
    else:
        form = ProfileForm(obj=None if request.method == "POST" else _ProfileView(user))
    if form.validate_on_submit():
        with service_call(form) as done:
            update_profile(
                user, full_name=form.full_name.data, timezone=form.timezone.data,
                data=_profile_data(form) if prof else None,
                consent=form.consent.data if prof else None,
            )
        if done.ok:
            flash(_("Profil tersimpan."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, profile=prof,
                           needs_consent=consent_needed(prof),
                           consent_version=CONSENT_VERSION)


class _ProfileView:
    """Flattens user + profile into the attribute names of ProfileForm."""

    def __init__(self, user):
        prof = user.profile
        self.full_name = user.full_name
        self.timezone = user.timezone
        self.employee_type = prof.employee_type
        self.nip = prof.nip
        self.instansi = prof.instansi_name
        self.unit_kerja = prof.unit_kerja
        self.jabatan = prof.jabatan
        self.pangkat_golongan = prof.pangkat_golongan
        self.province = prof.province
        self.phone = prof.phone


@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config.get("LANGUAGES", ("id", "en")):
        if current_user.is_authenticated:
            change_locale(current_user, lang)
            db.session.commit()
        else:
            session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("episodes.home"))


@bp.route("/privacy")
def privacy():
    return render_template("accounts/privacy.html", consent_version=CONSENT_VERSION)


def _participant_only() -> None:
    """Data download and deletion are for participant accounts; organizers and speakers
    get 403 (their accounts are managed by the organizer team)."""
    if not current_user.is_participant:
        abort(403)


@bp.route("/me/data.json")
@login_required
def my_data():
    """The participant's own data as a JSON download; anonymous: login redirect; other
    roles: 403."""
    _participant_only()
    data = export_personal_data(current_user.id)
    today = to_local(now_utc(), current_user.timezone).date().isoformat()
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="asnbelajar-data-saya-{today}.json"'
    )
    # Personal data must not linger in shared or proxy caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def delete_account():
    """Explain, then anonymize the account after the password and the word HAPUS;
    anonymous: login redirect; other roles: 403."""
    _participant_only()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        with service_call(form) as done:
            delete_own_account(current_user, password=form.password.data,
                               confirmation=form.confirmation.data)
        if done.ok:
            logout_user()
            flash(_("Akun Anda sudah dihapus. Data pribadi Anda telah dianonimkan; "
                    "sertifikat yang pernah terbit tetap dapat diverifikasi."), "info")
            return redirect(url_for("episodes.home"))
    return render_template("accounts/delete_account.html", form=form,
                           word=DELETE_CONFIRMATION_WORD)
