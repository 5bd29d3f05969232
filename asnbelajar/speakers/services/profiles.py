"""Speaker profiles (with photos) and the speakers of an episode."""

from __future__ import annotations

from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...accounts.services import (
    check_email,
)
from ...audit.services import record_event, snapshot
from ...certificates.models import Certificate
from ...episodes.models import Episode
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...timeutil import now_utc, to_db
from ...uploads import delete_stored, store_image
from ...util.sql import match_words, search_words
from ..models import SPEAKER_ROLES, EpisodeSpeaker, Material, Speaker

Upload = tuple[BinaryIO, str]
AUDIT_FIELDS = ("name", "email", "institution", "position", "bio", "photo", "user_id")
PHOTO_MAX_SIZE = (600, 600)


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


# Speakers of an episode --------------------------------------------------------------------

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
