"""Episodes: the 2022 season of 46, this year's latest and upcoming ones, speakers."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..episodes.models import Episode, Program
from ..episodes.services import add_checkpoint, create_episode, publish_episode
from ..extensions import db
from ..speakers.models import Speaker
from ..speakers.services import add_speaker
from ..timeutil import now_utc
from .common import (
    EPISODE_JP,
    EPISODE_LENGTH,
    EPISODE_START,
    LIMITED_CAPACITY,
    PAST_THIS_YEAR,
    SEASON_SKIPPED,
    SEASON_START,
    SEASON_YEAR,
    UPCOMING,
    WIB,
    ZOOM_MIN_MINUTES,
    wib,
    zoom_episode,
)
from .content import (
    COMPETENCY_LABELS,
    CURRENT_TITLES,
    DEMO_PARTICIPANT_PARTIAL,
    DEMO_PARTICIPANT_SEASON,
    DEMO_SPEAKER,
    DEMO_SPEAKER_SEASON,
    SEASON_TITLES,
    SPEAKERS,
)
from .logins import SPEAKER_EMAIL

# Speakers and episodes ------------------------------------------------------------------

@dataclass(frozen=True)
class SpeakerInfo:
    name: str
    institution: str
    roles: frozenset[str]


def ensure_speakers(speaker_user_id: int) -> list[SpeakerInfo]:
    infos = [SpeakerInfo(n, i, frozenset(r.split())) for n, i, _p, r in SPEAKERS]
    known = set(db.session.scalars(select(Speaker.name)))
    for name, institution, position, _roles in SPEAKERS:
        if name not in known:
            db.session.add(Speaker(name=name, institution=institution, position=position,
                                   bio=f"{position}, {institution}."))
    name, institution, position = DEMO_SPEAKER
    if db.session.scalar(select(Speaker.id).where(Speaker.email == SPEAKER_EMAIL)) is None:
        db.session.add(Speaker(name=name, email=SPEAKER_EMAIL, user_id=speaker_user_id,
                               institution=institution, position=position,
                               bio=f"{position}, {institution}. Mengampu pelatihan "
                                   "kepemimpinan dan literasi digital ASN."))
    db.session.flush()
    return infos


@dataclass(frozen=True)
class Plan:
    year: int
    number: int
    title: str
    competency_type: str
    day: date
    upcoming: bool
    capacity: int | None = None
    fraction: float = 0.0  # share of an average participant's chance to register
    demo_speaker: bool = False
    demo_participant: str | None = None  # "full", "partial" or None
    attendance_rule: str = "checkpoints"
    min_minutes: int | None = None


@dataclass
class SeededEpisode:
    id: int
    plan: Plan
    starts_at: datetime  # naive UTC, as stored
    ends_at: datetime
    registration_opens_at: datetime
    checkpoints: tuple[tuple[int, datetime, datetime], ...]  # (id, opens, closes)

    @property
    def upcoming(self) -> bool:
        return self.plan.upcoming


def _first_wednesday(year: int) -> date:
    first = date(year, 1, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7)


def _wednesday_number(day: date) -> int:
    """Seri number of a weekly Wednesday episode: the how-manieth Wednesday of its year."""
    return (day - _first_wednesday(day.year)).days // 7 + 1


def episode_plans(now: datetime, rng: random.Random, *, at_scale: bool = False) -> list[Plan]:
    """The 2022 season, then this year's latest and upcoming weekly episodes.

    At scale (``--registrations``) the 2022 rooms are uncapped (the season's size is set by
    N) and every fourth episode is judged by its Zoom report too ("either" rule).
    """
    plans: list[Plan] = []
    day = SEASON_START
    for number, (title, kind) in enumerate(SEASON_TITLES, start=1):
        while day in SEASON_SKIPPED:
            day += timedelta(weeks=1)
        # Interest grew through the season; a few large rooms were capped.
        fraction = min(0.25, rng.uniform(0.05, 0.16) * (0.8 + 0.5 * number / 46))
        demo = ("full" if number in DEMO_PARTICIPANT_SEASON
                else "partial" if number == DEMO_PARTICIPANT_PARTIAL else None)
        zoom = at_scale and zoom_episode(number)
        plans.append(Plan(SEASON_YEAR, number, title, kind, day, upcoming=False,
                          capacity=10_000 if number % 10 == 0 and not at_scale else None,
                          fraction=fraction, demo_speaker=number in DEMO_SPEAKER_SEASON,
                          demo_participant=demo,
                          attendance_rule="either" if zoom else "checkpoints",
                          min_minutes=ZOOM_MIN_MINUTES if zoom else None))
        day += timedelta(weeks=1)
    for index, (day, (title, kind)) in enumerate(
            zip(current_days(now), CURRENT_TITLES, strict=False)):
        upcoming = index >= PAST_THIS_YEAR
        plans.append(Plan(
            day.year, _wednesday_number(day), title, kind, day, upcoming=upcoming,
            capacity=LIMITED_CAPACITY if index == PAST_THIS_YEAR + 2 else None,
            fraction=rng.uniform(0.02, 0.06) if upcoming else rng.uniform(0.08, 0.18),
            demo_speaker=index in (PAST_THIS_YEAR - 1, PAST_THIS_YEAR),
            demo_participant="full" if index in (0, 1, PAST_THIS_YEAR, PAST_THIS_YEAR + 1)
            else None,
        ))
    return plans


def current_days(now: datetime) -> list[date]:
    """Ten consecutive Wednesdays around ``now``: four that have ended, then six to come.

    Consecutive, so this year's Seri numbers have no hole (an episode live right now counts
    as one to come: it has not ended, so it cannot be finalized yet).
    """
    today = now.astimezone(WIB).date()
    wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
    ends = wib(wednesday, *EPISODE_START) + EPISODE_LENGTH
    first_open = wednesday if ends > now else wednesday + timedelta(weeks=1)
    return [first_open + timedelta(weeks=k) for k in range(-PAST_THIS_YEAR, UPCOMING)]


def publish_backdated(episode: Episode, organizer_id: int) -> None:
    publish_episode(episode, organizer_id)
    episode.published_at = episode.registration_opens_at


def _summary(plan: Plan) -> str:
    return (
        f"ASN Belajar Seri {plan.number} Tahun {plan.year} membahas \"{plan.title}\". "
        f"Webinar pengembangan kompetensi {COMPETENCY_LABELS[plan.competency_type]} ini "
        "terbuka bagi seluruh ASN dan masyarakat umum; peserta yang mengisi presensi awal "
        f"dan akhir memperoleh e-sertifikat dan {EPISODE_JP} JP."
    )


def _youtube(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "https://www.youtube.com/watch?v=" + "".join(rng.choice(alphabet) for _ in range(11))


def _pick_speakers(plan: Plan, speakers: list[SpeakerInfo],
                   rng: random.Random) -> list[tuple[str, str | None, str]]:
    """[(name, email, role)] in running order: keynote, narasumber, moderator."""
    chosen: list[tuple[str, str | None, str]] = []
    used: set[str] = set()

    def take(role: str) -> None:
        pool = [s for s in speakers if role in s.roles and s.name not in used]
        pick = rng.choice(pool)
        used.add(pick.name)
        chosen.append((pick.name, None, role))

    presenters = 2 if rng.random() < 0.3 else 1
    if rng.random() < 0.15 and presenters == 1:
        take("keynote")
    if plan.demo_speaker:
        chosen.append((DEMO_SPEAKER[0], SPEAKER_EMAIL, "narasumber"))
        presenters -= 1
    for _ in range(presenters):
        take("narasumber")
    if rng.random() < 0.7:
        take("moderator")
    return chosen[:3]


def ensure_episodes(program_id: int, plans: list[Plan], speakers: list[SpeakerInfo],
                     organizer_id: int, rng: random.Random) -> list[SeededEpisode]:
    program = db.session.get(Program, program_id)
    existing = {(e.year, e.number): e for e in db.session.scalars(
        select(Episode).where(Episode.program_id == program_id))}
    seeded: list[SeededEpisode] = []
    for plan in plans:
        starts = wib(plan.day, *EPISODE_START)
        ends = starts + EPISODE_LENGTH
        opens = (starts - timedelta(days=14)) if not plan.upcoming else \
            min(starts - timedelta(days=10), now_utc() - timedelta(days=3))
        episode = existing.get((plan.year, plan.number))
        # Draw the speakers even for an existing episode, so the random stream (and with
        # it the rest of the demo) is the same on every run.
        lineup = _pick_speakers(plan, speakers, rng)
        youtube = _youtube(rng)
        zoom = f"https://us06web.zoom.us/j/{rng.randint(81_000_000_000, 89_999_999_999)}"
        if episode is None:
            episode = create_episode({
                "year": plan.year, "number": plan.number, "title": plan.title,
                "summary": _summary(plan), "competency_type": plan.competency_type,
                "starts_at": starts, "ends_at": ends, "jp": EPISODE_JP,
                "capacity": plan.capacity, "registration_opens_at": opens,
                "zoom_url": zoom, "youtube_url": youtube,
                "recording_url": None if plan.upcoming else youtube,
                "attendance_rule": plan.attendance_rule, "min_minutes": plan.min_minutes,
            }, organizer_id, program=program)
            for name, email, role in lineup:
                add_speaker(episode, {"name": name, "email": email, "role": role},
                            organizer_id)
            add_checkpoint(episode, {"label": "awal", "opens_at": starts,
                                     "closes_at": starts + timedelta(minutes=30)},
                           organizer_id)
            add_checkpoint(episode, {"label": "akhir",
                                     "opens_at": ends - timedelta(minutes=30),
                                     "closes_at": ends + timedelta(minutes=15)},
                           organizer_id)
            if plan.upcoming:
                # Past episodes are published together with their attendance (see
                # seed_past_episode), so a running scheduler never finalizes them empty.
                publish_backdated(episode, organizer_id)
            db.session.flush()
        checkpoints = tuple(
            (c.id, c.opens_at, c.closes_at) for c in sorted(episode.checkpoints,
                                                            key=lambda c: c.opens_at))
        seeded.append(SeededEpisode(episode.id, plan, episode.starts_at, episode.ends_at,
                              episode.registration_opens_at or episode.starts_at,
                              checkpoints))
    return seeded
