"""Reports: training rate per agency and year, episode statistics."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Integer, case, cast, func, select, union

from ..accounts.models import Instansi, ParticipantProfile
from ..episodes.models import Episode
from ..extensions import db
from ..ledger.models import LedgerEntry
from ..registrations.models import Registration


def training_rate(year: int) -> list[dict[str, Any]]:
    """Per agency: ASN who took part this year, how many reached the JP target with
    hours from this platform, and the rate (also against the declared headcount)."""
    target = int(current_app.config["JP_TARGET"])
    active = union(
        select(Registration.user_id.label("user_id"))
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Episode.year == year, Registration.status == "registered"),
        select(LedgerEntry.user_id.label("user_id")).where(LedgerEntry.year == year),
    ).subquery()
    totals = (
        select(LedgerEntry.user_id.label("user_id"), func.sum(LedgerEntry.jp).label("jp"))
        .where(LedgerEntry.year == year).group_by(LedgerEntry.user_id).subquery()
    )
    reached = func.sum(case((func.coalesce(totals.c.jp, 0) >= target, 1), else_=0))
    rows = db.session.execute(
        select(Instansi.name, Instansi.headcount, func.count().label("participants"),
               cast(reached, Integer).label("reached"))
        .select_from(ParticipantProfile)
        .join(Instansi, Instansi.id == ParticipantProfile.instansi_id)
        .join(active, active.c.user_id == ParticipantProfile.user_id)
        .outerjoin(totals, totals.c.user_id == ParticipantProfile.user_id)
        # Anonymized ASN still count: the agency's history must not change when a person
        # exercises the right to deletion (only their identity is gone).
        .where(ParticipantProfile.employee_type.in_(("pns", "pppk")))
        .group_by(Instansi.id, Instansi.name, Instansi.headcount)
        .order_by(Instansi.name)
    ).all()
    result = []
    for name, headcount, participants, reached_count in rows:
        reached_count = int(reached_count or 0)
        result.append({
            "instansi": name, "participants": participants, "reached_target": reached_count,
            "rate": round(reached_count / participants, 4) if participants else 0.0,
            "headcount": headcount,
            "headcount_rate": round(reached_count / headcount, 4) if headcount else None,
        })
    return result
