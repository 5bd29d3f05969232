"""Send N queued emails through the outbox to a local SMTP server and print the rate.

    python benchmarks/outbox.py [--messages 7700] [--senders 1 4 8] [--database-url ...]

Creates its own database (a temporary SQLite file, or a fresh PostgreSQL database that is
dropped afterwards), queues N certificate-ready emails set-based, starts aiosmtpd in a
separate process on loopback (so the server does not share this process's interpreter)
and times ``flush_outbox`` for each number of parallel senders, counting what the server
really received.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import textwrap
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _database import temporary_database  # noqa: E402
from sqlalchemy import delete, func, insert, select  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

SERVER = textwrap.dedent("""
    import signal, sys, threading
    from aiosmtpd.controller import Controller

    class Count:
        def __init__(self):
            self.n = 0
        async def handle_DATA(self, server, session, envelope):
            self.n += 1
            return "250 OK"

    handler = Count()
    controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    for line in sys.stdin:  # "count" asks for the number received so far
        print(handler.n, flush=True)
    controller.stop()
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=7700)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        with temporary_database(args.database_url, prefix="asnb_bench_outbox") as url:
            app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                              "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                              "LOG_REQUESTS": False, "MAIL_BACKEND": "smtp",
                              "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                              "MAIL_TIMEOUT": 5}, background=True)
            with app.app_context():
                from flask_migrate import upgrade

                upgrade()
                print(f"database: {db.engine.dialect.name}, messages: {args.messages}")
                for senders in args.senders:
                    run(args.messages, senders, server)
                db.session.remove()
                db.engine.dispose()
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def received(server) -> int:
    server.stdin.write("count\n")
    server.stdin.flush()
    return int(server.stdout.readline())


def run(n: int, senders: int, server) -> None:
    from asnbelajar.notifications.models import OutboxEmail
    from asnbelajar.notifications.services import flush_outbox
    from asnbelajar.timeutil import now_utc, to_db

    db.session.execute(delete(OutboxEmail))
    now = to_db(now_utc())
    body = ("Yth. Peserta,\n\nSertifikat Anda untuk ASN Belajar Seri 41 sudah terbit dan "
            "dapat diunduh di dasbor.\n\nSalam,\nBPSDM\n")
    db.session.execute(insert(OutboxEmail), [
        {"dedupe_key": f"bench:{senders}:{i}", "to_addr": f"peserta{i}@example.go.id",
         "subject": "Sertifikat Anda sudah terbit", "body_text": body,
         "body_html": f"<p>{body}</p>", "status": "pending", "attempts": 0,
         "attachments": [], "next_attempt_at": now, "created_at": now}
        for i in range(n)])
    db.session.commit()
    before = received(server)
    started = time.perf_counter()
    result = flush_outbox(senders=senders)
    seconds = time.perf_counter() - started
    got = received(server) - before
    sent = db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.status == "sent"))
    db.session.commit()
    print(f"senders={senders}: {result['sent']} sent in {seconds:.1f} s "
          f"= {result['sent'] / seconds * 60:,.0f} emails/min; server received {got}, "
          f"rows marked sent {sent}, still queued {result['pending']}")


if __name__ == "__main__":
    main()
