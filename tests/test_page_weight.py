"""Page weights for slow phones (issue 13), counted as the browser would receive them
(Brotli, headers included): the participant check-in page <= 60 KB on a cold load, public
and participant pages <= 150 KB cold and <= 15 KB warm. Warm means only the page itself:
every file it loads has a hashed URL cached for a year.

benchmarks/page_weight.py measures the same in Chromium, throttled, with first paint."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

KB = 1024
CHECKIN_COLD = 60 * KB
PAGE_COLD = 150 * KB
PAGE_WARM = 15 * KB
ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?\s(?:href|src)="(/[^"]+)"')


def wire_bytes(response) -> int:
    """Body as sent (encoded) plus status line and headers."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in response.headers.items()) + "\r\n"
    return len(head.encode()) + len(response.get_data())


def weigh(client, path: str) -> tuple[int, int, list[str]]:
    """(cold bytes, warm bytes, the page's asset URLs)."""
    page = client.get(path, headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200, path
    page.close()
    plain = client.get(path)
    html = plain.get_data(as_text=True)
    plain.close()
    # Each file once (the logo shows twice): the browser fetches it once.
    assets = list(dict.fromkeys(a.replace("&amp;", "&") for a in ASSET.findall(html)
                                if a.startswith(("/static/", "/bootstrap/static/"))))
    cold = wire_bytes(page)
    for url in assets:
        response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200, url
        cold += wire_bytes(response)
        response.close()
    return cold, wire_bytes(page), assets


@pytest.fixture
def live_checkin(db, make_participant, make_episode, login):
    """A signed-in participant registered to an episode live now, its first checkpoint open."""
    from asnbelajar.registrations.models import Registration

    user = make_participant()
    episode = make_episode(starts_in=-timedelta(minutes=10))
    db.session.add(Registration(episode_id=episode.id, user_id=user.id, status="registered",
                                source="web"))
    db.session.commit()
    login(user)
    return episode.id


def test_checkin_page_fits_a_slow_phone(client, live_checkin):
    cold, warm, assets = weigh(client, f"/episodes/{live_checkin}/checkin")
    assert any(a.startswith("/static/css/bootstrap.min.css?v=") for a in assets)  # purged
    # Only its own small stylesheet: the console's CSS and JS stay on console pages.
    assert not any("console" in a for a in assets), assets
    assert cold <= CHECKIN_COLD, f"check-in page {cold / KB:.1f} KB cold"
    assert warm <= PAGE_WARM


def test_participant_pages_weigh_little_cold_and_warm(client, live_checkin):
    for path in ("/me", f"/episodes/{live_checkin}", "/episodes", "/"):
        cold, warm, assets = weigh(client, path)
        assert not any("console" in a for a in assets), (path, assets)
        assert cold <= PAGE_COLD, f"{path}: {cold / KB:.1f} KB cold"
        assert warm <= PAGE_WARM, f"{path}: {warm / KB:.1f} KB warm"
        # A warm load sends only the page: every asset URL carries its content hash.
        assert all(re.search(r"[?&]v=[0-9a-f]{10}", a) for a in assets), assets


def test_public_pages_weigh_little_cold_and_warm(client, make_episode):
    episode = make_episode()
    for path in ("/", "/episodes", f"/episodes/{episode.id}", "/login", "/signup"):
        cold, warm, _assets = weigh(client, path)
        assert cold <= PAGE_COLD, f"{path}: {cold / KB:.1f} KB cold"
        assert warm <= PAGE_WARM, f"{path}: {warm / KB:.1f} KB warm"
