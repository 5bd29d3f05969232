"""Agency names typed outside the reference list, and mapping them onto a reference agency.

A participant whose agency is not in the list keeps it as typed (``find_or_create_instansi``
files it under an unreviewed ``instansi`` row, or none for older data). Reports count
credits per ``instansi_id``, so until an organizer maps the name those participants count
toward an agency of their own spelling. Everything here is set-based: the list groups
the names in SQL (one page of groups at a time), the mapping is one UPDATE for every
participant with that name, whatever their number.

Names are grouped case- and space-insensitively (the same key as
:func:`~asnbelajar.accounts.reference.name_key`, computed in SQL). The closest reference
agency is suggested by trigram similarity: PostgreSQL's ``pg_trgm`` where installed,
else the same measure in Python over the reference list for the page's groups only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, column, desc, func, or_, select, text, true, update, values
from sqlalchemy.sql import ColumnElement

from ..audit.services import record_event
from ..database import is_postgres
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..timeutil import utcnow
from ..util.sql import Page, match_words, search_words
from .models import Instansi, ParticipantProfile
from .reference import search_instansi

# Below this a "closest" agency is noise (pg_trgm's own default threshold).
MIN_SIMILARITY = 0.3
KEY_MAX = 200


@dataclass
class UnlistedAgency:
    """One typed name (all its spellings), its participants and the closest reference
    agency, if one is close enough."""

    key: str
    name: str  # one spelling as typed
    participants: int
    spellings: int
    provinces: list[tuple[str | None, int]] = field(default_factory=list)
    suggestion: tuple[int, str, float] | None = None  # (id, name, similarity 0-1)


def typed_key(column_: Any) -> ColumnElement[str]:
    """SQL for the case- and space-insensitive key of a typed name."""
    if is_postgres():
        return func.lower(func.regexp_replace(func.btrim(column_), r"\s+", " ", "g"))
    expr = func.trim(column_)
    for _ in range(3):  # names are stored collapsed; older rows may hold a few doubles
        expr = func.replace(expr, "  ", " ")
    return func.lower(expr)


def _unlisted(key: str | None = None) -> ColumnElement[bool]:
    """Profiles whose agency is no reference agency (none at all, or an unreviewed one),
    with the typed name ``key`` when given."""
    unreviewed = select(Instansi.id).where(Instansi.is_reference.is_(False))
    condition = and_(ParticipantProfile.instansi_name.is_not(None),
                     or_(ParticipantProfile.instansi_id.is_(None),
                         ParticipantProfile.instansi_id.in_(unreviewed)))
    if key is not None:
        condition = and_(condition, typed_key(ParticipantProfile.instansi_name) == key)
    return condition


def _unlisted_rows(query: str | None = None, key: str | None = None):
    keyed = typed_key(ParticipantProfile.instansi_name)
    stmt = (select(keyed.label("key"), ParticipantProfile.instansi_name.label("name"),
                   ParticipantProfile.province.label("province"))
            .where(_unlisted(key)))
    condition = match_words(search_words(query), keyed, lowered=True)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.subquery("typed")


def unlisted_agencies(query: str | None = None, *, page: int = 1,
                      per_page: int = 25) -> Page:
    """Typed agency names, most participants first, with their provinces and the closest
    reference agency. Three queries whatever the number of participants: the page of
    groups with the total, the provinces of those groups, the suggestions."""
    page = max(page, 1)
    rows = _unlisted_rows(query)
    groups = (select(rows.c.key, func.min(rows.c.name).label("name"),
                     func.count().label("participants"),
                     func.count(rows.c.name.distinct()).label("spellings"))
              .group_by(rows.c.key).subquery("groups"))
    total = select(func.count()).select_from(groups).scalar_subquery()
    found = db.session.execute(
        select(groups, total.label("total"))
        .order_by(groups.c.participants.desc(), groups.c.key)
        .limit(per_page).offset((page - 1) * per_page)).all()
    count = found[0].total if found else 0
    if not found and page > 1:
        count = db.session.scalar(select(func.count()).select_from(groups)) or 0
    items = [UnlistedAgency(key=r.key, name=r.name, participants=r.participants,
                            spellings=r.spellings) for r in found]
    _add_details(items, rows)
    suggestions = closest_agencies([item.key for item in items])
    for item in items:
        best = suggestions.get(item.key)
        item.suggestion = best[0] if best else None
    return Page(items=items, page=page, per_page=per_page, total=count)


def unlisted_agency(key: str) -> UnlistedAgency:
    """One typed name by its key; NotFound when no participant has it (any more)."""
    key = " ".join((key or "").split()).lower()[:KEY_MAX]
    rows = _unlisted_rows(key=key) if key else None
    found = db.session.execute(
        select(func.min(rows.c.name), func.count(), func.count(rows.c.name.distinct()))
    ).one() if rows is not None else (None, 0, 0)
    if not found[1]:
        raise NotFound(_l("Tidak ada peserta dengan nama instansi ini di luar daftar "
                          "referensi; mungkin sudah dipetakan."))
    item = UnlistedAgency(key=key, name=found[0], participants=found[1], spellings=found[2])
    _add_details([item], rows)
    return item


def _add_details(items: list[UnlistedAgency], rows) -> None:
    """Provinces (most participants first) and the most common spelling of each group,
    for the given groups only."""
    if not items:
        return
    by_key = {item.key: item for item in items}
    for key, province, n in db.session.execute(
            select(rows.c.key, rows.c.province, func.count())
            .where(rows.c.key.in_(list(by_key)))
            .group_by(rows.c.key, rows.c.province)
            .order_by(rows.c.key, func.count().desc(), rows.c.province)):
        by_key[key].provinces.append((province, n))
    seen: set[str] = set()
    for key, name in db.session.execute(
            select(rows.c.key, rows.c.name)
            .where(rows.c.key.in_(list(by_key)))
            .group_by(rows.c.key, rows.c.name)
            .order_by(rows.c.key, func.count().desc(), rows.c.name)):
        if key not in seen:
            seen.add(key)
            by_key[key].name = name


# Closest reference agency ----------------------------------------------------------------

def _trigram_sql() -> bool:
    """pg_trgm's similarity() is installed in this database."""
    return is_postgres() and bool(db.session.scalar(
        text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")))


@lru_cache(maxsize=8192)
def trigrams(text_: str) -> frozenset[str]:
    """pg_trgm's trigrams: each lower-cased word padded with two spaces before, one after."""
    grams: set[str] = set()
    for word in re.findall(r"\w+", text_.lower()):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)``: shared trigrams over all trigrams of both."""
    first, second = trigrams(a), trigrams(b)
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def closest_agencies(keys: list[str], limit: int = 1) -> dict[str, list[tuple[int, str, float]]]:
    """For each key, up to ``limit`` reference agencies at least ``MIN_SIMILARITY``
    alike, best first: ``{key: [(id, name, similarity), ...]}``."""
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return {}
    result: dict[str, list[tuple[int, str, float]]] = {k: [] for k in keys}
    if _trigram_sql():
        typed = values(column("key", String), name="typed").data([(k,) for k in keys])
        score = func.similarity(Instansi.name_key, typed.c.key)
        best = (select(Instansi.id, Instansi.name, score.label("score"))
                .where(Instansi.is_reference.is_(True), score >= MIN_SIMILARITY)
                .order_by(desc("score"), Instansi.name_key).limit(limit).lateral("best"))
        for key, id_, name, value in db.session.execute(
                select(typed.c.key, best.c.id, best.c.name, best.c.score)
                .select_from(typed.join(best, true()))
                .order_by(typed.c.key, best.c.score.desc(), best.c.name)):
            result[key].append((id_, name, float(value)))
        return result
    # SQLite, or PostgreSQL without pg_trgm: the same measure over the reference list
    # (a few hundred names) for this page's keys only.
    reference = db.session.execute(select(Instansi.id, Instansi.name, Instansi.name_key)
                                   .where(Instansi.is_reference.is_(True))).all()
    for key in keys:
        scored = sorted(((similarity(key, r.name_key), r.name_key, r.id, r.name)
                         for r in reference), key=lambda s: (-s[0], s[1]))
        result[key] = [(id_, name, score) for score, _k, id_, name in scored[:limit]
                       if score >= MIN_SIMILARITY]
    return result


def reference_choices(query: str | None, *, near: str | None = None,
                      limit: int = 8) -> list[tuple[int, str, float | None]]:
    """Reference agencies to map onto: those matching the organizer's ``query`` (the
    sign-up search), then those closest to the typed name ``near`` (with their
    similarity)."""
    choices: list[tuple[int, str, float | None]] = []
    names = search_instansi(query, limit=limit) if query else []
    if names:
        ids = dict(db.session.execute(select(Instansi.name, Instansi.id)
                                      .where(Instansi.name.in_(names))).all())
        choices.extend((ids[n], n, None) for n in names if n in ids)
    if near:
        seen = {c[0] for c in choices}
        choices.extend(c for c in closest_agencies([near], limit=5).get(near, [])
                       if c[0] not in seen)
    return choices


# Mapping ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mapping:
    typed: str
    instansi: Instansi
    participants: int


def map_unlisted_agency(key: str, instansi_id: Any, *, actor_id: int | None) -> Mapping:
    """File every participant whose typed agency has ``key`` under the reference agency
    ``instansi_id``, in one UPDATE (audited). Their profile then names the reference
    agency, so a later profile save keeps it and reports count their credits toward it.
    Raises ValidationError for an unknown or unreviewed agency id, NotFound when no
    participant has the name (any more); nothing changes then."""
    try:
        target_id = int(str(instansi_id).strip())
    except (TypeError, ValueError):
        target_id = None
    target = (db.session.get(Instansi, target_id)
              if target_id is not None and 0 < target_id < 2**31 else None)
    if target is None or not target.is_reference:
        raise ValidationError(_l("Instansi tujuan tidak ada dalam daftar referensi. Pilih "
                                 "salah satu instansi dari daftar."), field="instansi_id")
    typed = unlisted_agency(key)
    previous = [i for i in db.session.scalars(
        select(ParticipantProfile.instansi_id).where(_unlisted(typed.key))
        .group_by(ParticipantProfile.instansi_id).order_by(ParticipantProfile.instansi_id))
        if i is not None]
    updated = db.session.execute(
        update(ParticipantProfile).where(_unlisted(typed.key))
        .values(instansi_id=target.id, instansi_name=target.name, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    record_event(actor_id, "instansi.map", "instansi", target.id,
                 before={"instansi": typed.name, "key": typed.key, "instansi_ids": previous},
                 after={"instansi": target.name, "instansi_id": target.id,
                        "participants": updated})
    return Mapping(typed=typed.name, instansi=target, participants=updated)


__all__ = [
    "MIN_SIMILARITY",
    "Mapping",
    "UnlistedAgency",
    "closest_agencies",
    "map_unlisted_agency",
    "reference_choices",
    "similarity",
    "typed_key",
    "unlisted_agencies",
    "unlisted_agency",
]
