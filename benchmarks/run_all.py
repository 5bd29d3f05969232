"""Run every benchmark with its default size and print the figures."""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PG = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

RUNS = [
    ["finalize.py", "--attendees", "7700"],
    ["finalize.py", "--attendees", "7700", "--database-url", PG],
    ["checkin_burst.py", "--participants", "2000", "--database-url", PG],
    # SQLite and PostgreSQL; with the website's registration form, check-in page and form
    ["http_burst.py", "--requests", "2000", "--form", "--database-url", PG],
    ["request_cpu.py", "--requests", "2000", "--database-url", PG],  # both databases
    ["page_weight.py"],
    ["export_registrants.py"],
    ["export_registrants.py", "--database-url", PG],
    ["outbox.py", "--messages", "7700", "--senders", "1", "4", "--database-url", PG],
    ["scheduler_failover.py", "--database-url", PG],
]

for args in RUNS:
    print(f"\n$ python benchmarks/{' '.join(args)}", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, args[0]), *args[1:]], check=False)
