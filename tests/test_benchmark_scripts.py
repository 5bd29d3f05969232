"""Every benchmark script still runs and still measures what it says (BENCHMARKS.md).

A benchmark that no test runs rots quietly: checkin_burst.py's walk-ins were all refused
with 403 once consent became a rule, and its figures were those of refusals.
Each script runs here at a toy size, on SQLite, or on the PostgreSQL server of the test
run when ASNBELAJAR_TEST_DATABASE_URL is set (each script makes and drops its own
database there); the scripts exit non-zero when answers or rows are not the expected ones,
and the figures they print are checked for the counts that matter. No timing is asserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("ASNBELAJAR_TEST_DATABASE_URL", "")


def run(script: str, *args: str, timeout: int = 180) -> str:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ASNBELAJAR_")}  # the scripts configure their own app
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def database_args() -> list[str]:
    return ["--database-url", PG_URL] if PG_URL else []


def one_database_args() -> list[str]:
    """For the scripts that measure both databases unless told one."""
    return ["--databases", "postgresql", *database_args()] if PG_URL \
        else ["--databases", "sqlite"]


def test_checkin_burst_counts_every_walk_in_and_repeat():
    out = run("checkin_burst.py", "--participants", "20", "--workers", "2", "--clients", "8",
              *database_args())
    statuses = next(line for line in out.splitlines() if line.startswith("statuses:"))
    assert sorted(statuses.removeprefix("statuses: ").strip("{}").split(", ")) \
        == ["200: 20", "201: 20"]
    assert "rows: check_ins=20 (expected 20) registrations=20" in out


def test_http_burst_fills_the_capacity_exactly():
    out = run("http_burst.py", "--requests", "40", "--clients", "8", "--rounds", "2",
              *one_database_args())
    assert "rows: check_ins=40 (expected 40), registered=30 (capacity 30), waitlisted=10" \
        in out
    if sys.platform.startswith("linux"):  # CPU by party, read from /proc
        lines = out.splitlines()
        start = next(i for i, line in enumerate(lines)
                     if line.startswith("CPU ms per request by party"))
        table = {line.split()[0]: [float(x) for x in line.split()[1:-1]]
                 for line in lines[start + 2:start + 6]}
        assert set(table) == {"bare", "insert", "check-in", "registration"}
        for figures in table.values():
            assert min(figures) >= 0
            assert figures[-1] == pytest.approx(sum(figures[:-1]), abs=0.002)
        # (The clock ticks every 10 ms: a few dozen requests of the app's routes take
        # several ticks of its workers' CPU, where the reference routes may take none.)
        assert table["check-in"][1] + table["registration"][1] > 0


def test_http_burst_with_a_connection_per_request_and_the_website():
    out = run("http_burst.py", "--requests", "20", "--clients", "4", "--rounds", "1",
              "--connection-close", "--form", *one_database_args())
    assert "4 clients (a connection per request)" in out
    assert "rows: check_ins=20 (expected 20), registered=15 (capacity 15), waitlisted=5" \
        in out
    # the registration form (answered with a redirect) and the check-in page
    assert "form statuses: {302: 20}" in out
    assert "check-in page statuses: {200: 20}" in out
    assert "check-in form statuses: {302: 20}" in out
    assert ("rows by the forms: check_ins=20 (expected 20), registered=15 (capacity 15), "
            "waitlisted=5") in out


def test_request_cpu_measures_successes_only():
    out = run("request_cpu.py", "--requests", "20", *one_database_args())
    assert "check-in (hot views)" in out and "reference INSERT" in out


def test_finalize_credits_once():
    out = run("finalize.py", "--attendees", "40", *database_args())
    first = next(line for line in out.splitlines() if line.startswith("finalize #1"))
    second = next(line for line in out.splitlines() if line.startswith("finalize #2"))
    assert "credited=0" not in first
    assert "credited=0 certificates=0" in second


def test_export_registrants_streams_both_formats():
    out = run("export_registrants.py", "--registrants", "60", *database_args())
    assert "CSV  (all)" in out and "XLSX (all)" in out


def test_outbox_sends_every_message():
    out = run("outbox.py", "--messages", "30", "--senders", "1", "2", *database_args())
    assert out.count("server received 30, rows marked sent 30, still queued 0") == 2


def test_zoom_sync_pushes_and_matches_everyone():
    out = run("zoom_sync.py", "--registrants", "12", *database_args())
    assert "pushed=12" in out and "pushed=0" in out.split("push #2 (rerun)")[1]
    rows, matched = re.search(r"rows=(\d+) matched=(\d+)", out).groups()
    assert rows == matched


def test_reminders_rerun_queues_nothing():
    out = run("reminders.py", "--registrants", "30", *database_args())
    assert "queued=30 rendered=30" in out
    assert "queued=0 rendered=0" in out.split("rerun:")[1]


@pytest.mark.skipif(not PG_URL, reason="reports.py makes a PostgreSQL database: set "
                                       "ASNBELAJAR_TEST_DATABASE_URL")
def test_reports_at_a_toy_scale():
    run("reports.py", "--participants", "300", "--ledger", "2000", "--database-url", PG_URL)


def test_unlisted_agencies_pages_and_a_mapping():
    out = run("unlisted_agencies.py", "--participants", "400", "--repeat", "1",
              "--database-url", PG_URL or "sqlite")
    assert "mapping page" in out and "mapping " in out.split("mapping page")[1]


def test_certificates_render_through_the_database():
    out = run("certificates.py", "--count", "10", *database_args())
    assert "separate files" in out and "through the database" in out


def test_seed_demo_holds_the_season_it_was_asked_for():
    out = run("seed_demo.py", "--registrations", "2000", *database_args(), timeout=300)
    assert "Seri 43" in out


@pytest.mark.skipif(not PG_URL, reason="pages_at_scale.py seeds a PostgreSQL database: set "
                                       "ASNBELAJAR_TEST_DATABASE_URL")
def test_pages_at_scale_answer_every_page():
    out = run("pages_at_scale.py", "--seed", "2000", "--database-url", PG_URL, "--runs", "1",
              timeout=300)
    assert ", 0 not 200" in out
