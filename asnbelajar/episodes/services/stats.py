"""Program statistics for the public program page: totals and per-year figures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from ...certificates.models import Certificate
from ...extensions import db
from ...ledger.models import LedgerEntry
from ...registrations.models import Registration
from ...util.memo import remembered
from ..models import Episode

WATCHED = ("registration", "ledger_entry", "certificate", "episode")


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


def _published(program_id: int | None):
    conditions = [Episode.status == "published"]
    if program_id is not None:
        conditions.append(Episode.program_id == program_id)
    return conditions


def program_totals(program_id: int | None = None) -> ProgramTotals:
    """Published episodes, distinct registered participants, registrations, JP credited
    (credits net of reversals) and valid participant certificates; ``None`` = all
    programs. Kept in the process while slow and unchanged (see ``util.memo``): the home
    page shows them to every visitor."""
    return remembered(("program_totals", program_id), WATCHED,
                      lambda: _program_totals(program_id))


def _program_totals(program_id: int | None) -> ProgramTotals:
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
    return remembered(("program_years", program_id), WATCHED,
                      lambda: _program_years(program_id))


def _program_years(program_id: int | None) -> list[ProgramYear]:
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
