"""Page weight and first paint on a slow phone, in Chromium with CDP network throttling.

    python benchmarks/page_weight.py [--kbit 400] [--latency-ms 400] [--screenshots DIR]

Builds a throwaway SQLite database (an episode live now with an open checkpoint, a
participant registered to it), serves the app on a free 127.0.0.1 port (werkzeug, threaded)
and loads, at 390 px wide with the network throttled to --kbit down/up and --latency-ms:
the home page, the catalog, the episode page, the login page, the participant's check-in
page and dashboard. For each: bytes transferred on a cold cache (encoded, as on the wire),
requests, bytes on a warm reload (same browser cache), and first contentful paint of the
cold load. Targets
(issue 13): check-in page <= 60 KB cold and first paint < 3 s; public and participant pages
<= 150 KB cold and <= 15 KB warm. --screenshots saves each page at 390 and 1280 px.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from _database import temporary_database  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

PASSWORD = "rahasia-bench-123"  # noqa: S105 - a throwaway local account


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(app) -> int:
    from flask_migrate import upgrade

    from asnbelajar.accounts.models import ParticipantProfile, User
    from asnbelajar.accounts.services import CONSENT_VERSION, hash_password
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
    from asnbelajar.registrations.models import Registration
    from asnbelajar.timeutil import now_utc

    with app.app_context():
        upgrade()
        start = now_utc().replace(microsecond=0) - timedelta(minutes=10)
        episode = create_episode({"title": "Manajemen Talenta ASN", "number": 1,
                                  "starts_at": start.isoformat(),
                                  "ends_at": (start + timedelta(hours=2)).isoformat()}, None)
        add_checkpoint(episode, {"label": "penutup", "code": "TUTUP7",
                                 "opens_at": start.isoformat(),
                                 "closes_at": (start + timedelta(hours=1)).isoformat()}, None)
        publish_episode(episode, None)
        now = now_utc().replace(tzinfo=None)
        user = User(email="hp@example.go.id", full_name="Peserta Ponsel", role="participant",
                    password_hash=hash_password(PASSWORD), active=True, locale="id",
                    timezone="Asia/Jakarta", email_verified_at=now)
        db.session.add(user)
        db.session.flush()
        db.session.add(ParticipantProfile(user_id=user.id, employee_type="non_asn",
                                          instansi_name="Pemprov Riau", province="Riau",
                                          consent_version=CONSENT_VERSION, consent_at=now))
        db.session.add(Registration(episode_id=episode.id, user_id=user.id,
                                    status="registered", source="web"))
        db.session.commit()
        return episode.id


def throttle(cdp, kbit: float | None, latency_ms: float | None) -> None:
    """Emulate a slow link (kbit down and up, latency), or none when kbit is None."""
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms or 0,
        "downloadThroughput": kbit * 1000 / 8 if kbit else -1,
        "uploadThroughput": kbit * 1000 / 8 if kbit else -1})


def measure(page, cdp, url: str) -> dict:
    # Only requests this load sent (not a late one of the page before), data: URLs aside.
    sent: set[str] = set()
    sizes: dict[str, float] = {}

    def will_send(event: dict) -> None:
        if not event["request"]["url"].startswith("data:"):
            sent.add(event["requestId"])

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = event.get("encodedDataLength", 0)

    cdp.on("Network.requestWillBeSent", will_send)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    # Chromium leaves out the paint entries when nothing painted "contentful" before the
    # load (a form field's placeholder); then the first paint, then DOMContentLoaded.
    paint = page.evaluate("""() => {
        const entries = performance.getEntriesByType('paint');
        const p = entries.find(e => e.name === 'first-contentful-paint')
            || entries.find(e => e.name === 'first-paint');
        if (p) return p.startTime;
        const n = performance.getEntriesByType('navigation')[0];
        return n ? n.domContentLoadedEventEnd : null; }""")
    # The favicon is fetched after the load event: wait for it too.
    page.wait_for_load_state("networkidle")
    cdp.remove_listener("Network.requestWillBeSent", will_send)
    cdp.remove_listener("Network.loadingFinished", finished)
    mine = [size for request, size in sizes.items() if request in sent]
    return {"bytes": sum(mine), "requests": len(mine), "fcp_ms": paint}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kbit", type=float, default=400)
    parser.add_argument("--latency-ms", type=float, default=400)
    parser.add_argument("--screenshots", default="")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with temporary_database("", prefix="asnb_pages") as url:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "RATELIMIT_ENABLED": False})
        episode_id = prepare(app)
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        # Public pages as a visitor (signed in, /login would redirect to the dashboard),
        # then the participant's pages.
        public = [("home", "/"), ("catalog", "/episodes"), ("episode", f"/episodes/{episode_id}"),
                  ("login", "/login")]
        personal = [("check-in", f"/episodes/{episode_id}/checkin"), ("dashboard", "/me")]
        rows = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                context = browser.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                for signed_in, pages in ((False, public), (True, personal)):
                    if signed_in:
                        # Sign in unthrottled: only the pages are measured.
                        throttle(cdp, None, None)
                        page.goto(base + "/login")
                        page.fill("input[name=login]", "hp@example.go.id")
                        page.fill("input[name=password]", PASSWORD)
                        page.press("input[name=password]", "Enter")
                        page.wait_for_load_state("load")
                    throttle(cdp, args.kbit, args.latency_ms)
                    for name, path in pages:
                        cdp.send("Network.clearBrowserCache")
                        cold = measure(page, cdp, base + path)
                        warm = measure(page, cdp, base + path)
                        rows.append((name, path, cold, warm))
                        if args.screenshots:
                            os.makedirs(args.screenshots, exist_ok=True)
                            for width in (390, 1280):
                                page.set_viewport_size({"width": width, "height": 900})
                                page.screenshot(path=os.path.join(
                                    args.screenshots, f"{name}-{width}.png"), full_page=True)
                            page.set_viewport_size({"width": 390, "height": 844})
                browser.close()
        finally:
            server.shutdown()
    print(f"Chromium 390 px, {args.kbit:.0f} kbit/s, {args.latency_ms:.0f} ms latency")
    print(f"{'page':<11}{'cold KB':>9}{'req':>5}{'warm KB':>9}{'req':>5}{'first paint':>13}")
    for name, _path, cold, warm in rows:
        fcp = f"{cold['fcp_ms'] / 1000:.2f} s" if cold["fcp_ms"] else "-"
        print(f"{name:<11}{cold['bytes'] / 1024:>9.1f}{cold['requests']:>5}"
              f"{warm['bytes'] / 1024:>9.1f}{warm['requests']:>5}{fcp:>13}")


if __name__ == "__main__":
    main()
