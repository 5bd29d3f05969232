"""Zoom use cases: the organizers' connection, the Zoom meeting or webinar behind an episode
(created, kept in sync, deleted), personal join links for registrations, and the
participant report pulled through the API and imported like an uploaded CSV.

Calls to Zoom happen here; the scheduler job (``scheduler/zoom.py``) decides when and
commits. The client secret is decrypted only to build a :class:`ZoomClient` and never
returned, rendered or logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..accounts.models import User
from ..attendance.services import ImportSummary, apply_report
from ..attendance.zoom import ReportRow, ReportSection, SkippedRow, ZoomReport
from ..audit.services import record_event
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..notifications.models import OutboxEmail
from ..notifications.services import queue_email, render_email
from ..registrations.models import Registration
from ..timeutil import as_utc, now_utc, to_db
from ..util.crypto import SecretUnreadable, decrypt, encrypt
from .models import AUTO_RECORDING, ZOOM_KINDS, ZoomConnection, ZoomMeeting, ZoomRegistrant
from .zoom_client import (
    BATCH_SIZE,
    ZoomClient,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomSettings,
    ZoomUnavailable,
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


def _zoom_failed(err: ZoomError) -> Conflict:
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
    return f"{episode.program.name} Seri {episode.number}: {episode.title}"[:200]


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
        raise _zoom_failed(err) from None
    zoom_id = str(answer.get("id") or "").strip()
    join_url = str(answer.get("join_url") or "").strip()
    if not zoom_id or not join_url:
        raise Conflict(_l("Jawaban Zoom tidak berisi id dan join_url."), code="zoom_error")
    meeting = ZoomMeeting(
        episode_id=episode.id, kind=kind, zoom_id=zoom_id, join_url=join_url[:1000],
        registration_required=registration_required, auto_recording=auto_recording,
        synced_topic=body["topic"], synced_start=episode.starts_at,
        synced_duration=duration, synced_timezone=zone, created_by=actor_id)
    db.session.add(meeting)
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


# --------------------------------------------------------------------------- registrants

@dataclass
class PushResult:
    pushed: int = 0
    removed: int = 0
    failed: int = 0
    deferred_until: datetime | None = None
    errors: list[str] = field(default_factory=list)


# A person Zoom keeps refusing (e.g. an address it rejects) is tried this many times, with
# growing pauses, then left for the organizer (the panel counts them as failed).
MAX_PUSH_ATTEMPTS = 10


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _person(user: User) -> dict[str, str]:
    name = " ".join((user.full_name or user.email).split())
    first, _sep, last = name.rpartition(" ")
    if not first:
        first, last = name, ""
    return {"email": user.email, "first_name": first[:64], "last_name": last[:64]}


def _pending(meeting: ZoomMeeting, limit: int):
    now = to_db(now_utc())
    return db.session.execute(
        select(Registration, User, ZoomRegistrant)
        .join(User, User.id == Registration.user_id)
        .outerjoin(ZoomRegistrant, ZoomRegistrant.registration_id == Registration.id)
        .where(Registration.episode_id == meeting.episode_id,
               Registration.status == "registered", User.anonymized_at.is_(None),
               or_(ZoomRegistrant.id.is_(None), ZoomRegistrant.registrant_id.is_(None),
                   ZoomRegistrant.removed_at.is_not(None)),
               or_(ZoomRegistrant.next_attempt_at.is_(None),
                   ZoomRegistrant.next_attempt_at <= now),
               or_(ZoomRegistrant.id.is_(None), ZoomRegistrant.attempts < MAX_PUSH_ATTEMPTS))
        .order_by(Registration.id).limit(limit)
    ).all()


def pending_count(meeting: ZoomMeeting) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .outerjoin(ZoomRegistrant, ZoomRegistrant.registration_id == Registration.id)
        .where(Registration.episode_id == meeting.episode_id,
               Registration.status == "registered",
               or_(ZoomRegistrant.id.is_(None), ZoomRegistrant.registrant_id.is_(None),
                   ZoomRegistrant.removed_at.is_not(None)))
    ) or 0


def _row_for(registration: Registration, meeting: ZoomMeeting,
             row: ZoomRegistrant | None) -> ZoomRegistrant:
    if row is None:
        row = ZoomRegistrant(registration_id=registration.id, meeting_id=meeting.id,
                             user_id=registration.user_id, attempts=0)
        db.session.add(row)
    return row


def _defer(items, meeting: ZoomMeeting, until: datetime, error: str | None,
           count_attempt: bool) -> None:
    for registration, _user, row in items:
        row = _row_for(registration, meeting, row)
        if count_attempt:
            row.attempts = (row.attempts or 0) + 1
        row.next_attempt_at = to_db(until)
        row.last_error = (error or "")[:500] or None


def _registered(registration: Registration, user: User, meeting: ZoomMeeting,
                row: ZoomRegistrant | None, registrant_id: str, join_url: str) -> None:
    row = _row_for(registration, meeting, row)
    row.registrant_id = registrant_id[:64]
    row.join_url = join_url[:1000]
    row.registered_at = to_db(now_utc())
    row.removed_at = None
    row.attempts = 0
    row.next_attempt_at = None
    row.last_error = None
    db.session.flush()
    _send_join_link(registration, user, meeting, row)


def _send_join_link(registration: Registration, user: User, meeting: ZoomMeeting,
                    row: ZoomRegistrant) -> None:
    """The confirmation (or promotion) email waited for this link; a registration
    confirmed before the Zoom meeting existed gets its link in an email of its own."""
    episode = db.session.get(Episode, meeting.episode_id)
    promoted = (registration.promoted_at is not None
                and registration.promoted_at >= registration.queued_at)
    if promoted:
        template = "registration_promoted"
        key = f"promoted:{registration.id}:{registration.promoted_at.isoformat()}"
    else:
        template = "registration_confirmed"
        key = f"{template}:{registration.id}:{registration.queued_at.isoformat()}"
    already = db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.dedupe_key == key))
    if already is not None:
        template, key = "zoom_join_link", f"zoom-link:{registration.id}:{row.registrant_id}"
    subject, text, html = render_email(template, user=user, episode=episode, position=None,
                                       join_url=row.join_url)
    queue_email(key, user.email, subject, text, html,
                [ics_attachment(episode, join_url=row.join_url)])
    row.notified_at = to_db(now_utc())


def push_registrants(meeting: ZoomMeeting, client: ZoomClient, limit: int) -> PushResult:
    """Register up to ``limit`` waiting registrations with Zoom: in batches of 30
    (``batch_registrants``), one by one when Zoom refuses the batch call (plans or meeting
    types without it). A rate limit or an outage stops the run and schedules the rest."""
    result = PushResult()
    items = _pending(meeting, limit)
    use_batch = True
    index = 0
    while index < len(items):
        chunk = items[index:index + (BATCH_SIZE if use_batch else 1)]
        try:
            if use_batch:
                answers = client.batch_registrants(meeting.kind, meeting.zoom_id,
                                                   [_person(user) for _r, user, _z in chunk])
                by_email = {str(a.get("email") or "").lower(): a for a in answers}
                for registration, user, row in chunk:
                    answer = by_email.get(user.email.lower())
                    if answer and answer.get("registrant_id") and answer.get("join_url"):
                        _registered(registration, user, meeting, row,
                                    str(answer["registrant_id"]), str(answer["join_url"]))
                        result.pushed += 1
                    else:
                        _defer([(registration, user, row)], meeting,
                               now_utc() + _backoff((row.attempts if row else 0) + 1),
                               "Zoom tidak mengembalikan tautan untuk pendaftar ini", True)
                        result.failed += 1
            else:
                registration, user, row = chunk[0]
                answer = client.add_registrant(meeting.kind, meeting.zoom_id, _person(user))
                registrant_id = str(answer.get("registrant_id") or answer.get("id") or "")
                join_url = str(answer.get("join_url") or "")
                if not registrant_id or not join_url:
                    raise ZoomError("Zoom tidak mengembalikan registrant_id dan join_url")
                _registered(registration, user, meeting, row, registrant_id, join_url)
                result.pushed += 1
        except ZoomRateLimited as err:
            until = now_utc() + timedelta(seconds=err.retry_after)
            _defer(items[index:], meeting, until, err.message, False)
            result.deferred_until = until
            result.errors.append(err.message)
            return result
        except ZoomUnavailable as err:
            attempts = max((row.attempts or 0) if row else 0 for _r, _u, row in chunk) + 1
            until = now_utc() + _backoff(attempts)
            _defer(items[index:], meeting, until, err.message, True)
            result.deferred_until = until
            result.errors.append(err.message)
            return result
        except ZoomError as err:
            if use_batch and err.status in (400, 404):
                use_batch = False  # batch registration not offered here: one by one
                continue
            for registration, user, row in chunk:
                _defer([(registration, user, row)], meeting,
                       now_utc() + _backoff((row.attempts if row else 0) + 1), err.message,
                       True)
            result.failed += len(chunk)
            result.errors.append(err.message)
        index += len(chunk)
        db.session.flush()
    return result


def remove_cancelled(meeting: ZoomMeeting, client: ZoomClient) -> PushResult:
    """Cancel at Zoom the registrants whose registration is no longer active (by Zoom's
    registrant id: the account's email may have been erased meanwhile)."""
    result = PushResult()
    rows = list(db.session.scalars(
        select(ZoomRegistrant)
        .join(Registration, Registration.id == ZoomRegistrant.registration_id)
        .where(ZoomRegistrant.meeting_id == meeting.id,
               ZoomRegistrant.registrant_id.is_not(None), ZoomRegistrant.removed_at.is_(None),
               ZoomRegistrant.attempts < MAX_PUSH_ATTEMPTS,
               Registration.status != "registered")
        .order_by(ZoomRegistrant.id)
    ))
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start:start + BATCH_SIZE]
        try:
            client.cancel_registrants(meeting.kind, meeting.zoom_id,
                                      [{"id": row.registrant_id} for row in chunk])
        except (ZoomRateLimited, ZoomUnavailable) as err:
            result.deferred_until = now_utc() + timedelta(
                seconds=getattr(err, "retry_after", 60))
            result.errors.append(err.message)
            return result
        except ZoomError as err:
            for row in chunk:  # refused: try again on later runs, then give up
                row.attempts = (row.attempts or 0) + 1
                row.last_error = err.message[:500]
            result.failed += len(chunk)
            result.errors.append(err.message)
            continue
        stamp = to_db(now_utc())
        for row in chunk:
            row.removed_at = stamp
            row.attempts = 0
            row.last_error = None
            # The personal link no longer works at Zoom; never show it again.
            row.join_url = None
        result.removed += len(chunk)
        db.session.flush()
    return result


def meetings_with_registrant_work() -> list[int]:
    now = to_db(now_utc())
    pending = (
        select(ZoomMeeting.id)
        .join(Episode, Episode.id == ZoomMeeting.episode_id)
        .join(Registration, Registration.episode_id == ZoomMeeting.episode_id)
        .outerjoin(ZoomRegistrant, ZoomRegistrant.registration_id == Registration.id)
        .where(ZoomMeeting.deleted_at.is_(None), ZoomMeeting.registration_required.is_(True),
               Episode.status == "published", Episode.ends_at > now,
               or_(and_(Registration.status == "registered",
                        or_(ZoomRegistrant.id.is_(None), ZoomRegistrant.registrant_id.is_(None),
                            ZoomRegistrant.removed_at.is_not(None)),
                        or_(ZoomRegistrant.next_attempt_at.is_(None),
                            ZoomRegistrant.next_attempt_at <= now),
                        or_(ZoomRegistrant.id.is_(None),
                            ZoomRegistrant.attempts < MAX_PUSH_ATTEMPTS)),
                   and_(Registration.status != "registered",
                        ZoomRegistrant.registrant_id.is_not(None),
                        ZoomRegistrant.removed_at.is_(None),
                        ZoomRegistrant.attempts < MAX_PUSH_ATTEMPTS)))
        .distinct()
    )
    return list(db.session.scalars(pending))


def participant_join_url(episode: Episode, user_id: int) -> str | None:
    """The link a participant joins with: their own Zoom link once registered with Zoom,
    else the episode's link; None unless they hold an active registration."""
    registration = db.session.scalar(select(Registration).where(
        Registration.episode_id == episode.id, Registration.user_id == user_id))
    if registration is None or registration.status != "registered":
        return None
    own = db.session.scalar(select(ZoomRegistrant.join_url).where(
        ZoomRegistrant.registration_id == registration.id,
        ZoomRegistrant.removed_at.is_(None)))
    return own or episode.zoom_url


def personal_join_urls(episode_id: int) -> dict[int, str]:
    """Registration id → the person's own Zoom link, for every registrant that has one
    (reminders: one query for the whole episode)."""
    return dict(db.session.execute(
        select(ZoomRegistrant.registration_id, ZoomRegistrant.join_url)
        .join(ZoomMeeting, ZoomMeeting.id == ZoomRegistrant.meeting_id)
        .where(ZoomMeeting.episode_id == episode_id, ZoomRegistrant.removed_at.is_(None),
               ZoomRegistrant.join_url.is_not(None))
    ).all())


# --------------------------------------------------------------------------- report

def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def report_from_api(meeting: ZoomMeeting, participants: list[dict[str, Any]]) -> ZoomReport:
    """Zoom's participant records as a report the CSV import understands. ``line`` is the
    record's position in Zoom's answer (1-based)."""
    rows: list[ReportRow] = []
    skipped: list[SkippedRow] = []
    section = "attendee" if meeting.kind == "webinar" else "participants"
    for index, item in enumerate(participants, start=1):
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "").strip()
        email = str(item.get("user_email") or item.get("email") or "").strip().lower() or None
        joined, left = _parse_time(item.get("join_time")), _parse_time(item.get("leave_time"))
        if str(item.get("status") or "") == "in_waiting_room":
            skipped.append(SkippedRow(index, name, email, "di ruang tunggu"))
            continue
        if joined is None or left is None or left < joined:
            skipped.append(SkippedRow(index, name, email,
                                      "waktu masuk/keluar tidak ada atau tidak sah"))
            continue
        duration = item.get("duration")
        rows.append(ReportRow(
            line=index, name=name, email=email, joined_at=joined, left_at=left,
            duration_minutes=round(duration / 60) if isinstance(duration, int | float)
            else None,
            section=section, registrant_id=str(item.get("registrant_id") or "") or None))
    return ZoomReport(kind=meeting.kind, topic=meeting.synced_topic, rows=rows,
                      skipped=skipped,
                      sections=[ReportSection(section, 1, len(rows), len(skipped))])


def pull_report(episode: Episode, actor_id: int | None, *, confirm: bool = False,
                client: ZoomClient | None = None) -> ImportSummary:
    """Fetch the participant report (every page) and import it like an uploaded CSV,
    matching by Zoom registrant id, then email. Allowed any time: it imports what Zoom
    reports so far; the same confirmation rules as an upload apply."""
    meeting = meeting_of(episode.id)
    if meeting is None:
        raise NotFound(_l("Episode ini belum punya rapat atau webinar Zoom."))
    try:
        client = client or zoom_client()
        participants = list(client.report_participants(meeting.kind, meeting.zoom_id))
    except ZoomNotFound:
        participants = []  # no report yet (the meeting has not run): nothing so far
    except ZoomError as err:
        meeting.report_error = err.message[:500]
        raise _zoom_failed(err) from None
    report = report_from_api(meeting, participants)
    registrant_users = dict(db.session.execute(
        select(ZoomRegistrant.registrant_id, ZoomRegistrant.user_id)
        .where(ZoomRegistrant.meeting_id == meeting.id,
               ZoomRegistrant.registrant_id.is_not(None))
    ).all())
    summary = apply_report(episode, report, f"Zoom API: {meeting.kind} {meeting.zoom_id}",
                           actor_id, confirm=confirm, registrant_users=registrant_users)
    meeting.report_pulled_at = to_db(now_utc())
    meeting.report_rows = summary.rows
    meeting.report_error = None
    return summary


def reports_due() -> list[int]:
    """Episodes whose report the scheduler should pull now: ended at least the report
    delay ago, not finalized, not pulled yet, not waiting for a retry."""
    config = current_app.config
    now = now_utc()
    cutoff = to_db(now - timedelta(minutes=int(config["ZOOM_REPORT_DELAY_MINUTES"])))
    return list(db.session.scalars(
        select(ZoomMeeting.episode_id)
        .join(Episode, Episode.id == ZoomMeeting.episode_id)
        .where(Episode.status == "published", Episode.finalized_at.is_(None),
               Episode.ends_at <= cutoff, ZoomMeeting.report_pulled_at.is_(None),
               ZoomMeeting.report_attempts < int(config["ZOOM_REPORT_MAX_ATTEMPTS"]),
               or_(ZoomMeeting.report_next_at.is_(None),
                   ZoomMeeting.report_next_at <= to_db(now)))
        .order_by(Episode.ends_at)
    ))


def report_retry_later(episode_id: int, message: str) -> None:
    meeting = meeting_of(episode_id)
    meeting.report_attempts = (meeting.report_attempts or 0) + 1
    meeting.report_next_at = to_db(now_utc() + _backoff(meeting.report_attempts) * 5)
    meeting.report_error = message[:500]


def report_pending(episode_id: int) -> bool:
    """Finalize waits for the Zoom report of an episode (until it is pulled, or the
    scheduler gives up), so credits are judged on it."""
    config = current_app.config
    meeting = meeting_of(episode_id)
    if meeting is None or meeting.report_pulled_at is not None:
        return False
    episode = db.session.get(Episode, episode_id)
    waited = now_utc() - as_utc(episode.ends_at)
    return (meeting.report_attempts < int(config["ZOOM_REPORT_MAX_ATTEMPTS"])
            and waited < timedelta(hours=int(config["ZOOM_REPORT_MAX_WAIT_HOURS"])))


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
