"""A real ``asnbelajar scheduler`` process: it takes the lease, logs each job, and gives
the lease back on SIGTERM and SIGINT so a standby takes over at once (the failover time
after a crash is measured by benchmarks/scheduler_failover.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from asnbelajar.scheduler.models import SchedulerLease
from asnbelajar.timeutil import now_utc, to_db

ROOT = Path(__file__).resolve().parent.parent


def _lease(db):
    db.session.expire_all()
    lease = db.session.scalar(select(SchedulerLease))
    db.session.commit()
    return lease


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_scheduler_releases_the_lease(app, db, tmp_path, sig):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {**os.environ, "ASNBELAJAR_DATABASE_URL": url, "ASNBELAJAR_SECRET_KEY": "t",
           "ASNBELAJAR_MAIL_BACKEND": "console"}
    log = tmp_path / "scheduler.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from asnbelajar.cli import main; main()", "scheduler"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            lease = _lease(db)
            if lease is not None and lease.holder.split(":")[1] == str(proc.pid) \
                    and "job flush-outbox done" in log.read_text():
                break
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert lease.expires_at > to_db(now_utc())  # held

        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lease = _lease(db)
    assert lease.expires_at <= to_db(now_utc())  # given back, not left to lapse
    text = log.read_text()
    assert "released the lease" in text
    assert "job send-reminders done" in text  # each job says what it did
