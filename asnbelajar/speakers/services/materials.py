"""Session materials: PDF or PPTX uploads of an episode and who may manage or
download them."""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from ...audit.services import record_event
from ...episodes.models import Episode
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...registrations.models import Registration
from ...timeutil import now_utc
from ...uploads import delete_stored, store_document
from ..models import Material, Speaker
from .profiles import Upload, is_episode_speaker

MATERIAL_KINDS = ("pdf", "pptx")
MAX_MATERIALS_PER_EPISODE = 20
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def materials_for_episode(episode_id: int) -> list[Material]:
    """An episode's materials in upload order, with their speakers loaded."""
    return list(db.session.scalars(
        select(Material).options(joinedload(Material.speaker))
        .where(Material.episode_id == episode_id)
        .order_by(Material.created_at, Material.id)
    ))


def get_material(episode_id: int, material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.episode_id != episode_id:
        raise NotFound(_l("Materi tidak ditemukan."))
    return material


def _display_name(filename: str) -> str:
    # Browsers on Windows may send a full path; keep the last part, printable only.
    name = re.split(r"[\\/]", filename or "")[-1]
    return _CONTROL_CHARS.sub("", name).strip()[:255]


def add_material(episode: Episode, upload: Upload, *, speaker: Speaker | None,
                 title: str | None, actor_id: int | None) -> Material:
    """Store a PDF or PPTX (checked by its bytes, size-limited) for the episode."""
    if episode.status == "cancelled":
        raise Conflict(_l("Episode ini dibatalkan; materi tidak dapat ditambahkan."),
                       code="cancelled")
    stream, filename = upload
    name = _display_name(filename)
    if not name:
        raise ValidationError(_l("Pilih berkas materi (PDF atau PPTX)."), field="file")
    clean_title = " ".join((title or "").split())
    if len(clean_title) > 200:
        raise ValidationError(_l("Judul materi maksimal 200 karakter."), field="title")
    count = db.session.scalar(select(func.count()).select_from(Material).where(
        Material.episode_id == episode.id)) or 0
    if count >= MAX_MATERIALS_PER_EPISODE:
        raise Conflict(_l("Satu episode paling banyak %(n)d materi.",
                          n=MAX_MATERIALS_PER_EPISODE), code="too_many")
    stored = store_document(stream, name, folder="materials", allowed=MATERIAL_KINDS,
                            max_bytes=int(current_app.config["MATERIAL_MAX_BYTES"]))
    material = Material(
        episode_id=episode.id, speaker_id=speaker.id if speaker else None,
        title=clean_title or name.rsplit(".", 1)[0][:200] or name[:200],
        original_name=name, stored_name=stored.stored_name,
        content_type=stored.content_type, size_bytes=stored.size_bytes, uploaded_by=actor_id,
    )
    db.session.add(material)
    db.session.flush()
    record_event(actor_id, "material.upload", "episode", episode.id,
                 after={"material_id": material.id, "title": material.title,
                        "file": name, "size_bytes": material.size_bytes,
                        "speaker_id": material.speaker_id})
    return material


def delete_material(material: Material, actor_id: int | None) -> None:
    stored, episode_id = material.stored_name, material.episode_id
    before = {"material_id": material.id, "title": material.title,
              "file": material.original_name, "speaker_id": material.speaker_id}
    db.session.delete(material)
    db.session.flush()
    delete_stored(stored)
    record_event(actor_id, "material.delete", "episode", episode_id, before=before)


def can_manage_material(material: Material, user) -> bool:
    """Organizers, and the speaker who owns the material."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == "organizer":
        return True
    return material.speaker is not None and material.speaker.user_id == user.id


def can_download_material(episode: Episode, user, now: datetime | None = None) -> bool:
    """Organizers and the episode's speakers at any time; participants registered (not
    waitlisted or cancelled) once the episode has started."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == "organizer" or is_episode_speaker(episode.id, user.id):
        return True
    if episode.status != "published" or (now or now_utc()) < episode.starts_at_utc:
        return False
    return bool(db.session.scalar(select(exists().where(
        Registration.episode_id == episode.id, Registration.user_id == user.id,
        Registration.status == "registered"))))
