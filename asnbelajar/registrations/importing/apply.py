"""Applying an import: all rows or none, under the episode lock, in set-based inserts,
then the invitations and confirmations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ...accounts.models import Instansi, ParticipantProfile, User
from ...accounts.reference import name_key
from ...accounts.services import find_or_create_instansi, make_reset_token
from ...audit.services import record_event
from ...episodes.calendar import ics_attachment
from ...episodes.models import Episode
from ...errors import Conflict
from ...extensions import db
from ...notifications.services import queue_email, render_email
from ...timeutil import now_utc, to_db
from ...util.urls import external_url
from ..models import Registration
from ..services import lock_episode, waitlist_positions
from .preview import check_importable, plan_import
from .rows import NEW, REGISTER, UNCHANGED, ImportRejected, ImportResult, ImportRow, chunks


@dataclass
class _Invitee:
    """What the invitation email and the reset token need of a new account."""

    id: int
    email: str
    full_name: str
    password_hash: str | None = None


def _instansi_ids(names: set[str]) -> dict[str, tuple[int, str]]:
    """name_key → (id, reference spelling), creating agencies not yet known."""
    keys = {name_key(n): n for n in names}
    found: dict[str, tuple[int, str]] = {}
    for part in chunks(sorted(keys)):
        for id_, key, name in db.session.execute(
                select(Instansi.id, Instansi.name_key, Instansi.name)
                .where(Instansi.name_key.in_(part))):
            found[key] = (id_, name)
    for key, name in keys.items():
        if key not in found:
            instansi = find_or_create_instansi(name)
            db.session.flush()
            found[key] = (instansi.id, instansi.name)
    return found


def apply_import(episode_id: int, data: bytes, filename: str, actor_id: int | None,
                 *, ip: str | None = None) -> ImportResult:
    """Apply the whole file or nothing (the caller commits; raises ImportRejected)."""
    episode = lock_episode(episode_id)
    check_importable(episode)
    plan = plan_import(episode, data, filename)
    if plan.has_errors:
        raise ImportRejected(plan)
    now = to_db(now_utc())
    todo = [row for row in plan.rows if row.action in (NEW, REGISTER)]
    new_rows = [row for row in todo if row.action == NEW]

    invitees: dict[int, _Invitee] = {}
    if new_rows:
        agencies = _instansi_ids({row.values["instansi"] for row in new_rows})
        try:
            created = db.session.execute(
                insert(User).returning(User.id, User.email, sort_by_parameter_order=True),
                [{"email": row.email, "full_name": row.values["full_name"],
                  "role": "participant", "password_hash": None, "active": True,
                  "locale": "id", "timezone": "Asia/Jakarta", "created_at": now}
                 for row in new_rows],
            ).all()
        except IntegrityError:
            raise Conflict(_l("Sebagian email baru saja didaftarkan orang lain. Unggah ulang "
                              "berkas untuk melihat pratinjau terbaru."),
                           code="import_race") from None
        for row, (user_id, email) in zip(new_rows, created, strict=True):
            row.user_id = user_id
            invitees[user_id] = _Invitee(user_id, email, row.values["full_name"])
        profiles = []
        for row in new_rows:
            agency_id, agency_name = agencies[name_key(row.values["instansi"])]
            profiles.append({**row.profile, "user_id": row.user_id, "instansi_id": agency_id,
                             "instansi_name": agency_name, "anonymized": False,
                             "updated_at": now})
        try:
            db.session.execute(insert(ParticipantProfile), profiles)
        except IntegrityError:
            raise Conflict(_l("Sebagian NIP baru saja didaftarkan orang lain. Unggah ulang "
                              "berkas untuk melihat pratinjau terbaru."),
                           code="import_race") from None

    # Queue order follows the file: each row one microsecond after the previous one.
    stamps = {row.line: now + timedelta(microseconds=index) for index, row in enumerate(todo)}
    inserts = [row for row in todo if row.registration_id is None]
    revived = [row for row in todo if row.registration_id is not None]
    if inserts:
        made = db.session.execute(
            insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
            [{"episode_id": episode.id, "user_id": row.user_id, "status": row.outcome,
              "source": "import", "created_at": stamps[row.line],
              "queued_at": stamps[row.line]} for row in inserts],
        ).scalars().all()
        for row, reg_id in zip(inserts, made, strict=True):
            row.registration_id = reg_id
    if revived:
        db.session.execute(update(Registration), [
            {"id": row.registration_id, "status": row.outcome, "source": "import",
             "queued_at": stamps[row.line], "cancelled_at": None} for row in revived])

    _notify(episode, todo, invitees, stamps)
    result = ImportResult(rows=len(plan.rows), accounts_created=len(new_rows),
                          registered=sum(1 for r in todo if r.outcome == "registered"),
                          waitlisted=sum(1 for r in todo if r.outcome == "waitlisted"),
                          unchanged=plan.count(UNCHANGED))
    record_event(actor_id, "registrants.import", "episode", episode.id, after={
        "file": filename, "sha256": hashlib.sha256(data).hexdigest(), "rows": result.rows,
        "accounts_created": result.accounts_created, "registered": result.registered,
        "waitlisted": result.waitlisted, "unchanged": result.unchanged}, ip=ip)
    db.session.flush()
    return result


def _notify(episode: Episode, rows: list[ImportRow], invitees: dict[int, _Invitee],
            stamps: dict) -> None:
    """Invitations for new accounts (set a password), confirmations for the others.

    Dedupe keys follow :func:`~asnbelajar.registrations.services.register`'s, so nobody
    gets the same confirmation twice.
    """
    config = current_app.config
    minutes = int(config["PASSWORD_RESET_MAX_AGE"]) // 60
    ics = ics_attachment(episode)
    waiting = [row.registration_id for row in rows if row.outcome == "waitlisted"]
    positions = waitlist_positions([episode.id], waiting) if waiting else {}
    users: dict[int, _Invitee] = {}
    others = [row.user_id for row in rows if row.user_id not in invitees]
    for part in chunks(others):
        for user_id, email, full_name in db.session.execute(
                select(User.id, User.email, User.full_name).where(User.id.in_(part))):
            users[user_id] = _Invitee(user_id, email, full_name)
    for row in rows:
        position = positions.get(row.registration_id)
        attachments = [ics] if row.outcome == "registered" else []
        if row.user_id in invitees:
            user = invitees[row.user_id]
            link = external_url("accounts.reset", token=make_reset_token(user))
            subject, text, html = render_email(
                "account_invited", user=user, episode=episode, link=link, minutes=minutes,
                status=row.outcome, position=position,
                forgot_url=external_url("accounts.forgot"))
            queue_email(f"account_invited:{user.id}:{episode.id}", user.email, subject, text,
                        html, attachments)
            continue
        user = users[row.user_id]
        template = ("registration_confirmed" if row.outcome == "registered"
                    else "registration_waitlisted")
        subject, text, html = render_email(template, user=user, episode=episode,
                                           position=position)
        queue_email(f"{template}:{row.registration_id}:{stamps[row.line].isoformat()}",
                    user.email, subject, text, html, attachments)
