"""A year's report figures, computed once and kept (``report_snapshot``) so that pages and
the API answer in well under a second at province scale.

Computing a year from scratch reads every registration, verdict, certificate and ledger
entry of the year: a few milliseconds for a small program, several seconds for 200,000
participants and a million ledger entries. When to trust the stored figures:

* the last computation was very quick (under ``KEEP_SECONDS``, 0.1 s): never kept, computed
  again, so small programs always see exact, current figures;
* nothing changed since it was computed: served, however old (on PostgreSQL the
  *fingerprint* is the insert/update/delete counters the server keeps for the tables the
  figures come from; they may lag a commit by a second or so). At the real season's size
  a recount costs most of a second even on a quiet server, so pages at that scale depend
  on this (measured by ``benchmarks/pages_at_scale.py``);
* it was slow (``SLOW_SECONDS``, 0.5 s, or more) and is younger than
  ``REPORT_SNAPSHOT_SECONDS``: served although something changed, with its time shown on
  the page; the scheduler's ``refresh-reports`` job recounts the current year in the
  background and an organizer can ask for a recount.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from ..database import is_postgres
from ..episodes.models import Episode
from ..extensions import db
from ..timeutil import as_utc, current_year, now_utc, to_db
from .models import ReportSnapshot
from .services import (
    EpisodeRow,
    episode_rows,
    jp_target,
    sort_rows,
    speakers_by_origin,
    training_rate,
    year_people,
    year_summary,
)

KIND = "year"
# Above what a small program's year costs; the real season (457,300 registrations) costs
# 0.7-1 s on PostgreSQL and more on SQLite.
KEEP_SECONDS = 0.1
SLOW_SECONDS = 0.5
WATCHED_TABLES = ("registration", "ledger_entry", "certificate", "attendance_verdict",
                  "episode", "participant_profile", "instansi", "instansi_headcount",
                  "episode_speaker", "speaker")


@dataclass
class YearFigures:
    year: int
    data: dict[str, Any]
    computed_at: datetime
    seconds: float
    recomputed: bool

    @property
    def summary(self) -> dict[str, int]:
        return self.data["summary"]

    @property
    def episodes(self) -> list[EpisodeRow]:
        return [EpisodeRow(**row) for row in self.data["episodes"]]

    @property
    def provinces(self) -> list[tuple[str, int]]:
        return [(p, n) for p, n in self.data["provinces"]]

    @property
    def jp_buckets(self) -> list[tuple[str, int]]:
        return [(label, n) for label, n in self.data["jp_buckets"]]

    @property
    def asn_participants(self) -> int:
        return self.data["asn_participants"]

    @property
    def target(self) -> int:
        return self.data["target"]

    @property
    def attendance_rate(self) -> float | None:
        finalized = [e for e in self.data["episodes"] if e["finalized"]]
        registered = sum(e["registered"] for e in finalized)
        return sum(e["attended"] for e in finalized) / registered if registered else None

    def training_rate(self, province: str | None = None, *, sort: str = "instansi",
                      descending: bool = False) -> list[dict[str, Any]]:
        rows = [dict(r) for r in self.data["training_rate"]
                if not province or r["province"] == province]
        return sort_rows(rows, sort, descending)

    @property
    def speakers_by_origin(self) -> list[dict[str, Any]]:
        return self.data["speakers_by_origin"]


def compute(year: int) -> dict[str, Any]:
    episodes = episode_rows(year)
    people = year_people(year)
    return {
        "summary": year_summary(year, episodes=episodes, people=people),
        "episodes": [asdict(e) for e in episodes],
        "provinces": [list(p) for p in people.provinces],
        "jp_buckets": [list(b) for b in people.jp_buckets],
        "asn_participants": people.asn_participants,
        "target": jp_target(),
        "training_rate": training_rate(year, people=people),
        "speakers_by_origin": speakers_by_origin(year),
    }


def fingerprint() -> str | None:
    """What the figures were computed from, as cheaply as the server can tell; ``None``
    where it cannot (SQLite: small installs, which always recompute)."""
    if not is_postgres():
        return None
    rows = db.session.execute(text(
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
        "WHERE relname = ANY(:names) ORDER BY relname"), {"names": list(WATCHED_TABLES)}).all()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def _store(year: int, data: dict[str, Any], mark: str | None, seconds: float,
           stamp: datetime) -> None:
    snapshot = db.session.scalar(select(ReportSnapshot).where(
        ReportSnapshot.kind == KIND, ReportSnapshot.year == year))
    if snapshot is None:
        snapshot = ReportSnapshot(kind=KIND, year=year)
        try:
            with db.session.begin_nested():
                db.session.add(snapshot)
                snapshot.data, snapshot.fingerprint = data, mark
                snapshot.seconds, snapshot.computed_at = seconds, stamp
                db.session.flush()
            return
        except IntegrityError:
            # Computed at the same moment by another request: keep the newer one.
            snapshot = db.session.scalar(select(ReportSnapshot).where(
                ReportSnapshot.kind == KIND, ReportSnapshot.year == year))
    snapshot.data, snapshot.fingerprint = data, mark
    snapshot.seconds, snapshot.computed_at = seconds, stamp
    db.session.flush()


def year_figures(year: int, *, refresh: bool = False) -> YearFigures:
    """The year's figures: stored ones when they can be trusted (see the module doc),
    else computed now and stored. The caller commits (a GET may commit a snapshot)."""
    max_age = int(current_app.config.get("REPORT_SNAPSHOT_SECONDS", 300))
    mark = fingerprint()
    snapshot = db.session.scalar(select(ReportSnapshot).where(
        ReportSnapshot.kind == KIND, ReportSnapshot.year == year))
    # Only figures that took a while to count are ever kept: quick ones are counted again,
    # so they are always exact.
    if (snapshot is not None and not refresh and max_age > 0
            and snapshot.seconds >= KEEP_SECONDS):
        age = now_utc() - as_utc(snapshot.computed_at)
        unchanged = mark is not None and snapshot.fingerprint == mark
        recent_and_slow = (snapshot.seconds >= SLOW_SECONDS
                           and age < timedelta(seconds=max_age))
        if unchanged or recent_and_slow:
            return YearFigures(year=year, data=snapshot.data,
                               computed_at=as_utc(snapshot.computed_at),
                               seconds=snapshot.seconds, recomputed=False)
    stamp = to_db(now_utc())
    started = time.perf_counter()
    data = compute(year)
    seconds = time.perf_counter() - started
    _store(year, data, mark, seconds, stamp)
    return YearFigures(year=year, data=data, computed_at=as_utc(stamp), seconds=seconds,
                       recomputed=True)


def forget_year_figures() -> int:
    """Drop every stored year's figures, so the next view counts afresh: for changes that
    move participants between agencies in every year at once (an agency mapping), which
    a page must show at once rather than after ``REPORT_SNAPSHOT_SECONDS``. The caller
    commits with its change."""
    return db.session.execute(
        delete(ReportSnapshot).where(ReportSnapshot.kind == KIND)).rowcount or 0


def _impact_year() -> int | None:
    """The latest year with an episode held so far: the home page's impact block."""
    return db.session.scalar(
        select(func.max(Episode.year))
        .where(Episode.status == "published", Episode.starts_at <= to_db(now_utc())))


def refresh_reports() -> dict[str, Any]:
    """Scheduler job: recount the current year, the year the home page shows, and, in
    January, the year before (its figures still move while late finalizations come in)."""
    year = current_year()
    years = {year, _impact_year() or year}
    if now_utc().month == 1:
        years.add(year - 1)
    done = {}
    for y in sorted(years, reverse=True):
        figures = year_figures(y, refresh=True)
        db.session.commit()
        done[y] = round(figures.seconds, 2)
    return {"refreshed": done}


@dataclass
class AnnualReport:
    year: int
    summary: dict[str, int]
    asn_participants: int
    agencies_reached: int
    provinces_reached: int
    top_agencies: list[dict[str, Any]]
    speakers_by_origin: list[dict[str, Any]]
    target: int
    computed_at: datetime


def annual_report(year: int, *, top: int = 10, min_participants: int = 5,
                  refresh: bool = False) -> AnnualReport:
    """The figures BPSDM publishes for a year. Top agencies rank by training rate among
    agencies with at least ``min_participants`` ASN, so one person at 20 JP is no 100 %."""
    figures = year_figures(year, refresh=refresh)
    rates = figures.training_rate()
    ranked = [r for r in rates if r["participants"] >= min_participants]
    ranked.sort(key=lambda r: (-r["rate"], -r["reached_target"], r["instansi"].lower()))
    return AnnualReport(
        year=year, summary=figures.summary, asn_participants=figures.asn_participants,
        # Training-rate rows are exactly the agencies with at least one ASN participant.
        agencies_reached=len(rates),
        provinces_reached=sum(1 for p, _n in figures.provinces if p),
        top_agencies=ranked[:top], speakers_by_origin=figures.speakers_by_origin,
        target=figures.target, computed_at=figures.computed_at,
    )


def impact_summary() -> dict[str, int] | None:
    """The headline figures of the latest year with an episode held so far, for the public
    home page (aggregates only, no personal data)."""
    year = _impact_year()
    return year_figures(year).summary if year else None
