"""Registrations, check-ins, evaluations and finalize for the default (small) demo."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..attendance.models import CheckIn
from ..attendance.services import finalize_episode
from ..certificates.models import Certificate
from ..episodes.models import Episode
from ..evaluations.models import Evaluation
from ..extensions import db
from ..registrations.models import Registration
from ..registrations.services import register
from ..timeutil import now_utc, to_db
from .common import LIMITED_WAITLISTED, insert_rows
from .content import COMMENTS
from .logins import DemoAccounts
from .season import SeededEpisode, publish_backdated

# Registrations, attendance, finalize ----------------------------------------------------

# Who registers how often: (share of participants, at most this many people, how much more
# often than average they register). The devoted and keen core is what it is in a real
# series, a few hundred to a few thousand people, however many accounts there are.
TIERS = ((0.05, 300, 3.2), (0.15, 1500, 2.0), (0.35, None, 1.0), (0.45, None, 0.35))
# An episode draws at most ``fraction x AUDIENCE`` registrations (about 600-3,000): the
# core keeps its places, everyone else shares the rest. Seeds beyond ~12,000 participants
# add accounts, not rows per episode, which keeps a 100,000-person seed fast (the real
# series had ~457,000 participants and about one registration each).
AUDIENCE = 12_000
Tiers = list[tuple[list[int], float]]


def activity_tiers(people: list[int], rng: random.Random) -> Tiers:
    """Devoted, keen, regular and casual participants: some reach 20 JP, most do not."""
    shuffled = list(people)
    rng.shuffle(shuffled)
    n = len(shuffled)
    devoted, keen = (min(round(share * n), most) for share, most, _ in TIERS[:2])
    regular = round((n - devoted - keen) * TIERS[2][0] / (TIERS[2][0] + TIERS[3][0]))
    bounds = [0, devoted, devoted + keen, devoted + keen + regular, n]
    return [(sorted(shuffled[bounds[i]:bounds[i + 1]]), factor)
            for i, (_share, _most, factor) in enumerate(TIERS)]


def pick_registrants(tiers: Tiers, fraction: float, rng: random.Random) -> list[int]:
    wanted = [min(len(ids), int(len(ids) * min(0.95, fraction * factor) + rng.random()))
              for ids, factor in tiers]
    room = max(0, int(fraction * AUDIENCE) - wanted[0] - wanted[1])
    rest = sum(wanted[2:])
    if rest > room:
        wanted[2:] = [int(k * room / rest + rng.random()) for k in wanted[2:]]
    chosen: list[int] = []
    for (ids, _factor), k in zip(tiers, wanted, strict=True):
        chosen.extend(rng.sample(ids, min(k, len(ids))))
    rng.shuffle(chosen)
    return chosen


def has_registrations(episode_id: int) -> bool:
    return db.session.scalar(
        select(Registration.id).where(Registration.episode_id == episode_id).limit(1)
    ) is not None


def registration_rows(episode_id: int, users: Iterable[int], opens: datetime,
                       until: datetime, rng: random.Random) -> list[dict]:
    span = max((until - opens).total_seconds(), 60.0)
    rows = []
    for uid in users:
        stamp = opens + timedelta(seconds=span * rng.random())
        rows.append({"episode_id": episode_id, "user_id": uid, "status": "registered",
                     "source": "web", "created_at": stamp, "queued_at": stamp})
    return rows


def seed_past_episode(item: SeededEpisode, tiers: Tiers, demo: DemoAccounts,
                       rng: random.Random) -> None:
    plan = item.plan
    users = pick_registrants(tiers, plan.fraction, rng)
    if plan.capacity:
        users = users[:plan.capacity - (1 if plan.demo_participant else 0)]
    if plan.demo_participant:
        users.append(demo.participant_id)
    episode = db.session.get(Episode, item.id)
    if episode.finalized_at is not None:
        return
    # One transaction per episode: registrations, check-ins, publish, finalize.
    if not has_registrations(item.id):
        insert_rows(Registration, registration_rows(item.id, users, item.registration_opens_at,
                                                 item.starts_at, rng))
        (first_id, first_opens, _), (last_id, last_opens, _) = item.checkpoints[:2]
        check_ins, attended = [], []
        for uid in users:
            if uid == demo.participant_id:
                roll = 0.0 if plan.demo_participant == "full" else 0.85
            else:
                roll = rng.random()
            # 80 % enter both codes, 10 % only one of them, the rest none.
            both, early_only, late_only = roll < 0.80, 0.80 <= roll < 0.87, 0.87 <= roll < 0.90
            if both or early_only:
                check_ins.append({"checkpoint_id": first_id, "episode_id": item.id,
                                  "user_id": uid, "ip": None, "created_at": first_opens
                                  + timedelta(seconds=900 * rng.random() ** 2)})
            if both or late_only:
                check_ins.append({"checkpoint_id": last_id, "episode_id": item.id,
                                  "user_id": uid, "ip": None, "created_at": last_opens
                                  + timedelta(seconds=1500 * rng.random() ** 2)})
            if both:
                attended.append(uid)
        insert_rows(CheckIn, check_ins)
        insert_rows(Evaluation, evaluation_rows(item, attended, rng))
    if episode.status == "draft":
        publish_backdated(episode, demo.organizer_id)
        db.session.flush()
    before = to_db(now_utc())
    finalize_episode(item.id, actor_id=demo.organizer_id, force=False, notify=False)
    # The scheduler finalized the season back then: date the certificates accordingly.
    issued = item.ends_at + timedelta(minutes=45)
    db.session.execute(
        Certificate.__table__.update()
        .where(Certificate.episode_id == item.id, Certificate.kind == "participant",
               Certificate.issued_at >= before)
        .values(issued_at=issued)
    )
    episode.finalized_at = issued
    db.session.commit()


def evaluation_rows(item: SeededEpisode, attended: list[int], rng: random.Random) -> list[dict]:
    """About a third of those who attended fill in the (optional) evaluation."""
    rows = []
    for uid in attended:
        if rng.random() >= 0.35:
            continue
        base = rng.choices((5, 4, 3, 2), (40, 45, 12, 3))[0]
        material, speaker, organization, relevance = (
            max(1, min(5, base + rng.choice((0, 0, 0, 1, -1)))) for _ in range(4))
        rows.append({
            "episode_id": item.id, "user_id": uid, "score_material": material,
            "score_speaker": speaker, "score_organization": organization,
            "score_relevance": relevance,
            "comment": rng.choice(COMMENTS) if rng.random() < 0.2 else None,
            "created_at": item.ends_at + timedelta(minutes=rng.randint(5, 2880)),
        })
    return rows


def seed_upcoming_episode(item: SeededEpisode, tiers: Tiers, demo: DemoAccounts, rng: random.Random,
                           now: datetime) -> None:
    plan = item.plan
    users = pick_registrants(tiers, plan.fraction, rng)
    extra: list[int] = []
    if plan.capacity:
        # Fill the small room and queue a few more, however few participants there are.
        wanted = plan.capacity + LIMITED_WAITLISTED
        if len(users) < wanted:
            everyone = [uid for ids, _ in tiers for uid in ids]
            users = rng.sample(everyone, min(wanted, len(everyone)))
        users, extra = users[:plan.capacity], users[plan.capacity:wanted]
    elif plan.demo_participant:
        users.append(demo.participant_id)
    if has_registrations(item.id):
        return
    insert_rows(Registration, registration_rows(item.id, users, item.registration_opens_at,
                                             to_db(now), rng))
    if plan.capacity:
        # The room is full: these (and the demo participant) queue on the waiting list,
        # through the same service a participant's click goes through.
        for uid in [*extra, demo.participant_id]:
            register(item.id, db.session.get(User, uid))
