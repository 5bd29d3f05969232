"""Check-in checkpoints of an episode: add, edit, remove."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select

from ...attendance.models import CheckIn
from ...audit.services import record_event, snapshot
from ...database import is_postgres
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...timeutil import as_utc, to_db, to_local
from ..models import Checkpoint, Episode
from .episodes import _as_bool, _as_datetime, generate_code


def _checkpoint_values(episode: Episode, data: dict[str, Any],
                       current: Checkpoint | None = None) -> dict[str, Any]:
    """Validated label, window, code and flag for a checkpoint of ``episode``.

    Shared by add and edit so a window is judged the same way both times. When editing,
    keys missing from ``data`` keep the checkpoint's current value; an empty code (given
    explicitly) asks for a new random one.
    """
    others = [c for c in episode.checkpoints if c is not current]
    if current is not None:
        data = {"label": current.label, "opens_at": as_utc(current.opens_at),
                "closes_at": as_utc(current.closes_at), "code": current.code,
                "required": current.required, **data}
    label = " ".join(str(data.get("label") or "").split())[:60]
    if not label:
        raise ValidationError(_l("Label checkpoint wajib diisi (mis. awal, akhir)."),
                              field="label")
    opens = _as_datetime(data.get("opens_at"), "opens_at")
    closes = _as_datetime(data.get("closes_at"), "closes_at")
    if opens is None or closes is None:
        raise ValidationError(_l("Waktu buka dan tutup checkpoint wajib diisi."),
                              field="opens_at")
    if closes <= opens:
        raise ValidationError(_l("Checkpoint harus ditutup setelah dibuka."), field="closes_at")
    cfg = current_app.config
    early, late = int(cfg["CHECKPOINT_MAX_EARLY_MINUTES"]), int(cfg["CHECKPOINT_MAX_LATE_MINUTES"])
    earliest = episode.starts_at_utc - timedelta(minutes=early)
    latest = episode.ends_at_utc + timedelta(minutes=late)
    if closes > latest and (to_local(closes, episode.timezone).date()
                            != to_local(opens, episode.timezone).date()):
        # The console reads "09.00-08.30" as a window past midnight; when that runs past
        # the episode, the person typed a closing time before the opening time.
        raise ValidationError(
            _l("Jam tutup checkpoint lebih awal dari jam bukanya: checkpoint harus ditutup "
               "setelah dibuka."), field="closes_at")
    if opens < earliest or closes > latest:
        raise ValidationError(
            _l("Jendela checkpoint harus berada antara %(a)d menit sebelum mulai dan "
               "%(b)d menit setelah episode selesai.", a=early, b=late),
            field="opens_at",
        )
    code = "".join(str(data.get("code") or "").split()).upper()
    if code:
        if not (3 <= len(code) <= 20) or not code.isalnum():
            raise ValidationError(_l("Kode harus 3-20 huruf atau angka."), field="code")
    else:
        taken = {c.code for c in others} | ({current.code} if current is not None else set())
        code = generate_code()
        while code in taken:
            code = generate_code()
    if any(c.code == code for c in others):
        raise Conflict(_l("Kode ini sudah dipakai checkpoint lain di episode ini."),
                       code="duplicate_code", field="code")
    if any(c.label.lower() == label.lower() for c in others):
        raise Conflict(_l("Label checkpoint sudah ada di episode ini."),
                       code="duplicate_label", field="label")
    return {"label": label, "code": code, "opens_at": opens, "closes_at": closes,
            "required": _as_bool(data.get("required", True))}


def add_checkpoint(episode: Episode, data: dict[str, Any], actor_id: int | None) -> Checkpoint:
    values = _checkpoint_values(episode, data)
    checkpoint = Checkpoint(episode=episode, label=values["label"], code=values["code"],
                            opens_at=to_db(values["opens_at"]),
                            closes_at=to_db(values["closes_at"]), required=values["required"])
    db.session.add(checkpoint)
    db.session.flush()
    record_event(actor_id, "checkpoint.create", "episode", episode.id,
                 after={"checkpoint_id": checkpoint.id, "label": values["label"],
                        "opens_at": values["opens_at"], "closes_at": values["closes_at"]})
    return checkpoint


def _check_checkpoints_editable(episode: Episode) -> None:
    if episode.status == "cancelled":
        raise Conflict(_l("Episode yang dibatalkan tidak dapat diubah."), code="cancelled")
    if episode.finalized_at is not None:
        # Verdicts, credits and certificates were computed from these windows.
        raise Conflict(_l("Episode sudah difinalisasi; checkpoint tidak dapat diubah lagi."),
                       code="finalized")


def get_checkpoint(episode: Episode, checkpoint_id: int) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.episode_id != episode.id:
        raise NotFound(_l("Checkpoint tidak ditemukan."))
    return checkpoint


def update_checkpoint(checkpoint: Checkpoint, data: dict[str, Any],
                      actor_id: int | None) -> Checkpoint:
    """Change label, window, code or flag; missing keys keep their value, an empty code
    draws a new random one."""
    episode = checkpoint.episode
    _check_checkpoints_editable(episode)
    fields = ("label", "code", "opens_at", "closes_at", "required")
    before = snapshot(checkpoint, fields)
    values = _checkpoint_values(episode, data, current=checkpoint)
    checkpoint.label = values["label"]
    checkpoint.code = values["code"]
    checkpoint.opens_at = to_db(values["opens_at"])
    checkpoint.closes_at = to_db(values["closes_at"])
    checkpoint.required = values["required"]
    db.session.flush()
    after = snapshot(checkpoint, fields)
    changed = [k for k in fields if before[k] != after[k]]
    if changed:
        record_event(actor_id, "checkpoint.update", "episode", episode.id,
                     before={"checkpoint_id": checkpoint.id, **{k: before[k] for k in changed}},
                     after={"checkpoint_id": checkpoint.id, **{k: after[k] for k in changed}})
    return checkpoint


def delete_checkpoint(checkpoint: Checkpoint, actor_id: int | None) -> None:
    """Remove a checkpoint nobody has checked in to yet (check-ins are attendance
    evidence, and the foreign key would cascade them away)."""

    episode = checkpoint.episode
    _check_checkpoints_editable(episode)
    if is_postgres():
        # A check-in's foreign key check share-locks this row: holding it for update
        # means no check-in can slip in between the count and the delete.
        db.session.execute(select(Checkpoint.id).where(Checkpoint.id == checkpoint.id)
                           .with_for_update())
    used = db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.checkpoint_id == checkpoint.id)) or 0
    refusal = Conflict(
        _l("Checkpoint \"%(label)s\" tidak dapat dihapus karena sudah ada %(n)d presensi "
           "tercatat. Ubah jendela waktunya atau jadikan opsional.",
           label=checkpoint.label, n=max(used, 1)),
        code="checkpoint_in_use")
    if used:
        raise refusal
    before = snapshot(checkpoint, ("label", "code", "opens_at", "closes_at", "required"))
    # Guarded in the statement itself (SQLite has no row locks).
    result = db.session.execute(
        delete(Checkpoint).where(
            Checkpoint.id == checkpoint.id,
            ~exists().where(CheckIn.checkpoint_id == Checkpoint.id),
        ).execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise refusal
    db.session.expunge(checkpoint)
    db.session.expire(episode, ["checkpoints"])
    record_event(actor_id, "checkpoint.delete", "episode", episode.id,
                 before={"checkpoint_id": checkpoint.id, **before})
