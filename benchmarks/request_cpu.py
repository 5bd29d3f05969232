"""CPU time per request of the closing-code minute's two routes, in one process.

    python benchmarks/request_cpu.py [--requests 2000] [--databases sqlite postgresql]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

The production WSGI app (``create_app(production=True)``, hot views on, rate limits off
as in ``http_burst.py``, the request log written to a file) is called directly with
prepared requests, one after another: no HTTP server, no client, no other request
competing, so the figure is this code's own cost per request and moves little with the
load of a shared machine (the HTTP burst's ratios move by 10-15 points between runs).
Prints, per database, the CPU milliseconds per request (``time.process_time``; the
database server's own CPU is not in it) and the wall milliseconds (which include the
PostgreSQL round trips) for: a registered participant's check-in (each token's first use,
as at the closing code), a registration (with places for all), the same two with
``HOT_PATH_ENABLED=false`` (the ordinary views), and the reference's single INSERT and
COMMIT (``benchmarks/reference_app.py``, called the same way).
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from _database import temporary_database  # noqa: E402
from http_burst import PG, prepare  # noqa: E402


def _environ(path: str, body: bytes, token: str | None) -> dict:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def _measure(app, environs: list[dict], expect: str) -> tuple[float, float]:
    statuses: dict[str, int] = {}

    def start_response(status, _headers, _exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    cpu, wall = time.process_time(), time.perf_counter()
    for environ in environs:
        b"".join(app(environ, start_response))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    wrong = {s: n for s, n in statuses.items() if not s.startswith(expect)}
    if wrong:
        raise SystemExit(f"unexpected answers: {wrong}")
    return cpu / len(environs) * 1000, wall / len(environs) * 1000


def run_database(server_url: str, n: int) -> None:
    label = "PostgreSQL" if server_url else "SQLite"
    rows = []
    log_file = tempfile.NamedTemporaryFile(prefix="request_cpu_", suffix=".log",  # noqa: SIM115
                                           delete=False)
    with temporary_database(server_url, prefix="asnb_cpu") as url:
        # Tokens: warm-up, then one set per measured way (each check-in a token's first use).
        live_id, upcoming_id, _warm_id, capacity, tokens, *_ = prepare(url, 2 * n + 50)
        os.environ.update({"ASNBELAJAR_DATABASE_URL": url, "ASNBELAJAR_SECRET_KEY": "bench",
                           "ASNBELAJAR_RATELIMIT_ENABLED": "false",
                           "ASNBELAJAR_DB_POOL_SIZE": "5"})
        from asnbelajar import create_app

        request_log = logging.getLogger("asnbelajar.request")
        request_log.handlers[:] = [logging.FileHandler(log_file.name)]
        request_log.propagate = False
        checkin = f"/api/v1/episodes/{live_id}/checkins"
        registration = f"/api/v1/episodes/{upcoming_id}/registrations"
        warm, hot_tokens, plain_tokens = tokens[:50], tokens[50:50 + n], tokens[50 + n:]
        for hot, some in ((True, hot_tokens), (False, plain_tokens)):
            os.environ["ASNBELAJAR_HOT_PATH_ENABLED"] = "true" if hot else "false"
            app = create_app(production=True)
            for token in warm:  # each statement's first compile, the pool
                b"".join(app(_environ(checkin, b'{"code": "burst7"}', token),
                             lambda *a: None))
            way = "hot views" if hot else "ordinary views"
            rows.append((f"check-in ({way})", *_measure(
                app, [_environ(checkin, b'{"code": "burst7"}', t) for t in some], "20")))
            rows.append((f"registration ({way})", *_measure(
                app, [_environ(registration, b"{}", t) for t in some], "20")))
            from asnbelajar.extensions import db

            with app.app_context():
                db.engine.dispose()
        import reference_app

        reference_app.engine = reference_app.create_engine(
            url, pool_size=5, max_overflow=10, pool_pre_ping=False)
        reference_app.URL = url
        from sqlalchemy import event

        event.listen(reference_app.engine, "connect", reference_app._pragmas)
        reference_app.create_table()
        _measure(reference_app.app, [_environ("/insert", b"{}", None)] * 50, "201")
        rows.append(("reference INSERT", *_measure(
            reference_app.app, [_environ("/insert", b"{}", None)] * n, "201")))
        reference_app.engine.dispose()
    print(f"\n{label}: {n} requests each, one process, one at a time "
          f"(capacity {capacity} for registration)")
    print(f"{'route':<32}{'CPU ms/request':>16}{'wall ms/request':>17}")
    for name, cpu, wall in rows:
        print(f"{name:<32}{cpu:>16.3f}{wall:>17.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", PG))
    args = parser.parse_args()
    for name in args.databases:
        run_database(args.database_url if name == "postgresql" else "", args.requests)


if __name__ == "__main__":
    main()
