"""Check-in and registration bursts over HTTP, next to two reference routes on the same server.

    python benchmarks/http_burst.py [--requests 2000] [--clients 64] [--workers 2]
        [--databases sqlite postgresql] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--max-seconds 120] [--rounds 4] [--rate-limits] [--connection-close] [--form]

For each database: a fresh database with the migrations applied, an episode live now with
an open checkpoint and N registered participants holding API tokens, and a second episode
open for registration with capacity 3/4 N (so the last quarter is waitlisted and the
capacity check is exercised). The application runs under gunicorn (W workers) on a free
127.0.0.1 port; ``benchmarks/reference_app.py`` runs under gunicorn with the same number of
workers on another port against the same database: ``/bare`` (no database) and ``/insert``
(one INSERT and COMMIT). Both servers are first warmed with 200 requests of their real
work (INSERTs; check-ins and registrations of participants who are not measured). C client
threads with keep-alive connections send N requests to
each route in turn: bare, insert, check-in (each participant once), registration (each
participant once), in --rounds rounds of a slice each so that a slow spell of a shared
machine falls on every route alike. Every phase stops early after --max-seconds. Prints req/s and
p50/p95/p99 for every route, the ratios of check-in and registration to the INSERT route
(targets: check-in >= 60 %, registration >= 50 %, p99 <= 2x the INSERT route's), the error
count, and checks the rows: one check-in per participant, registrations = capacity exactly.
On Linux it also prints each route's CPU per request by party (this client, the route's
server, PostgreSQL's backends for the run's database; from /proc) and how busy the machine
was: what limits each route. With --form, a fifth route: the registration form of the
website (a signed-in participant's session cookie and CSRF token, answered with a redirect)
for a third episode with the same capacity, rows checked the same way, and a sixth: the
live episode's check-in page opened (GET) by each signed-in participant, and a seventh:
its form posted with a second checkpoint's code (each a first check-in); no targets.
Traffic stays on 127.0.0.1 and every run is bounded by the request count and the time limit.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from _database import temporary_database  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WARMUP = 200  # requests per route before measuring (each server's real work)


def prepare(url: str, n: int, form: bool = False) -> tuple[int, int, int, int, list[str],
                                                           int | None, list[tuple[str, str]]]:
    """The live and the upcoming episode, a third open for the warm-up's registrations,
    and N + WARMUP participants registered for the live one, with tokens (the first
    WARMUP warm up the servers, the rest are measured). With ``form``: a fourth episode
    like the upcoming one, and each participant's session cookie and CSRF token for
    the registration form."""
    from flask_migrate import upgrade

    from asnbelajar.accounts.models import ApiToken, ParticipantProfile, User
    from asnbelajar.accounts.services import CONSENT_VERSION
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
    from asnbelajar.registrations.models import Registration
    from asnbelajar.timeutil import now_utc

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        start = now_utc().replace(microsecond=0) - timedelta(minutes=10)
        live = create_episode({"title": "Burst", "number": 1, "starts_at": start.isoformat(),
                               "ends_at": (start + timedelta(hours=2)).isoformat()}, None)
        add_checkpoint(live, {"label": "penutup", "code": "BURST7",
                              "opens_at": start.isoformat(),
                              "closes_at": (start + timedelta(hours=1)).isoformat()}, None)
        if form:  # a second checkpoint, checked in by the check-in form
            add_checkpoint(live, {"label": "awal", "code": "FORM8",
                                  "opens_at": start.isoformat(),
                                  "closes_at": (start + timedelta(hours=1)).isoformat()}, None)
        publish_episode(live, None)
        later = start + timedelta(days=7)
        capacity = max(1, n * 3 // 4)
        upcoming = create_episode({"title": "Pendaftaran", "number": 2,
                                   "starts_at": later.isoformat(),
                                   "ends_at": (later + timedelta(hours=2)).isoformat(),
                                   "capacity": capacity}, None)
        publish_episode(upcoming, None)
        warm = create_episode({"title": "Pemanasan", "number": 3,
                               "starts_at": later.isoformat(),
                               "ends_at": (later + timedelta(hours=2)).isoformat()}, None)
        publish_episode(warm, None)
        by_form = None
        if form:
            by_form = create_episode({"title": "Pendaftaran lewat formulir", "number": 4,
                                      "starts_at": later.isoformat(),
                                      "ends_at": (later + timedelta(hours=2)).isoformat(),
                                      "capacity": capacity}, None)
            publish_episode(by_form, None)
        db.session.commit()
        n += WARMUP
        db.session.execute(insert(User), [
            {"email": f"burst{i}@example.go.id", "full_name": f"Peserta {i}",
             "role": "participant", "password_hash": "x", "active": True, "locale": "id",
             "timezone": "Asia/Jakarta"} for i in range(n)])
        ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        db.session.execute(insert(ParticipantProfile), [
            {"user_id": uid, "employee_type": "non_asn", "instansi_name": "Pemprov Riau",
             "province": "Riau", "anonymized": False, "consent_version": CONSENT_VERSION,
             "consent_at": now_utc().replace(tzinfo=None)} for uid in ids])
        db.session.execute(insert(Registration), [
            {"episode_id": live.id, "user_id": uid, "status": "registered", "source": "api"}
            for uid in ids])
        tokens = [secrets.token_urlsafe(24) for _ in ids]
        now = now_utc().replace(tzinfo=None)
        db.session.execute(insert(ApiToken), [
            {"user_id": uid, "token_hash": hashlib.sha256(t.encode()).hexdigest(),
             "name": "bench", "created_at": now, "expires_at": now + timedelta(days=30)}
            for uid, t in zip(ids, tokens, strict=True)])
        db.session.commit()
        result = (live.id, upcoming.id, warm.id, capacity, tokens,
                  by_form.id if by_form else None, signed_in(app, ids) if form else [])
        db.engine.dispose()
    return result


def signed_in(app, ids: list[int]) -> list[tuple[str, str]]:
    """Each participant's session cookie (signed in, as after /login) with the CSRF token
    of the forms it serves, made with the servers' secret key."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    out = []
    for uid in ids:
        # An app context of its own: the CSRF token is kept in ``g`` once made.
        with app.app_context(), app.test_request_context():
            session["_user_id"], session["_fresh"] = str(uid), True
            token = generate_csrf()
            out.append((f"{name}={serializer.dumps(dict(session))}", token))
    return out


def rows(url: str, live_id: int, upcoming_id: int,
         code: str = "BURST7") -> tuple[int, int, int]:
    """Check-ins of the live episode at the checkpoint of ``code``; registered and
    waitlisted of the upcoming one."""
    from asnbelajar.attendance.models import CheckIn
    from asnbelajar.episodes.models import Checkpoint
    from asnbelajar.registrations.models import Registration

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        checkins = db.session.scalar(
            select(func.count()).select_from(CheckIn)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .where(CheckIn.episode_id == live_id, Checkpoint.code == code))
        registered = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.episode_id == upcoming_id, Registration.status == "registered"))
        waitlisted = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.episode_id == upcoming_id, Registration.status == "waitlisted"))
        db.engine.dispose()
    return checkins, registered, waitlisted


def wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


# CPU per request, by who spent it (Linux /proc; elsewhere the table is left out): this
# client, each server (gunicorn's master and workers) and the database server's processes
# serving this run's database. What limits a route shows here: on a saturated 2-core
# machine the ratio of two routes' rates follows the ratio of their CPU per request.
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_table() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds, command line) for every readable process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        table[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS,
                            command)
    return table


def cpu_by_party(servers: dict[str, int], database: str | None) -> Counter | None:
    """CPU seconds so far of: this client, each server (its pid and its descendants) and
    the database server's backends for ``database`` (their titles name it). None where
    /proc is not there."""
    if not os.path.isdir("/proc/self"):
        return None
    table = _process_table()
    owner: dict[int, str] = {os.getpid(): "client"}
    owner.update({pid: party for party, pid in servers.items()})
    spent: Counter = Counter()
    for pid, (_parent, seconds, command) in table.items():
        walk, party = pid, None
        while walk and party is None:
            party = owner.get(walk)
            walk = table[walk][0] if walk in table and walk != 1 else 0
        if party is None and database and command.startswith("postgres: ") \
                and f" {database} " in command:
            party = "database"
        if party is not None:
            spent[party] += seconds
    return spent


def burst(port: int, jobs: list[tuple[str, str, dict]], clients: int,
          max_seconds: float, *, close: bool = False) -> dict:
    """POST every (path, body, headers) job (GET where the body is None); returns
    throughput, percentiles, statuses.
    Each client keeps its connection open, or with ``close`` opens one per request (as
    nginx without upstream keep-alive reaches gunicorn)."""
    local = threading.local()
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    deadline = time.perf_counter() + max_seconds

    def post(job: tuple[str, str, dict]) -> None:
        if time.perf_counter() > deadline:
            return
        path, body, headers = job
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.perf_counter()
        try:
            local.conn.request("GET" if body is None else "POST", path, body=body,
                               headers={**headers, "Connection": "close"} if close else headers)
            response = local.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            status = "error"
        elapsed = time.perf_counter() - t0
        with lock:
            latencies.append(elapsed)
            statuses[status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(post, jobs))
    wall = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    errors = sum(c for s, c in statuses.items() if s == "error" or int(s) >= 400)
    return {"n": len(latencies), "rps": len(latencies) / wall, "p50": q[49] * 1000,
            "p95": q[94] * 1000, "p99": q[98] * 1000, "statuses": dict(statuses),
            "errors": errors, "latencies": latencies, "wall": wall}


ROUTES = ("bare", "insert", "check-in", "registration")
FORM = "form"  # the registration form's route, with --form
PAGE = "check-in page"  # the check-in page as a signed-in participant opens it, with --form
CHECKIN_FORM = "check-in form"  # its form posted with the second checkpoint's code


def combine(runs: list[dict]) -> dict:
    """One route's rounds as one run: requests over the summed time, percentiles over
    every request."""
    latencies = sorted(x for run in runs for x in run["latencies"])
    wall = sum(run["wall"] for run in runs)
    statuses: Counter = Counter()
    for run in runs:
        statuses.update(run["statuses"])
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"n": len(latencies), "rps": len(latencies) / wall if wall else 0.0,
            "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "statuses": dict(statuses), "errors": sum(run["errors"] for run in runs)}


def run_database(server_url: str, args: argparse.Namespace) -> bool:
    label = "PostgreSQL" if server_url else "SQLite"
    with temporary_database(server_url, prefix="asnb_http") as url:
        live_id, upcoming_id, warm_id, capacity, tokens, form_id, cookies = prepare(
            url, args.requests, form=args.form)
        warmup, tokens = tokens[:WARMUP], tokens[WARMUP:]
        warm_cookies, cookies = cookies[:WARMUP], cookies[WARMUP:]
        routes = (*ROUTES, FORM, PAGE, CHECKIN_FORM) if args.form else ROUTES
        # This client's own heap (the app it prepared the database with) out of the
        # garbage collector's sight: a full collection would pause every client thread
        # for ~0.1 s and count as the server's latency.
        gc.collect()
        gc.freeze()
        env = {**os.environ, "ASNBELAJAR_DATABASE_URL": url, "ASNBELAJAR_SECRET_KEY": "bench",
               "ASNBELAJAR_RATELIMIT_ENABLED": "true" if args.rate_limits else "false",
               "ASNBELAJAR_DB_POOL_SIZE": "5"}
        subprocess.run([sys.executable, os.path.join(HERE, "reference_app.py")], env=env,
                       check=True)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        app_port, ref_port = free_port(), free_port()
        common = ["-w", str(args.workers), "--log-level", "warning"]
        # The application's request log stays on (it is part of the real cost), in a file.
        log = tempfile.NamedTemporaryFile("w", prefix="http_burst_", suffix=".log",  # noqa: SIM115
                                          delete=False)
        servers = [
            subprocess.Popen([gunicorn, *common, "-b", f"127.0.0.1:{app_port}", "wsgi:app"],
                             cwd=ROOT, env=env, stderr=log),
            subprocess.Popen([gunicorn, *common, "-b", f"127.0.0.1:{ref_port}",
                              "reference_app:app"], cwd=HERE, env=env, stderr=log),
        ]
        try:
            wait_for(app_port)
            wait_for(ref_port)
            json_headers = {"Content-Type": "application/json"}
            # Warm both servers before measuring (imports, connection pools, each
            # statement's first compile in each worker) with their real work: INSERTs,
            # and check-ins and registrations of participants not measured after.
            burst(ref_port, [("/insert", "{}", json_headers)] * WARMUP, args.clients, 30)
            for path in (f"/api/v1/episodes/{live_id}/checkins",
                         f"/api/v1/episodes/{warm_id}/registrations"):
                burst(app_port, [(path, '{"code": "burst7"}',
                                  {**json_headers, "Authorization": f"Bearer {t}"})
                                 for t in warmup], args.clients, 30)
            if args.form:
                burst(app_port, form_jobs(warm_id, warm_cookies), args.clients, 30)
                burst(app_port, page_jobs(live_id, warm_cookies), args.clients, 30)
                burst(app_port, checkin_form_jobs(live_id, warm_cookies), args.clients, 30)
            # The routes take turns in rounds (each round: bare, INSERT, check-in,
            # registration, each a slice of the requests), so a slow spell of a shared
            # machine falls on every route alike instead of on whichever ran then.
            n, rounds = args.requests, max(1, args.rounds)
            cuts = [n * r // rounds for r in range(rounds + 1)]
            parts: dict[str, list[dict]] = {name: [] for name in routes}
            parties = {"app": servers[0].pid, "reference": servers[1].pid}
            database = url.rsplit("/", 1)[1] if server_url else None
            cpu: dict[str, Counter] = {name: Counter() for name in routes}

            def timed(name: str, port: int, jobs: list) -> None:
                before, machine = cpu_by_party(parties, database), _machine_cpu()
                parts[name].append(burst(port, jobs, args.clients, args.max_seconds,
                                         close=args.connection_close))
                after, machine_after = cpu_by_party(parties, database), _machine_cpu()
                if before is not None and after is not None:
                    cpu[name].update({party: after[party] - before[party] for party in after})
                if machine is not None and machine_after is not None:
                    cpu[name]["machine busy"] += machine_after[0] - machine[0]
                    cpu[name]["machine all"] += machine_after[1] - machine[1]

            for r in range(rounds):
                some = tokens[cuts[r]:cuts[r + 1]]
                k = len(some)
                timed("bare", ref_port, [("/bare", "{}", json_headers)] * k)
                timed("insert", ref_port, [("/insert", "{}", json_headers)] * k)
                timed("check-in", app_port, [
                    (f"/api/v1/episodes/{live_id}/checkins", '{"code": "burst7"}',
                     {**json_headers, "Authorization": f"Bearer {t}"}) for t in some])
                timed("registration", app_port, [
                    (f"/api/v1/episodes/{upcoming_id}/registrations", "{}",
                     {**json_headers, "Authorization": f"Bearer {t}"}) for t in some])
                if args.form:
                    timed(FORM, app_port, form_jobs(form_id, cookies[cuts[r]:cuts[r + 1]]))
                    timed(PAGE, app_port, page_jobs(live_id, cookies[cuts[r]:cuts[r + 1]]))
                    timed(CHECKIN_FORM, app_port,
                          checkin_form_jobs(live_id, cookies[cuts[r]:cuts[r + 1]]))
            results = {name: combine(runs) for name, runs in parts.items()}
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
            log.close()
            print(f"server log: {log.name}")
        checkins, registered, waitlisted = rows(url, live_id, upcoming_id)
        checkins -= WARMUP  # the warm-up's
        by_form = rows(url, live_id, form_id, "FORM8") if args.form else None
    ref = results["insert"]
    print(f"\n{label}: gunicorn -w {args.workers}, {args.clients} clients"
          f"{' (a connection per request)' if args.connection_close else ''}, "
          f"{args.requests} requests per route in {args.rounds} rounds, rate limits "
          f"{'on' if args.rate_limits else 'off'}")
    print(f"{'route':<14}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}  vs INSERT")
    for name, r in results.items():
        ratio = (f"{r['rps'] / ref['rps'] * 100:5.0f} % of req/s, "
                 f"p99 x{r['p99'] / ref['p99']:.2f}") if name != "insert" else ""
        print(f"{name:<14}{r['rps']:>8.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}"
              f"{r['errors']:>8}  {ratio}")
    for name in ("check-in", "registration", FORM, PAGE, CHECKIN_FORM):
        if name in results:
            print(f"  {name} statuses: {results[name]['statuses']}")
    print_cpu(cpu, results, with_database=bool(server_url))
    print(f"rows: check_ins={checkins} (expected {results['check-in']['n']}), "
          f"registered={registered} (capacity {capacity}), waitlisted={waitlisted}")
    if by_form is not None:
        print(f"rows by the forms: check_ins={by_form[0] - WARMUP} (expected "
              f"{results[CHECKIN_FORM]['n']}), registered={by_form[1]} (capacity {capacity}), "
              f"waitlisted={by_form[2]}")
    ok = (results["check-in"]["rps"] >= 0.6 * ref["rps"]
          and results["registration"]["rps"] >= 0.5 * ref["rps"]
          and max(results["check-in"]["p99"], results["registration"]["p99"]) <= 2 * ref["p99"]
          and results["check-in"]["errors"] == 0 and results["registration"]["errors"] == 0)
    print(f"targets (check-in >= 60 %, registration >= 50 %, p99 <= 2x, no errors): "
          f"{'met' if ok else 'NOT met'}")
    # Errors or wrong rows make the figures meaningless (the ratios depend on the machine).
    return (all(r["errors"] == 0 for r in results.values())
            and checkins == results["check-in"]["n"] and registered == capacity
            and waitlisted == results["registration"]["n"] - capacity
            and (by_form is None or by_form == (results[CHECKIN_FORM]["n"] + WARMUP, capacity,
                                                results[FORM]["n"] - capacity)))


def page_jobs(episode_id: int, cookies: list[tuple[str, str]]) -> list[tuple[str, None, dict]]:
    """The episode's check-in page, opened by each signed-in participant."""
    return [(f"/episodes/{episode_id}/checkin", None, {"Cookie": cookie})
            for cookie, _token in cookies]


def checkin_form_jobs(episode_id: int,
                      cookies: list[tuple[str, str]]) -> list[tuple[str, str, dict]]:
    """The check-in page's form posted by each signed-in participant, with the code of
    the checkpoint the API route does not use (a first check-in each: a redirect)."""
    return _form_posts(f"/episodes/{episode_id}/checkin", "code=form8&", cookies)


def form_jobs(episode_id: int, cookies: list[tuple[str, str]]) -> list[tuple[str, str, dict]]:
    """The registration form posted by each signed-in participant, as a browser does."""
    return _form_posts(f"/episodes/{episode_id}/register", "", cookies)


def _form_posts(path: str, fields: str,
                cookies: list[tuple[str, str]]) -> list[tuple[str, str, dict]]:
    return [(path, f"{fields}csrf_token={token}",
             {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            for cookie, token in cookies]


def _machine_cpu() -> tuple[float, float] | None:
    """(busy, all) CPU seconds of the whole machine so far (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + waiting for I/O
    return (sum(ticks) - idle) / _TICKS, sum(ticks) / _TICKS


def print_cpu(cpu: dict[str, Counter], results: dict[str, dict], *,
              with_database: bool) -> None:
    """Milliseconds of CPU per request for each party, and how busy the machine was."""
    if not any(cpu[name] for name in results):
        return  # no /proc here
    columns = ["client", "server", *(["database"] if with_database else []), "total"]
    print("CPU ms per request by party (client: this script; server: the route's "
          "gunicorn;" + (" database: PostgreSQL's backends;" if with_database else "")
          + " busy: the machine's CPUs during the route's bursts):")
    print(f"{'route':<14}" + "".join(f"{c:>10}" for c in columns) + f"{'busy':>8}")
    for name in results:
        spent, n = cpu[name], results[name]["n"] or 1
        server = spent["reference" if name in ("bare", "insert") else "app"]
        figures = [spent["client"], server, *([spent["database"]] if with_database else [])]
        figures.append(sum(figures))
        busy = (f"{spent['machine busy'] / spent['machine all'] * 100:7.0f}%"
                if spent["machine all"] else "")
        print(f"{name:<14}" + "".join(f"{x / n * 1000:>10.3f}" for x in figures) + busy)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--rounds", type=int, default=4,
                        help="the routes take turns this many times (each a slice)")
    parser.add_argument("--rate-limits", action="store_true",
                        help="keep the app's rate limits on (in-memory storage), as "
                             "deployed; they count failures only on these routes")
    parser.add_argument("--connection-close", action="store_true",
                        help="a new connection per request (as nginx reaches gunicorn "
                             "without upstream keep-alive) instead of keep-alive clients")
    parser.add_argument("--form", action="store_true",
                        help="also the website's registration form (session cookie and "
                             "CSRF token), for an episode of its own")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", PG))
    args = parser.parse_args()
    sound = [run_database(args.database_url if name == "postgresql" else "", args)
             for name in args.databases]
    if not all(sound):
        raise SystemExit("errors, or rows that do not match the answers")


if __name__ == "__main__":
    main()
