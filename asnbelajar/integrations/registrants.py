"""Personal Zoom join links: every active registration registered with Zoom (in batches,
rate-limit aware), its link emailed with the confirmation or promotion, cancellations
cancelled at Zoom. Called by the scheduler's zoom-sync job, which commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from ..accounts.models import User
from ..episodes.calendar import ics_attachment
from ..episodes.models import Episode
from ..extensions import db
from ..notifications.models import OutboxEmail
from ..notifications.services import queue_email, render_email
from ..registrations.models import Registration
from ..timeutil import now_utc, to_db
from .models import ZoomMeeting, ZoomRegistrant
from .zoom_client import (
    BATCH_SIZE,
    ZoomClient,
    ZoomError,
    ZoomRateLimited,
    ZoomUnavailable,
)


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


def backoff(attempts: int) -> timedelta:
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
                [ics_attachment(episode, join_url=row.join_url,
                                attendee=(user.email, user.full_name))])
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
                               now_utc() + backoff((row.attempts if row else 0) + 1),
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
            until = now_utc() + backoff(attempts)
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
                       now_utc() + backoff((row.attempts if row else 0) + 1), err.message,
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
