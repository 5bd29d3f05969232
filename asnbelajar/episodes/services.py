"""Episode use cases: create, change, publish, cancel, speakers, checkpoints."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event, snapshot
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..timeutil import as_utc, local_year, now_utc, parse_iso, to_db
from .models import (
    ATTENDANCE_RULES,
    COMPETENCY_TYPES,
    SPEAKER_ROLES,
    Checkpoint,
    Episode,
    EpisodeSpeaker,
    Program,
    Speaker,
)

DEFAULT_PROGRAM_SLUG = "asn-belajar"
# No 0/O, 1/I/L: codes are read off a shared screen and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
EPISODE_FIELDS = (
    "year", "number", "title", "summary", "competency_type", "starts_at", "ends_at", "jp",
    "capacity", "registration_opens_at", "registration_closes_at", "zoom_url", "youtube_url",
    "recording_url", "status", "attendance_rule", "min_minutes", "min_percent",
    "evaluation_required", "walk_in_allowed", "timezone",
)


def default_program() -> Program:
    program = db.session.scalar(select(Program).where(Program.slug == DEFAULT_PROGRAM_SLUG))
    if program is None:
        program = Program(slug=DEFAULT_PROGRAM_SLUG, name="ASN Belajar",
                          organizer_name=current_app.config["CERTIFICATE_ISSUER"],
                          description="Webinar publik pengembangan kompetensi ASN.")
        db.session.add(program)
        db.session.flush()
    return program


def get_episode(episode_id: int, *, published_only: bool = False) -> Episode:
    episode = db.session.get(Episode, episode_id)
    if episode is None or (published_only and episode.status == "draft"):
        raise NotFound(_l("Episode tidak ditemukan."))
    return episode


def default_jp(starts_at: datetime, ends_at: datetime) -> int:
    minutes = (ends_at - starts_at).total_seconds() / 60
    return max(int(minutes // current_app.config["JP_MINUTES"]), 1)


def generate_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _as_datetime(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return as_utc(value) if value.tzinfo else parse_iso(value.isoformat())
    try:
        return parse_iso(str(value))
    except ValueError:
        raise ValidationError(
            _l("Format waktu %(field)s tidak valid (gunakan ISO 8601, mis. "
               "2024-02-22T13:00:00+07:00).", field=field), field=field
        ) from None


def _as_int(value: Any, field: str, *, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValidationError(_l("%(field)s harus berupa bilangan bulat.", field=field),
                              field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("%(field)s harus berupa bilangan bulat.", field=field),
                              field=field) from None
    if str(value).strip() != str(number) and not isinstance(value, int):
        raise ValidationError(_l("%(field)s harus berupa bilangan bulat.", field=field),
                              field=field)
    if minimum is not None and number < minimum:
        raise ValidationError(_l("%(field)s minimal %(n)d.", field=field, n=minimum),
                              field=field)
    if maximum is not None and number > maximum:
        raise ValidationError(_l("%(field)s maksimal %(n)d.", field=field, n=maximum),
                              field=field)
    return number


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "ya")
    return bool(value)


def _as_url(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.startswith(("https://", "http://")) or len(text) > 500:
        raise ValidationError(_l("Tautan %(field)s harus diawali https://.", field=field),
                              field=field)
    return text


@dataclass
class EpisodeChanges:
    """What moved, so callers can tell registrants."""

    time_moved: bool = False


def _apply_fields(episode: Episode, data: dict[str, Any], *, creating: bool) -> EpisodeChanges:
    changes = EpisodeChanges()
    if "title" in data or creating:
        title = " ".join(str(data.get("title") or "").split())
        if not title:
            raise ValidationError(_l("Judul wajib diisi."), field="title")
        episode.title = title[:250]
    if "summary" in data:
        episode.summary = (data.get("summary") or "").strip() or None
    if "competency_type" in data and data["competency_type"]:
        if data["competency_type"] not in COMPETENCY_TYPES:
            raise ValidationError(
                _l("Jenis kompetensi harus manajerial, sosial_kultural, atau teknis."),
                field="competency_type",
            )
        episode.competency_type = data["competency_type"]
    old_start, old_end = episode.starts_at, episode.ends_at
    starts = _as_datetime(data.get("starts_at"), "starts_at") if "starts_at" in data else None
    ends = _as_datetime(data.get("ends_at"), "ends_at") if "ends_at" in data else None
    if creating and (starts is None or ends is None):
        raise ValidationError(_l("Waktu mulai dan selesai wajib diisi."), field="starts_at")
    if starts:
        episode.starts_at = to_db(starts)
    if ends:
        episode.ends_at = to_db(ends)
    if episode.ends_at <= episode.starts_at:
        raise ValidationError(_l("Waktu selesai harus setelah waktu mulai."), field="ends_at")
    if episode.ends_at - episode.starts_at > timedelta(hours=12):
        raise ValidationError(_l("Satu episode paling lama 12 jam."), field="ends_at")
    if not creating and (old_start != episode.starts_at or old_end != episode.ends_at):
        changes.time_moved = True
    if "year" in data and data["year"] not in (None, ""):
        episode.year = _as_int(data["year"], "year", minimum=2000, maximum=2100)
    elif creating:
        episode.year = local_year(episode.starts_at, episode.timezone)
    if "number" in data or creating:
        number = _as_int(data.get("number"), "number", minimum=1, maximum=999)
        if number is None:
            raise ValidationError(_l("Nomor seri wajib diisi."), field="number")
        episode.number = number
    if "jp" in data and data["jp"] not in (None, ""):
        episode.jp = _as_int(data["jp"], "jp", minimum=0, maximum=100)
    elif creating:
        episode.jp = default_jp(episode.starts_at, episode.ends_at)
    if "capacity" in data:
        episode.capacity = _as_int(data.get("capacity"), "capacity", minimum=1)
    for field in ("registration_opens_at", "registration_closes_at"):
        if field in data:
            value = _as_datetime(data.get(field), field)
            setattr(episode, field, to_db(value) if value else None)
    if episode.registration_closes_at and episode.registration_closes_at > episode.ends_at:
        raise ValidationError(
            _l("Pendaftaran harus ditutup paling lambat saat episode berakhir."),
            field="registration_closes_at",
        )
    if (episode.registration_opens_at and episode.registration_closes_at
            and episode.registration_opens_at >= episode.registration_closes_at):
        raise ValidationError(_l("Pendaftaran harus dibuka sebelum ditutup."),
                              field="registration_opens_at")
    for field in ("zoom_url", "youtube_url", "recording_url"):
        if field in data:
            setattr(episode, field, _as_url(data.get(field), field))
    if "attendance_rule" in data and data["attendance_rule"]:
        if data["attendance_rule"] not in ATTENDANCE_RULES:
            raise ValidationError(
                _l("Aturan kehadiran harus checkpoints, minutes, percent, atau either."),
                field="attendance_rule",
            )
        episode.attendance_rule = data["attendance_rule"]
    if "min_minutes" in data:
        episode.min_minutes = _as_int(data.get("min_minutes"), "min_minutes", minimum=0,
                                      maximum=24 * 60)
    if "min_percent" in data:
        episode.min_percent = _as_int(data.get("min_percent"), "min_percent", minimum=0,
                                      maximum=100)
    if episode.attendance_rule in ("minutes", "either") and not episode.min_minutes \
            and not episode.min_percent:
        # A sensible default: most of the session.
        episode.min_minutes = int(episode.duration_minutes * 0.75)
    if episode.attendance_rule == "percent" and episode.min_percent is None:
        episode.min_percent = 75
    for field in ("evaluation_required", "walk_in_allowed"):
        if field in data and data[field] is not None:
            setattr(episode, field, _as_bool(data[field]))
    if "timezone" in data and data["timezone"]:
        from ..timeutil import zone
        episode.timezone = zone(data["timezone"]).key
    return changes


def _check_number_free(episode: Episode) -> None:
    clash = db.session.scalar(
        select(Episode.id).where(
            Episode.program_id == episode.program_id, Episode.year == episode.year,
            Episode.number == episode.number, Episode.id != (episode.id or 0),
        )
    )
    if clash:
        raise Conflict(
            _l("Nomor Seri %(n)d tahun %(y)d sudah dipakai.", n=episode.number, y=episode.year),
            code="duplicate_number", field="number",
        )


def create_episode(data: dict[str, Any], actor_id: int | None,
                   program: Program | None = None) -> Episode:
    program = program or default_program()
    episode = Episode(program_id=program.id, status="draft", timezone=program.timezone,
                      attendance_rule="checkpoints")
    _apply_fields(episode, data, creating=True)
    _check_number_free(episode)
    db.session.add(episode)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Nomor seri sudah dipakai."), code="duplicate_number") from None
    record_event(actor_id, "episode.create", "episode", episode.id,
                 after=snapshot(episode, EPISODE_FIELDS))
    return episode


def update_episode(episode: Episode, data: dict[str, Any], actor_id: int | None) -> EpisodeChanges:
    if episode.status == "cancelled":
        raise Conflict(_l("Episode yang dibatalkan tidak dapat diubah."), code="cancelled")
    before = snapshot(episode, EPISODE_FIELDS)
    changes = _apply_fields(episode, data, creating=False)
    _check_number_free(episode)
    db.session.flush()
    after = snapshot(episode, EPISODE_FIELDS)
    diff_before = {k: v for k, v in before.items() if after[k] != v}
    diff_after = {k: after[k] for k in diff_before}
    if diff_before:
        record_event(actor_id, "episode.update", "episode", episode.id,
                     before=diff_before, after=diff_after)
    if changes.time_moved and episode.status == "published":
        episode.ical_sequence += 1
        from ..registrations.services import notify_registrants
        notify_registrants(episode, "episode_moved")
    return changes


def publish_episode(episode: Episode, actor_id: int | None) -> Episode:
    if episode.status == "cancelled":
        raise Conflict(_l("Episode yang dibatalkan tidak dapat diterbitkan."), code="cancelled")
    if episode.status == "published":
        return episode
    episode.status = "published"
    episode.published_at = to_db(now_utc())
    record_event(actor_id, "episode.publish", "episode", episode.id,
                 before={"status": "draft"}, after={"status": "published"})
    return episode


def cancel_episode(episode: Episode, actor_id: int | None, reason: str = "") -> Episode:
    if episode.status == "cancelled":
        return episode
    previous = episode.status
    episode.status = "cancelled"
    episode.cancelled_at = to_db(now_utc())
    episode.cancel_reason = (reason or "").strip()[:500] or None
    episode.ical_sequence += 1
    record_event(actor_id, "episode.cancel", "episode", episode.id,
                 before={"status": previous}, after={"status": "cancelled",
                                                     "reason": episode.cancel_reason})
    if previous == "published":
        from ..registrations.services import notify_registrants
        notify_registrants(episode, "episode_cancelled")
    return episode


def add_speaker(episode: Episode, data: dict[str, Any], actor_id: int | None) -> EpisodeSpeaker:
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ValidationError(_l("Nama narasumber wajib diisi."), field="name")
    role = (data.get("role") or "narasumber").strip().lower()
    if role not in SPEAKER_ROLES:
        raise ValidationError(_l("Peran harus narasumber, moderator, atau keynote."),
                              field="role")
    email = (data.get("email") or "").strip().lower() or None
    speaker = None
    if email:
        from ..accounts.services import check_email
        email = check_email(email)
        speaker = db.session.scalar(select(Speaker).where(Speaker.email == email))
    if speaker is None:
        speaker = db.session.scalar(
            select(Speaker).where(Speaker.name == name, Speaker.email.is_(None))
        ) if not email else None
    if speaker is None:
        speaker = Speaker(name=name[:200], email=email)
        db.session.add(speaker)
    if data.get("institution"):
        speaker.institution = str(data["institution"]).strip()[:200]
    for field in ("position", "bio"):
        if data.get(field):
            setattr(speaker, field, str(data[field]).strip())
    if email and speaker.user_id is None:
        from ..accounts.models import User
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            speaker.user_id = user.id
    db.session.flush()
    existing = db.session.scalar(
        select(EpisodeSpeaker).where(EpisodeSpeaker.episode_id == episode.id,
                                     EpisodeSpeaker.speaker_id == speaker.id,
                                     EpisodeSpeaker.role == role)
    )
    if existing:
        return existing
    # "order" is the place in the speaker list; "position" is the speaker's job title.
    order = data.get("order")
    if order in (None, ""):
        order = len(episode.speakers)
    link = EpisodeSpeaker(episode=episode, speaker=speaker, role=role,
                          position=_as_int(order, "order", minimum=0))
    db.session.add(link)
    db.session.flush()
    record_event(actor_id, "episode.speaker_add", "episode", episode.id,
                 after={"speaker_id": speaker.id, "name": speaker.name, "role": role})
    return link


def add_checkpoint(episode: Episode, data: dict[str, Any], actor_id: int | None) -> Checkpoint:
    label = " ".join(str(data.get("label") or "").split())[:60]
    if not label:
        raise ValidationError(_l("Label checkpoint wajib diisi (mis. awal, akhir)."),
                              field="label")
    opens = _as_datetime(data.get("opens_at"), "opens_at")
    closes = _as_datetime(data.get("closes_at"), "closes_at")
    if opens is None or closes is None:
        raise ValidationError(_l("Waktu buka dan tutup checkpoint wajib diisi."),
                              field="opens_at")
    if closes <= opens:
        raise ValidationError(_l("Checkpoint harus ditutup setelah dibuka."), field="closes_at")
    cfg = current_app.config
    earliest = episode.starts_at_utc - timedelta(minutes=int(cfg["CHECKPOINT_MAX_EARLY_MINUTES"]))
    latest = episode.ends_at_utc + timedelta(minutes=int(cfg["CHECKPOINT_MAX_LATE_MINUTES"]))
    if opens < earliest or closes > latest:
        raise ValidationError(
            _l("Jendela checkpoint harus berada antara %(a)d menit sebelum mulai dan "
               "%(b)d menit setelah episode selesai.",
               a=int(cfg["CHECKPOINT_MAX_EARLY_MINUTES"]),
               b=int(cfg["CHECKPOINT_MAX_LATE_MINUTES"])),
            field="opens_at",
        )
    code = "".join(str(data.get("code") or "").split()).upper()
    if code:
        if not (3 <= len(code) <= 20) or not code.isalnum():
            raise ValidationError(_l("Kode harus 3-20 huruf atau angka."), field="code")
    else:
        taken = {c.code for c in episode.checkpoints}
        code = generate_code()
        while code in taken:
            code = generate_code()
    if any(c.code == code for c in episode.checkpoints):
        raise Conflict(_l("Kode ini sudah dipakai checkpoint lain di episode ini."),
                       code="duplicate_code", field="code")
    if any(c.label.lower() == label.lower() for c in episode.checkpoints):
        raise Conflict(_l("Label checkpoint sudah ada di episode ini."),
                       code="duplicate_label", field="label")
    checkpoint = Checkpoint(episode=episode, label=label, code=code, opens_at=to_db(opens),
                            closes_at=to_db(closes),
                            required=_as_bool(data.get("required", True)))
    db.session.add(checkpoint)
    db.session.flush()
    record_event(actor_id, "checkpoint.create", "episode", episode.id,
                 after={"checkpoint_id": checkpoint.id, "label": label,
                        "opens_at": opens, "closes_at": closes})
    return checkpoint


def published_episodes(*, year: int | None = None, upcoming: bool | None = None,
                       limit: int | None = None) -> list[Episode]:
    query = select(Episode).where(Episode.status.in_(("published", "cancelled")))
    if year:
        query = query.where(Episode.year == year)
    now = to_db(now_utc())
    if upcoming is True:
        query = query.where(Episode.ends_at > now).order_by(Episode.starts_at)
    elif upcoming is False:
        query = query.where(Episode.ends_at <= now).order_by(Episode.starts_at.desc())
    else:
        query = query.order_by(Episode.starts_at.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
