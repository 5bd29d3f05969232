"""What every step of the demo seed shares: constants, bulk inserts, time in WIB."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from .. import timeutil
from ..extensions import db
from ..util.bulk import insert_many

SEED_MARKER = "demo.seed"  # audit action written when a seed has finished
RANDOM_SEED = 20220105  # the day of Seri 1: the same demo every time
CHUNK = 5000
# Every bulk participant has an address at one of these (reserved, undeliverable) domains.
ASN_DOMAINS = ("example.go.id",) * 6 + ("example.com",) * 3 + ("example.id",)
NON_ASN_DOMAINS = ("example.com", "example.ac.id", "example.co.id")
DEMO_DOMAIN_LIKE = "%@example.%"

WIB = ZoneInfo("Asia/Jakarta")
SEASON_YEAR = 2022
SEASON_START = date(2022, 1, 5)  # the first Wednesday of 2022
SEASON_SKIPPED = frozenset({date(2022, 5, 4)})  # cuti bersama Idul Fitri 1443 H
EPISODE_START = (9, 0)  # 09.00 WIB
EPISODE_LENGTH = timedelta(minutes=150)  # until 11.30 WIB: 3 JP
EPISODE_JP = 3
PAST_THIS_YEAR = 4
UPCOMING = 6
LIMITED_CAPACITY = 40  # one upcoming workshop is small, so its waiting list shows
LIMITED_WAITLISTED = 5
# At scale, every fourth 2022 episode imported its Zoom webinar report and credited
# whoever entered both codes OR stayed 90 minutes on Zoom (the "either" rule).
ZOOM_EVERY = 4
ZOOM_MIN_MINUTES = 90


class Stopwatch:
    def __init__(self, echo: Callable[[str], object]) -> None:
        self.echo = echo
        self.started = self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        self.echo(f"  {what} ({now - self.last:.1f} s, {now - self.started:.1f} s total)")
        self.last = now


def chunks(rows: Sequence[dict], size: int = CHUNK) -> Iterator[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert_rows(model, rows: Sequence[dict]) -> None:
    table = model.__table__
    for chunk in chunks(rows):
        insert_many(db.session, table, chunk)


def wib(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


def zoom_episode(number: int) -> bool:
    return number % ZOOM_EVERY == 2


def refresh_statistics(*tables: str) -> None:
    """ANALYZE freshly bulk-loaded tables on PostgreSQL.

    Autovacuum notices a bulk load only after a while; until then the planner believes the
    tables are as small as before and picks nested loops over what are now 100,000 rows
    (a certificate query of finalize went from 0.1 s to 20 s that way).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(f'ANALYZE "{table}"'))


@contextmanager
def back_then(moment: datetime) -> Iterator[None]:
    """Run the enclosed services with "now" at ``moment`` (aware UTC): the demo replays the
    2022 season, where the scheduler finalized each episode 45 minutes after it ended, so
    verdicts, certificates, credits and audit events carry that time (the clock hook is
    ``timeutil._clock``, the one the tests use)."""
    previous = timeutil._clock
    timeutil._clock = lambda: moment
    try:
        yield
    finally:
        timeutil._clock = previous


def bulk_transaction_settings() -> None:
    """For this transaction on PostgreSQL: no JIT (compiling each big INSERT ... SELECT cost
    more than it saved) and no wait for the WAL flush at commit (a crash loses at most the
    episode being written, which a rerun writes again)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
