"""Optional single sign-on through OpenID Connect (the ASN digital identity service is an
OIDC provider). Off unless ``OIDC_CLIENT_ID`` and ``OIDC_DISCOVERY_URL`` (or
``OIDC_ISSUER``) are set.

The provider vouches for two things: the email address (when it says
``email_verified``) and, through the claim named ``OIDC_NIP_CLAIM``, the NIP. A NIP from
the provider is *confirmed*; it wins over a self-declared claim of the same NIP by another
account (which loses it, audited) but never over another account's confirmed NIP.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_event
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..timeutil import now_utc, to_db
from .models import ParticipantProfile, User
from .nip import NIPError, parse_nip
from .services import _clean, check_email
from .sessions import end_all_sessions, ensure_session_token

CLIENT_NAME = "asn_sso"


def sso_enabled() -> bool:
    cfg = current_app.config
    return bool(cfg.get("OIDC_CLIENT_ID") and (cfg.get("OIDC_DISCOVERY_URL")
                                               or cfg.get("OIDC_ISSUER")))


def discovery_url() -> str:
    cfg = current_app.config
    if cfg.get("OIDC_DISCOVERY_URL"):
        return str(cfg["OIDC_DISCOVERY_URL"])
    return str(cfg["OIDC_ISSUER"]).rstrip("/") + "/.well-known/openid-configuration"


def sso_client():
    """The app's Authlib client, registered on first use (nothing is fetched from the
    provider inside create_app)."""
    from authlib.integrations.flask_client import OAuth

    app = current_app._get_current_object()
    oauth = app.extensions.get("asnbelajar_oidc")
    if oauth is None:
        cfg = app.config
        oauth = OAuth(app)
        oauth.register(
            CLIENT_NAME, client_id=cfg["OIDC_CLIENT_ID"],
            client_secret=cfg.get("OIDC_CLIENT_SECRET"),
            server_metadata_url=discovery_url(),
            client_kwargs={"scope": cfg.get("OIDC_SCOPE") or "openid email profile",
                           "timeout": float(cfg.get("OIDC_TIMEOUT") or 10)},
        )
        app.extensions["asnbelajar_oidc"] = oauth
    return oauth.create_client(CLIENT_NAME)


def _claimed_nip(claims: dict[str, Any]) -> str | None:
    raw = claims.get(current_app.config.get("OIDC_NIP_CLAIM") or "nip")
    if raw in (None, ""):
        return None
    try:
        return parse_nip(str(raw))
    except NIPError:
        raise ValidationError(_l("NIP dari layanan identitas tidak sah."),
                              code="invalid_nip") from None


def sso_account(claims: dict[str, Any]) -> User:
    """The account the provider's (already validated) ID token claims name, created when
    none exists. Raises ValidationError for claims without a usable email, Conflict when
    the address belongs to an account the provider cannot vouch for or the NIP is another
    account's confirmed NIP."""
    email = check_email(str(claims.get("email") or ""))
    vouched = claims.get("email_verified") is True or str(
        claims.get("email_verified")).lower() == "true"
    info = _claimed_nip(claims)
    now = to_db(now_utc())

    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        if not user.is_active:
            raise Conflict(_l("Akun ini nonaktif."), code="inactive")
        if user.email_verified_at is None:
            if not vouched:
                raise Conflict(_l("Alamat email ini belum terkonfirmasi di ASN Belajar maupun "
                                  "di layanan identitas."), code="email_unverified")
            # The provider proved the address: whoever signed up with it before is out.
            user.email_verified_at = now
            end_all_sessions(user)
    else:
        name = _clean(claims.get("name")) or email.split("@")[0]
        user = User(email=email, full_name=name, role="participant", password_hash=None,
                    email_verified_at=now if vouched else None)
        db.session.add(user)
        db.session.add(ParticipantProfile(user=user, employee_type="non_asn"))
        db.session.flush()

    if info is not None and user.profile is not None:
        _take_confirmed_nip(user, info)
    ensure_session_token(user)
    user.last_login_at = now
    db.session.flush()
    return user


def _take_confirmed_nip(user: User, info) -> None:
    profile = user.profile
    holder = db.session.scalar(select(ParticipantProfile).where(
        ParticipantProfile.nip == info.nip, ParticipantProfile.user_id != user.id))
    if holder is not None:
        if holder.nip_status == "confirmed":
            raise Conflict(_l("NIP ini sudah terkonfirmasi untuk akun lain. Hubungi panitia."),
                           code="nip_confirmed_elsewhere")
        record_event(None, "nip.released_by_sso", "participant_profile", holder.user_id,
                     before={"nip": holder.nip, "nip_status": holder.nip_status},
                     after={"to_user_id": user.id})
        holder.nip = None
        holder.employee_type = "non_asn"
        holder.birth_date = None
        holder.gender = None
        holder.nip_status = "self_declared"
        db.session.flush()
    if profile.nip != info.nip or profile.nip_status != "confirmed":
        before = {"nip": profile.nip, "nip_status": profile.nip_status}
        profile.nip = info.nip
        profile.employee_type = info.kind
        profile.birth_date = info.birth_date
        profile.gender = info.gender
        profile.nip_status = "confirmed"
        record_event(user.id, "nip.confirmed", "participant_profile", user.id,
                     before=before, after={"nip": info.nip, "source": "sso"})
