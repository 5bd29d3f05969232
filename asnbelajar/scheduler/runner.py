"""The long-running ``asnbelajar scheduler`` process: a lease heartbeat, the jobs, and a
clean stop.

Every ``SCHEDULER_RENEW_SECONDS`` each process tries to take or renew the lease (valid
``SCHEDULER_LEASE_SECONDS``). The holder runs the jobs; the others stand by and ask
again at the same pace, so when the active process dies its lease lapses and a standby
takes over at most lease + renew seconds later (10 + 2 by default). SIGTERM and SIGINT
give the lease back at once, so a planned restart hands over within one renew interval.
All schedulers' clocks must agree (NTP): the lease compares their times.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime

from flask import Flask

from ..database import is_outage
from ..extensions import db
from .services import HOLDER, JOBS, acquire_lease, release_lease, run_job

log = logging.getLogger("asnbelajar.scheduler")


class Lease:
    """Whether this process is the active scheduler, as last confirmed by the database."""

    def __init__(self) -> None:
        self.active = False
        self.lock = threading.Lock()


def heartbeat(app: Flask, lease: Lease, scheduler=None) -> bool:
    """Take or renew the lease; log only changes. Returns whether this process is active."""
    with app.app_context():
        try:
            held = acquire_lease()
        except Exception as err:
            db.session.rollback()
            if not is_outage(err):
                log.exception("scheduler %s: lease heartbeat failed", HOLDER)
            else:
                log.error("scheduler %s: database unavailable, cannot renew the lease",
                          HOLDER)
            held = False  # unconfirmed: another scheduler may take over, so stop working
        finally:
            db.session.remove()
    with lease.lock:
        was, lease.active = lease.active, held
    if held and not was:
        log.info("scheduler %s is now active", HOLDER)
        if scheduler is not None:  # catch up at once instead of at each job's next tick
            for job_id in JOBS:
                scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
    elif was and not held:
        log.warning("scheduler %s lost the lease; standing by", HOLDER)
    return held


def guarded_job(app: Flask, lease: Lease, job_id: str):
    if not lease.active:
        return "standby"
    return run_job(app, job_id, lease_held=True)


def run_scheduler(app: Flask, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or ``stop``), then give the lease back."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    stop = stop or threading.Event()
    renew = float(app.config["SCHEDULER_RENEW_SECONDS"])
    lease = Lease()
    scheduler = BackgroundScheduler(
        timezone="UTC", executors={"default": ThreadPoolExecutor(len(JOBS) + 2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
    for job_id, (_func, interval) in JOBS.items():
        scheduler.add_job(guarded_job, "interval", seconds=interval, args=[app, lease, job_id],
                          id=job_id, replace_existing=True)
    scheduler.add_job(heartbeat, "interval", seconds=renew, args=[app, lease, scheduler],
                      id="lease-heartbeat", next_run_time=datetime.now(UTC))

    def on_signal(signum, _frame) -> None:
        log.info("scheduler %s received %s; stopping", HOLDER, signal.Signals(signum).name)
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
    log.info("scheduler %s started with jobs %s (lease %s s, renewed every %s s)", HOLDER,
             ", ".join(JOBS), app.config["SCHEDULER_LEASE_SECONDS"], renew)
    scheduler.start()
    try:
        while not stop.wait(1):
            pass
    finally:
        scheduler.remove_job("lease-heartbeat")
        with lease.lock:
            lease.active = False  # no job starts after this point
        scheduler.shutdown(wait=False)
        with app.app_context():
            try:
                release_lease()
                log.info("scheduler %s released the lease", HOLDER)
            except Exception as err:  # noqa: BLE001 - the lease then simply lapses
                log.error("scheduler %s could not release the lease: %s", HOLDER, err)
            finally:
                db.session.remove()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
