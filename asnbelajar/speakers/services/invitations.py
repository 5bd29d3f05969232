"""Invitations: a speaker gets an account and an emailed way in; the emailed link
proves the address before anything is linked."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...accounts.services import check_password, hash_password, make_reset_token
from ...accounts.sessions import end_all_sessions
from ...audit.services import record_event
from ...episodes.models import Episode
from ...errors import Conflict, ValidationError
from ...extensions import db
from ...notifications.services import queue_email, render_email
from ...timeutil import now_utc, to_db
from ...util.urls import external_url
from ..models import EpisodeSpeaker, Speaker


@dataclass
class Invitation:
    user: User
    created: bool          # a new speaker account was made
    linked: bool           # an existing account was linked to the speaker now
    set_password: bool     # the email carries a set-password link
    # An account with the address exists but never proved it: nothing is linked until
    # the invitee follows the emailed invitation (which sets a new password).
    pending: bool = False


def _create_speaker_account(speaker: Speaker) -> User:
    """A speaker account without a password: the invitation's link sets it."""
    user = User(email=speaker.email, full_name=speaker.name[:200], role="speaker",
                password_hash=None)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Email ini baru saja didaftarkan. Coba undang sekali lagi."),
                       code="email_taken") from None
    return user


def upcoming_sessions(speaker_id: int, limit: int = 3) -> list[tuple[Episode, str]]:
    return list(db.session.execute(
        select(Episode, EpisodeSpeaker.role)
        .join(EpisodeSpeaker, EpisodeSpeaker.episode_id == Episode.id)
        .where(EpisodeSpeaker.speaker_id == speaker_id, Episode.status == "published",
               Episode.ends_at > to_db(now_utc()))
        .order_by(Episode.starts_at).limit(limit)
    ).all())


def invite_speaker(speaker: Speaker, actor_id: int | None) -> Invitation:
    """Give the speaker an account and email them the way in.

    No account with the email: a "speaker" account without a password is created and the
    email carries a set-password link (the password-reset token, single use). An existing
    account is linked and keeps its role (a participant may also speak). Inviting again
    sends a fresh email.
    """
    if not speaker.email:
        raise ValidationError(_l("Isi email narasumber terlebih dahulu, lalu kirim undangan."),
                              code="no_email", field="email")
    created = linked = pending = False
    user = db.session.get(User, speaker.user_id) if speaker.user_id else None
    if user is None:
        user = db.session.scalar(select(User).where(User.email == speaker.email))
        if user is None:
            user = _create_speaker_account(speaker)
            created = True
        else:
            other = db.session.scalar(select(Speaker.id).where(
                Speaker.user_id == user.id, Speaker.id != speaker.id))
            if other:
                raise Conflict(_l("Akun dengan email ini sudah tertaut ke narasumber lain."),
                               code="account_linked")
            pending = user.email_verified_at is None
            linked = not pending
        if not pending:
            speaker.user_id = user.id
            db.session.flush()
    if not user.is_active:
        raise Conflict(_l("Akun narasumber ini nonaktif."), code="inactive")
    cfg = current_app.config
    link = None
    if pending:
        link = external_url("accounts.accept_invitation",
                            token=make_invitation_token(speaker, user))
    elif not user.password_hash:
        link = external_url("accounts.reset", token=make_reset_token(user))
    subject, text, html = render_email(
        "speaker_invited", user=user, speaker=speaker, link=link,
        minutes=int(cfg["PASSWORD_RESET_MAX_AGE"]) // 60,
        sessions=upcoming_sessions(speaker.id),
    )
    # A new key each time: inviting again is a deliberate resend.
    queue_email(f"speaker-invite:{speaker.id}:{secrets.token_hex(8)}", user.email,
                subject, text, html)
    record_event(actor_id, "speaker.invite", "speaker", speaker.id,
                 after={"user_id": user.id, "email": user.email, "account_created": created,
                        "account_linked": linked, "pending_proof": pending})
    return Invitation(user=user, created=created, linked=linked, set_password=link is not None,
                      pending=pending)


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="speaker-invitation")


def make_invitation_token(speaker: Speaker, user: User) -> str:
    # Bound to the account's current password hash: single use, like a reset link.
    return _invitation_serializer().dumps(
        {"sid": speaker.id, "uid": user.id, "h": (user.password_hash or "")[-12:]})


def invitation_for_token(token: str) -> tuple[Speaker, User]:
    """The speaker and account an emailed invitation names. Raises ValidationError for an
    expired, forged or used link, Conflict when the speaker went to another account."""
    try:
        data = _invitation_serializer().loads(
            token, max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    except SignatureExpired:
        raise ValidationError(_l("Tautan undangan sudah kedaluwarsa. Minta panitia mengirim "
                                 "undangan baru."), code="token_expired") from None
    except BadSignature:
        raise ValidationError(_l("Tautan undangan tidak sah."), code="token_invalid") from None
    speaker = db.session.get(Speaker, data.get("sid")) if isinstance(data, dict) else None
    user = db.session.get(User, data.get("uid")) if speaker is not None else None
    if (speaker is None or user is None or not user.is_active
            or (user.password_hash or "")[-12:] != data.get("h")
            or speaker.email != user.email):
        raise ValidationError(_l("Tautan undangan ini sudah dipakai atau tidak berlaku lagi."),
                              code="token_used")
    if speaker.user_id not in (None, user.id) or db.session.scalar(select(Speaker.id).where(
            Speaker.user_id == user.id, Speaker.id != speaker.id)):
        raise Conflict(_l("Narasumber ini sudah tertaut ke akun lain."), code="account_linked")
    return speaker, user


def accept_invitation(token: str, new_password: str) -> User:
    """The invitee followed the emailed link, which proves the address: the account gets
    the new password (every earlier session and token of it ends: whoever signed up with
    the address before is out), counts as verified, and is linked to the speaker."""
    speaker, user = invitation_for_token(token)
    check_password(new_password)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    user.email_verified_at = user.email_verified_at or to_db(now_utc())
    speaker.user_id = user.id
    db.session.flush()
    record_event(user.id, "speaker.invitation_accepted", "speaker", speaker.id,
                 after={"user_id": user.id})
    return user
