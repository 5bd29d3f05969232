"""Export an episode's registrants as CSV and XLSX and print time and peak memory.

    python benchmarks/export_registrants.py [--registrants 20000] [--database-url postgresql://...]

Creates its own database (a temporary SQLite file, or a fresh PostgreSQL database that is
dropped afterwards), inserts participants, profiles, registrations (a tenth waitlisted),
check-ins, verdicts and certificates set-based, then downloads both exports through the
Flask test client as an organizer would. Peak memory is Python's (tracemalloc) during the
request, so it shows whether rows are streamed or piled up.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

PROVINCES = ("Jawa Barat", "Jawa Tengah", "Riau", "Bali", "Papua", "DKI Jakarta")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrants", type=int, default=20_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with temporary_database(args.database_url) as url:
        run(args, url)


def run(args, url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        episode_id, organizer_id = seed(args.registrants)
        print(f"database: {db.engine.dialect.name}, registrants: {args.registrants:,}")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(organizer_id)
        for fmt in ("csv", "xlsx"):
            measure(client, episode_id, fmt)
        measure(client, episode_id, "csv", "?status=waitlisted")
        db.session.remove()
        db.engine.dispose()


def seed(n: int) -> tuple[int, int]:
    from asnbelajar.accounts.models import ParticipantProfile, User
    from asnbelajar.accounts.services import create_user
    from asnbelajar.attendance.models import AttendanceVerdict, CheckIn
    from asnbelajar.certificates.models import Certificate
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
    from asnbelajar.registrations.models import Registration
    from asnbelajar.timeutil import now_utc, to_db

    # The migrated schema: its triggers (place counts, the ledger) and, on PostgreSQL,
    # its search indexes are part of what is measured (create_all has none of them).
    upgrade()
    organizer = create_user(email="panitia@bench.go.id", password="rahasia123",
                            role="organizer")
    start = now_utc().replace(microsecond=0) - timedelta(hours=5)
    end = start + timedelta(hours=2)
    episode = create_episode({"title": "Benchmark ekspor", "number": 1,
                              "starts_at": start.isoformat(), "ends_at": end.isoformat()}, None)
    checkpoint = add_checkpoint(episode, {"label": "awal", "opens_at": start.isoformat(),
                                          "closes_at": (start + timedelta(minutes=30))
                                          .isoformat()}, None)
    publish_episode(episode, None)
    db.session.flush()
    t0 = time.perf_counter()
    emails = [f"peserta{i:06d}@bench.go.id" for i in range(n)]
    db.session.execute(insert(User), [
        {"email": e, "full_name": f"Peserta Benchmark {i:06d}", "role": "participant"}
        for i, e in enumerate(emails)])
    ids = [row[0] for row in db.session.execute(
        select(User.id).where(User.email.like("peserta%@bench.go.id")).order_by(User.email))]
    db.session.execute(insert(ParticipantProfile), [
        # Distinct NIPs for up to 27,972 rows: birth day varies per 999, then the sequence.
        {"user_id": uid, "nip": f"{19700101 + i // 999 % 28}2005011{i % 999 + 1:03d}",
         "employee_type": "pns", "instansi_name": f"Pemerintah Kabupaten Contoh {i % 300}",
         "unit_kerja": "Bidang Pengembangan Kompetensi", "jabatan": "Analis SDM Aparatur",
         "pangkat_golongan": "III/b", "province": PROVINCES[i % len(PROVINCES)],
         "phone": f"+62812{i:08d}", "anonymized": False}
        for i, uid in enumerate(ids)])
    base = to_db(start) - timedelta(days=10)
    db.session.execute(insert(Registration), [
        {"episode_id": episode.id, "user_id": uid,
         "status": "waitlisted" if i % 10 == 9 else "registered", "source": "web",
         "created_at": base + timedelta(seconds=i), "queued_at": base + timedelta(seconds=i)}
        for i, uid in enumerate(ids)])
    attended = [uid for i, uid in enumerate(ids) if i % 10 < 7]
    db.session.execute(insert(CheckIn), [
        {"checkpoint_id": checkpoint.id, "episode_id": episode.id, "user_id": uid}
        for uid in attended])
    db.session.execute(insert(AttendanceVerdict), [
        {"episode_id": episode.id, "user_id": uid, "attended": i % 10 < 7,
         "reason": "attended" if i % 10 < 7 else "no_evidence"}
        for i, uid in enumerate(ids) if i % 10 != 9])
    db.session.execute(insert(Certificate), [
        {"kind": "participant", "episode_id": episode.id, "user_id": uid,
         "number": f"{k + 1:05d}/ASNB/01/I/2024", "seq": k + 1,
         "verification_code": uuid.uuid4().hex, "name": "x", "program_name": "ASN Belajar",
         "episode_label": "2024 / Seri 1", "episode_title": "Benchmark ekspor",
         "held_on": start.date(), "jp": 3, "signer_name": "Kepala", "signer_title": "Kepala"}
        for k, uid in enumerate(attended)])
    episode.finalized_at = to_db(now_utc())
    db.session.commit()
    print(f"seeded in {time.perf_counter() - t0:.1f} s")
    return episode.id, organizer.id


def download(client, path: str) -> tuple[float, float, int]:
    """(seconds in total, seconds to the first chunk, bytes), reading chunk by chunk as a
    socket would."""
    t0 = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    first, size = None, 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - t0
        size += len(chunk)
    response.close()
    return time.perf_counter() - t0, first or 0.0, size


def measure(client, episode_id: int, fmt: str, query: str = "") -> None:
    """Time one download, then repeat it under tracemalloc for the peak (tracemalloc slows
    Python down several times, so the two are never measured together)."""
    path = f"/console/episodes/{episode_id}/registrants.{fmt}{query}"
    elapsed, first, size = download(client, path)
    tracemalloc.start()
    download(client, path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{fmt.upper():4} {query or '(all)':18} {elapsed:6.2f} s, first bytes after "
          f"{first:5.2f} s, {size / 1024 / 1024:5.2f} MB, peak Python memory "
          f"{peak / 1024 / 1024:5.1f} MB", flush=True)


if __name__ == "__main__":
    main()
