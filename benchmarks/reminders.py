"""Queue reminders for N registrants and time a first run and a rerun.

    python benchmarks/reminders.py [--registrants 3000] [--database-url postgresql://...]

Creates its own database (a temporary SQLite file, or a fresh PostgreSQL database that is
dropped afterwards), inserts participants and registrations set-based for an episode
starting in 20 hours, then times ``send_due_reminders`` twice. The first run renders and
queues every reminder; the rerun finds every dedupe key already in the outbox and should
cost one SELECT and render nothing. Prints the times, the emails queued, the renders and
the SQL statements of each run.
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
from sqlalchemy import event, insert, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrants", type=int, default=3000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with temporary_database(args.database_url) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "RATELIMIT_ENABLED": False})
        with app.app_context():
            run(args.registrants, url)
            db.session.remove()
            db.engine.dispose()


def run(n: int, url: str) -> None:
    import asnbelajar.scheduler.services as jobs
    from asnbelajar.accounts.models import ParticipantProfile, User
    from asnbelajar.episodes.services import create_episode, publish_episode
    from asnbelajar.registrations.models import Registration
    from asnbelajar.timeutil import now_utc

    upgrade()
    start = now_utc().replace(microsecond=0) + timedelta(hours=20)
    episode = create_episode({"title": "Benchmark", "number": 1,
                              "starts_at": start.isoformat(),
                              "ends_at": (start + timedelta(hours=2)).isoformat()}, None)
    publish_episode(episode, None)
    db.session.commit()
    db.session.execute(insert(User), [
        {"email": f"r{i}@example.go.id", "full_name": f"Peserta {i}", "role": "participant",
         "password_hash": "x", "active": True, "locale": "id", "timezone": "Asia/Jakarta"}
        for i in range(n)])
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    db.session.execute(insert(ParticipantProfile), [
        {"user_id": uid, "nip": None, "employee_type": "non_asn",
         "instansi_name": "Pemerintah Provinsi Riau", "anonymized": False} for uid in ids])
    db.session.execute(insert(Registration), [
        {"episode_id": episode.id, "user_id": uid, "status": "registered", "source": "api"}
        for uid in ids])
    db.session.commit()
    db.session.expire_all()

    statements = [0]
    renders = [0]
    real_render = jobs.render_email

    def counting_render(*args, **kwargs):
        renders[0] += 1
        return real_render(*args, **kwargs)

    def count(*_args):
        statements[0] += 1

    jobs.render_email = counting_render
    event.listen(db.engine, "before_cursor_execute", count)
    print(f"engine={url.split(':', 1)[0]} registrants={n}")
    for label in ("first run", "rerun"):
        statements[0] = renders[0] = 0
        t0 = time.perf_counter()
        result = jobs.send_due_reminders()
        elapsed = time.perf_counter() - t0
        print(f"{label}: {elapsed * 1000:.1f} ms  queued={result['queued']} "
              f"rendered={renders[0]} statements={statements[0]}")
        db.session.expire_all()
    event.remove(db.engine, "before_cursor_execute", count)
    jobs.render_email = real_render


if __name__ == "__main__":
    main()
