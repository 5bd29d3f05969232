"""Web pages of the accounts domain: login, sign-up, password reset, profile, language,
privacy notice, personal-data download and account deletion, and the instansi
suggestions used by the sign-up form."""

from __future__ import annotations

import json

import requests
from authlib.integrations.base_client.errors import OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from joserfc.errors import JoseError

from ..errors import TooManyAttempts, ValidationError
from ..extensions import db, limiter
from ..integrations.whatsapp_settings import whatsapp_enabled
from ..speakers.services import accept_invitation as accept_invitation_service
from ..speakers.services import invitation_for_token
from ..timeutil import PROVINCE_ZONES, now_utc, to_local
from ..uploads import read_limited
from ..web import organizer_required, safe_next, service_call
from .forms import (
    AccountForm,
    ActionForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    NipDisputeForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from .identity import (
    confirm_nip,
    decide_nip_dispute,
    get_dispute,
    import_confirmed_nips,
    open_disputes,
    submit_nip_dispute,
)
from .privacy import DELETE_CONFIRMATION_WORD, delete_own_account, export_personal_data
from .reference import search_instansi
from .services import (
    CONSENT_VERSION,
    ProfileData,
    authenticate,
    change_locale,
    change_password,
    consent_needed,
    request_password_reset,
    reset_password,
    send_verification_email,
    sign_up,
    sign_up_problems,
    update_profile,
    user_for_reset_token,
    verify_email,
)
from .sessions import end_session, ensure_session_token, list_tokens, revoke_token, token_expires_at
from .sso import sso_account, sso_client, sso_enabled

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


def _signup_limit() -> str:
    return current_app.config["RATELIMIT_SIGNUP"]


def _failed_login(response) -> bool:
    # A successful login (a redirect) does not count against the address.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        try:
            user = authenticate(form.login.data, form.password.data)
        except TooManyAttempts as err:
            db.session.rollback()
            flash(str(err.message), "danger")
            response = make_response(render_template("accounts/login.html", form=form,
                                                     sso_label=_sso_label()), 429)
            response.headers["Retry-After"] = str(err.retry_after)
            return response
        if user is None:
            db.session.commit()  # the failure count
            flash(_("Email/NIP atau kata sandi salah."), "danger")
        else:
            # A language picked before logging in carries over to the account.
            change_locale(user, session.pop("lang", None) or user.locale)
            db.session.commit()  # last_login_at, locale
            login_user(user, remember=form.remember.data)
            flash(_welcome(user.full_name), "success")
            return redirect(safe_next(form.next.data) or home_for(user))
    return render_template("accounts/login.html", form=form, sso_label=_sso_label())


def _welcome(name: str) -> str:
    """"Selamat datang, Andi, S.E." — one period after a name ending in a title's."""
    text = _("Selamat datang, %(name)s.", name=name)
    return text[:-1] if text.endswith("..") else text


def _sso_label() -> str | None:
    return (current_app.config.get("OIDC_LABEL") or "SSO ASN") if sso_enabled() else None


@bp.route("/logout", methods=["POST"])
def logout():
    """Ends the session server-side: the cookie (and any copy, and the remember-me
    cookie) no longer loads the person."""
    if current_user.is_authenticated:
        end_session(current_user)
        db.session.commit()
    logout_user()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("episodes.home"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignupForm()
    problems = _signup_problems(form) if form.is_submitted() else None
    if problems is not None and not problems:
        with service_call(form) as done:
            user = sign_up(
                email=form.email.data, password=form.password.data,
                full_name=form.full_name.data, consent=form.consent.data,
                profile=_profile_data(form), locale=session.get("lang") or "id",
                timezone=form.timezone.data or None,
            )
            send_verification_email(user)
        if done.ok:
            ensure_session_token(user)
            db.session.commit()
            login_user(user)
            flash(_("Akun Anda sudah dibuat. Kami mengirim tautan konfirmasi ke %(email)s; "
                    "buka tautan itu untuk memastikan email ini milik Anda.",
                    email=user.email), "success")
            return redirect(url_for("ledger.dashboard"))
        taken = done.error
    else:
        taken = (problems or {}).get("nip")
    if taken is not None and taken.code == "nip_taken":
        return render_template("accounts/signup.html", form=form,
                               province_zones=PROVINCE_ZONES,
                               dispute_url=url_for("accounts.nip_dispute",
                                                   nip=form.nip.data))
    return render_template("accounts/signup.html", form=form, province_zones=PROVINCE_ZONES)


def _signup_problems(form: SignupForm) -> dict:
    """One pass over every field: the form's own checks and the sign-up rules (email,
    password, NIP, province, phone) side by side, so all errors show at once. Empty when
    the sign-up may go ahead."""
    problems: dict = {} if form.validate() else {"form": None}
    found = sign_up_problems(email=form.email.data, password=form.password.data,
                             profile=_profile_data(form))
    for name, error in found.items():
        field = getattr(form, name, None)
        if field is not None and not field.errors:
            field.errors = [*field.errors, str(error.message)]
    problems.update(found)
    return problems


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
            logout_user()  # whoever was signed in here, the person signs in afresh
            flash(_("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."),
                  "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def accept_invitation(token: str):
    """A speaker invitation sent to an address whose account never proved it: following
    it proves the address, sets a new password (ending every earlier session and token)
    and links the speaker. A bad, expired or used link: 422 page; the speaker linked to
    another account meanwhile: 409 page."""
    form = ResetPasswordForm()
    if request.method == "GET":
        invitation_for_token(token)
    if form.validate_on_submit():
        with service_call(form) as done:
            accept_invitation_service(token, form.password.data)
        if done.ok:
            logout_user()
            flash(_("Kata sandi tersimpan dan akun Anda tertaut ke profil narasumber. "
                    "Silakan masuk."), "success")
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
    whatsapp_on = prof is not None and whatsapp_enabled()
    if form.validate_on_submit():
        with service_call(form) as done:
            update_profile(
                user, full_name=form.full_name.data, timezone=form.timezone.data,
                data=_profile_data(form) if prof else None,
                consent=form.consent.data if prof else None,
                reminders_enabled=form.reminders_enabled.data if prof else None,
                whatsapp_opt_in=form.whatsapp_opt_in.data if prof and whatsapp_on else None,
            )
        if done.ok:
            flash(_("Profil tersimpan."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, profile=prof,
                           whatsapp_on=whatsapp_on, needs_consent=consent_needed(prof),
                           consent_version=CONSENT_VERSION,
                           tokens=list_tokens(user), token_expires_at=token_expires_at,
                           action_form=ActionForm())


class _ProfileView:
    """Flattens user + profile into the attribute names of ProfileForm."""

    def __init__(self, user):
        prof = user.profile
        self.full_name = user.full_name
        self.timezone = user.timezone
        self.reminders_enabled = user.reminders_enabled
        self.whatsapp_opt_in = prof.whatsapp_opt_in_at is not None
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


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def change_password_page():
    """Change one's own password; every other session and API token ends. Anonymous:
    login redirect."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with service_call(form) as done:
            change_password(user, form.current_password.data, form.password.data)
        if done.ok:
            # This browser carries on under the new session token (and a remember-me cookie
            # it had is reissued for it); every other browser is out.
            login_user(user, remember="remember_token" in request.cookies)
            flash(_("Kata sandi sudah diganti. Sesi lain dan semua token API Anda telah "
                    "diakhiri."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/me/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token_page(token_id: int):
    """Revoke one of one's own API tokens; another person's or unknown: 404."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("Token dicabut; aplikasi yang memakainya harus masuk lagi."), "success")
    return redirect(url_for("accounts.profile") + "#tokens")


@bp.route("/verify-email/<token>")
def verify_email_page(token: str):
    """Follow the emailed link; an expired, forged or outdated link: 400 page that offers
    a new link."""
    try:
        user = verify_email(token)
    except ValidationError as err:
        db.session.rollback()
        return render_template("accounts/verify_email.html", state=err.code,
                               message=err.message), 400
    db.session.commit()
    return render_template("accounts/verify_email.html", state="verified", user=user)


@bp.route("/me/verify-email", methods=["POST"])
@login_required
@limiter.limit(_reset_limit, methods=["POST"])
def resend_verification():
    """Send a fresh verification link to one's own address."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if send_verification_email(current_user):
        db.session.commit()
        flash(_("Tautan konfirmasi baru sudah dikirim ke %(email)s.", email=current_user.email),
              "info")
    else:
        flash(_("Email Anda sudah terkonfirmasi."), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.profile"))


# NIP identity assurance -------------------------------------------------------------------

@bp.route("/nip/dispute", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def nip_dispute():
    """"This NIP is mine": anyone (signed in or not) may claim a registered NIP; an
    organizer decides. Bad input: the form again with the message."""
    form = NipDisputeForm()
    if request.method == "GET":
        form.nip.data = (request.args.get("nip") or "")[:40]
        if current_user.is_authenticated:
            form.full_name.data = current_user.full_name
            form.email.data = current_user.email
    if form.validate_on_submit():
        claimant = current_user.id if current_user.is_authenticated else None
        with service_call(form) as done:
            submit_nip_dispute(full_name=form.full_name.data, email=form.email.data,
                               nip=form.nip.data, statement=form.statement.data,
                               claimant_user_id=claimant)
        if done.ok:
            return render_template("accounts/nip_dispute.html", form=None, sent=True)
    return render_template("accounts/nip_dispute.html", form=form, sent=False)


@bp.route("/console/nip", methods=["GET"])
@organizer_required
def nip_queue():
    """The organizer's review queue: open disputes, confirming one NIP, importing an
    agency's list. Others: 403; anonymous: login redirect."""
    return render_template("accounts/nip_queue.html", disputes=open_disputes(),
                           action_form=ActionForm(), result=None)


@bp.route("/console/nip/disputes/<int:dispute_id>/decide", methods=["POST"])
@organizer_required
def nip_decide(dispute_id: int):
    """Uphold or reject a dispute (audited); unknown id: 404; decided already: flash."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    decision = request.form.get("decision")
    if decision not in ("upheld", "rejected"):
        flash(_("Pilih putusan: NIP milik pengaju atau milik pemegang akun."), "danger")
        return redirect(url_for("accounts.nip_queue"))
    dispute = get_dispute(dispute_id)
    with service_call(None) as done:
        decide_nip_dispute(dispute, upheld=decision == "upheld", actor_id=current_user.id,
                           note=(request.form.get("note") or "")[:2000])
    if done.ok:
        flash(_("Putusan sengketa NIP tersimpan."), "success")
    return redirect(url_for("accounts.nip_queue"))


@bp.route("/console/nip/confirm", methods=["POST"])
@organizer_required
def nip_confirm():
    """Confirm one NIP after review (audited)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with service_call(None) as done:
        confirm_nip((request.form.get("nip") or "")[:40], current_user.id)
    if done.ok:
        flash(_("NIP dikonfirmasi."), "success")
    return redirect(url_for("accounts.nip_queue"))


@bp.route("/console/nip/import", methods=["POST"])
@organizer_required
def nip_import():
    """Upload an agency's official list of NIPs (CSV): registered ones become confirmed."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    result = None
    with service_call(None) as done:
        if upload is None or not upload.filename:
            raise ValidationError(_("Pilih berkas CSV daftar NIP."), field="file")
        data = read_limited(upload.stream, int(current_app.config["IMPORT_MAX_BYTES"]))
        result = import_confirmed_nips(data, current_user.id)
    status = 200 if done.ok else 422
    return render_template("accounts/nip_queue.html", disputes=open_disputes(),
                           action_form=ActionForm(), result=result if done.ok else None), status


# Single sign-on (OpenID Connect) ------------------------------------------------------------

@bp.route("/login/sso")
def sso_login():
    """Off (404) unless ASNBELAJAR_OIDC_* is configured; else off to the provider."""
    if not sso_enabled():
        abort(404)
    try:
        return sso_client().authorize_redirect(url_for("accounts.sso_callback", _external=True))
    except (OSError, ValueError, requests.RequestException):
        current_app.logger.warning("single sign-on: the identity provider did not answer")
        flash(_("Layanan identitas tidak dapat dihubungi. Coba lagi nanti atau masuk dengan "
                "kata sandi."), "danger")
        return redirect(url_for("accounts.login"))


@bp.route("/login/sso/callback")
def sso_callback():
    """The provider sends the browser back here. A forged or replayed answer, an
    unreachable provider or unusable claims: back to the login page with a message."""
    if not sso_enabled():
        abort(404)
    try:
        token = sso_client().authorize_access_token()
    except (OAuthError, JoseError, OSError, ValueError, KeyError,
            requests.RequestException) as err:
        # A forged, replayed or unsigned answer, or a provider that went away.
        current_app.logger.warning("single sign-on refused: %s", err)
        flash(_("Masuk melalui layanan identitas gagal. Silakan coba lagi."), "danger")
        return redirect(url_for("accounts.login"))
    claims = dict(token.get("userinfo") or {})
    with service_call(None) as done:
        user = sso_account(claims)
    if not done.ok:
        return redirect(url_for("accounts.login"))
    login_user(user)
    flash(_welcome(user.full_name), "success")
    return redirect(home_for(user))
