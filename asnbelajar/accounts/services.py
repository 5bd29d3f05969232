"""Account use cases: sign-up, login by email or NIP, tokens, password reset, profiles."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, TooManyAttempts, ValidationError
from ..extensions import db
from ..notifications.services import queue_email, render_email
from ..timeutil import ZONES, now_utc, to_db, zone_for_province, zone_name
from ..util.urls import external_url
from .models import ROLES, Instansi, LoginThrottle, ParticipantProfile, User
from .nip import NIPError, normalize_nip, parse_nip
from .preferences import opt_in_phone, record_whatsapp_choice
from .reference import PROVINCES
from .sessions import (
    end_all_sessions,
    ensure_session_token,
)

CONSENT_VERSION = "2024-01"
MIN_PASSWORD_LENGTH = 8
PHONE_RE = re.compile(r"^\+?[0-9]{9,15}$")


def normalize_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def check_email(raw: str | None) -> str:
    email = normalize_email(raw)
    if not email:
        raise ValidationError(_l("Email wajib diisi."), field="email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(_l("Alamat email tidak valid."), field="email") from None
    return email


def check_password(raw: str | None) -> str:
    if not raw or len(raw) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if len(raw) > 200:
        raise ValidationError(_l("Kata sandi terlalu panjang."), field="password")
    return raw


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def normalize_phone(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    phone = re.sub(r"[\s\-().]", "", raw.strip())
    if phone.startswith("08"):
        phone = "+62" + phone[1:]
    elif phone.startswith("62"):
        phone = "+" + phone
    if not PHONE_RE.match(phone):
        raise ValidationError(_l("Nomor WhatsApp tidak valid."), field="phone")
    return phone


def find_or_create_instansi(name: str | None) -> Instansi | None:
    """The reference agency with this name, or a new unreviewed one kept as typed."""
    clean = " ".join((name or "").split())
    if not clean:
        return None
    key = clean.lower()
    found = db.session.scalar(select(Instansi).where(Instansi.name_key == key))
    if found:
        return found
    instansi = Instansi(name=clean[:200], name_key=key[:200], kind="lainnya", is_reference=False)
    try:
        with db.session.begin_nested():
            db.session.add(instansi)
    except IntegrityError:
        # Someone else added the same name a moment ago.
        return db.session.scalar(select(Instansi).where(Instansi.name_key == key))
    return instansi


@dataclass
class ProfileData:
    nip: str | None = None
    employee_type: str | None = None
    instansi: str | None = None
    unit_kerja: str | None = None
    jabatan: str | None = None
    pangkat_golongan: str | None = None
    province: str | None = None
    phone: str | None = None


def _clean(value: Any, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


@dataclass(frozen=True)
class CleanProfile:
    """Profile values that passed every rule, ready to be copied onto a profile."""

    nip: str | None
    employee_type: str
    birth_date: date | None
    gender: str | None
    instansi_name: str | None
    unit_kerja: str | None
    jabatan: str | None
    pangkat_golongan: str | None
    province: str | None
    phone: str | None


def clean_profile(data: ProfileData) -> CleanProfile:
    """Validate profile input without touching the session: the NIP decides employee
    type, birth date and gender. Raises ValidationError naming the field."""
    employee_type = (data.employee_type or "").strip().lower() or None
    if employee_type and employee_type not in ("pns", "pppk", "non_asn"):
        raise ValidationError(
            _l("Jenis pegawai harus PNS, PPPK, atau non-ASN."), field="employee_type"
        )
    raw_nip = (data.nip or "").strip()
    if raw_nip:
        try:
            info = parse_nip(raw_nip)
        except NIPError as err:
            raise ValidationError(err.message, code="invalid_nip", field="nip") from None
        if employee_type == "non_asn":
            raise ValidationError(
                _l("Peserta non-ASN tidak memiliki NIP; kosongkan NIP atau pilih PNS/PPPK."),
                field="employee_type",
            )
        if employee_type and employee_type != info.kind:
            raise ValidationError(
                _l("NIP ini berformat %(kind)s, bukan %(chosen)s.",
                   kind=info.kind.upper(), chosen=employee_type.upper()),
                code="invalid_nip", field="nip",
            )
        nip, kind, birth_date, gender = info.nip, info.kind, info.birth_date, info.gender
    else:
        if employee_type in ("pns", "pppk"):
            raise ValidationError(_l("NIP wajib diisi untuk PNS dan PPPK."), field="nip")
        nip, kind, birth_date, gender = None, "non_asn", None, None
    province = _clean(data.province, 60)
    if province:
        match = next((p for p in PROVINCES if p.lower() == province.lower()), None)
        if match is None:
            raise ValidationError(_l("Provinsi tidak dikenal."), field="province")
        province = match
    return CleanProfile(
        nip=nip, employee_type=kind, birth_date=birth_date, gender=gender,
        instansi_name=_clean(data.instansi), unit_kerja=_clean(data.unit_kerja),
        jabatan=_clean(data.jabatan), pangkat_golongan=_clean(data.pangkat_golongan, 60),
        province=province, phone=normalize_phone(data.phone),
    )


def _assign_profile(profile: ParticipantProfile, clean: CleanProfile,
                    instansi: Instansi | None) -> None:
    profile.nip = clean.nip
    profile.employee_type = clean.employee_type
    profile.birth_date = clean.birth_date
    profile.gender = clean.gender
    profile.province = clean.province
    profile.instansi = instansi
    profile.instansi_name = instansi.name if instansi else None
    profile.unit_kerja = clean.unit_kerja
    profile.jabatan = clean.jabatan
    profile.pangkat_golongan = clean.pangkat_golongan
    profile.phone = clean.phone


def apply_profile(profile: ParticipantProfile, data: ProfileData) -> None:
    """Validate and copy profile fields (sign-up and imports: the profile is new)."""
    clean = clean_profile(data)
    _assign_profile(profile, clean, find_or_create_instansi(clean.instansi_name))


def nip_taken(nip: str, exclude_user_id: int | None = None) -> bool:
    query = select(ParticipantProfile.user_id).where(ParticipantProfile.nip == nip)
    if exclude_user_id:
        query = query.where(ParticipantProfile.user_id != exclude_user_id)
    return db.session.scalar(query) is not None


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def sign_up(
    *, email: str, password: str, full_name: str, consent: bool, profile: ProfileData,
    locale: str = "id", timezone: str | None = None,
) -> User:
    """Create a participant account with its profile. Raises ValidationError (422) or
    Conflict (409 for a taken email or NIP). The address is unverified: the web and API
    sign-ups follow with :func:`send_verification_email` (imports and the demo do not)."""
    email = check_email(email)
    check_password(password)
    name = _clean(full_name)
    if not name:
        raise ValidationError(_l("Nama lengkap wajib diisi."), field="full_name")
    if not consent:
        raise ValidationError(
            _l("Persetujuan pemrosesan data pribadi diperlukan untuk mendaftar."),
            field="consent",
        )
    if not _clean(profile.instansi):
        raise ValidationError(_l("Instansi wajib diisi."), field="instansi")
    zone_given = (timezone or "").strip()
    zone = zone_name(zone_given) if zone_given else None
    if zone_given and zone is None:
        raise ValidationError(_l("Zona waktu tidak dikenal (WIB, WITA atau WIT)."),
                              field="timezone")
    user = User(email=email, full_name=name, role="participant",
                password_hash=hash_password(password), locale=locale)
    prof = ParticipantProfile(user=user)
    apply_profile(prof, profile)
    # DESIGN.md: the zone is derived from the province when the sign-up gives none.
    user.timezone = zone or zone_for_province(prof.province)
    prof.consent_version = CONSENT_VERSION
    prof.consent_at = to_db(now_utc())
    if email_taken(email):
        raise Conflict(_l("Email ini sudah terdaftar."), code="email_taken", field="email")
    if prof.nip and nip_taken(prof.nip):
        raise Conflict(_l("NIP ini sudah terdaftar."), code="nip_taken", field="nip")
    db.session.add(user)
    db.session.add(prof)
    try:
        db.session.flush()
    except IntegrityError:
        # Two sign-ups raced past the checks above; the unique constraints decided.
        db.session.rollback()
        if email_taken(email):
            raise Conflict(_l("Email ini sudah terdaftar."), code="email_taken") from None
        raise Conflict(_l("NIP ini sudah terdaftar."), code="nip_taken") from None
    return user


def sign_up_problems(*, email: str, password: str,
                     profile: ProfileData) -> dict[str, ValidationError | Conflict]:
    """Every field error a sign-up would meet, at once (field name -> the error
    :func:`sign_up` would raise), without writing anything: the sign-up page reports
    them together instead of one per submit. :func:`sign_up` stays the rule."""
    problems: dict[str, ValidationError | Conflict] = {}
    try:
        clean_email = check_email(email)
        if email_taken(clean_email):
            problems["email"] = Conflict(_l("Email ini sudah terdaftar."),
                                         code="email_taken", field="email")
    except ValidationError as err:
        problems["email"] = err
    try:
        check_password(password)
    except ValidationError as err:
        problems["password"] = err
    # Each profile field's own check, so a bad NIP does not hide a bad phone.
    blank = {"nip": {"nip": None, "employee_type": "non_asn"}, "phone": {"phone": None},
             "province": {"province": None}}
    for _attempt in range(len(blank) + 1):
        try:
            clean = clean_profile(profile)
        except ValidationError as err:
            field = err.field if err.field in blank else "nip"
            problems.setdefault(field, err)
            profile = replace(profile, **blank[field])
        else:
            if clean.nip and nip_taken(clean.nip):
                problems.setdefault("nip", Conflict(_l("NIP ini sudah terdaftar."),
                                                    code="nip_taken", field="nip"))
            break
    return problems


def create_user(*, email: str, password: str, role: str, full_name: str | None = None) -> User:
    if role not in ROLES:
        raise ValidationError(_l("Peran tidak dikenal."), field="role")
    email = check_email(email)
    check_password(password)
    if email_taken(email):
        raise Conflict(_l("Email ini sudah terdaftar."), code="email_taken")
    # An organizer (or the operator's CLI) typed the address: it counts as verified.
    user = User(email=email, role=role, full_name=_clean(full_name) or email.split("@")[0],
                password_hash=hash_password(password), email_verified_at=to_db(now_utc()))
    db.session.add(user)
    if role == "participant":
        db.session.add(ParticipantProfile(user=user, employee_type="non_asn"))
    db.session.flush()
    return user


def find_user_by_login(login: str) -> User | None:
    """Login is an email or an NIP (separators allowed)."""
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return db.session.scalar(select(User).where(User.email == normalize_email(login)))
    nip = normalize_nip(login)
    if not nip.isdigit():
        return None
    return db.session.scalar(
        select(User).join(ParticipantProfile).where(ParticipantProfile.nip == nip)
    )


_DUMMY_HASH: str | None = None


def _throttle_key(login: str, user: User | None) -> str:
    # Per account, whichever login (email or NIP) named it; an unknown login is throttled
    # by what was typed, the same way, so the answer does not reveal whether it exists.
    if user is not None:
        raw = f"user:{user.id}"
    else:
        text = (login or "").strip().lower()
        raw = "login:" + (text if "@" in text else normalize_nip(text))
    return hashlib.sha256(raw.encode()).hexdigest()


def _throttling() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _check_throttle(key: str) -> None:
    row = db.session.get(LoginThrottle, key)
    if row is None or row.blocked_until is None:
        return
    wait = (row.blocked_until - to_db(now_utc())).total_seconds()
    if wait > 0:
        raise TooManyAttempts(
            _l("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(n)d detik.",
               n=int(wait) + 1), retry_after=int(wait) + 1)


def _record_failure(key: str) -> None:
    cfg = current_app.config
    now = to_db(now_utc())
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    row.failures += 1
    row.updated_at = now
    over = row.failures - int(cfg.get("LOGIN_FREE_FAILURES", 5))
    if over > 0:
        delay = min(2 ** min(over, 20), int(cfg.get("LOGIN_MAX_DELAY_SECONDS", 900)))
        row.blocked_until = now + timedelta(seconds=delay)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # A concurrent failure created the row first; its count stands.
        pass


def authenticate(login: str, password: str) -> User | None:
    """The user whose email or NIP and password match, else None.

    Failures are counted per account (growing delays after LOGIN_FREE_FAILURES, never a
    lockout); while an account waits, TooManyAttempts is raised whatever the password, for
    existing and unknown logins alike. A success clears the count. The caller commits
    (also after a failure, so the count is kept).
    """
    global _DUMMY_HASH
    user = find_user_by_login(login)
    key = _throttle_key(login, user) if _throttling() else None
    if key:
        _check_throttle(key)
    if user is None or not user.password_hash or not user.is_active:
        # Spend the same time as a real check so response time does not reveal accounts.
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-password")
        check_password_hash(_DUMMY_HASH, password or "")
        if key:
            _record_failure(key)
        return None
    if not check_password_hash(user.password_hash, password or ""):
        if key:
            _record_failure(key)
        return None
    if key:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    ensure_session_token(user)
    user.last_login_at = to_db(now_utc())
    return user


def prune_login_throttle(days: int = 1) -> int:
    """Forget failure counts idle for a day (scheduler)."""
    cutoff = to_db(now_utc()) - timedelta(days=days)
    result = db.session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < cutoff))
    return result.rowcount or 0


def change_password(user: User, current: str, new: str) -> None:
    """The person changes their own password; every other session and token ends (the
    caller logs the current browser in again with the new session token)."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise ValidationError(_l("Kata sandi saat ini salah."), code="wrong_password",
                              field="current_password")
    check_password(new)
    user.password_hash = hash_password(new)
    end_all_sessions(user)


# Password reset ------------------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    # Binding a fragment of the current hash makes the token single-use: once the
    # password changes, the fragment no longer matches.
    return _reset_serializer().dumps({"uid": user.id, "h": (user.password_hash or "")[-12:]})


def user_for_reset_token(token: str) -> User:
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(
            _l("Tautan atur ulang kata sandi sudah kedaluwarsa. Minta tautan baru."),
            code="token_expired",
        ) from None
    except BadSignature:
        raise ValidationError(_l("Tautan atur ulang kata sandi tidak sah."),
                              code="token_invalid") from None
    user = db.session.get(User, data.get("uid"))
    if user is None or (user.password_hash or "")[-12:] != data.get("h"):
        raise ValidationError(
            _l("Tautan ini sudah dipakai atau tidak berlaku lagi."), code="token_used"
        )
    return user


def request_password_reset(login: str) -> None:
    """Queue a reset email when the account exists; say nothing either way."""
    user = find_user_by_login(login)
    if user is None or not user.is_active:
        return
    token = make_reset_token(user)
    link = external_url("accounts.reset", token=token)
    subject, text, html = render_email("password_reset", user=user, link=link,
                                       minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
    queue_email(f"password-reset:{user.id}:{token[-16:]}", user.email, subject, text, html)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from an emailed link. Every session and API token of the person
    ends (whoever had them), and following the link proved the address."""
    user = user_for_reset_token(token)
    check_password(new_password)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    if user.email_verified_at is None:
        user.email_verified_at = to_db(now_utc())
    return user


# Email verification --------------------------------------------------------------------

def _verify_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-verify")


def make_verify_token(user: User) -> str:
    # Bound to the address: a link sent before an email change does not verify the new one.
    return _verify_serializer().dumps({"uid": user.id, "e": user.email})


def send_verification_email(user: User) -> bool:
    """Queue a verification link for an unverified address; False when already verified."""
    if user.email_verified_at is not None or not user.is_active:
        return False
    link = external_url("accounts.verify_email_page", token=make_verify_token(user))
    days = max(1, int(current_app.config["EMAIL_VERIFY_MAX_AGE"]) // 86400)
    subject, text, html = render_email("email_verify", user=user, link=link, days=days)
    # A new key each time: asking again is a deliberate resend.
    queue_email(f"email-verify:{user.id}:{secrets.token_hex(8)}", user.email,
                subject, text, html)
    return True


def verify_email(token: str) -> User:
    """Mark the address as the person's. Raises ValidationError for an expired, forged or
    outdated link (code says which, for the page)."""
    try:
        data, signed_at = _verify_serializer().loads(token, return_timestamp=True)
    except BadSignature:
        raise ValidationError(_l("Tautan konfirmasi tidak sah."), code="token_invalid") from None
    # Age by the application's clock (the one every other expiry uses).
    age = (now_utc() - signed_at).total_seconds()
    if age > int(current_app.config["EMAIL_VERIFY_MAX_AGE"]):
        raise ValidationError(_l("Tautan konfirmasi sudah kedaluwarsa. Minta tautan baru."),
                              code="token_expired")
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or user.email != data.get("e"):
        raise ValidationError(_l("Tautan konfirmasi ini tidak berlaku lagi."),
                              code="token_invalid")
    if user.email_verified_at is None:
        user.email_verified_at = to_db(now_utc())
    return user


def change_locale(user: User, locale: str) -> None:
    if locale in ("id", "en"):
        user.locale = locale


# Self-service profile ------------------------------------------------------------------

def consent_needed(profile: ParticipantProfile | None) -> bool:
    """True when the participant has not agreed to the current privacy notice version
    (accounts made by an organizer or the CLI, or a notice that changed since)."""
    return profile is not None and (
        profile.consent_at is None or profile.consent_version != CONSENT_VERSION
    )


def update_profile(user: User, *, full_name: str, timezone: str, data: ProfileData | None,
                   consent: bool | None, reminders_enabled: bool | None = None,
                   whatsapp_opt_in: bool | None = None) -> None:
    """A user edits their own name, display zone and participant profile.

    Every rule is checked before any attribute changes, so a refusal leaves the user and
    profile exactly as loaded and the caller may even commit. ``data`` None leaves the
    participant profile alone (organizers and speakers have none). ``consent`` is needed
    only while :func:`consent_needed`; withdrawing it is done by deleting the account.
    Raises ValidationError, or Conflict for an NIP registered to someone else.
    """
    if user.anonymized_at is not None:
        raise Conflict(_l("Akun ini sudah dihapus."), code="anonymized")
    name = _clean(full_name)
    if not name:
        raise ValidationError(_l("Nama lengkap wajib diisi."), field="full_name")
    if timezone not in ZONES:
        raise ValidationError(_l("Zona waktu tidak dikenal."), field="timezone")
    profile = user.profile
    clean = None
    record_consent = False
    if data is not None:
        if profile is None:
            raise ValidationError(_l("Akun ini tidak memiliki profil peserta."))
        clean = clean_profile(  # opting in to WhatsApp needs a mobile number
            replace(data, phone=opt_in_phone(data.phone)) if whatsapp_opt_in else data)
        if not clean.instansi_name:
            raise ValidationError(_l("Instansi wajib diisi."), field="instansi")
        if consent_needed(profile):
            if not consent:
                raise ValidationError(
                    _l("Persetujuan pemrosesan data pribadi diperlukan."), field="consent"
                )
            record_consent = True
        if clean.nip and nip_taken(clean.nip, exclude_user_id=user.id):
            raise Conflict(_l("NIP ini sudah terdaftar."), code="nip_taken", field="nip")
        # May insert a new unreviewed agency; nothing of the user is pending yet, so its
        # flush cannot carry a half-made profile with it.
        instansi = find_or_create_instansi(clean.instansi_name)

    user.full_name = name
    user.timezone = timezone
    if reminders_enabled is not None:
        user.reminders_enabled = bool(reminders_enabled)
    if clean is not None:
        _assign_profile(profile, clean, instansi)
        record_whatsapp_choice(profile, whatsapp_opt_in)
        if record_consent:
            profile.consent_version = CONSENT_VERSION
            profile.consent_at = to_db(now_utc())
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another account took the NIP between the check above and this flush; the unique
        # constraint decided. The caller rolls back.
        raise Conflict(_l("NIP ini sudah terdaftar."), code="nip_taken", field="nip") from None
