"""A participant's journey in a real browser (Chromium), with CSRF on."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from asnbelajar.extensions import db

SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_participant_signs_up_registers_checks_in_and_verifies(live_server, page, browser):
    app, base = live_server
    with app.app_context():
        from asnbelajar.accounts.services import create_user
        from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
        from asnbelajar.timeutil import now_utc

        organizer = create_user(email="panitia@example.go.id", password="panitia123",
                                role="organizer")
        start = now_utc().replace(microsecond=0) - timedelta(minutes=10)
        episode = create_episode({"title": "Literasi Digital untuk ASN", "number": 7,
                                  "starts_at": start.isoformat(),
                                  "ends_at": (start + timedelta(hours=2)).isoformat()},
                                 organizer.id)
        add_checkpoint(episode, {"label": "awal", "code": "RAPI24",
                                 "opens_at": start.isoformat(),
                                 "closes_at": (start + timedelta(minutes=40)).isoformat()},
                       organizer.id)
        publish_episode(episode, organizer.id)
        db.session.commit()
        episode_id, organizer_id = episode.id, organizer.id

    page.goto(f"{base}/signup")
    page.fill("input[name=full_name]", "Yuliana Tampubolon, S.Kom.")
    page.fill("input[name=email]", "yuliana.t@example.go.id")
    page.fill("input[name=password]", "rahasia123")
    page.fill("input[name=confirm]", "rahasia123")
    page.select_option("select[name=employee_type]", "pns")
    page.fill("input[name=nip]", "19900101 201501 2 003")
    page.fill("input[name=instansi]", "Pemerintah Provinsi Sumatera Utara")
    page.select_option("select[name=province]", "Sumatera Utara")
    page.check("input[name=consent]")
    shot(page, "01-signup")
    page.get_by_role("button", name="Buat akun").click()
    page.wait_for_load_state()
    assert "/me" in page.url, page.content()[:2000]

    page.goto(f"{base}/episodes/{episode_id}")
    shot(page, "02-episode")
    page.locator(f"form[action='/episodes/{episode_id}/register'] button").first.click()
    page.wait_for_load_state()
    assert "terdaftar" in page.content().lower()

    page.goto(f"{base}/episodes/{episode_id}/checkin")
    page.fill("input[name=code]", "wrong1")
    page.click("button.checkin-button")
    page.wait_for_load_state()
    assert "salah" in page.content().lower()
    page.fill("input[name=code]", "rapi24")
    page.click("button.checkin-button")
    page.wait_for_load_state()
    shot(page, "03-checkin")
    assert "tercatat" in page.content().lower()

    with app.app_context():
        from asnbelajar.attendance.services import finalize_episode

        summary = finalize_episode(episode_id, actor_id=organizer_id, force=True)
        db.session.commit()
        assert summary.credited == 1

    page.goto(f"{base}/me")
    shot(page, "04-dashboard")
    assert "2" in page.locator("body").inner_text()
    page.goto(f"{base}/me/certificates")
    shot(page, "05-certificates")
    link = page.locator("a[href$='.pdf']").first.get_attribute("href")
    response = page.request.get(base + link if link.startswith("/") else link)
    assert response.status == 200 and response.body().startswith(b"%PDF")

    zxingcpp = pytest.importorskip("zxingcpp")
    import pypdfium2

    # The QR code is drawn as vector rectangles, not embedded as an image: render the
    # page as a reader would see it and scan that.
    document = pypdfium2.PdfDocument(response.body())
    try:
        rendered = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    [url] = [r.text for r in zxingcpp.read_barcodes(rendered)]
    assert url.startswith(f"{base}/verify/")
    # Anyone (a fresh, anonymous browser) can verify; the page hides NIP and email.
    public = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    public.goto(url)
    shot(public, "06-verify")
    text = public.locator("body").inner_text()
    assert "SAH" in text.upper() and "Yuliana" in text
    assert "199001012015012003" not in public.content()
    assert "yuliana.t@example.go.id" not in public.content()
    public.context.close()
