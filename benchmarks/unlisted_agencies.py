# ruff: noqa: S608 - the SQL below is built from this script's own integers and constants
"""Time the console's page of agencies typed outside the reference list, and a mapping.

    python benchmarks/unlisted_agencies.py [--participants 100000] [--typed-share 0.05]
                                           [--database-url postgresql://...|sqlite]

A fresh database (PostgreSQL, dropped at the end, or a temporary SQLite file) with the
shipped reference list (667 agencies) and ``--participants`` profiles in bulk SQL: most
picked a reference agency, ``--typed-share`` of them typed one of 2,000 names of their own
(each under an unreviewed agency row, as sign-up files them, in varying letter case). Then
the first page, a search and a later page of /console/instansi through the Flask test
client (cold, then the median of five), and one mapping of the most common typed name
(one UPDATE for all its participants).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.accounts.models import Instansi  # noqa: E402
from asnbelajar.accounts.reference import load_instansi  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

TYPED_NAMES = 2_000


def seed(participants: int, typed_share: float) -> None:
    load_instansi()
    db.session.commit()
    postgres = db.engine.dialect.name == "postgresql"
    # Unreviewed agency rows for the typed names: "Dinas 17 Kab. Contoh 3" and the like.
    db.session.execute(text(
        "INSERT INTO instansi (name, name_key, kind, is_reference, created_at) "
        "SELECT 'Dinas ' || n || ' Kab. Contoh ' || (n % 97), "
        "lower('Dinas ' || n || ' Kab. Contoh ' || (n % 97)), 'lainnya', false, "
        "CURRENT_TIMESTAMP FROM " + (
            f"generate_series(1, {TYPED_NAMES}) AS g(n)" if postgres else
            f"(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g "
            f"WHERE n < {TYPED_NAMES}) SELECT n FROM g)")))
    series = (f"generate_series(1, {participants}) AS g(n)" if postgres else
              f"(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g "
              f"WHERE n < {participants}) SELECT n FROM g)")
    db.session.execute(text(
        "INSERT INTO \"user\" (email, password_hash, full_name, role, active, locale, timezone, "
        "reminders_enabled, created_at) SELECT 'p' || n || '@example.go.id', 'x', "
        "'Peserta ' || n, 'participant', true, 'id', 'Asia/Jakarta', true, CURRENT_TIMESTAMP "
        f"FROM {series}"))
    typed_every = max(1, round(1 / typed_share)) if typed_share > 0 else 0
    refs = db.session.scalar(select(func.count()).select_from(Instansi)
                             .where(Instansi.is_reference.is_(True)))
    first_ref = db.session.scalar(select(func.min(Instansi.id))
                                  .where(Instansi.is_reference.is_(True)))
    first_typed = db.session.scalar(select(func.min(Instansi.id))
                                    .where(Instansi.is_reference.is_(False)))
    provinces = ("Papua", "Bali", "Jawa Barat", "Maluku", "Aceh")
    province = "CASE u.id % 5 " + " ".join(
        f"WHEN {i} THEN '{p}'" for i, p in enumerate(provinces)) + " END"
    typed = f"(u.id % {typed_every} = 0)" if typed_every else "false"
    # Skewed typed names: (id / every) squared folds many people onto the first names.
    step = typed_every or 1
    typed_id = f"{first_typed} + ((u.id / {step}) * (u.id / {step})) % {TYPED_NAMES}"
    db.session.execute(text(
        "INSERT INTO participant_profile (user_id, employee_type, nip_status, instansi_id, "
        "instansi_name, province, anonymized, updated_at) "
        f"SELECT u.id, 'non_asn', 'self_declared', "
        f"CASE WHEN {typed} THEN {typed_id} ELSE {first_ref} + u.id % {refs} END, "
        f"NULL, {province}, false, CURRENT_TIMESTAMP FROM \"user\" u"))
    # The name as typed, every third one in capitals.
    db.session.execute(text(
        "UPDATE participant_profile SET instansi_name = (SELECT CASE "
        "WHEN participant_profile.user_id % 3 = 0 AND NOT i.is_reference THEN upper(i.name) "
        "ELSE i.name END FROM instansi i WHERE i.id = participant_profile.instansi_id)"))
    db.session.commit()
    if postgres:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def timed(client, path: str, repeat: int) -> tuple[float, float]:
    def once() -> float:
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return time.perf_counter() - started
    cold = once()
    return cold, statistics.median(once() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--typed-share", type=float, default=0.05)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with temporary_database(args.database_url) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            started = time.perf_counter()
            seed(args.participants, args.typed_share)
            print(f"{db.engine.dialect.name}: {args.participants:,} participants seeded in "
                  f"{time.perf_counter() - started:.1f} s")
            organizer = db.session.execute(text(
                "INSERT INTO \"user\" (email, password_hash, full_name, role, active, locale, "
                "timezone, reminders_enabled, created_at) VALUES ('panitia@example.go.id', "
                "'x', 'Panitia', 'organizer', true, 'id', 'Asia/Jakarta', true, "
                "CURRENT_TIMESTAMP) RETURNING id")).scalar_one()
            db.session.commit()
            typed = db.session.scalar(text(
                "SELECT count(*) FROM participant_profile p JOIN instansi i "
                "ON i.id = p.instansi_id WHERE NOT i.is_reference"))
            print(f"  {typed:,} of them typed a name outside the list")
            from urllib.parse import quote_plus

            from asnbelajar.accounts.agencies import map_unlisted_agency, unlisted_agencies

            # The name most people typed (there is one at any size): its mapping page is
            # timed, then its mapping.
            top = unlisted_agencies().items[0]
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(organizer)
            session["_fresh"] = True
        for label, path in (("first page", "/console/instansi"),
                            ("search 'contoh 3'", "/console/instansi?q=contoh+3"),
                            ("page 40", "/console/instansi?page=40"),
                            ("mapping page", f"/console/instansi/map?name={quote_plus(top.key)}")):
            cold, warm = timed(client, path, args.repeat)
            print(f"  {label:<20} cold {cold * 1000:7.0f} ms   warm median {warm * 1000:7.0f} ms")
        with app.app_context():
            target = db.session.scalar(select(Instansi.id).where(
                Instansi.name == "Pemerintah Provinsi Papua"))
            started = time.perf_counter()
            mapping = map_unlisted_agency(top.key, target, actor_id=organizer)
            db.session.commit()
            print(f"  mapping {mapping.participants:,} participants of '{top.name}': "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
