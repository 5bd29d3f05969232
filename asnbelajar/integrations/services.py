"""Zoom use cases: the organizers' connection and the Zoom meeting or webinar behind an
episode (created, kept in sync, deleted). Personal join links are in ``registrants.py``,
the participant report in ``reports.py``.

Calls to Zoom happen here; the scheduler job (``scheduler/zoom.py``) decides when and
commits. The client secret is decrypted only to build a :class:`ZoomClient` and never
returned, rendered or logged.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..episodes.labels import series_label
from ..episodes.models import Episode
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..registrations.models import Registration
from ..timeutil import as_utc, now_utc, to_db
from ..util.crypto import SecretUnreadable, decrypt, encrypt
from .models import AUTO_RECORDING, ZOOM_KINDS, ZoomConnection, ZoomMeeting, ZoomRegistrant
from .registrants import pending_count
from .zoom_client import (
    ZoomClient,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomSettings,
    forget_tokens,
)

# --------------------------------------------------------------------------- connection


def get_connection() -> ZoomConnection | None:
    return db.session.get(ZoomConnection, 1)


def connection_json() -> dict[str, Any]:
    """What anyone may see of the connection: never the secret."""
    conn = get_connection()
    return {"account_id": conn.account_id if conn else None,
            "client_id": conn.client_id if conn else None,
            "configured": conn is not None}


def _clean(value: Any, field_name: str, label: str, *, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(_l("%(label)s harus berupa teks.", label=label), field=field_name)
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_l("%(label)s wajib diisi.", label=label), field=field_name)
    if len(text) > 100 or any(ch.isspace() for ch in text):
        raise ValidationError(_l("%(label)s tidak valid (tanpa spasi, paling panjang 100 "
                                 "karakter).", label=label), field=field_name)
    return text


def save_connection(account_id: Any, client_id: Any, client_secret: Any,
                    actor_id: int | None) -> ZoomConnection:
    """Store the Server-to-Server OAuth app. An empty secret keeps the stored one (the
    form never shows it again); the first save needs it."""
    conn = get_connection()
    account = _clean(account_id, "account_id", "Account ID")
    client = _clean(client_id, "client_id", "Client ID")
    secret = _clean(client_secret, "client_secret", "Client secret", required=conn is None)
    if conn is None:
        conn = ZoomConnection(id=1)
        db.session.add(conn)
    conn.account_id = account
    conn.client_id = client
    if secret:
        conn.client_secret_enc = encrypt(secret)
    conn.updated_by = actor_id
    conn.updated_at = to_db(now_utc())
    conn.tested_at = conn.test_ok = conn.test_message = None
    db.session.flush()
    forget_tokens()
    record_event(actor_id, "zoom.connection", "zoom_connection", 1,
                 after={"account_id": account, "client_id": client,
                        "secret_changed": bool(secret)})
    return conn


def zoom_client() -> ZoomClient:
    conn = get_connection()
    if conn is None:
        raise Conflict(_l("Koneksi Zoom belum diatur. Organizer mengisinya di Konsol → "
                          "Integrasi Zoom."), code="zoom_not_configured")
    try:
        secret = decrypt(conn.client_secret_enc)
    except SecretUnreadable:
        raise Conflict(_l("Client secret Zoom tidak dapat dibaca dengan kunci enkripsi saat "
                          "ini; masukkan ulang di Konsol → Integrasi Zoom."),
                       code="zoom_secret_unreadable") from None
    config = current_app.config
    return ZoomClient(ZoomSettings(
        api_url=config["ZOOM_API_URL"], oauth_url=config["ZOOM_OAUTH_URL"],
        account_id=conn.account_id, client_id=conn.client_id, client_secret=secret,
        timeout=float(config["ZOOM_TIMEOUT"]),
        max_inline_wait=float(config["ZOOM_MAX_INLINE_WAIT"])))


def zoom_failed(err: ZoomError) -> Conflict:
    code = "zoom_rate_limited" if isinstance(err, ZoomRateLimited) else "zoom_error"
    return Conflict(_l("Zoom menolak atau tidak dapat dihubungi: %(msg)s", msg=err.message),
                    code=code)


def test_connection(actor_id: int | None) -> tuple[bool, str]:
    """Ask Zoom who we are; the outcome is kept for the console page."""
    conn = get_connection()
    client = zoom_client()
    try:
        me = client.me()
        ok, message = True, str(_l("Terhubung sebagai %(who)s.",
                                   who=me.get("email") or me.get("id") or "?"))
    except ZoomError as err:
        ok, message = False, err.message
    conn.tested_at = to_db(now_utc())
    conn.test_ok = ok
    conn.test_message = message[:500]
    record_event(actor_id, "zoom.test", "zoom_connection", 1, after={"ok": ok})
    return ok, message


# --------------------------------------------------------------------------- meetings

def meeting_of(episode_id: int) -> ZoomMeeting | None:
    return db.session.scalar(select(ZoomMeeting).where(ZoomMeeting.episode_id == episode_id))


def _topic(episode: Episode) -> str:
    # Zoom shows the topic to everyone, whatever their language: the Indonesian label.
    with force_locale("id"):
        label = series_label(episode.number)
    return f"{episode.program.name} {label}: {episode.title}"[:200]


def _schedule(episode: Episode) -> tuple[str, int, str]:
    """Start as the episode's local wall-clock time (Zoom reads it in ``timezone``),
    duration in minutes, zone."""
    zone = episode.timezone or "Asia/Jakarta"
    local = as_utc(episode.starts_at).astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%dT%H:%M:%S"), max(episode.duration_minutes, 1), zone


def create_zoom_for_episode(episode: Episode, kind: Any, actor_id: int | None, *,
                            registration_required: bool = True,
                            auto_recording: Any = "none") -> ZoomMeeting:
    """Create the episode's Zoom meeting or webinar; a repeat returns the existing one."""
    if kind not in ZOOM_KINDS:
        raise ValidationError(_l("Jenis harus meeting atau webinar."), field="kind")
    if auto_recording not in AUTO_RECORDING:
        raise ValidationError(_l("Perekaman otomatis harus none, local atau cloud."),
                              field="auto_recording")
    if episode.status == "cancelled":
        raise Conflict(_l("Episode ini dibatalkan."), code="cancelled")
    existing = meeting_of(episode.id)
    if existing is not None:
        if existing.kind == kind and existing.deleted_at is None:
            return existing
        raise Conflict(_l("Episode ini sudah punya %(kind)s Zoom (%(id)s).",
                          kind=existing.kind, id=existing.zoom_id), code="zoom_exists")
    start, duration, zone = _schedule(episode)
    settings: dict[str, Any] = {
        # 0 = registrants approved automatically; 2 = no registration.
        "approval_type": 0 if registration_required else 2,
        "auto_recording": auto_recording,
        "registrants_email_notification": False,
        "registrants_confirmation_email": False,
    }
    if kind == "meeting":
        settings["registration_type"] = 1
    body = {"topic": _topic(episode), "type": 2 if kind == "meeting" else 5,
            "start_time": start, "duration": duration, "timezone": zone,
            "agenda": (episode.summary or "")[:2000], "settings": settings}
    try:
        answer = zoom_client().create(kind, body)
    except ZoomError as err:
        raise zoom_failed(err) from None
    zoom_id = str(answer.get("id") or "").strip()
    join_url = str(answer.get("join_url") or "").strip()
    if not zoom_id or not join_url:
        raise Conflict(_l("Jawaban Zoom tidak berisi id dan join_url."), code="zoom_error")
    meeting = ZoomMeeting(
        episode_id=episode.id, kind=kind, zoom_id=zoom_id, join_url=join_url[:1000],
        registration_required=registration_required, auto_recording=auto_recording,
        synced_topic=body["topic"], synced_start=episode.starts_at,
        synced_duration=duration, synced_timezone=zone, created_by=actor_id)
    try:
        with db.session.begin_nested():
            db.session.add(meeting)
            db.session.flush()
    except IntegrityError:
        # A concurrent request (a double click) stored its meeting first: keep that one and
        # delete ours at Zoom, so the episode never has two.
        with contextlib.suppress(ZoomError, Conflict):
            zoom_client().delete(kind, zoom_id)
        winner = db.session.scalar(select(ZoomMeeting).where(
            ZoomMeeting.episode_id == episode.id).execution_options(populate_existing=True))
        if winner is not None and winner.kind == kind:
            return winner
        raise Conflict(_l("Episode ini sudah punya rapat atau webinar Zoom."),
                       code="zoom_exists") from None
    # The shared link stays the fallback (walk-ins, anyone not yet registered at Zoom).
    episode.zoom_url = join_url[:500]
    db.session.flush()
    record_event(actor_id, "zoom.create", "episode", episode.id,
                 after={"kind": kind, "zoom_id": zoom_id,
                        "registration_required": registration_required,
                        "auto_recording": auto_recording})
    return meeting


def _needs_sync(meeting: ZoomMeeting, episode: Episode) -> bool:
    if meeting.deleted_at is not None:
        return False
    if episode.status == "cancelled":
        return True
    _start, duration, zone = _schedule(episode)
    return (meeting.synced_topic != _topic(episode)
            or as_utc(meeting.synced_start) != as_utc(episode.starts_at)
            or meeting.synced_duration != duration or meeting.synced_timezone != zone)


def sync_meeting(meeting: ZoomMeeting, client: ZoomClient | None = None) -> bool:
    """Bring Zoom in line with the episode: move/rename it, or delete it when the episode
    was cancelled. Failures are kept in ``sync_error`` (the job tries again); True when
    Zoom is in line afterwards."""
    episode = db.session.get(Episode, meeting.episode_id)
    if not _needs_sync(meeting, episode):
        return True
    try:
        client = client or zoom_client()
        if episode.status == "cancelled":
            client.delete(meeting.kind, meeting.zoom_id)
            meeting.deleted_at = to_db(now_utc())
        else:
            start, duration, zone = _schedule(episode)
            topic = _topic(episode)
            try:
                client.update(meeting.kind, meeting.zoom_id,
                              {"topic": topic, "start_time": start, "duration": duration,
                               "timezone": zone})
            except ZoomNotFound:
                meeting.sync_error = str(_l("Rapat Zoom ini sudah dihapus di Zoom."))[:500]
                return False
            meeting.synced_topic, meeting.synced_start = topic, episode.starts_at
            meeting.synced_duration, meeting.synced_timezone = duration, zone
    except (ZoomError, Conflict) as err:
        meeting.sync_error = str(err.message)[:500]
        return False
    meeting.sync_error = None
    meeting.synced_at = to_db(now_utc())
    return True


def episode_changed(episode: Episode) -> None:
    """Hook for the episode services: a move, a rename or a cancellation goes to Zoom now
    when Zoom answers, else the sync job sends it later."""
    meeting = meeting_of(episode.id)
    if meeting is not None and meeting.deleted_at is None:
        sync_meeting(meeting)


def meetings_to_sync() -> list[int]:
    rows = db.session.execute(
        select(ZoomMeeting.id, ZoomMeeting.episode_id).where(ZoomMeeting.deleted_at.is_(None))
    ).all()
    out = []
    for meeting_id, episode_id in rows:
        meeting = db.session.get(ZoomMeeting, meeting_id)
        if _needs_sync(meeting, db.session.get(Episode, episode_id)):
            out.append(meeting_id)
    return out


# --------------------------------------------------------------------------- console

@dataclass
class ZoomStatus:
    meeting: ZoomMeeting | None
    registered: int = 0
    pending: int = 0
    failed: int = 0
    last_error: str | None = None


def episode_zoom_status(episode_id: int) -> ZoomStatus:
    meeting = meeting_of(episode_id)
    if meeting is None:
        return ZoomStatus(None)
    registered = db.session.scalar(
        select(func.count()).select_from(ZoomRegistrant)
        .join(Registration, Registration.id == ZoomRegistrant.registration_id)
        .where(ZoomRegistrant.meeting_id == meeting.id, Registration.status == "registered",
               ZoomRegistrant.registrant_id.is_not(None), ZoomRegistrant.removed_at.is_(None))
    ) or 0
    failed_row = db.session.execute(
        select(func.count(), func.max(ZoomRegistrant.last_error))
        .where(ZoomRegistrant.meeting_id == meeting.id, ZoomRegistrant.last_error.is_not(None),
               ZoomRegistrant.attempts > 0)
    ).one()
    return ZoomStatus(meeting, registered=registered, pending=pending_count(meeting),
                      failed=int(failed_row[0] or 0), last_error=failed_row[1])
