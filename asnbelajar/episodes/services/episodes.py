"""Episode use cases: create, change, publish, cancel, the cover picture and lookups."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...audit.services import record_event, snapshot
from ...config import as_bool
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...integrations.services import episode_changed
from ...registrations.services import capacity_changed, notify_registrants
from ...timeutil import as_utc, local_year, now_utc, parse_iso, to_db, zone
from ...uploads import store_image
from ..models import ATTENDANCE_RULES, COMPETENCY_TYPES, Episode, Program

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


def _as_bool(value: Any, field: str = "") -> bool:
    try:
        return as_bool(value)
    except ValueError:
        raise ValidationError(_l("%(field)s harus ya atau tidak.", field=field),
                              field=field or None) from None


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
        episode.capacity = _as_int(data.get("capacity"), "capacity", minimum=1,
                                   maximum=1_000_000)
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
            setattr(episode, field, _as_bool(data[field], field))
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
    old_capacity = episode.capacity
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
        notify_registrants(episode, "episode_moved")
    # A move or a new title goes to the Zoom meeting too (or the sync job sends it later).
    episode_changed(episode)
    if episode.capacity != old_capacity:
        # New places go to the waiting list first, in arrival order.
        capacity_changed(episode.id)
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
        notify_registrants(episode, "episode_cancelled")
    # The Zoom meeting is deleted (or the sync job deletes it when Zoom does not answer).
    episode_changed(episode)
    return episode


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
