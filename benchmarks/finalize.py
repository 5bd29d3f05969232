"""Finalize an episode with N attendees and print how long each step takes.

    python benchmarks/finalize.py [--attendees 7700] [--database-url postgresql://...]

Creates its own database (a temporary SQLite file, or a fresh PostgreSQL database that is
dropped afterwards), inserts participants, registrations and check-ins set-based, then
times finalize (verdicts + certificates + credits) and a second, idempotent run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=7700)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with temporary_database(args.database_url) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "RATELIMIT_ENABLED": False})
        with app.app_context():
            run(args.attendees, url)
            db.session.remove()
            db.engine.dispose()


def run(n: int, url: str) -> None:
    from asnbelajar.accounts.models import ParticipantProfile, User
    from asnbelajar.attendance.models import CheckIn
    from asnbelajar.attendance.services import finalize_episode
    from asnbelajar.certificates.models import Certificate
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
    from asnbelajar.ledger.models import LedgerEntry
    from asnbelajar.registrations.models import Registration
    from asnbelajar.timeutil import now_utc

    # The migrated schema, so the ledger triggers are timed too (create_all skips them).
    upgrade()
    start = now_utc().replace(microsecond=0) - timedelta(hours=5)
    end = start + timedelta(hours=2, minutes=30)
    episode = create_episode({"title": "Benchmark", "number": 1,
                              "starts_at": start.isoformat(), "ends_at": end.isoformat()}, None)
    for label, opens in (("awal", start), ("akhir", end - timedelta(minutes=15))):
        add_checkpoint(episode, {"label": label, "opens_at": opens.isoformat(),
                                 "closes_at": (opens + timedelta(minutes=30)).isoformat()},
                       None)
    publish_episode(episode, None)
    db.session.commit()
    t0 = time.perf_counter()
    db.session.execute(insert(User), [
        {"email": f"b{i}@example.go.id", "full_name": f"Peserta {i}", "role": "participant",
         "password_hash": "x", "active": True, "locale": "id", "timezone": "Asia/Jakarta"}
        for i in range(n)])
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    db.session.execute(insert(ParticipantProfile), [
        {"user_id": uid, "nip": None, "employee_type": "non_asn",
         "instansi_name": "Pemerintah Provinsi Riau", "anonymized": False}
        for uid in ids])
    db.session.execute(insert(Registration), [
        {"episode_id": episode.id, "user_id": uid, "status": "registered", "source": "api"}
        for uid in ids])
    checkpoints = [c.id for c in episode.checkpoints]
    attending = ids[: int(n * 0.9)]
    db.session.execute(insert(CheckIn), [
        {"episode_id": episode.id, "user_id": uid, "checkpoint_id": cp}
        for uid in attending for cp in checkpoints])
    db.session.commit()
    if "postgresql" in url and os.environ.get("BENCH_ANALYZE"):
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    first = finalize_episode(episode.id, actor_id=None)
    db.session.commit()
    t2 = time.perf_counter()
    second = finalize_episode(episode.id, actor_id=None)
    db.session.commit()
    t3 = time.perf_counter()
    credits = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    certs = db.session.scalar(select(func.count()).select_from(Certificate))
    engine = url.split(":", 1)[0]
    print(f"engine={engine} registrants={n} attended={first.attended}")
    print(f"setup (bulk insert): {setup:.2f}s")
    print(f"finalize #1: {t2 - t1:.2f}s  credited={first.credited} "
          f"certificates={first.certificates_issued}")
    print(f"finalize #2: {t3 - t2:.2f}s  credited={second.credited} "
          f"certificates={second.certificates_issued}")
    print(f"rows: credits={credits} certificates={certs}")


if __name__ == "__main__":
    main()
