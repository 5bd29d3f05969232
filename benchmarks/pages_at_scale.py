"""Time the pages that must carry the real season (457,300 registrations) and print figures.

    # on a database seeded with `asnbelajar seed-demo --registrations 457300`:
    python benchmarks/pages_at_scale.py --database-url postgresql://postgres@127.0.0.1:5432/DB
    # or seed a throwaway database first (dropped afterwards; takes a few minutes):
    python benchmarks/pages_at_scale.py --seed 457300 --database-url postgresql://postgres@127.0.0.1:5432/postgres

Signs in through the Flask test client (as the demo organizer, the most active demo
participant and anonymously) and requests each page ``--runs`` times after one warm-up
request; prints the median and the slowest time per page and marks those over the goal
(300 ms). Every page must answer 200.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

GOAL_MS = 300.0
YEAR = 2022


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="a seeded database (or, with --seed, a server to create one on)")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="seed a throwaway database with --registrations N first")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.seed is None:
        if not args.database_url:
            parser.error("--database-url of a seeded database, or --seed N")
        run(_sqlalchemy_url(args.database_url), args.runs)
        return
    with temporary_database(args.database_url, prefix="asnb_pages") as url:
        app = _app(url)
        with app.app_context():
            from flask_migrate import upgrade

            from asnbelajar.demo import seed_demo

            upgrade()
            started = time.perf_counter()
            seed_demo(registrations=args.seed, echo=lambda _m: None)
            print(f"seeded --registrations {args.seed} in {time.perf_counter() - started:.0f} s")
            db.session.remove()
            db.engine.dispose()
        run(url, args.runs)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _app(url: str):
    # One log line per request would drown the figures.
    logging.getLogger("asnbelajar.request").setLevel(logging.WARNING)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "SERVER_NAME": None})


def run(url: str, runs: int) -> None:
    from asnbelajar.accounts.models import User
    from asnbelajar.demo import DEMO_LOGINS, DEMO_PASSWORD
    from asnbelajar.episodes.models import Episode
    from asnbelajar.ledger.models import LedgerEntry
    from asnbelajar.registrations.models import Registration

    app = _app(url)
    with app.app_context():
        largest, size = db.session.execute(
            select(Episode.id, func.count(Registration.id))
            .join(Registration, Registration.episode_id == Episode.id)
            .where(Episode.year == YEAR, Registration.status == "registered")
            .group_by(Episode.id).order_by(func.count(Registration.id).desc()).limit(1)
        ).one()
        busiest = db.session.execute(
            select(User.email, func.count(LedgerEntry.id))
            .join(LedgerEntry, LedgerEntry.user_id == User.id)
            .where(LedgerEntry.year == YEAR, User.email.like("%@example.%"))
            .group_by(User.id, User.email).order_by(func.count(LedgerEntry.id).desc(), User.id)
            .limit(1)
        ).one()
        registrations = db.session.scalar(
            select(func.count()).select_from(Registration)
            .where(Registration.status == "registered"))
        engine = db.engine.dialect.name
        db.session.remove()
    organizer = next(email for role, email, _p in DEMO_LOGINS if role == "organizer")
    last_page = -(-size // 50)
    print(f"engine={engine} active registrations={registrations} largest episode={largest} "
          f"({size} registrants) participant={busiest[0]} ({busiest[1]} credits in {YEAR})")

    reg = f"/console/episodes/{largest}/registrants"
    groups = [
        (organizer, [
            ("organizer dashboard", f"/console?year={YEAR}"),
            ("training-rate report", f"/console/reports/training-rate?year={YEAR}"),
            ("training-rate, by rate desc", f"/console/reports/training-rate?year={YEAR}"
                                            "&sort=rate&order=desc"),
            ("annual report", f"/console/reports/annual?year={YEAR}"),
            ("episode report (largest)", f"/console/episodes/{largest}/report"),
            ("registrants page 1", reg),
            ("registrants search 'siti'", f"{reg}?q=siti"),
            ("registrants search NIP prefix", f"{reg}?q=1988"),
            ("registrants sort name desc", f"{reg}?sort=name&dir=desc"),
            ("registrants sort instansi", f"{reg}?sort=instansi"),
            (f"registrants last page ({last_page})", f"{reg}?page={last_page}"),
            ("registrants page 500", f"{reg}?page=500"),
            ("API summary", f"/api/v1/reports/summary?year={YEAR}"),
            ("API episode report", f"/api/v1/episodes/{largest}/report"),
        ]),
        (busiest[0], [
            ("participant dashboard /me", "/me"),
            ("participant transcript", f"/me/ledger?year={YEAR}"),
            ("participant transcript CSV", f"/me/ledger/{YEAR}/transcript.csv"),
            ("participant transcript PDF", f"/me/ledger/{YEAR}/transcript.pdf"),
            ("my registrations", "/me/registrations"),
        ]),
        (None, [
            ("public catalog", "/episodes"),
            ("public catalog 2022", f"/episodes?year={YEAR}"),
            ("public episode page", f"/episodes/{largest}"),
            ("program page 2022", f"/program/asn-belajar?year={YEAR}"),
        ]),
    ]
    failures = 0
    slow = 0
    print(f"{'page':<34} {'status':>6} {'median ms':>10} {'max ms':>8}")
    for login, pages in groups:
        client = app.test_client()
        token = None
        if login:
            response = client.post("/login", data={"login": login, "password": DEMO_PASSWORD})
            if response.status_code not in (200, 302):
                print(f"login as {login} failed: {response.status_code}")
                sys.exit(1)
            token = client.post("/api/v1/auth/token",
                                json={"login": login, "password": DEMO_PASSWORD}).get_json()
        for label, path in pages:
            headers = {}
            if path.startswith("/api/") and token and "token" in token:
                headers["Authorization"] = f"Bearer {token['token']}"
            status = client.get(path, headers=headers).status_code  # warm-up
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                status = client.get(path, headers=headers).status_code
                times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times)
            mark = "" if median <= GOAL_MS else "  > goal"
            failures += status != 200
            slow += median > GOAL_MS
            print(f"{label:<34} {status:>6} {median:>10.0f} {max(times):>8.0f}{mark}")
    print(f"goal {GOAL_MS:.0f} ms (median): {slow} page(s) over, {failures} not 200")
    with app.app_context():
        db.engine.dispose()
    if failures:  # the time of an error page is no figure
        raise SystemExit(f"{failures} page(s) did not answer 200")


if __name__ == "__main__":
    main()
