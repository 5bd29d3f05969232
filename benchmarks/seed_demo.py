"""Time `asnbelajar seed-demo --registrations N` on a fresh database and print the figures.

    python benchmarks/seed_demo.py [--registrations 457300]                  # SQLite
    python benchmarks/seed_demo.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Creates a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped at
the end), migrates it with `asnbelajar db upgrade`, then runs the seed as a separate process
under `/usr/bin/time -v` (wall clock and peak memory of the whole command), runs it a second
time (it must change nothing), and prints the season's figures read back from the database.
Goals: under 5 minutes and under 1 GB for 457,300 registrations.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _database import temporary_database  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(os.path.dirname(sys.executable), "asnbelajar")
GOAL_SECONDS = 300
GOAL_MB = 1024

FIGURES = {
    "2022 active registrations": """
        SELECT count(*) FROM registration r JOIN episode e ON e.id = r.episode_id
        WHERE e.year = 2022 AND r.status = 'registered'""",
    "2022 registrations cancelled": """
        SELECT count(*) FROM registration r JOIN episode e ON e.id = r.episode_id
        WHERE e.year = 2022 AND r.status = 'cancelled'""",
    "participants registered in 2022": """
        SELECT count(DISTINCT r.user_id) FROM registration r JOIN episode e
        ON e.id = r.episode_id WHERE e.year = 2022 AND r.status = 'registered'""",
    "participant accounts": "SELECT count(*) FROM \"user\" WHERE role = 'participant'",
    "check-ins": "SELECT count(*) FROM check_in",
    "Zoom intervals": "SELECT count(*) FROM attendance_interval",
    "evaluations": "SELECT count(*) FROM evaluation",
    "live participant certificates": """
        SELECT count(*) FROM certificate WHERE kind = 'participant' AND revoked_at IS NULL""",
    "episode credits": "SELECT count(*) FROM ledger_entry WHERE kind = 'episode_credit'",
    "people with >= 20 JP in 2022": """
        SELECT count(*) FROM (SELECT user_id FROM ledger_entry WHERE year = 2022
        GROUP BY user_id HAVING sum(jp) >= 20) t""",
    "people with 3-18 JP in 2022": """
        SELECT count(*) FROM (SELECT user_id FROM ledger_entry WHERE year = 2022
        GROUP BY user_id HAVING sum(jp) BETWEEN 1 AND 19) t""",
    "episodes with 5,000-12,000 registrations": """
        SELECT count(*) FROM (SELECT r.episode_id, count(*) c FROM registration r
        JOIN episode e ON e.id = r.episode_id WHERE e.year = 2022 AND r.status = 'registered'
        GROUP BY r.episode_id) t WHERE c BETWEEN 5000 AND 12000""",
}
LARGEST = """
    SELECT e.number, count(*) AS registered,
           (SELECT count(*) FROM attendance_verdict v WHERE v.episode_id = e.id
            AND v.attended = :yes) AS attended
    FROM registration r JOIN episode e ON e.id = r.episode_id
    WHERE e.year = 2022 AND r.status = 'registered'
    GROUP BY e.id, e.number ORDER BY registered DESC LIMIT 3"""


def timed_seed(env: dict[str, str], registrations: int, participants: int | None,
               ) -> tuple[float, float, str]:
    """(wall seconds, peak MB, stdout) of one seed-demo run under /usr/bin/time -v."""
    command = [CLI, "seed-demo", "--registrations", str(registrations)]
    if participants is not None:
        command += ["--participants", str(participants)]
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], env=env, capture_output=True,
                            text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"seed-demo failed with exit code {result.returncode}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return wall, int(peak.group(1)) / 1024 if peak else float("nan"), result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=457_300)
    parser.add_argument("--participants", type=int, default=None)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with temporary_database(args.database_url, prefix="asnb_seed") as url:
        env = {**os.environ, "ASNBELAJAR_DATABASE_URL": url,
               "ASNBELAJAR_RATELIMIT_ENABLED": "false"}
        subprocess.run([CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
        engine_name = url.split(":", 1)[0]
        print(f"engine={engine_name} registrations={args.registrations} cpus={os.cpu_count()} "
              f"load={os.getloadavg()[0]:.1f}")
        wall, peak, output = timed_seed(env, args.registrations, args.participants)
        for line in output.splitlines():
            if line.startswith("  ") and "(" in line:
                print(f"  step: {line.strip()}")
        verdict = "ok" if wall < GOAL_SECONDS and peak < GOAL_MB else "OVER GOAL"
        print(f"first run: {wall:.1f} s wall, {peak:.0f} MB peak RSS "
              f"(goal < {GOAL_SECONDS} s, < {GOAL_MB} MB): {verdict}")
        engine = create_engine(url)
        with engine.connect() as conn:
            before = {k: conn.execute(text(q)).scalar() for k, q in FIGURES.items()}
        again, again_peak, output = timed_seed(env, args.registrations, args.participants)
        with engine.connect() as conn:
            after = {k: conn.execute(text(q)).scalar() for k, q in FIGURES.items()}
            largest = conn.execute(text(LARGEST), {"yes": True}).all()
        engine.dispose()
        print(f"second run: {again:.1f} s wall, {again_peak:.0f} MB, "
              f"{'changed nothing' if before == after else 'CHANGED ROWS'}")
        for key, value in after.items():
            print(f"  {key}: {value}")
        for number, registered, attended in largest:
            print(f"  Seri {number}: {registered} registrations, {attended} attended")
        if after["2022 active registrations"] != args.registrations:
            raise SystemExit("the season does not hold exactly N active registrations")


if __name__ == "__main__":
    main()
