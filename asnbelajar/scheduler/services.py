"""Background jobs, declared in one place with stable ids.

Jobs derive their work from database state, take no ORM objects, open their own app
context and are safe to run twice. A lease row makes one scheduler active when several
processes run ``asnbelajar scheduler``; the others wait and take over when it lapses.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import String, case, cast, literal, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.privacy import apply_retention
from ..attendance.services import finalize_episode
from ..certificates.rendering import render_due_files
from ..certificates.signing import seal_due
from ..database import insert_ignore, is_outage
from ..episodes.models import Episode
from ..errors import DomainError
from ..extensions import db
from ..notifications.models import OutboxEmail
from ..notifications.services import flush_outbox, queue_email, render_email
from ..notifications.whatsapp import queue_reminders as queue_whatsapp_reminders
from ..registrations.models import Registration
from ..reports.snapshots import refresh_reports
from ..siasn.services import run_push_job
from ..timeutil import now_utc, to_db, to_local
from .models import SchedulerLease
from .zoom import personal_join_urls, report_pending, sync_zoom

log = logging.getLogger("asnbelajar.scheduler")

LEASE_NAME = "main"
# The random part tells apart containers that share a hostname and a pid (often 1).
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def acquire_lease(holder: str = HOLDER, seconds: int | None = None) -> bool:
    """Take or renew the lease; True when this process is the active scheduler."""
    seconds = seconds or int(current_app.config["SCHEDULER_LEASE_SECONDS"])
    now = to_db(now_utc())
    expires = now + timedelta(seconds=seconds)
    try:
        db.session.execute(insert_ignore(SchedulerLease.__table__).values(
            name=LEASE_NAME, holder=holder, expires_at=expires))
        result = db.session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME,
                   (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
            .values(holder=holder, expires_at=expires)
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return bool(result.rowcount)


def release_lease(holder: str = HOLDER) -> None:
    db.session.execute(
        update(SchedulerLease).where(SchedulerLease.name == LEASE_NAME,
                                     SchedulerLease.holder == holder)
        .values(expires_at=to_db(now_utc()))
    )
    db.session.commit()


def finalize_due_episodes() -> dict[str, Any]:
    """Finalize published episodes that ended more than the grace period ago."""
    grace = timedelta(minutes=int(current_app.config["FINALIZE_GRACE_MINUTES"]))
    cutoff = to_db(now_utc() - grace)
    ids = list(db.session.scalars(
        select(Episode.id).where(Episode.status == "published", Episode.finalized_at.is_(None),
                                 Episode.ends_at <= cutoff)
    ))
    done = {}
    for episode_id in ids:
        if report_pending(episode_id):
            # Credits are judged on the Zoom report: wait for the sync job to pull it.
            done[episode_id] = {"waiting": "zoom report"}
            continue
        try:
            done[episode_id] = finalize_episode(episode_id, actor_id=None).as_json()
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            done[episode_id] = {"error": str(err.message)}
    return {"finalized": len(ids), "episodes": done}


def _reminder_when(key: str, episode: Episode, user: User, now) -> str:
    """"1 jam lagi", or "besok"/"hari ini" by the calendar day in the person's zone (an
    evening episode reminded the same morning is today, not tomorrow)."""
    if key == "1h":
        return "1 jam lagi"
    zone = user.timezone or episode.timezone
    same_day = to_local(episode.starts_at, zone).date() == to_local(now, zone).date()
    return "hari ini" if same_day else "besok"


def due_reminders_query(now):
    """One SELECT of (dedupe key, registration id, episode, user) for every reminder that
    is due and not already in the outbox.

    Windows that do not overlap: an episode more than an hour and at most a day away gets
    the 1-day reminder; one less than an hour away gets only the 1-hour reminder, never the
    day-ahead one with it. Keys already queued are filtered out by ``NOT EXISTS`` on the
    outbox's unique ``dedupe_key``, so a run with nothing new renders nothing.
    """
    window = case((Episode.starts_at <= to_db(now + timedelta(hours=1)), literal("1h")),
                  else_=literal("1d"))
    dedupe_key = (literal("reminder-", String) + window + literal(":")
                  + cast(Registration.id, String))
    queued = select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)
    return (
        select(dedupe_key.label("dedupe_key"), Registration.id, Episode, User)
        .join(Episode, Episode.id == Registration.episode_id)
        .join(User, User.id == Registration.user_id)
        .where(Episode.status == "published",
               Episode.starts_at > to_db(now),
               Episode.starts_at <= to_db(now + timedelta(days=1)),
               Registration.status == "registered", User.anonymized_at.is_(None),
               User.reminders_enabled.is_(True),
               ~queued.exists())
        .order_by(Episode.id, Registration.id)
    )


def send_due_reminders() -> dict[str, int]:
    """Queue the 1-day and 1-hour reminders for registrants of episodes starting soon.

    Dedupe keys (``reminder-1d:<registration>``) make a rerun queue nothing twice; only
    reminders not yet in the outbox are selected and rendered. People who opted in to
    WhatsApp also get a WhatsApp reminder when organizers switched it on (set-based).
    """
    now = now_utc()
    queued = 0
    whatsapp = queue_whatsapp_reminders(now)
    rows = db.session.execute(due_reminders_query(now)).all()
    links: dict[int, dict[int, str]] = {}
    for dedupe_key, registration_id, episode, user in rows:
        if episode.id not in links:
            links[episode.id] = personal_join_urls(episode.id)
        key = dedupe_key.split(":", 1)[0].removeprefix("reminder-")
        when = _reminder_when(key, episode, user, now)
        subject, text, html = render_email("reminder", user=user, episode=episode, when=when,
                                           join_url=links[episode.id].get(registration_id))
        queued += queue_email(dedupe_key, user.email, subject, text, html)
    if rows or whatsapp:
        db.session.commit()
    return {"queued": queued, "whatsapp": whatsapp}


def flush_outbox_job() -> dict[str, int]:
    return flush_outbox()


def render_certificate_files() -> dict[str, int]:
    """Render and store the PDFs of finalized episodes' certificates, then seal them when
    the institutional BSrE e-seal is configured."""
    result = render_due_files()
    result.update(seal_due())
    return result


def push_siasn() -> dict[str, int]:
    """Queue new certified participations of agencies with SIASN credentials and send a
    batch to SIASN's web service (per-record status kept for organizers)."""
    return run_push_job()


JOBS = {
    # id: (function, interval seconds)
    "zoom-sync": (sync_zoom, 60),
    "flush-outbox": (flush_outbox_job, 30),
    "send-reminders": (send_due_reminders, 300),
    "finalize-due": (finalize_due_episodes, 600),
    "siasn-push": (push_siasn, 300),
    "refresh-reports": (refresh_reports, 180),
    "render-certificates": (render_certificate_files, 60),
    # Check-in and audit IPs older than IP_RETENTION_DAYS, idle login failure counts.
    "privacy-retention": (apply_retention, 3600),
}


def run_job(app: Flask, job_id: str, *, lease_held: bool = False) -> Any:
    """Run one job in its own app context and log one line saying what it did.

    Without ``lease_held`` the job first takes (or renews) the lease and answers
    "standby" when another scheduler holds it. A database outage is one log line, not a
    traceback: the next run tries again.
    """
    with app.app_context():
        started = time.perf_counter()
        try:
            if not lease_held and not acquire_lease():
                return "standby"
            func, _interval = JOBS[job_id]
            result = func()
        except Exception as err:
            db.session.rollback()
            if is_outage(err):
                log.error("job %s: database unavailable: %s", job_id,
                          str(getattr(err, "orig", err)).strip().splitlines()[0][:300])
                return "database unavailable"
            log.exception("job %s failed", job_id)
            raise
        finally:
            db.session.remove()
        log.info("job %s done in %.1f s: %s", job_id, time.perf_counter() - started, result)
        return result


def run_all_once(app: Flask) -> dict[str, Any]:
    return {job_id: run_job(app, job_id) for job_id in JOBS}
