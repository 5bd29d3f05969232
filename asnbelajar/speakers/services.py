"""Speaker use cases: profiles with photos, invitations to an account, the portal's
figures, session materials and the speaker certificate.

Uploads arrive as ``(stream, filename)`` pairs, so the web form, the API and the tests
call the same functions without a request object.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, case, exists, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..accounts.services import (
    check_email,
    check_password,
    end_all_sessions,
    hash_password,
    make_reset_token,
)
from ..attendance.models import AttendanceVerdict, CheckIn
from ..audit.services import record_event, snapshot
from ..certificates.models import Certificate
from ..certificates.services import issue_speaker_certificate
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..evaluations.models import Evaluation
from ..evaluations.services import episode_aggregates
from ..extensions import db
from ..notifications.services import queue_email, render_email
from ..registrations.models import Registration
from ..timeutil import now_utc, to_db
from ..uploads import delete_stored, store_document, store_image
from ..util.sql import match_words, search_words
from ..util.urls import external_url
from .models import SPEAKER_ROLES, EpisodeSpeaker, Material, Speaker

Upload = tuple[BinaryIO, str]

AUDIT_FIELDS = ("name", "email", "institution", "position", "bio", "photo", "user_id")
MATERIAL_KINDS = ("pdf", "pptx")
MAX_MATERIALS_PER_EPISODE = 20
PHOTO_MAX_SIZE = (600, 600)
MAX_COMMENTS = 200
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


# Profiles ----------------------------------------------------------------------------------

def get_speaker(speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(_l("Narasumber tidak ditemukan."))
    return speaker


def speakers_query(q: str | None = None) -> Select:
    """Speakers by name; every word of ``q`` must appear in the name, email, institution
    or position (so "eko ui" finds "Prof. Dr. Eko Prasojo" of Universitas Indonesia)."""
    query = select(Speaker).order_by(func.lower(Speaker.name), Speaker.id)
    match = match_words(search_words(q, max_length=100), Speaker.name, Speaker.email,
                        Speaker.institution, Speaker.position)
    return query if match is None else query.where(match)


def session_counts(speaker_ids: list[int]) -> dict[int, dict[str, int]]:
    """Sessions and coming sessions per speaker, for a page of speakers in one query."""
    if not speaker_ids:
        return {}
    now = to_db(now_utc())
    rows = db.session.execute(
        select(
            EpisodeSpeaker.speaker_id,
            func.count(func.distinct(EpisodeSpeaker.episode_id)),
            func.count(func.distinct(case(
                ((Episode.ends_at > now) & (Episode.status != "cancelled"), Episode.id)))),
        )
        .join(Episode, Episode.id == EpisodeSpeaker.episode_id)
        .where(EpisodeSpeaker.speaker_id.in_(speaker_ids))
        .group_by(EpisodeSpeaker.speaker_id)
    ).all()
    return {sid: {"sessions": total, "upcoming": coming} for sid, total, coming in rows}


def account_states(speakers: list[Speaker]) -> dict[int, str]:
    """Per speaker: "none" (no account), "invited" (account without a password yet) or
    "active" (can sign in); one query for the page."""
    user_ids = [s.user_id for s in speakers if s.user_id]
    has_password = dict(db.session.execute(
        select(User.id, User.password_hash.is_not(None)).where(User.id.in_(user_ids))
    ).all()) if user_ids else {}
    states = {}
    for speaker in speakers:
        if speaker.user_id is None or speaker.user_id not in has_password:
            states[speaker.id] = "none"
        else:
            states[speaker.id] = "active" if has_password[speaker.user_id] else "invited"
    return states


def sessions_of_speaker(speaker_id: int) -> list[tuple[Episode, str]]:
    """Every (episode, role) of the speaker, latest first."""
    return list(db.session.execute(
        select(Episode, EpisodeSpeaker.role)
        .join(EpisodeSpeaker, EpisodeSpeaker.episode_id == Episode.id)
        .where(EpisodeSpeaker.speaker_id == speaker_id)
        .order_by(Episode.starts_at.desc(), EpisodeSpeaker.position)
    ).all())


def _one_line(value: Any, limit: int, label) -> str | None:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise ValidationError(_l("%(field)s maksimal %(n)d karakter.", field=label, n=limit))
    return text or None


def _apply(speaker: Speaker, data: dict[str, Any]) -> None:
    name = _one_line(data.get("name"), 200, _l("Nama"))
    if not name:
        raise ValidationError(_l("Nama narasumber wajib diisi."), field="name")
    speaker.name = name
    raw_email = str(data.get("email") or "").strip()
    email = check_email(raw_email) if raw_email else None
    if email:
        clash = db.session.scalar(select(Speaker.id).where(
            Speaker.email == email, Speaker.id != (speaker.id or 0)))
        if clash:
            raise Conflict(_l("Email ini sudah dipakai narasumber lain."), code="email_taken",
                           field="email")
    speaker.email = email
    speaker.institution = _one_line(data.get("institution"), 200, _l("Instansi"))
    speaker.position = _one_line(data.get("position"), 200, _l("Jabatan"))
    bio = str(data.get("bio") or "").replace("\r\n", "\n").strip()
    if len(bio) > 5000:
        raise ValidationError(_l("Profil singkat maksimal 5000 karakter."), field="bio")
    speaker.bio = bio or None


def _link_existing_account(speaker: Speaker) -> None:
    """An account with the speaker's email is the same person (as when attaching a speaker
    to an episode): link it, unless it already belongs to another speaker."""
    if speaker.user_id is not None or not speaker.email:
        return
    # Only an address its owner proved (issue 9): anyone can sign up with a speaker's
    # email before the organizer adds it, and must not get the speaker portal with it.
    user_id = db.session.scalar(select(User.id).where(
        User.email == speaker.email, User.email_verified_at.is_not(None)))
    if user_id is None:
        return
    taken = db.session.scalar(select(Speaker.id).where(Speaker.user_id == user_id))
    if taken is None:
        speaker.user_id = user_id


def _store_photo(photo: Upload | None) -> str | None:
    if photo is None:
        return None
    stream, filename = photo
    stored = store_image(stream, filename or "foto", folder="speakers",
                         max_bytes=int(current_app.config["IMAGE_MAX_BYTES"]),
                         max_size=PHOTO_MAX_SIZE)
    return stored.stored_name


def _flush_speaker(new_photo: str | None) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another organizer saved the same email a moment ago; the unique index decided.
        delete_stored(new_photo)
        raise Conflict(_l("Email ini sudah dipakai narasumber lain."), code="email_taken",
                       field="email") from None


def create_speaker(data: dict[str, Any], actor_id: int | None, *,
                   photo: Upload | None = None) -> Speaker:
    speaker = Speaker()
    _apply(speaker, data)
    # Stored only once the fields are valid, so a refused form leaves no file behind.
    speaker.photo = _store_photo(photo)
    _link_existing_account(speaker)
    db.session.add(speaker)
    _flush_speaker(speaker.photo)
    record_event(actor_id, "speaker.create", "speaker", speaker.id,
                 after=snapshot(speaker, AUDIT_FIELDS))
    return speaker


def update_speaker(speaker: Speaker, data: dict[str, Any], actor_id: int | None, *,
                   photo: Upload | None = None, remove_photo: bool = False) -> Speaker:
    before = snapshot(speaker, AUDIT_FIELDS)
    old_photo = speaker.photo
    _apply(speaker, data)
    new_photo = _store_photo(photo)
    if new_photo:
        speaker.photo = new_photo
    elif remove_photo:
        speaker.photo = None
    _link_existing_account(speaker)
    _flush_speaker(new_photo)
    if old_photo and speaker.photo != old_photo:
        # After the flush: the row no longer points at the old file.
        delete_stored(old_photo)
    after = snapshot(speaker, AUDIT_FIELDS)
    changed = {k: v for k, v in before.items() if after[k] != v}
    if changed:
        record_event(actor_id, "speaker.update", "speaker", speaker.id,
                     before=changed, after={k: after[k] for k in changed})
    return speaker


def delete_speaker(speaker: Speaker, actor_id: int | None) -> None:
    """Only a speaker with no sessions (and so no materials or certificates) can go:
    certificates and the audit trail keep pointing at the row otherwise."""
    sessions = db.session.scalar(select(func.count()).select_from(EpisodeSpeaker).where(
        EpisodeSpeaker.speaker_id == speaker.id)) or 0
    if sessions:
        raise Conflict(_l("Narasumber ini tercatat di %(n)d sesi dan tidak dapat dihapus. "
                          "Lepaskan dari episode terlebih dahulu.", n=sessions),
                       code="has_sessions")
    held = db.session.scalar(select(
        exists().where(Material.speaker_id == speaker.id)
        | exists().where(Certificate.speaker_id == speaker.id)))
    if held:
        raise Conflict(_l("Narasumber ini memiliki materi atau sertifikat dan tidak dapat "
                          "dihapus."), code="has_records")
    before = snapshot(speaker, AUDIT_FIELDS)
    photo, speaker_id = speaker.photo, speaker.id
    db.session.delete(speaker)
    db.session.flush()
    delete_stored(photo)
    record_event(actor_id, "speaker.delete", "speaker", speaker_id, before=before)


# Speakers of an episode ----------------------------------------------------------------------

def _find_or_create_speaker(data: dict[str, Any], actor_id: int | None) -> Speaker:
    """The speaker these details name: the one with this email, else (no email given) the
    one with exactly this name and no email, else a new one made by ``create_speaker``.

    Details given for an existing speaker (institution, position, bio) update its
    profile; its name and email stay as they are.
    """
    name = _one_line(data.get("name"), 200, _l("Nama"))
    if not name:
        raise ValidationError(_l("Nama narasumber wajib diisi."), field="name")
    raw_email = str(data.get("email") or "").strip()
    email = check_email(raw_email) if raw_email else None
    if email:
        speaker = db.session.scalar(select(Speaker).where(Speaker.email == email))
    else:
        speaker = db.session.scalar(
            select(Speaker).where(Speaker.name == name, Speaker.email.is_(None))
            .order_by(Speaker.id).limit(1))
    details = {key: data[key] for key in ("institution", "position", "bio")
               if data.get(key)}
    if speaker is None:
        return create_speaker({"name": name, "email": email, **details}, actor_id)
    if details:
        update_speaker(speaker, {"name": speaker.name, "email": speaker.email,
                                 "institution": speaker.institution,
                                 "position": speaker.position, "bio": speaker.bio,
                                 **details}, actor_id)
    return speaker


def add_speaker(episode: Episode, data: dict[str, Any], actor_id: int | None) -> EpisodeSpeaker:
    """Put a speaker on ``episode`` in a role; the one way the console, the API and the
    demo seed do it. ``data``: name, role (narasumber, moderator, keynote), and optional
    email, institution, position, bio and order (place in the list).

    The speaker profile is found or created as ``_find_or_create_speaker`` says, with the
    same rules as the speaker pages (an account with the email is linked only when no
    other speaker holds it). Adding the same speaker in the same role again returns the
    existing place.
    """
    role = str(data.get("role") or "narasumber").strip().lower()
    if role not in SPEAKER_ROLES:
        raise ValidationError(_l("Peran harus narasumber, moderator, atau keynote."),
                              field="role")
    order = data.get("order")
    if order in (None, ""):
        order = len(episode.speakers)
    elif isinstance(order, bool) or not str(order).strip().isdigit():
        raise ValidationError(_l("%(field)s harus berupa bilangan bulat.", field="order"),
                              field="order")
    speaker = _find_or_create_speaker(data, actor_id)
    existing = db.session.scalar(
        select(EpisodeSpeaker).where(EpisodeSpeaker.episode_id == episode.id,
                                     EpisodeSpeaker.speaker_id == speaker.id,
                                     EpisodeSpeaker.role == role))
    if existing is not None:
        return existing
    # "order" is the place in the speaker list; "position" is the speaker's job title.
    link = EpisodeSpeaker(episode_id=episode.id, speaker=speaker, role=role,
                          position=int(order))
    try:
        with db.session.begin_nested():
            db.session.add(link)
            db.session.flush()
    except IntegrityError:
        # Another organizer added the same speaker in the same role a moment ago.
        raise Conflict(_l("Narasumber ini sudah tercatat dengan peran tersebut."),
                       code="duplicate_speaker") from None
    db.session.expire(episode, ["speakers"])
    record_event(actor_id, "episode.speaker_add", "episode", episode.id,
                 after={"speaker_id": speaker.id, "name": speaker.name, "role": role})
    return link


# Invitations -------------------------------------------------------------------------------

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


# The portal --------------------------------------------------------------------------------

def speaker_of_user(user_id: int) -> Speaker | None:
    return db.session.scalar(select(Speaker).where(Speaker.user_id == user_id))


def speaker_roles(episode_id: int, speaker_id: int) -> list[str]:
    return list(db.session.scalars(
        select(EpisodeSpeaker.role).where(EpisodeSpeaker.episode_id == episode_id,
                                          EpisodeSpeaker.speaker_id == speaker_id)
        .order_by(EpisodeSpeaker.position)))


def is_episode_speaker(episode_id: int, user_id: int) -> bool:
    """Whether the user's linked speaker presents in this episode."""
    return bool(db.session.scalar(select(exists().where(
        EpisodeSpeaker.episode_id == episode_id,
        EpisodeSpeaker.speaker_id == Speaker.id,
        Speaker.user_id == user_id,
    ))))


@dataclass
class SessionStats:
    registered: int = 0
    waitlisted: int = 0
    checked_in: int = 0
    attended: int = 0
    evaluations: int = 0
    speaker_score: float | None = None


def session_stats(episode_ids: list[int]) -> dict[int, SessionStats]:
    """Registrations, check-ins and verdicts per episode in one grouped query (each
    registration joins at most one verdict, so nothing multiplies), plus one grouped
    query for the evaluation count and speaker score."""
    stats = {eid: SessionStats() for eid in episode_ids}
    if not episode_ids:
        return stats
    checked_in = exists().where(CheckIn.episode_id == Registration.episode_id,
                                CheckIn.user_id == Registration.user_id)
    rows = db.session.execute(
        select(
            Registration.episode_id,
            func.sum(case((Registration.status == "registered", 1), else_=0)),
            func.sum(case((Registration.status == "waitlisted", 1), else_=0)),
            func.sum(case((checked_in, 1), else_=0)),
            func.sum(case((AttendanceVerdict.attended.is_(true()), 1), else_=0)),
        )
        .outerjoin(AttendanceVerdict, (AttendanceVerdict.episode_id == Registration.episode_id)
                   & (AttendanceVerdict.user_id == Registration.user_id))
        .where(Registration.episode_id.in_(episode_ids))
        .group_by(Registration.episode_id)
    ).all()
    for eid, registered, waitlisted, checked, attended in rows:
        s = stats[eid]
        s.registered, s.waitlisted = int(registered or 0), int(waitlisted or 0)
        s.checked_in, s.attended = int(checked or 0), int(attended or 0)
    for eid, count, score in db.session.execute(
        select(Evaluation.episode_id, func.count(), func.avg(Evaluation.score_speaker))
        .where(Evaluation.episode_id.in_(episode_ids)).group_by(Evaluation.episode_id)
    ).all():
        stats[eid].evaluations = count
        stats[eid].speaker_score = round(float(score), 2) if score is not None else None
    return stats


@dataclass
class SpeakerSession:
    episode: Episode
    roles: list[str]
    stats: SessionStats


@dataclass
class Portal:
    upcoming: list[SpeakerSession] = field(default_factory=list)
    past: list[SpeakerSession] = field(default_factory=list)
    evaluations: int = 0
    speaker_score: float | None = None   # weighted over all evaluated sessions


def portal_for(speaker: Speaker, now: datetime | None = None) -> Portal:
    """The speaker's sessions, coming ones soonest first, past ones latest first."""
    now = now or now_utc()
    rows = db.session.execute(
        select(Episode, EpisodeSpeaker.role)
        .join(EpisodeSpeaker, EpisodeSpeaker.episode_id == Episode.id)
        .where(EpisodeSpeaker.speaker_id == speaker.id)
        .order_by(Episode.starts_at, EpisodeSpeaker.position)
    ).all()
    episodes: dict[int, Episode] = {}
    roles: dict[int, list[str]] = {}
    for episode, role in rows:
        episodes.setdefault(episode.id, episode)
        roles.setdefault(episode.id, []).append(role)
    stats = session_stats(list(episodes))
    portal = Portal()
    weighted = 0.0
    for eid, episode in episodes.items():
        item = SpeakerSession(episode, roles[eid], stats[eid])
        (portal.past if episode.has_ended(now) else portal.upcoming).append(item)
        if item.stats.speaker_score is not None:
            portal.evaluations += item.stats.evaluations
            weighted += item.stats.speaker_score * item.stats.evaluations
    portal.past.reverse()
    if portal.evaluations:
        portal.speaker_score = round(weighted / portal.evaluations, 2)
    return portal


def evaluation_comments(episode_id: int, limit: int = MAX_COMMENTS) -> list[tuple[str, datetime]]:
    """Free comments, newest first, without who wrote them."""
    return list(db.session.execute(
        select(Evaluation.comment, Evaluation.created_at)
        .where(Evaluation.episode_id == episode_id, Evaluation.comment.is_not(None),
               Evaluation.comment != "")
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc()).limit(limit)
    ).all())


@dataclass
class SessionDetail:
    episode: Episode
    roles: list[str]
    stats: SessionStats
    evaluation: dict[str, Any] | None
    comments: list[tuple[str, datetime]]
    materials: list[Material]
    certificate: Certificate | None


def session_detail(episode: Episode, speaker: Speaker | None,
                   now: datetime | None = None) -> SessionDetail:
    now = now or now_utc()
    started = episode.starts_at_utc <= now
    evaluation = episode_aggregates(episode.id) if started else None
    certificate = None
    if speaker is not None:
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.episode_id == episode.id, Certificate.speaker_id == speaker.id,
            Certificate.kind == "speaker", Certificate.revoked_at.is_(None)))
    return SessionDetail(
        episode=episode,
        roles=speaker_roles(episode.id, speaker.id) if speaker else [],
        stats=session_stats([episode.id])[episode.id],
        evaluation=evaluation,
        comments=evaluation_comments(episode.id) if evaluation and evaluation["count"] else [],
        materials=materials_for_episode(episode.id),
        certificate=certificate,
    )


# Materials ---------------------------------------------------------------------------------

def materials_for_episode(episode_id: int) -> list[Material]:
    """An episode's materials in upload order, with their speakers loaded."""
    return list(db.session.scalars(
        select(Material).options(joinedload(Material.speaker))
        .where(Material.episode_id == episode_id)
        .order_by(Material.created_at, Material.id)
    ))


def get_material(episode_id: int, material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.episode_id != episode_id:
        raise NotFound(_l("Materi tidak ditemukan."))
    return material


def _display_name(filename: str) -> str:
    # Browsers on Windows may send a full path; keep the last part, printable only.
    name = re.split(r"[\\/]", filename or "")[-1]
    return _CONTROL_CHARS.sub("", name).strip()[:255]


def add_material(episode: Episode, upload: Upload, *, speaker: Speaker | None,
                 title: str | None, actor_id: int | None) -> Material:
    """Store a PDF or PPTX (checked by its bytes, size-limited) for the episode."""
    if episode.status == "cancelled":
        raise Conflict(_l("Episode ini dibatalkan; materi tidak dapat ditambahkan."),
                       code="cancelled")
    stream, filename = upload
    name = _display_name(filename)
    if not name:
        raise ValidationError(_l("Pilih berkas materi (PDF atau PPTX)."), field="file")
    clean_title = " ".join((title or "").split())
    if len(clean_title) > 200:
        raise ValidationError(_l("Judul materi maksimal 200 karakter."), field="title")
    count = db.session.scalar(select(func.count()).select_from(Material).where(
        Material.episode_id == episode.id)) or 0
    if count >= MAX_MATERIALS_PER_EPISODE:
        raise Conflict(_l("Satu episode paling banyak %(n)d materi.",
                          n=MAX_MATERIALS_PER_EPISODE), code="too_many")
    stored = store_document(stream, name, folder="materials", allowed=MATERIAL_KINDS,
                            max_bytes=int(current_app.config["MATERIAL_MAX_BYTES"]))
    material = Material(
        episode_id=episode.id, speaker_id=speaker.id if speaker else None,
        title=clean_title or name.rsplit(".", 1)[0][:200] or name[:200],
        original_name=name, stored_name=stored.stored_name,
        content_type=stored.content_type, size_bytes=stored.size_bytes, uploaded_by=actor_id,
    )
    db.session.add(material)
    db.session.flush()
    record_event(actor_id, "material.upload", "episode", episode.id,
                 after={"material_id": material.id, "title": material.title,
                        "file": name, "size_bytes": material.size_bytes,
                        "speaker_id": material.speaker_id})
    return material


def delete_material(material: Material, actor_id: int | None) -> None:
    stored, episode_id = material.stored_name, material.episode_id
    before = {"material_id": material.id, "title": material.title,
              "file": material.original_name, "speaker_id": material.speaker_id}
    db.session.delete(material)
    db.session.flush()
    delete_stored(stored)
    record_event(actor_id, "material.delete", "episode", episode_id, before=before)


def can_manage_material(material: Material, user) -> bool:
    """Organizers, and the speaker who owns the material."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == "organizer":
        return True
    return material.speaker is not None and material.speaker.user_id == user.id


def can_download_material(episode: Episode, user, now: datetime | None = None) -> bool:
    """Organizers and the episode's speakers at any time; participants registered (not
    waitlisted or cancelled) once the episode has started."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == "organizer" or is_episode_speaker(episode.id, user.id):
        return True
    if episode.status != "published" or (now or now_utc()) < episode.starts_at_utc:
        return False
    return bool(db.session.scalar(select(exists().where(
        Registration.episode_id == episode.id, Registration.user_id == user.id,
        Registration.status == "registered"))))


# Certificate -------------------------------------------------------------------------------

def speaker_certificate(episode: Episode, speaker: Speaker,
                        now: datetime | None = None) -> Certificate:
    """The speaker's certificate for a held episode, issued on first request."""
    if episode.status != "published" or not episode.has_ended(now):
        raise Conflict(_l("Sertifikat narasumber tersedia setelah episode selesai."),
                       code="not_ended")
    try:
        with db.session.begin_nested():
            return issue_speaker_certificate(episode, speaker)
    except IntegrityError:
        # A second click raced the first; the partial unique index kept one certificate.
        cert = db.session.scalar(select(Certificate).where(
            Certificate.episode_id == episode.id, Certificate.speaker_id == speaker.id,
            Certificate.kind == "speaker", Certificate.revoked_at.is_(None)))
        if cert is None:
            raise
        return cert
