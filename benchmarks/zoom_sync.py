"""Push N registrants to a local stand-in of Zoom's API and pull back a report of N people
(with rejoins), printing how long each step takes.

    python benchmarks/zoom_sync.py [--registrants 300] [--database-url postgresql://...]

Creates its own database (temporary SQLite, or a fresh PostgreSQL database dropped
afterwards) and its own stand-in server (tests/zoom_standin.py) on 127.0.0.1.
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
from sqlalchemy import func, insert, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402
from tests.zoom_standin import ZoomStandIn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrants", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with ZoomStandIn() as zoom, temporary_database(args.database_url) as url:
        zoom.state.page_size = 300
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "RATELIMIT_ENABLED": False, "ZOOM_API_URL": zoom.url + "/v2",
                          "ZOOM_OAUTH_URL": zoom.url, "ZOOM_PUSH_LIMIT": 100_000,
                          "MAIL_BACKEND": "console"})
        app.instance_path = os.path.dirname(url.split("///")[-1]) if "sqlite" in url \
            else app.instance_path
        with app.app_context():
            run(args.registrants, url, zoom)
            db.session.remove()
            db.engine.dispose()


def run(n: int, url: str, zoom: ZoomStandIn) -> None:
    from asnbelajar.accounts.models import ParticipantProfile, User
    from asnbelajar.attendance.models import AttendanceInterval
    from asnbelajar.episodes.services import create_episode, publish_episode
    from asnbelajar.integrations import services as zs
    from asnbelajar.integrations.models import ZoomRegistrant
    from asnbelajar.integrations.reports import pull_report
    from asnbelajar.notifications.models import OutboxEmail
    from asnbelajar.registrations.models import Registration
    from asnbelajar.scheduler.zoom import sync_zoom
    from asnbelajar.timeutil import now_utc

    # The migrated schema: its triggers (place counts, the ledger) and, on PostgreSQL,
    # its search indexes are part of what is measured (create_all has none of them).
    upgrade()
    state = zoom.state
    zs.save_connection(state.account_id, state.client_id, state.client_secret, None)
    start = now_utc().replace(microsecond=0) + timedelta(days=3)
    episode = create_episode({"title": "Benchmark", "number": 1,
                              "starts_at": start.isoformat(),
                              "ends_at": (start + timedelta(hours=2)).isoformat()}, None)
    publish_episode(episode, None)
    db.session.commit()
    t0 = time.perf_counter()
    meeting = zs.create_zoom_for_episode(episode, "webinar", None)
    db.session.commit()
    t_create = time.perf_counter() - t0
    db.session.execute(insert(User), [
        {"email": f"b{i}@example.go.id", "full_name": f"Peserta Nomor {i}",
         "role": "participant", "password_hash": "x", "active": True, "locale": "id",
         "timezone": "Asia/Jakarta"} for i in range(n)])
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    db.session.execute(insert(ParticipantProfile), [
        {"user_id": uid, "nip": None, "employee_type": "non_asn",
         "instansi_name": "Pemerintah Provinsi Riau", "anonymized": False} for uid in ids])
    db.session.execute(insert(Registration), [
        {"episode_id": episode.id, "user_id": uid, "status": "registered", "source": "api"}
        for uid in ids])
    db.session.commit()

    t1 = time.perf_counter()
    first = sync_zoom()
    t2 = time.perf_counter()
    again = sync_zoom()
    t3 = time.perf_counter()
    links = db.session.scalar(select(func.count()).select_from(ZoomRegistrant).where(
        ZoomRegistrant.join_url.is_not(None)))
    mails = db.session.scalar(select(func.count()).select_from(OutboxEmail))

    # A report: everyone once through the personal link, a tenth rejoins.
    rids = dict(db.session.execute(select(ZoomRegistrant.user_id,
                                          ZoomRegistrant.registrant_id)).all())
    rows = []
    for i, uid in enumerate(ids):
        rows.append({"name": f"P{i}", "user_email": f"b{i}@example.go.id",
                     "registrant_id": rids[uid], "join_time": "2030-01-01T02:00:00Z",
                     "leave_time": "2030-01-01T03:00:00Z", "duration": 3600})
        if i % 10 == 0:
            rows.append({"name": f"P{i}", "user_email": f"b{i}@example.go.id",
                         "registrant_id": rids[uid], "join_time": "2030-01-01T03:01:00Z",
                         "leave_time": "2030-01-01T04:00:00Z", "duration": 3540})
    state.report[meeting.zoom_id] = rows
    t4 = time.perf_counter()
    summary = pull_report(episode, None)
    db.session.commit()
    t5 = time.perf_counter()
    intervals = db.session.scalar(select(func.count()).select_from(AttendanceInterval))
    print(f"engine={url.split(':', 1)[0]} registrants={n}")
    print(f"create webinar: {t_create * 1000:.0f} ms")
    print(f"push #1: {t2 - t1:.2f}s pushed={first['pushed']} "
          f"({first['pushed'] / max(t2 - t1, 1e-9):.0f}/s) zoom calls="
          f"{len(state.calls('POST', '/v2/webinars/'))} links={links} emails={mails}")
    print(f"push #2 (rerun): {t3 - t2:.2f}s pushed={again['pushed']}")
    print(f"report pull: {t5 - t4:.2f}s rows={summary.rows} matched={summary.matched} "
          f"intervals={intervals} pages={len(state.calls('GET', '/v2/report/'))}")


if __name__ == "__main__":
    main()
