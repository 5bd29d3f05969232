"""Check-in burst against a multi-worker server on 127.0.0.1, and figures for it.

    python benchmarks/checkin_burst.py [--participants 2000] [--workers 4] [--clients 64]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Creates a fresh database (PostgreSQL when a URL is given, else SQLite), an episode that is
live now with an open checkpoint, N participants with API tokens (half registered, half
walk-ins), starts gunicorn with W workers on a free loopback port, then has C client
threads post every participant's check-in (plus one repeat each) as fast as they can.
Prints requests/s, latency percentiles, status counts and the rows in the database.
Traffic goes to 127.0.0.1 only; the run is bounded by the number of requests.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

ROOT = os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, ROOT)

from _database import temporary_database  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, n: int) -> tuple[int, list[str]]:
    from flask_migrate import upgrade

    from asnbelajar.accounts.models import ApiToken, ParticipantProfile, User
    from asnbelajar.accounts.services import CONSENT_VERSION
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
    from asnbelajar.registrations.models import Registration
    from asnbelajar.timeutil import now_utc

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "TESTING": True})
    with app.app_context():
        upgrade()
        start = now_utc().replace(microsecond=0) - timedelta(minutes=10)
        episode = create_episode({"title": "Burst", "number": 1, "starts_at": start.isoformat(),
                                  "ends_at": (start + timedelta(hours=2)).isoformat()}, None)
        add_checkpoint(episode, {"label": "awal", "code": "BURST7",
                                 "opens_at": start.isoformat(),
                                 "closes_at": (start + timedelta(hours=1)).isoformat()}, None)
        publish_episode(episode, None)
        db.session.commit()
        db.session.execute(insert(User), [
            {"email": f"burst{i}@example.go.id", "full_name": f"Peserta {i}",
             "role": "participant", "password_hash": "x", "active": True, "locale": "id",
             "timezone": "Asia/Jakarta"} for i in range(n)])
        ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        db.session.execute(insert(ParticipantProfile), [
            {"user_id": uid, "employee_type": "non_asn", "instansi_name": "Pemprov Riau",
             "province": "Riau", "anonymized": False, "consent_version": CONSENT_VERSION,
             "consent_at": now_utc().replace(tzinfo=None)} for uid in ids])
        db.session.execute(insert(Registration), [
            {"episode_id": episode.id, "user_id": uid, "status": "registered",
             "source": "api"} for uid in ids[: n // 2]])
        tokens = [secrets.token_urlsafe(24) for _ in ids]
        db.session.execute(insert(ApiToken), [
            {"user_id": uid, "token_hash": hashlib.sha256(t.encode()).hexdigest(),
             "name": "bench"} for uid, t in zip(ids, tokens, strict=True)])
        db.session.commit()
        episode_id = episode.id
        db.engine.dispose()
    return episode_id, tokens


def count_rows(url: str) -> tuple[int, int]:
    from asnbelajar.attendance.models import CheckIn
    from asnbelajar.registrations.models import Registration

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        checkins = db.session.scalar(select(func.count()).select_from(CheckIn))
        regs = db.session.scalar(select(func.count()).select_from(Registration))
        db.engine.dispose()
    return checkins, regs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with temporary_database(args.database_url, prefix="asnb_burst") as url:
        episode_id, tokens = prepare(url, args.participants)
        port = free_port()
        env = {**os.environ, "ASNBELAJAR_DATABASE_URL": url, "ASNBELAJAR_SECRET_KEY": "bench",
               "ASNBELAJAR_RATELIMIT_ENABLED": "false", "ASNBELAJAR_DB_POOL_SIZE": "5"}
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        # --preload as deployed (deploy/gunicorn.conf.py): the app is built before the
        # workers fork, so they take requests at once. Without it the master listens while
        # the workers are still importing the app, and the first requests waited there
        # for seconds (they were the p99 of this script).
        server = subprocess.Popen(
            [gunicorn, "-w", str(args.workers), "--preload", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
        try:
            wait_until_ready(port)
            statuses = run_burst(port, episode_id, tokens, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=20)
        checkins, regs = count_rows(url)
        print(f"rows: check_ins={checkins} (expected {len(tokens)}) registrations={regs}")
    # Figures of refused or failed requests are no figures: say so with the exit status.
    wrong = {status: n for status, n in statuses.items() if status not in (200, 201)}
    if wrong or checkins != len(tokens) or regs != len(tokens):
        raise SystemExit(f"unexpected answers or rows: {wrong or 'rows'}")


def wait_until_ready(port: int) -> None:
    """Until the app answers ``/healthz`` (an open port alone is gunicorn's master)."""
    for _ in range(300):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise SystemExit(f"the app on port {port} did not answer /healthz")


def run_burst(port: int, episode_id: int, tokens: list[str], clients: int) -> Counter:
    local = threading.local()
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    body = json.dumps({"code": "burst7"})

    def post(token: str) -> None:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.perf_counter()
        try:
            local.conn.request("POST", f"/api/v1/episodes/{episode_id}/checkins", body=body,
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/json"})
            response = local.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            status = "error"
        elapsed = time.perf_counter() - t0
        with lock:
            latencies.append(elapsed)
            statuses[status] += 1

    jobs = tokens + tokens  # every participant checks in, then repeats
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(post, jobs))
    wall = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(f"requests={len(jobs)} clients={clients} wall={wall:.2f}s "
          f"throughput={len(jobs) / wall:.0f} req/s")
    print(f"latency p50={q[49] * 1000:.0f}ms p95={q[94] * 1000:.0f}ms "
          f"p99={q[98] * 1000:.0f}ms max={latencies[-1] * 1000:.0f}ms")
    print(f"statuses: {dict(statuses)}")
    return statuses


if __name__ == "__main__":
    main()
