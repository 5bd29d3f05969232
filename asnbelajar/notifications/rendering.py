"""Emails rendered when they are sent, not when they are queued.

A registration (and a walk-in check-in, which registers) queues its confirmation in the
same transaction as the row, while it holds the episode's lock. Rendering the email and
its calendar file there cost about as much as everything else the request does (issue
13), and held every other registration of the episode waiting. Such an email is queued
with only a *template* name and a small JSON *context* (the registration's id); the
sender renders it just before it is sent (:func:`render_claimed`), stores subject, bodies
and attachments in the row (a retry sends the same message, the console shows it) and then
sends it like any other.

A domain module registers how to render its emails::

    @renderer("registration")
    def _render(context: dict) -> Rendered | None: ...

``None`` means the email no longer applies (the account was deleted); the row is then
marked failed with that reason, visible to organizers, and never sent.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select, update

from .. import direct, transactions
from ..database import insert_ignore
from ..extensions import db
from ..timeutil import now_utc, to_db
from .models import OutboxEmail

log = logging.getLogger("asnbelajar.outbox")
_table = OutboxEmail.__table__


@dataclass
class Rendered:
    subject: str
    body_text: str
    body_html: str | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


RENDERERS: dict[str, Callable[[dict[str, Any]], Rendered | None]] = {}


def renderer(name: str):
    """Register the function that renders emails queued with ``template=name``."""
    def decorator(fn: Callable[[dict[str, Any]], Rendered | None]):
        RENDERERS[name] = fn
        return fn
    return decorator


@cache
def _insert_statement(dialect: str):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once per dialect: this runs
    inside every registration while it holds the episode's lock."""
    return insert_ignore(_table).returning(_table.c.id)


def queue_rendered_later(dedupe_key: str, to_addr: str, template: str,
                         context: dict[str, Any]) -> bool:
    """Queue an email to be rendered by the sender (unless one with this key exists).
    Returns True if queued. Same transaction as the change that causes it."""
    if template not in RENDERERS:
        raise ValueError(f"no renderer for {template!r}")
    connection = transactions.connection()  # a Core statement: no ORM bookkeeping
    inserted = direct.first(connection, _insert_statement(connection.dialect.name), {
        **_queued_values(to_addr, template), "dedupe_key": dedupe_key[:200],
        "context": context})
    return inserted is not None


def _queued_values(to_addr: str, template: str) -> dict[str, Any]:
    """An email queued to be rendered later, but for its key and context."""
    from .services import retry_window  # services imports this module

    moment = now_utc()
    now = to_db(moment)
    return {"channel": "email", "to_addr": to_addr, "subject": "", "body_text": "",
            "body_html": None, "attachments": [], "template": template,
            "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
            "give_up_at": to_db(moment + retry_window())}


_QUEUED_COLUMNS = ("channel", "to_addr", "subject", "body_text", "body_html", "attachments",
                   "template", "status", "attempts", "next_attempt_at", "created_at",
                   "give_up_at")


def queue_rendered_later_from(rows, dedupe_key, context, *, to_addr=None):
    """PostgreSQL: the INSERT ... SELECT that queues, for each row of ``rows`` (a CTE of
    the same statement, e.g. a registration's INSERT ... RETURNING), the email
    :func:`queue_rendered_later` would queue; ``dedupe_key`` and ``context`` (and
    ``to_addr``, when given) are SQL expressions over ``rows``, the rest bound by
    :func:`queued_params`. One statement with the change that causes it; built once,
    bound per use."""
    from sqlalchemy import bindparam
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    given = {} if to_addr is None else {"to_addr": to_addr}
    source = select(dedupe_key, context,
                    *[given.get(name, bindparam(f"mail_{name}", type_=_table.c[name].type))
                      for name in _QUEUED_COLUMNS]).select_from(rows)
    return (pg_insert(_table).from_select(["dedupe_key", "context", *_QUEUED_COLUMNS], source)
            .on_conflict_do_nothing())


def queued_params(to_addr: str, template: str) -> dict[str, Any]:
    """The values :func:`queue_rendered_later_from` binds."""
    if template not in RENDERERS:
        raise ValueError(f"no renderer for {template!r}")
    return {f"mail_{name}": value for name, value in _queued_values(to_addr, template).items()}


def render_claimed(ids: list[int], holder: str) -> list[int]:
    """Render the not yet rendered rows among those ``holder`` claimed; commits. Returns
    the ids that could not be rendered (marked failed, not to be sent)."""
    return _render(_unrendered().where(_table.c.id.in_(ids), _table.c.claimed_by == holder))


def render_pending(limit: int = 1000) -> list[int]:
    """Render pending rows now, without sending them (the organizers' outbox page shows
    them, tests read them); commits. Returns the ids that could not be rendered."""
    return _render(_unrendered().where(_table.c.status == "pending")
                   .order_by(_table.c.id).limit(limit))


def _unrendered():
    return (select(_table.c.id, _table.c.template, _table.c.context)
            .where(_table.c.template.is_not(None), _table.c.body_text == "",
                   # WhatsApp rows name Meta's template: Meta renders those.
                   _table.c.channel == "email"))


def _render(query) -> list[int]:
    rows = db.session.execute(query).all()
    failed: list[int] = []
    for row in rows:
        fn = RENDERERS.get(row.template)
        reason = None
        rendered = None
        if fn is None:
            reason = f"Tidak ada penyusun untuk templat {row.template!r}."
        else:
            try:
                rendered = fn(dict(row.context or {}))
            except Exception as err:  # noqa: BLE001 - recorded on the row, never lost
                log.exception("rendering outbox email %s failed", row.id)
                db.session.rollback()
                reason = f"Email tidak dapat disusun: {type(err).__name__}"
            if rendered is None and reason is None:
                reason = "Email tidak berlaku lagi (data penerima sudah dihapus)."
        if reason is not None:
            db.session.execute(update(_table).where(_table.c.id == row.id)
                               .values(status="failed", last_error=reason,
                                       claimed_by=None, claimed_at=None))
            failed.append(row.id)
        else:
            files = [{"filename": fn_, "content_type": ct,
                      "data": base64.b64encode(data).decode()}
                     for fn_, ct, data in rendered.attachments]
            db.session.execute(update(_table).where(_table.c.id == row.id).values(
                subject=rendered.subject[:300], body_text=rendered.body_text,
                body_html=rendered.body_html, attachments=files))
        db.session.commit()
    return failed
