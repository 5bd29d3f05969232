# ruff: noqa: S608 - the SQL below is built from this script's own integers and constants
"""Time the yearly reports at province scale and print the figures.

    python benchmarks/reports.py [--participants 200000] [--ledger 1000000]
                                 [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Creates a fresh PostgreSQL database (dropped at the end), migrates it, and fills it with
bulk SQL (``generate_series``, no ORM objects): 600 agencies in 38 provinces, the
participants (nine in ten ASN) with their profiles, two seasons of episodes (2023 and 2024),
registrations, attendance verdicts, one episode credit and one certificate per attendee,
external credits, and some reversals, until the ledger holds ``--ledger`` rows. Then it
asks the dashboard, the training-rate report (JSON, page and XLSX), the year summary, the
annual report (page and PDF), the biggest episode's report and the home page as an
organizer would, through the Flask test client, and prints the first (cold) and the median
of five further (warm) timings of each.

The generated rows are unique by construction, so the ledger's row triggers (append-only,
one live credit) are switched off while loading and on again before anything is timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from sqlalchemy import text  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

PROVINCES = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi",
    "Sumatera Selatan", "Kepulauan Bangka Belitung", "Bengkulu", "Lampung", "DKI Jakarta",
    "Jawa Barat", "Banten", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur", "Bali",
    "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah",
    "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara",
    "Gorontalo", "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara",
    "Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya", "Papua Selatan",
    "Papua Tengah", "Papua Pegunungan",
)
AGENCIES = 600
SEASONS = ((2023, 46), (2024, 48))
ATTEND_EVERY = 8  # one registrant in eight does not attend


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", metavar="NAME",
                        help="use this existing database on the server (seeded once, kept): "
                             "seeding 200,000 participants takes minutes")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("benchmarks/reports.py needs PostgreSQL (--database-url postgresql://...)")
    if args.reuse:
        url = (args.database_url.rsplit("/", 1)[0] + "/" + args.reuse).replace(
            "postgresql://", "postgresql+psycopg://")
        run(args, url)
        return
    with temporary_database(args.database_url, prefix="asnb_bench_reports") as url:
        run(args, url)


def run(args, url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "DB_STATEMENT_TIMEOUT": 0, "DB_CLI_STATEMENT_TIMEOUT": 0})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        if db.session.scalar(text('SELECT count(*) FROM "user"')):
            counts = _counts()
            print("reusing the seeded database: " + ", ".join(
                f"{k} {v:,}" for k, v in counts.items()), flush=True)
        else:
            counts = seed(args.participants, args.ledger)
            print(f"seeded in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
        from asnbelajar.reports.snapshots import refresh_reports, year_figures

        for _ in range(2):
            t0 = time.perf_counter()
            year_figures(2024, refresh=True)
            db.session.commit()
            print(f"counting the year live (refresh-reports job): "
                  f"{time.perf_counter() - t0:.2f} s", flush=True)
        assert refresh_reports  # the scheduler job that runs the same recount
        organizer_id, token, biggest = _organizer()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(organizer_id)
            session["_fresh"] = True
        bearer = {"Authorization": f"Bearer {token}"}
        checks = [
            ("dashboard page", "/console?year=2024", {}),
            ("training rate JSON", "/api/v1/reports/training-rate?year=2024", bearer),
            ("training rate page", "/console/reports/training-rate?year=2024&sort=rate"
                                   "&order=desc", {}),
            ("training rate XLSX", "/api/v1/reports/training-rate?year=2024&format=xlsx",
             bearer),
            ("year summary JSON", "/api/v1/reports/summary?year=2024", bearer),
            ("annual report page", "/console/reports/annual?year=2024", {}),
            ("annual report PDF", "/console/reports/annual.pdf?year=2024", {}),
            ("episode report JSON", f"/api/v1/episodes/{biggest}/report", bearer),
            ("episode report page", f"/console/episodes/{biggest}/report", {}),
            ("home page (impact)", "/", {}),
        ]
        # The process's own first request (imports, template and catalog loading) is not
        # a report's cost: it is paid once per worker, on the login page here.
        client.get("/login")
        print(f"{'request':<22} {'first':>9} {'warm median':>12} {'warm max':>9}  status")
        for label, path, headers in checks:
            timings = []
            status = None
            for _ in range(1 + args.repeat):
                t0 = time.perf_counter()
                response = client.get(path, headers=headers)
                response.get_data()
                timings.append(time.perf_counter() - t0)
                status = response.status_code
            cold, warm = timings[0], timings[1:]
            print(f"{label:<22} {cold * 1000:>7.0f}ms {statistics.median(warm) * 1000:>10.0f}ms "
                  f"{max(warm) * 1000:>7.0f}ms  {status}", flush=True)
        summary = client.get("/api/v1/reports/summary?year=2024", headers=bearer).json
        print("summary 2024:", summary)
        db.session.remove()
        db.engine.dispose()


def _exec(sql: str, **params) -> None:
    db.session.execute(text(sql), params)


def seed(participants: int, ledger_target: int) -> dict[str, int]:
    provinces = "ARRAY[" + ", ".join("'" + p.replace("'", "''") + "'" for p in PROVINCES) + "]"
    _exec("ALTER TABLE ledger_entry DISABLE TRIGGER USER")
    _exec(f"""
        INSERT INTO instansi (name, name_key, kind, province, is_reference, created_at)
        SELECT 'Pemerintah Daerah ' || g, 'pemerintah daerah ' || g,
               CASE WHEN g % 10 = 0 THEN 'provinsi' ELSE 'kabupaten' END,
               ({provinces})[1 + g % 38], true, now()
        FROM generate_series(1, {AGENCIES}) AS g""")
    _exec("""
        INSERT INTO instansi_headcount (instansi_id, year, headcount, updated_at)
        SELECT id, 2024, 2000 + id * 7, now() FROM instansi WHERE id % 3 = 0""")
    _exec(f"""
        INSERT INTO "user" (email, password_hash, full_name, role, active, locale, timezone,
                            created_at)
        SELECT 'peserta' || g || '@example.go.id', 'x', 'Peserta ' || g, 'participant', true,
               'id', 'Asia/Jakarta', now()
        FROM generate_series(1, {participants}) AS g""")
    _exec(f"""
        INSERT INTO participant_profile (user_id, nip, employee_type, instansi_id,
                                         instansi_name, province, anonymized, updated_at,
                                         consent_at)
        SELECT u.id,
               CASE WHEN u.id % 10 = 0 THEN NULL
                    ELSE to_char(date '1970-01-01' + (u.id % 9000), 'YYYYMMDD')
                         || lpad(((u.id / 9000) % 100000)::text, 6, '0')
                         || (1 + u.id % 2)::text || lpad((u.id % 1000)::text, 3, '0') END,
               CASE WHEN u.id % 10 = 0 THEN 'non_asn' ELSE 'pns' END,
               1 + u.id % {AGENCIES}, 'Pemerintah Daerah ' || (1 + u.id % {AGENCIES}),
               ({provinces})[1 + (u.id * 7) % 38], false, now(), now()
        FROM "user" AS u""")
    _exec("""
        INSERT INTO "user" (email, password_hash, full_name, role, active, locale, timezone,
                            created_at)
        VALUES ('panitia@example.go.id', 'x', 'Panitia', 'organizer', true, 'id',
                'Asia/Jakarta', now())""")
    _exec("""INSERT INTO program (slug, name, timezone, created_at, organizer_name)
             VALUES ('asn-belajar', 'ASN Belajar', 'Asia/Jakarta', now(), 'BPSDM')""")
    for year, count in SEASONS:
        _exec(f"""
            INSERT INTO episode (program_id, year, number, title, competency_type, starts_at,
                                 ends_at, timezone, jp, status, attendance_rule,
                                 evaluation_required, walk_in_allowed, ical_uid,
                                 ical_sequence, created_at, updated_at, published_at,
                                 finalized_at)
            SELECT 1, {year}, g, 'Seri ' || g || ' tahun {year}', 'manajerial',
                   timestamp '{year}-01-04 06:00' + (g - 1) * interval '7 days',
                   timestamp '{year}-01-04 08:30' + (g - 1) * interval '7 days',
                   'Asia/Jakarta', 2 + g % 2, 'published', 'checkpoints', false, true,
                   'bench-{year}-' || g, 0, now(), now(), now(), now()
            FROM generate_series(1, {count}) AS g""")
    # Registrations per episode sized so the attendees' credits (7 in 8 registrants), the
    # external credits and reversals add up to the ledger target; 2024 twice 2023's size.
    external = ledger_target // 20
    reversals = ledger_target // 200
    credits = ledger_target - external - reversals
    weight = sum(n * (2 if year == 2024 else 1) for year, n in SEASONS)
    per_unit = credits * ATTEND_EVERY / (ATTEND_EVERY - 1) / weight
    for year, _count in SEASONS:
        size = min(participants - 1, int(per_unit * (2 if year == 2024 else 1)))
        # (k * 7919 + e * 104729) mod N is a bijection of k for each episode e: distinct
        # people per episode without a lookup.
        _exec(f"""
            INSERT INTO registration (episode_id, user_id, status, source, created_at,
                                      queued_at)
            SELECT e.id, 1 + ((k * 7919 + e.id * 104729) % {participants}),
                   CASE WHEN k % 50 = 0 THEN 'cancelled' ELSE 'registered' END, 'web',
                   e.starts_at - interval '3 days', e.starts_at - interval '3 days'
            FROM episode AS e, generate_series(1, {size}) AS k
            WHERE e.year = {year}""")
    _exec(f"""
        INSERT INTO attendance_verdict (episode_id, user_id, attended, reason,
                                        checkpoints_passed, minutes, computed_at)
        SELECT r.episode_id, r.user_id, r.id % {ATTEND_EVERY} <> 0,
               CASE WHEN r.id % {ATTEND_EVERY} <> 0 THEN 'attended'
                    ELSE 'missed_checkpoint' END, 2, 150, now()
        FROM registration AS r WHERE r.status = 'registered'""")
    _exec("""
        INSERT INTO certificate (kind, episode_id, user_id, number, seq, verification_code,
                                 name, nip, instansi, program_name, episode_label,
                                 episode_title, held_on, jp, signer_name, signer_title,
                                 issued_at)
        SELECT 'participant', v.episode_id, v.user_id, 'B/' || v.id, v.id, md5(v.id::text),
               'Peserta ' || v.user_id, p.nip, p.instansi_name, 'ASN Belajar',
               e.year || ' / Seri ' || e.number, e.title, e.starts_at::date, e.jp,
               'Kepala BPSDM', 'Kepala', now()
        FROM attendance_verdict AS v
        JOIN participant_profile AS p ON p.user_id = v.user_id
        JOIN episode AS e ON e.id = v.episode_id
        WHERE v.attended""")
    _exec("""
        INSERT INTO ledger_entry (user_id, kind, jp, year, episode_id, credit_seq,
                                  certificate_id, created_at)
        SELECT c.user_id, 'episode_credit', c.jp, e.year, c.episode_id, 0, c.id, now()
        FROM certificate AS c JOIN episode AS e ON e.id = c.episode_id""")
    have = db.session.scalar(text("SELECT count(*) FROM ledger_entry"))
    external = max(0, ledger_target - have - reversals)
    _exec(f"""
        INSERT INTO ledger_entry (user_id, kind, jp, year, title, provider, occurred_on,
                                  created_at)
        SELECT 1 + (g * 31) % {participants}, 'external_credit',
               CASE WHEN g % 10 = 0 THEN 12 ELSE 1 + g % 8 END,
               CASE WHEN g % 3 = 0 THEN 2023 ELSE 2024 END, 'Pelatihan eksternal', 'LAN',
               date '2024-03-01', now()
        FROM generate_series(1, {external}) AS g""")
    _exec(f"""
        INSERT INTO ledger_entry (user_id, kind, jp, year, episode_id, reverses_id, reason,
                                  created_at)
        SELECT l.user_id, 'reversal', -l.jp, l.year, l.episode_id, l.id, 'koreksi', now()
        FROM ledger_entry AS l WHERE l.kind = 'episode_credit'
        ORDER BY l.id LIMIT {reversals}""")
    _exec("ALTER TABLE ledger_entry ENABLE TRIGGER USER")
    db.session.commit()
    # As production autovacuum would: statistics and the visibility map (index-only scans).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return _counts()


def _counts() -> dict[str, int]:
    return {name: db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in (
        "user", "participant_profile", "episode", "registration", "attendance_verdict",
        "certificate", "ledger_entry")}


def _organizer() -> tuple[int, str, int]:
    from asnbelajar.accounts.models import User
    from asnbelajar.accounts.sessions import issue_api_token

    organizer = db.session.scalar(db.select(User).where(User.role == "organizer"))
    token = issue_api_token(organizer)
    biggest = db.session.scalar(text(
        "SELECT r.episode_id FROM registration r JOIN episode e ON e.id = r.episode_id "
        "WHERE e.year = 2024 GROUP BY r.episode_id ORDER BY count(*) DESC LIMIT 1"))
    db.session.commit()
    return organizer.id, token, biggest


if __name__ == "__main__":
    main()
