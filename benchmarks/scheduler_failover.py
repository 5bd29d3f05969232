"""Two real ``asnbelajar scheduler`` processes: how long until the standby takes over?

    python benchmarks/scheduler_failover.py [--database-url postgresql://...]

1. starts schedulers A and B on a fresh database and waits until one holds the lease;
2. kills the active one with SIGKILL (a crash: the lease must lapse) and times the
   takeover by the standby;
3. starts C as the new standby, stops the active one with SIGTERM (a planned restart:
   the lease is given back) and times that takeover too.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def start(url: str, name: str, logdir: str) -> subprocess.Popen:
    env = {**os.environ, "ASNBELAJAR_DATABASE_URL": url, "ASNBELAJAR_SECRET_KEY": "bench",
           "ASNBELAJAR_MAIL_BACKEND": "console"}
    log = open(os.path.join(logdir, f"{name}.log"), "w")  # noqa: SIM115 - closed at exit
    return subprocess.Popen(
        [sys.executable, "-c", "from asnbelajar.cli import main; main()", "scheduler"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=os.path.join(HERE, ".."))


def holder_pid(engine) -> int | None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT holder, expires_at FROM scheduler_lease "
                                "WHERE name = 'main'")).first()
    if row is None:
        return None
    # A released lease (expired) belongs to nobody.
    return int(row.holder.split(":")[1])


def wait_for_holder(engine, candidates: dict[int, str], timeout: float = 60) -> tuple[int, float]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pid = holder_pid(engine)
        if pid in candidates:
            return pid, time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"no takeover within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    logdir = tempfile.mkdtemp(prefix="asnb-failover-")
    with temporary_database(args.database_url, prefix="asnb_bench_failover") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            lease_s = app.config["SCHEDULER_LEASE_SECONDS"]
            renew_s = app.config["SCHEDULER_RENEW_SECONDS"]
            db.engine.dispose()
        engine = create_engine(url)
        procs = {}
        try:
            for name in ("A", "B"):
                proc = start(url, name, logdir)
                procs[proc.pid] = (name, proc)
            active, took = wait_for_holder(engine, {pid: n for pid, (n, _) in procs.items()})
            print(f"{engine.dialect.name}: lease {lease_s} s, renewed every {renew_s} s; "
                  f"{procs[active][0]} active after {took:.1f} s")

            name, proc = procs.pop(active)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            standby, took = wait_for_holder(engine, {pid: n for pid, (n, _) in procs.items()})
            print(f"SIGKILL of {name}: {procs[standby][0]} took over after {took:.1f} s "
                  f"(goal: within 15 s)")

            proc = start(url, "C", logdir)
            procs[proc.pid] = ("C", proc)
            c_log = os.path.join(logdir, "C.log")
            deadline = time.monotonic() + 120
            while "started with jobs" not in Path(c_log).read_text():  # C is up ...
                if time.monotonic() > deadline:
                    raise SystemExit("C did not start")
                time.sleep(0.1)
            time.sleep(renew_s + 0.5)  # ... and has asked for the lease once: standing by
            name, proc = procs.pop(standby)
            proc.send_signal(signal.SIGTERM)
            started = time.monotonic()
            rc = proc.wait(timeout=60)
            stopped = time.monotonic() - started
            new, took = wait_for_holder(engine, {pid: n for pid, (n, _) in procs.items()})
            print(f"SIGTERM of {name}: exited with {rc} after {stopped:.1f} s, lease released; "
                  f"{procs[new][0]} took over {stopped + took:.1f} s after the signal")
        finally:
            for _name, proc in procs.values():
                proc.send_signal(signal.SIGTERM)
            for _name, proc in procs.values():
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            engine.dispose()
    print(f"scheduler logs: {logdir}")


if __name__ == "__main__":
    main()
