"""Episode use cases: create, change, publish, cancel, speakers, checkpoints."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, distinct, exists, func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event, snapshot
from ..database import is_postgres
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..timeutil import as_utc, local_year, now_utc, parse_iso, to_db, zone
from ..uploads import path_of, store_bytes, store_image
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
    # No autoflush while the row is half-changed: any query meanwhile (even the one that
    # loads the user to pick the error message's language) would write it and turn a
    # clear ValidationError into a constraint violation.
    with db.session.no_autoflush:
        changes = _apply_fields(episode, data, creating=False)
        _check_number_free(episode)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # A concurrent edit took the number between the check and the write.
        raise Conflict(_l("Nomor seri sudah dipakai."), code="duplicate_number",
                       field="number") from None
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


def _checkpoint_values(episode: Episode, data: dict[str, Any],
                       current: Checkpoint | None = None) -> dict[str, Any]:
    """Validated label, window, code and flag for a checkpoint of ``episode``.

    Shared by add and edit so a window is judged the same way both times. When editing,
    keys missing from ``data`` keep the checkpoint's current value; an empty code (given
    explicitly) asks for a new random one.
    """
    others = [c for c in episode.checkpoints if c is not current]
    if current is not None:
        data = {"label": current.label, "opens_at": as_utc(current.opens_at),
                "closes_at": as_utc(current.closes_at), "code": current.code,
                "required": current.required, **data}
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
    early, late = int(cfg["CHECKPOINT_MAX_EARLY_MINUTES"]), int(cfg["CHECKPOINT_MAX_LATE_MINUTES"])
    earliest = episode.starts_at_utc - timedelta(minutes=early)
    latest = episode.ends_at_utc + timedelta(minutes=late)
    if opens < earliest or closes > latest:
        raise ValidationError(
            _l("Jendela checkpoint harus berada antara %(a)d menit sebelum mulai dan "
               "%(b)d menit setelah episode selesai.", a=early, b=late),
            field="opens_at",
        )
    code = "".join(str(data.get("code") or "").split()).upper()
    if code:
        if not (3 <= len(code) <= 20) or not code.isalnum():
            raise ValidationError(_l("Kode harus 3-20 huruf atau angka."), field="code")
    else:
        taken = {c.code for c in others} | ({current.code} if current is not None else set())
        code = generate_code()
        while code in taken:
            code = generate_code()
    if any(c.code == code for c in others):
        raise Conflict(_l("Kode ini sudah dipakai checkpoint lain di episode ini."),
                       code="duplicate_code", field="code")
    if any(c.label.lower() == label.lower() for c in others):
        raise Conflict(_l("Label checkpoint sudah ada di episode ini."),
                       code="duplicate_label", field="label")
    return {"label": label, "code": code, "opens_at": opens, "closes_at": closes,
            "required": _as_bool(data.get("required", True))}


def add_checkpoint(episode: Episode, data: dict[str, Any], actor_id: int | None) -> Checkpoint:
    values = _checkpoint_values(episode, data)
    checkpoint = Checkpoint(episode=episode, label=values["label"], code=values["code"],
                            opens_at=to_db(values["opens_at"]),
                            closes_at=to_db(values["closes_at"]), required=values["required"])
    db.session.add(checkpoint)
    db.session.flush()
    record_event(actor_id, "checkpoint.create", "episode", episode.id,
                 after={"checkpoint_id": checkpoint.id, "label": values["label"],
                        "opens_at": values["opens_at"], "closes_at": values["closes_at"]})
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


# Checkpoints: edit and remove ------------------------------------------------------------

def _check_checkpoints_editable(episode: Episode) -> None:
    if episode.status == "cancelled":
        raise Conflict(_l("Episode yang dibatalkan tidak dapat diubah."), code="cancelled")
    if episode.finalized_at is not None:
        # Verdicts, credits and certificates were computed from these windows.
        raise Conflict(_l("Episode sudah difinalisasi; checkpoint tidak dapat diubah lagi."),
                       code="finalized")


def get_checkpoint(episode: Episode, checkpoint_id: int) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.episode_id != episode.id:
        raise NotFound(_l("Checkpoint tidak ditemukan."))
    return checkpoint


def update_checkpoint(checkpoint: Checkpoint, data: dict[str, Any],
                      actor_id: int | None) -> Checkpoint:
    """Change label, window, code or flag; missing keys keep their value, an empty code
    draws a new random one."""
    episode = checkpoint.episode
    _check_checkpoints_editable(episode)
    fields = ("label", "code", "opens_at", "closes_at", "required")
    before = snapshot(checkpoint, fields)
    values = _checkpoint_values(episode, data, current=checkpoint)
    checkpoint.label = values["label"]
    checkpoint.code = values["code"]
    checkpoint.opens_at = to_db(values["opens_at"])
    checkpoint.closes_at = to_db(values["closes_at"])
    checkpoint.required = values["required"]
    db.session.flush()
    after = snapshot(checkpoint, fields)
    changed = [k for k in fields if before[k] != after[k]]
    if changed:
        record_event(actor_id, "checkpoint.update", "episode", episode.id,
                     before={"checkpoint_id": checkpoint.id, **{k: before[k] for k in changed}},
                     after={"checkpoint_id": checkpoint.id, **{k: after[k] for k in changed}})
    return checkpoint


def delete_checkpoint(checkpoint: Checkpoint, actor_id: int | None) -> None:
    """Remove a checkpoint nobody has checked in to yet (check-ins are attendance
    evidence, and the foreign key would cascade them away)."""
    from ..attendance.models import CheckIn

    episode = checkpoint.episode
    _check_checkpoints_editable(episode)
    if is_postgres():
        # A check-in's foreign key check share-locks this row: holding it for update
        # means no check-in can slip in between the count and the delete.
        db.session.execute(select(Checkpoint.id).where(Checkpoint.id == checkpoint.id)
                           .with_for_update())
    used = db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.checkpoint_id == checkpoint.id)) or 0
    refusal = Conflict(
        _l("Checkpoint \"%(label)s\" tidak dapat dihapus karena sudah ada %(n)d presensi "
           "tercatat. Ubah jendela waktunya atau jadikan opsional.",
           label=checkpoint.label, n=max(used, 1)),
        code="checkpoint_in_use")
    if used:
        raise refusal
    before = snapshot(checkpoint, ("label", "code", "opens_at", "closes_at", "required"))
    # Guarded in the statement itself (SQLite has no row locks).
    result = db.session.execute(
        delete(Checkpoint).where(
            Checkpoint.id == checkpoint.id,
            ~exists().where(CheckIn.checkpoint_id == Checkpoint.id),
        ).execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise refusal
    db.session.expunge(checkpoint)
    db.session.expire(episode, ["checkpoints"])
    record_event(actor_id, "checkpoint.delete", "episode", episode.id,
                 before={"checkpoint_id": checkpoint.id, **before})


# Duplicate and series ---------------------------------------------------------------------

def next_free_number(program_id: int, year: int) -> int:
    """The number after the year's highest (numbers restart every year)."""
    highest = db.session.scalar(select(func.max(Episode.number)).where(
        Episode.program_id == program_id, Episode.year == year))
    return (highest or 0) + 1


def _copy_cover(stored_name: str | None) -> str | None:
    """A copy of a cover file under a new name (replacing one never breaks the other)."""
    if not stored_name:
        return None
    try:
        data = path_of(stored_name).read_bytes()
    except (OSError, ValidationError):
        return None
    ext = stored_name.rsplit(".", 1)[-1]
    return store_bytes(data, folder="covers", original_name=stored_name, ext=ext,
                       content_type="image/png" if ext == "png" else "image/jpeg").stored_name


def duplicate_episode(episode: Episode, actor_id: int | None) -> Episode:
    """A new draft one week later with the same content, speakers and settings.

    Checkpoint windows move with the episode and get fresh codes (a code announced last
    week must not work this week); the recording and cancellation are not copied.
    """
    week = timedelta(days=7)
    starts, ends = episode.starts_at_utc + week, episode.ends_at_utc + week
    year = local_year(starts, episode.timezone)
    data: dict[str, Any] = {
        "year": year, "number": next_free_number(episode.program_id, year),
        "title": episode.title, "summary": episode.summary or "",
        "competency_type": episode.competency_type, "timezone": episode.timezone,
        "starts_at": starts, "ends_at": ends, "jp": episode.jp, "capacity": episode.capacity,
        "registration_opens_at": as_utc(episode.registration_opens_at) + week
        if episode.registration_opens_at else None,
        "registration_closes_at": as_utc(episode.registration_closes_at) + week
        if episode.registration_closes_at else None,
        "zoom_url": episode.zoom_url, "youtube_url": episode.youtube_url,
        "attendance_rule": episode.attendance_rule, "min_minutes": episode.min_minutes,
        "min_percent": episode.min_percent, "evaluation_required": episode.evaluation_required,
        "walk_in_allowed": episode.walk_in_allowed,
    }
    copy = create_episode(data, actor_id, program=episode.program)
    for link in episode.speakers:
        db.session.add(EpisodeSpeaker(episode=copy, speaker_id=link.speaker_id, role=link.role,
                                      position=link.position))
    for checkpoint in episode.checkpoints:
        add_checkpoint(copy, {"label": checkpoint.label, "code": "",
                              "opens_at": as_utc(checkpoint.opens_at) + week,
                              "closes_at": as_utc(checkpoint.closes_at) + week,
                              "required": checkpoint.required}, actor_id)
    copy.cover_image = _copy_cover(episode.cover_image)
    db.session.flush()
    record_event(actor_id, "episode.duplicate", "episode", copy.id,
                 after={"source_episode_id": episode.id, "year": copy.year,
                        "number": copy.number})
    return copy


@dataclass
class SeriesItem:
    """One planned draft of a series; ``existing`` is set when the program already has an
    episode at that time (a rerun of the same series), which is then skipped."""

    year: int
    number: int
    starts_at: datetime
    ends_at: datetime
    title: str
    jp: int
    existing: Episode | None = None


@dataclass
class SeriesResult:
    created: list[Episode]
    skipped: list[SeriesItem]


SERIES_MAX = 52


def plan_series(*, first_day: date, start_time: time, duration_minutes: int, count: int,
                title_prefix: str, timezone: str, jp: int | None = None,
                first_number: int | None = None,
                program: Program | None = None) -> list[SeriesItem]:
    """The next ``count`` weekly drafts on the weekday of ``first_day``; creates nothing.

    Numbers continue after the year's highest (or from ``first_number`` in the first
    year), skipping numbers in use; a series crossing New Year restarts at that year's
    next free number.
    """
    prefix = " ".join(str(title_prefix or "").split())
    if not prefix:
        raise ValidationError(_l("Awalan judul wajib diisi."), field="title_prefix")
    if len(prefix) > 200:
        raise ValidationError(_l("Awalan judul maksimal 200 karakter."), field="title_prefix")
    count = _as_int(count, "count", minimum=1, maximum=SERIES_MAX)
    if count is None:
        raise ValidationError(_l("Jumlah episode wajib diisi."), field="count")
    duration = _as_int(duration_minutes, "duration", minimum=15, maximum=12 * 60)
    if duration is None:
        raise ValidationError(_l("Durasi wajib diisi."), field="duration")
    if first_day is None or start_time is None:
        raise ValidationError(_l("Tanggal dan jam mulai wajib diisi."), field="first_day")
    jp = _as_int(jp, "jp", minimum=0, maximum=100)
    first_number = _as_int(first_number, "first_number", minimum=1, maximum=999)
    tz = zone(timezone)
    first_start = datetime.combine(first_day, start_time.replace(second=0, microsecond=0),
                                   tzinfo=tz)
    if first_start <= now_utc():
        raise ValidationError(_l("Tanggal dan jam episode pertama sudah lewat."),
                              field="first_day")
    # Planning writes nothing: a missing default program is not created for a preview.
    program = program or get_program(DEFAULT_PROGRAM_SLUG)
    starts = [as_utc(datetime.combine(first_day + timedelta(weeks=i), first_start.timetz()))
              for i in range(count)]
    existing = {
        as_utc(e.starts_at): e for e in db.session.scalars(
            select(Episode).where(Episode.program_id == program.id,
                                  Episode.status != "cancelled",
                                  Episode.starts_at.in_([to_db(s) for s in starts])))
    }
    years = {local_year(s, tz.key) for s in starts}
    used = {year: set(db.session.scalars(select(Episode.number).where(
        Episode.program_id == program.id, Episode.year == year))) for year in years}
    nxt: dict[int, int] = {}
    plan = []
    for start in starts:
        end = start + timedelta(minutes=duration)
        year = local_year(start, tz.key)
        found = existing.get(start)
        if found is not None:
            plan.append(SeriesItem(found.year, found.number, start, as_utc(found.ends_at),
                                   found.title, found.jp, existing=found))
            continue
        if year not in nxt:
            nxt[year] = (first_number if first_number and not nxt
                         else max(used[year], default=0) + 1)
        number = nxt[year]
        while number in used[year]:
            number += 1
        if number > 999:
            raise ValidationError(_l("Nomor seri melebihi 999."), field="first_number")
        used[year].add(number)
        nxt[year] = number + 1
        plan.append(SeriesItem(year, number, start, end, f"{prefix} – Seri {number}",
                               jp if jp is not None else default_jp(start, end)))
    return plan


def series_signature(plan: list[SeriesItem]) -> str:
    """What the organizer saw in the preview; confirm refuses a plan that changed since."""
    return ",".join(f"{i.year}:{i.number}@{i.starts_at:%Y%m%dT%H%M}" for i in plan)


def create_series(plan: list[SeriesItem], *, timezone: str, actor_id: int | None,
                  program: Program | None = None) -> SeriesResult:
    """Create the planned drafts (the caller commits them as one transaction); items that
    already exist are skipped, so confirming the same series twice creates nothing new."""
    program = program or default_program()
    created, skipped = [], []
    for item in plan:
        if item.existing is not None:
            skipped.append(item)
            continue
        created.append(create_episode({
            "year": item.year, "number": item.number, "title": item.title,
            "starts_at": item.starts_at, "ends_at": item.ends_at, "jp": item.jp,
            "timezone": timezone,
        }, actor_id, program=program))
    if created:
        record_event(actor_id, "episode.series_create", "program", program.id,
                     after={"episode_ids": [e.id for e in created],
                            "numbers": [e.label for e in created],
                            "skipped": [f"{i.year} / Seri {i.number}" for i in skipped]})
    return SeriesResult(created=created, skipped=skipped)


# Cover image -------------------------------------------------------------------------------

COVER_SIZE = (1600, 900)


def set_cover_image(episode: Episode, stream, filename: str, actor_id: int | None) -> str | None:
    """Store a checked, resized cover; returns the replaced file for the caller to delete
    once the change is committed (a rollback must not lose the old picture)."""
    if episode.status == "cancelled":
        raise Conflict(_l("Episode yang dibatalkan tidak dapat diubah."), code="cancelled")
    stored = store_image(stream, filename or "cover", folder="covers",
                         max_bytes=int(current_app.config["IMAGE_MAX_BYTES"]),
                         max_size=COVER_SIZE)
    previous = episode.cover_image
    episode.cover_image = stored.stored_name
    record_event(actor_id, "episode.cover", "episode", episode.id,
                 before={"cover_image": previous}, after={"cover_image": stored.stored_name})
    return previous


def remove_cover_image(episode: Episode, actor_id: int | None) -> str | None:
    previous = episode.cover_image
    if previous:
        episode.cover_image = None
        record_event(actor_id, "episode.cover", "episode", episode.id,
                     before={"cover_image": previous}, after={"cover_image": None})
    return previous


# Program page ------------------------------------------------------------------------------

@dataclass
class ProgramTotals:
    episodes: int = 0
    participants: int = 0
    registrations: int = 0
    jp: int = 0
    certificates: int = 0


@dataclass
class ProgramYear:
    year: int
    episodes: int = 0
    participants: int = 0
    registrations: int = 0
    jp: int = 0


def get_program(slug: str) -> Program:
    program = db.session.scalar(select(Program).where(Program.slug == slug))
    if program is None:
        if slug != DEFAULT_PROGRAM_SLUG:
            raise NotFound(_l("Program tidak ditemukan."))
        # Not saved: a GET must not write. The first episode creates the real row.
        program = Program(slug=DEFAULT_PROGRAM_SLUG, name="ASN Belajar",
                          organizer_name=current_app.config["CERTIFICATE_ISSUER"],
                          description="Webinar publik pengembangan kompetensi ASN.",
                          timezone="Asia/Jakarta")
    return program


def _published(program_id: int | None):
    conditions = [Episode.status == "published"]
    if program_id is not None:
        conditions.append(Episode.program_id == program_id)
    return conditions


def program_totals(program_id: int | None = None) -> ProgramTotals:
    """Published episodes, distinct registered participants, registrations, JP credited
    (credits net of reversals) and valid participant certificates; ``None`` = all
    programs."""
    from ..certificates.models import Certificate
    from ..ledger.models import LedgerEntry
    from ..registrations.models import Registration

    where = _published(program_id)
    regs = db.session.execute(
        select(func.count(distinct(Registration.user_id)), func.count(Registration.id))
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.status == "registered", *where)
    ).one()
    return ProgramTotals(
        episodes=db.session.scalar(select(func.count(Episode.id)).where(*where)) or 0,
        participants=regs[0] or 0,
        registrations=regs[1] or 0,
        jp=int(db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.jp), 0))
            .join(Episode, Episode.id == LedgerEntry.episode_id).where(*where)) or 0),
        certificates=db.session.scalar(
            select(func.count(Certificate.id))
            .join(Episode, Episode.id == Certificate.episode_id)
            .where(Certificate.kind == "participant", Certificate.revoked_at.is_(None),
                   *where)) or 0,
    )


def program_years(program_id: int | None) -> list[ProgramYear]:
    """Per year, newest first: episodes, distinct participants, registrations, JP."""
    from ..ledger.models import LedgerEntry
    from ..registrations.models import Registration

    where = _published(program_id)
    years: dict[int, ProgramYear] = {}
    for year, n in db.session.execute(
            select(Episode.year, func.count(Episode.id)).where(*where).group_by(Episode.year)):
        years[year] = ProgramYear(year=year, episodes=n)
    for year, people, regs in db.session.execute(
            select(Episode.year, func.count(distinct(Registration.user_id)),
                   func.count(Registration.id))
            .join(Episode, Episode.id == Registration.episode_id)
            .where(Registration.status == "registered", *where).group_by(Episode.year)):
        years[year].participants, years[year].registrations = people, regs
    for year, jp in db.session.execute(
            select(Episode.year, func.coalesce(func.sum(LedgerEntry.jp), 0))
            .join(Episode, Episode.id == LedgerEntry.episode_id)
            .where(*where).group_by(Episode.year)):
        years[year].jp = int(jp or 0)
    return sorted(years.values(), key=lambda y: y.year, reverse=True)


def program_year_episodes(program_id: int | None, year: int) -> list[Episode]:
    return list(db.session.scalars(
        select(Episode).where(*_published(program_id), Episode.year == year)
        .order_by(Episode.starts_at)))
