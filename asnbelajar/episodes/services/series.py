"""Many episodes at once: a weekly series of drafts, and a copy of an episode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...audit.services import record_event
from ...errors import ValidationError
from ...extensions import db
from ...speakers.models import EpisodeSpeaker
from ...timeutil import as_utc, local_year, now_utc, to_db, zone
from ...uploads import path_of, store_bytes
from ..labels import official_series_label
from ..models import Episode, Program
from .checkpoints import add_checkpoint
from .episodes import (
    DEFAULT_PROGRAM_SLUG,
    _as_int,
    create_episode,
    default_jp,
    default_program,
    get_program,
)


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
                            "numbers": [official_series_label(e.number, e.year)
                                        for e in created],
                            "skipped": [official_series_label(i.number, i.year)
                                        for i in skipped]})
    return SeriesResult(created=created, skipped=skipped)
