"""``seed_demo``: the steps in order, and the totals it reports."""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..attendance.models import CheckIn
from ..audit.models import AuditEvent
from ..audit.services import record_event
from ..certificates.models import Certificate
from ..episodes.models import Episode
from ..episodes.services import default_program
from ..extensions import db
from ..ledger.models import LedgerEntry
from ..notifications.models import OutboxEmail
from ..registrations.models import Registration
from ..speakers.models import Speaker
from ..timeutil import now_utc
from .activity import activity_tiers, seed_past_episode, seed_upcoming_episode
from .common import (
    DEMO_DOMAIN_LIKE,
    RANDOM_SEED,
    SEASON_YEAR,
    SEED_MARKER,
    Stopwatch,
    refresh_statistics,
)
from .logins import DEMO_LOGINS, ensure_demo_accounts
from .people import bulk_participant_ids, ensure_participants, top_up_participants
from .places import ensure_instansi
from .scale import SEASON_TABLES, plan_season, season_registrations, seed_season_at_scale
from .season import ensure_episodes, ensure_speakers, episode_plans

GENERIC_DESCRIPTION = "Webinar publik pengembangan kompetensi ASN."
# The demo holds the 2022 season (46 episodes, other tools rely on it) and the latest weeks of
# this year; the years in between are not part of it, and the program page says so.
DEMO_DESCRIPTION = (
    "Webinar publik pengembangan kompetensi ASN. Data demo: arsip lengkap musim 2022 "
    "(Seri 1-46) dan episode terbaru tahun ini; musim di antaranya tidak dimuat."
)


class _Bar(Protocol):
    def update(self, n: int) -> object: ...


Progress = Callable[[str, int], AbstractContextManager[_Bar]]


# --- entry points ----------------------------------------------------------------------

def seed_demo(participants: int = 2000, echo: Callable[[str], object] = print, *,
              registrations: int | None = None,
              progress: Progress | None = None) -> dict[str, int]:
    """Seed the demo (idempotent) and return the totals in the database afterwards.

    ``registrations``: spread exactly this many active registrations over the 2022 season
    in the real series' shape (see :mod:`.scale`), creating the participants it needs
    (at least ``participants``). ``progress(label, length)`` returns a context manager
    with ``update(n)``, e.g. ``click.progressbar``; the bulk steps report through it.
    """
    clock = Stopwatch(echo)
    progress = progress or _no_progress
    if already_seeded():
        return _rerun(participants, registrations, echo, clock)

    rng = random.Random(RANDOM_SEED)
    now = now_utc()
    outbox_before = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    at_scale = registrations is not None
    season_plan = plan_season(registrations) if at_scale else None

    employers = ensure_instansi(clock)
    demo = ensure_demo_accounts(employers)
    db.session.commit()
    clock.lap("demo accounts")

    program = default_program()
    if program.description in (None, "", GENERIC_DESCRIPTION):
        program.description = DEMO_DESCRIPTION
    speakers = ensure_speakers(demo.speaker_user_id)
    episodes = ensure_episodes(program.id, episode_plans(now, rng, at_scale=at_scale),
                               speakers, demo.organizer_id, rng)
    db.session.commit()
    clock.lap(f"{len(episodes)} episodes")

    wanted = max(participants, season_plan.people) if season_plan else participants
    have = len(bulk_participant_ids())
    with progress("participants", max(0, wanted - have)) as bar:
        people = ensure_participants(wanted, employers, rng, clock, advance=bar.update)
    refresh_statistics("user", "participant_profile")
    db.session.commit()

    tiers = activity_tiers(people, rng)
    past = [e for e in episodes if not e.upcoming]
    if season_plan is not None:
        season = [e for e in past if e.plan.year == SEASON_YEAR]
        past = [e for e in past if e.plan.year != SEASON_YEAR]
        person_ids = list(people)
        random.Random(RANDOM_SEED + 1).shuffle(person_ids)  # appetite is not signup order
        with progress("2022 registrations", registrations) as bar:
            seed_season_at_scale(season, season_plan, person_ids, demo, bar.update)
        clock.lap(f"{len(season)} episodes of 2022 with {registrations} registrations, "
                  "check-ins, Zoom reports, evaluations and finalize")
    for item in past:
        seed_past_episode(item, tiers, demo, rng)
    clock.lap(f"{len(past)} past episodes registered, checked in and finalized")

    for item in (e for e in episodes if e.upcoming):
        seed_upcoming_episode(item, tiers, demo, rng, now)
    db.session.commit()
    clock.lap("upcoming registrations")

    delete_seed_emails(outbox_before)
    refresh_statistics("user", "participant_profile", *SEASON_TABLES)
    counts = demo_counts()
    record_event(demo.organizer_id, SEED_MARKER, "program", program.id,
                 after={**counts, "registrations_option": registrations})
    db.session.commit()
    clock.lap("done")
    return counts


def _rerun(participants: int, registrations: int | None, echo: Callable[[str], object],
           clock: Stopwatch) -> dict[str, int]:
    """A finished seed only grows by accounts; the season it holds stays as it is."""
    if registrations is not None:
        season_ids = list(db.session.scalars(
            select(Episode.id).where(Episode.year == SEASON_YEAR)))
        have = season_registrations(season_ids)
        if have != registrations:
            echo(f"The 2022 season already holds {have} active registrations; "
                 "--registrations applies to a fresh database (nothing changed).")
            return demo_counts()
    added = top_up_participants(participants, clock)
    if added:
        db.session.commit()
    else:
        echo("Demo data already present; nothing to do.")
    return demo_counts()


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _no_progress(_label: str, _length: int) -> _NoBar:
    return _NoBar()


def demo_counts() -> dict[str, int]:
    """Totals in the database (not only demo rows)."""
    reversal = aliased(LedgerEntry)

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {
        "episodes": count(Episode),
        "speakers": count(Speaker),
        "participants": count(User, User.role == "participant"),
        "registrations": count(Registration),
        "active_registrations": count(Registration, Registration.status == "registered"),
        "check_ins": count(CheckIn),
        "certificates": count(Certificate, Certificate.kind == "participant",
                              Certificate.revoked_at.is_(None)),
        "credits": count(LedgerEntry, LedgerEntry.kind == "episode_credit",
                         ~exists().where(reversal.reverses_id == LedgerEntry.id)),
    }


def already_seeded() -> bool:
    return db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == SEED_MARKER).limit(1)
    ) is not None


def delete_seed_emails(outbox_before: int) -> None:
    """Emails the seed queued (waiting-list notices) would go to made-up addresses."""
    db.session.execute(delete(OutboxEmail).where(
        OutboxEmail.id > outbox_before,
        or_(OutboxEmail.to_addr.like(DEMO_DOMAIN_LIKE),
            OutboxEmail.to_addr.in_([email for _, email, _ in DEMO_LOGINS])),
    ))
