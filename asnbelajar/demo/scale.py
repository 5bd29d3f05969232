"""The 2022 season at the size the series really had (``seed-demo --registrations N``).

The real series reported 46 episodes and 457,300 participants in 2022, with more than
7,700 people in one episode. This module spreads exactly N active registrations over the
demo's 46 episodes in that shape:

* episode sizes follow :data:`SEASON_SHAPE` (a few large episodes, most between 5,000 and
  12,000 registrations, interest growing through the year, holiday weeks smaller), scaled to
  N with largest remainders so they add up to N exactly;
* people repeat: each participant has an appetite (how many episodes they sign up for)
  drawn from :data:`APPETITE` — most ASN come several times, a devoted minority comes to
  more than a dozen episodes and reaches 20 JP, many never do;
* who signs up for which episode is drawn in proportion to the room an episode has left,
  people with the largest appetite first, so every episode ends at its size;
* registrations arrive over the two weeks before an episode with a weekday pattern (office
  hours on working days, quiet weekends, a rush on the last two days);
* check-in codes for everyone, and for a quarter of the episodes a Zoom report (merged
  connection intervals, rejoins included) under the rule "codes or at least 90 minutes";
* about a third of those who attended fill in the evaluation;
* credits and certificates come from the real ``finalize_episode``, one transaction per
  episode, so a crash leaves whole episodes and a rerun continues where it stopped.

Everything is generated from fixed random seeds: two runs with the same N produce the
same people and the same registrations.
"""

from __future__ import annotations

import bisect
import heapq
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ..attendance.models import AttendanceImport, AttendanceInterval, CheckIn
from ..attendance.services import finalize_episode
from ..episodes.models import Episode
from ..evaluations.models import Evaluation
from ..extensions import db
from ..registrations.models import Registration
from ..util.bulk import insert_many
from .activity import evaluation_rows
from .common import (
    CHUNK,
    RANDOM_SEED,
    ZOOM_MIN_MINUTES,
    back_then,
    bulk_transaction_settings,
    refresh_statistics,
)
from .content import DEMO_PARTICIPANT_PARTIAL, DEMO_PARTICIPANT_SEASON
from .logins import DemoAccounts
from .season import SeededEpisode, publish_backdated

# The size the series reported for 2022 (issue: "46 episodes, 457,300 participants").
REAL_SEASON_REGISTRATIONS = 457_300

# Relative size of each 2022 episode, Seri 1..46, in registrations at the real scale
# (they add up to 457,300; a smaller or larger N scales them all). Seri 1 opened the year
# on BerAKHLAK, Seri 32 ("Smart ASN") and Seri 43 (the new PNS discipline regulation) drew
# the largest rooms; Seri 18 came the week after the Idul Fitri leave and Seri 46, the
# closing reflection, drew a small room.
SEASON_SHAPE: tuple[int, ...] = (
    16_900, 7_400, 8_100, 6_900, 7_300, 9_200, 7_800, 9_600, 8_300, 9_900,  # 1-10
    8_800, 7_600, 9_100, 10_400, 9_400, 8_200, 10_100, 4_300, 8_700, 9_500,  # 11-20
    10_800, 9_700, 9_000, 8_600, 10_900, 5_400, 9_800, 11_200, 10_200, 9_900,  # 21-30
    11_500, 15_800, 10_300, 11_100, 10_700, 9_300, 11_800, 10_600, 9_800, 11_400,  # 31-40
    10_500, 11_900, 18_400, 10_100, 9_600, 4_400,  # 41-46
)
# How many 2022 episodes a participant signs up for: (episodes, share of participants).
APPETITE: tuple[tuple[int, float], ...] = (
    (1, 0.20), (2, 0.17), (3, 0.14), (4, 0.11), (5, 0.09), (6, 0.07), (7, 0.05),
    (8, 0.04), (9, 0.03), (10, 0.025), (12, 0.025), (14, 0.02), (17, 0.015), (20, 0.01),
    (24, 0.007), (30, 0.003),
)
CANCELLED_SHARE = 0.015  # signed up and cancelled: not active, not counted in N
# Registrations per hour of day (WIB) and per weekday (Monday first).
HOUR_WEIGHT = (1, 1, 1, 1, 2, 4, 7, 12, 18, 20, 19, 16, 11, 15, 17, 15, 12, 9, 8, 9, 10, 8,
               5, 2)
WEEKDAY_WEIGHT = (1.0, 1.05, 1.1, 1.0, 0.85, 0.3, 0.25)
WINDOW_DAYS = 14
SEASON_TABLES = ("registration", "check_in", "attendance_interval", "attendance_verdict",
                 "evaluation", "certificate", "ledger_entry")
# The tables finalize's queries join: the ones whose statistics change its plans.
PLANNED_TABLES = ("registration", "check_in", "attendance_verdict", "certificate",
                  "ledger_entry")


def episode_sizes(total: int) -> list[int]:
    """Registrations per episode (Seri 1..46), adding up to ``total`` exactly."""
    weight = sum(SEASON_SHAPE)
    raw = [total * w / weight for w in SEASON_SHAPE]
    sizes = [int(x) for x in raw]
    # Largest remainders get the leftover units; ties go to the earlier episode.
    order = sorted(range(len(raw)), key=lambda i: (sizes[i] - raw[i], i))
    for i in order[:total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def appetites(total: int, rng: random.Random) -> list[int]:
    """Episodes per person, largest first, adding up to ``total`` (at most 46 each)."""
    counts, shares = zip(*APPETITE, strict=True)
    out: list[int] = []
    left = total
    while left > 0:
        k = min(rng.choices(counts, shares)[0], left)
        out.append(k)
        left -= k
    out.sort(reverse=True)
    return out


def assign(sizes: Sequence[int], wants: Sequence[int], rng: random.Random,
           ) -> tuple[list[list[int]], int]:
    """Who goes where: person index lists per episode, and the number of people.

    Each person (largest appetite first) takes distinct episodes drawn in proportion to
    their room left (Efraimidis-Spirakis keys), so the rooms empty together and the last
    people, who want one episode each, fill exactly what is left. A person who finds fewer
    open episodes than wanted takes what there is; anything still open at the end goes to
    one-episode newcomers.
    """
    room = list(sizes)
    open_ = [i for i, r in enumerate(room) if r > 0]
    members: list[list[int]] = [[] for _ in sizes]
    person = 0
    for want in wants:
        if not open_:
            break
        k = min(want, len(open_))
        if k == 1:
            # One draw weighted by room: a cumulative table is cheaper than 46 keys.
            cumulative, acc = [], 0
            for i in open_:
                acc += room[i]
                cumulative.append(acc)
            picks = [open_[bisect.bisect_right(cumulative, rng.random() * acc)]]
        else:
            rand = rng.random
            picks = heapq.nlargest(k, open_, key=lambda i: rand() ** (1.0 / room[i]))
        for i in picks:
            members[i].append(person)
            room[i] -= 1
        if any(room[i] == 0 for i in picks):
            open_ = [i for i in open_ if room[i] > 0]
        person += 1
    for i in open_:  # only when appetites ran out before the rooms did
        for _ in range(room[i]):
            members[i].append(person)
            person += 1
    return members, person


@dataclass
class ScalePlan:
    """The whole season decided up front (plain lists of ints: ~40 MB at 457,300)."""

    sizes: list[int]  # registrations per Seri, the demo participant's included
    members: list[list[int]]  # person indexes per Seri (demo participant not included)
    people: int
    wants: list[int]  # appetite per person index


def plan_season(total: int) -> ScalePlan:
    rng = random.Random(RANDOM_SEED * 31 + total)
    sizes = episode_sizes(total)
    demo_in = set(DEMO_PARTICIPANT_SEASON) | {DEMO_PARTICIPANT_PARTIAL}
    # The demo participant takes one place in each of their episodes.
    others = [max(0, s - (1 if n in demo_in and s > 0 else 0))
              for n, s in enumerate(sizes, start=1)]
    wants = appetites(sum(others), rng)
    members, people = assign(others, wants, rng)
    wants = wants[:people] + [1] * max(0, people - len(wants))
    return ScalePlan(sizes=sizes, members=members, people=people, wants=wants)


class _Arrivals:
    """Registration times over the two weeks before an episode, with a weekday pattern."""

    def __init__(self, starts_at: datetime) -> None:  # naive UTC, as stored
        self.origin = starts_at - timedelta(days=WINDOW_DAYS)
        self.limit = starts_at - timedelta(seconds=1)
        self.cumulative: list[float] = []
        acc = 0.0
        for hour in range(WINDOW_DAYS * 24):
            moment = self.origin + timedelta(hours=hour)
            local = moment + timedelta(hours=7)  # WIB has no daylight saving time
            days_left = (starts_at - moment).total_seconds() / 86400
            rush = 3.0 if days_left <= 1 else 1.8 if days_left <= 2 else 1.0
            acc += WEEKDAY_WEIGHT[local.weekday()] * HOUR_WEIGHT[local.hour] * rush
            self.cumulative.append(acc)
        self.total = acc

    def draw(self, rng: random.Random) -> datetime:
        hour = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        stamp = self.origin + timedelta(hours=hour, seconds=3600 * rng.random())
        return min(stamp, self.limit)


@dataclass
class _Built:
    registrations: list[dict]
    check_ins: list[dict]
    intervals: list[dict]
    attended: list[int]  # by checkpoints or minutes: who can fill in the evaluation
    connections: int  # Zoom connection rows (one per join)


def _build_episode(item: SeededEpisode, users: list[int], reliability: dict[int, float],
                   everyone: Sequence[int], rng: random.Random) -> _Built:
    """Rows for one episode; ``users`` already includes the demo participant if any."""
    plan = item.plan
    arrivals = _Arrivals(item.starts_at)
    # Larger rooms draw more casual sign-ups: a lower share shows up.
    show = rng.uniform(0.46, 0.58) - 0.04 * (len(users) > 12_000)
    zoom = plan.attendance_rule == "either"
    (first_id, first_opens, _), (last_id, last_opens, _) = item.checkpoints[:2]
    regs, checks, spans, attended = [], [], [], []
    connections = 0
    taken = set(users)
    for uid in users:
        stamp = arrivals.draw(rng)
        regs.append({"episode_id": item.id, "user_id": uid, "status": "registered",
                     "source": "web", "created_at": stamp, "queued_at": stamp,
                     "cancelled_at": None})
        roll = rng.random() / reliability.get(uid, 1.0)
        both = roll < show
        early_only = not both and roll < show + 0.12
        late_only = not both and not early_only and roll < show + 0.16
        if both or early_only:
            checks.append({"checkpoint_id": first_id, "episode_id": item.id, "user_id": uid,
                           "ip": None, "created_at": first_opens
                           + timedelta(seconds=900 * rng.random() ** 2)})
        if both or late_only:
            checks.append({"checkpoint_id": last_id, "episode_id": item.id, "user_id": uid,
                           "ip": None, "created_at": last_opens
                           + timedelta(seconds=1500 * rng.random() ** 2)})
        minutes = 0
        if zoom and (both or early_only) and rng.random() < 0.55:
            # On Zoom rather than YouTube: those who stayed have 95-150 minutes, some who
            # forgot the closing code stayed all the same (the "either" rule credits them).
            stayed = both or rng.random() < 0.4
            minutes = rng.randint(95, 150) if stayed else rng.randint(15, 80)
            joined = item.starts_at + timedelta(minutes=rng.randint(0, 150 - minutes))
            pieces = 1 if rng.random() < 0.75 else rng.randint(2, 3)
            cut = sorted(rng.sample(range(1, minutes), pieces - 1)) if pieces > 1 else []
            edges = [0, *cut, minutes]
            for a, b in zip(edges, edges[1:], strict=False):
                gap = 1 if a else 0  # a dropped connection costs about a minute
                start = joined + timedelta(minutes=a + gap)
                end = joined + timedelta(minutes=b)
                if end > start:
                    spans.append({"episode_id": item.id, "user_id": uid, "joined_at": start,
                                  "left_at": end,
                                  "seconds": int((end - start).total_seconds())})
                    connections += 1
        if both or minutes >= ZOOM_MIN_MINUTES:
            attended.append(uid)
    # A few more signed up and cancelled: in the table, not in the count of N.
    for _ in range(int(len(users) * CANCELLED_SHARE + rng.random())):
        uid = everyone[rng.randrange(len(everyone))]
        if uid in taken:
            continue
        taken.add(uid)
        stamp = arrivals.draw(rng)
        regs.append({"episode_id": item.id, "user_id": uid, "status": "cancelled",
                     "source": "web", "created_at": stamp, "queued_at": stamp,
                     "cancelled_at": min(stamp + timedelta(hours=rng.randint(1, 96)),
                                         item.starts_at)})
    return _Built(regs, checks, spans, attended, connections)


def _insert_chunks(model, rows: list[dict], advance: Callable[[int], object] | None = None,
                   ) -> None:
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        insert_many(db.session, table, chunk)
        if advance is not None:
            advance(sum(1 for r in chunk if r.get("status") == "registered"))


def season_registrations(season_ids: Sequence[int]) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.episode_id.in_(season_ids), Registration.status == "registered")
    ) or 0


def seed_season_at_scale(season: Sequence[SeededEpisode], plan: ScalePlan,
                         person_ids: Sequence[int], demo: DemoAccounts,
                         advance: Callable[[int], object]) -> None:
    """Register, check in, evaluate and finalize every 2022 episode of ``season``.

    ``person_ids[i]`` is the user id of person ``i`` of the plan. An episode already
    finalized is skipped (its registrations are counted as done).
    """
    reliability = {person_ids[i]: 0.85 + 0.03 * min(want, 10)
                   for i, want in enumerate(plan.wants)}
    demo_full = set(DEMO_PARTICIPANT_SEASON)
    done = 0
    for item in season:
        number = item.plan.number
        episode = db.session.get(Episode, item.id)
        if episode.finalized_at is not None:
            advance(plan.sizes[number - 1])
            continue
        bulk_transaction_settings()
        rng = random.Random(RANDOM_SEED * 131 + number * 7919 + plan.sizes[number - 1])
        users = [person_ids[i] for i in plan.members[number - 1]]
        with_demo = number in demo_full or number == DEMO_PARTICIPANT_PARTIAL
        with_demo = with_demo and plan.sizes[number - 1] > 0
        rng.shuffle(users)
        built = _build_episode(item, users, reliability, person_ids, rng)
        if with_demo:
            _add_demo_participant(built, item, demo.participant_id,
                                  full=number in demo_full)
        if not _has_rows(item.id):
            _insert_chunks(Registration, built.registrations, advance)
            _insert_chunks(CheckIn, built.check_ins)
            if built.intervals:
                record = AttendanceImport(
                    episode_id=item.id, filename=f"zoom_webinar_seri_{number:02d}_2022.csv",
                    kind="webinar", rows=built.connections + 3, matched=built.connections,
                    unmatched=[{"line": 2, "name": "BPSDM Operator", "email": None,
                                "reason": "host/panelis, bukan peserta"},
                               {"line": 5, "name": "iPhone", "email": None,
                                "reason": "tanpa email (tamu)"},
                               {"line": 9, "name": "Ruang Rapat Bappeda", "email": None,
                                "reason": "tanpa email (tamu)"}],
                    uploaded_by=demo.organizer_id, created_at=item.ends_at + timedelta(minutes=20))
                db.session.add(record)
                db.session.flush()
                for row in built.intervals:
                    row["import_id"] = record.id
                _insert_chunks(AttendanceInterval, built.intervals)
            _insert_chunks(Evaluation, evaluation_rows(item, built.attended, rng))
        else:
            advance(plan.sizes[number - 1])
        if episode.status == "draft":
            publish_backdated(episode, demo.organizer_id)
            db.session.flush()
        issued = item.ends_at.replace(tzinfo=UTC) + timedelta(minutes=45)
        with back_then(issued):
            finalize_episode(item.id, actor_id=demo.organizer_id, force=False, notify=False)
        done += 1
        if done in (1, 3, 9, 27):  # the tables grew threefold: plans need new statistics
            refresh_statistics(*PLANNED_TABLES)
        db.session.commit()


def _add_demo_participant(built: _Built, item: SeededEpisode, user_id: int, *,
                          full: bool) -> None:
    """The demo participant's fixed story: both codes, or (Seri 41) no closing code."""
    (first_id, first_opens, _), (last_id, last_opens, _) = item.checkpoints[:2]
    stamp = item.starts_at - timedelta(days=3, hours=2)
    built.registrations.append({"episode_id": item.id, "user_id": user_id,
                                "status": "registered", "source": "web", "created_at": stamp,
                                "queued_at": stamp, "cancelled_at": None})
    built.check_ins.append({"checkpoint_id": first_id, "episode_id": item.id,
                            "user_id": user_id, "ip": None,
                            "created_at": first_opens + timedelta(minutes=3)})
    if full:
        built.check_ins.append({"checkpoint_id": last_id, "episode_id": item.id,
                                "user_id": user_id, "ip": None,
                                "created_at": last_opens + timedelta(minutes=4)})
        built.attended.append(user_id)


def _has_rows(episode_id: int) -> bool:
    return db.session.scalar(
        select(Registration.id).where(Registration.episode_id == episode_id).limit(1)
    ) is not None
