"""The WhatsApp pages in Chromium at 390 and 1280 px: the organizers' WhatsApp page
(configured, held back by a refused token, a test message refused and one sent), the outbox
page filtered to WhatsApp, and a participant opting in (a landline refused, then a mobile
number accepted). Same checks as the quality walk: no horizontal overflow, no serious or
critical axe-core violation, no English on an Indonesian page; screenshots kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from asnbelajar.extensions import db

from ..whatsapp_standin import WhatsAppStandIn
from .test_quality_walk import _check, _login

PASSWORD = "rahasia123"  # noqa: S105 - a test value


@pytest.fixture
def wa():
    with WhatsAppStandIn() as server:
        yield server


@pytest.fixture
def whatsapp_site(live_server, wa):
    app, base = live_server
    app.config.update(WHATSAPP_BASE_URL=wa.url, WHATSAPP_TIMEOUT=1)
    with app.app_context():
        from asnbelajar.accounts.services import ProfileData, create_user, sign_up
        from asnbelajar.integrations.whatsapp_settings import note_failure, save_whatsapp
        from asnbelajar.notifications.models import OutboxEmail
        from asnbelajar.timeutil import now_utc, to_db

        organizer = create_user(email="panitia@example.go.id", password=PASSWORD,
                                role="organizer", full_name="Rina Panitia")
        sign_up(email="ayu@example.go.id", password=PASSWORD,
                full_name="Ni Luh Putu Ayu Pratiwi Dewi, S.E., M.Si.", consent=True,
                profile=ProfileData(employee_type="non_asn",
                                    instansi="Pemerintah Provinsi Bali", province="Bali"))
        save_whatsapp(enabled=True, phone_number_id=wa.state.phone_number_id,
                      access_token=wa.state.token, reminder_template="pengingat_episode",
                      certificate_template="sertifikat_siap", language_code="id",
                      actor_id=organizer.id)
        now = to_db(now_utc())
        rows = [("failed", "6281399998888", "HTTP 400, kode 131026: (#131026) Message "
                 "Undeliverable. — Recipient is not a valid WhatsApp user"),
                ("pending", "6281234567890", "WhatsApp unavailable: HTTP 401, kode 190: "
                 "Error validating access token: Session has expired."),
                ("sent", "6281211112222", None)]
        for i, (status, number, error) in enumerate(rows):
            db.session.add(OutboxEmail(
                dedupe_key=f"wa-reminder-1d:{900 + i}", channel="whatsapp", to_addr=number,
                subject="Pengingat WhatsApp: ASN Belajar Seri 41: Manajemen Talenta ASN "
                        "di Era Transformasi Digital Pemerintahan",
                body_text="WhatsApp · ...", template="pengingat_episode",
                context={"parameters": ["Nama", "Episode", "Waktu", "Tautan"]},
                status=status, attempts=1, last_error=error, created_at=now,
                next_attempt_at=now + timedelta(minutes=2), give_up_at=now))
        db.session.add(OutboxEmail(dedupe_key="e2e-mail", to_addr="budi@example.go.id",
                                   subject="Sertifikat siap", body_text="Halo",
                                   status="sent", created_at=now, next_attempt_at=now))
        note_failure("HTTP 401, kode 190: Error validating access token: Session has "
                     "expired on Friday, 04-Dec-26 10:00:00 PST.")
        db.session.commit()
    return base


@pytest.mark.parametrize("width", (390, 1280))
def test_whatsapp_pages(whatsapp_site, browser, wa, width):
    base = whatsapp_site
    problems: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID",
                                  timezone_id="Asia/Makassar", bypass_csp=True)
    page = context.new_page()

    _login(page, base, "panitia@example.go.id", PASSWORD)
    page.goto(f"{base}/console/integrations/whatsapp")
    assert page.locator("#wa-failure").is_visible()
    _check(page, "wa-console", problems)
    page.fill("#phone", "021 555 1234")
    page.locator("form[action$='/whatsapp/test'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "nomor ponsel Indonesia" in page.locator("#phone-error").inner_text()
    _check(page, "wa-console-test-refused", problems)
    page.fill("#phone", "0812 3456 7890")
    page.locator("form[action$='/whatsapp/test'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "Pesan uji terkirim" in page.locator("body").inner_text()
    _check(page, "wa-console-test-sent", problems)
    page.goto(f"{base}/console/email?channel=whatsapp")
    assert "+6281399998888" in page.locator("body").inner_text()
    _check(page, "wa-outbox", problems)
    page.goto(f"{base}/console/email")
    _check(page, "wa-outbox-all", problems)
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID",
                                  timezone_id="Asia/Makassar", bypass_csp=True)
    page = context.new_page()
    _login(page, base, "ayu@example.go.id", PASSWORD)
    page.goto(f"{base}/me/profile")
    page.fill("#phone", "021 555 1234")
    page.check("#whatsapp_opt_in")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()
    assert "nomor ponsel Indonesia" in page.locator("#phone-error").inner_text()
    _check(page, "wa-profile-refused", problems)
    page.fill("#phone", "0812-3456-7890")
    page.check("#whatsapp_opt_in")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()
    page.goto(f"{base}/me/profile")
    assert page.locator("#whatsapp_opt_in").is_checked()
    assert "Anda memilih WhatsApp sejak" in page.locator("body").inner_text()
    _check(page, "wa-profile", problems)
    context.close()
    assert not problems, "\n".join(problems)
