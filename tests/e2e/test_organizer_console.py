"""An organizer schedules and runs an episode in a real browser (CSRF on)."""

from __future__ import annotations

from asnbelajar.extensions import db

from .test_participant_journey import shot


def test_organizer_creates_publishes_and_presents_a_code(live_server, page):
    app, base = live_server
    with app.app_context():
        from asnbelajar.accounts.services import create_user
        from asnbelajar.timeutil import now_utc, to_local

        create_user(email="panitia@example.go.id", password="panitia123", role="organizer")
        db.session.commit()
        today = to_local(now_utc()).date()

    page.goto(f"{base}/login")
    page.fill("input[name=login]", "panitia@example.go.id")
    page.fill("input[name=password]", "panitia123")
    page.locator("#main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/console")  # the organizer's first page: the dashboard

    # A reversed time range is refused with a message and creates nothing.
    page.goto(f"{base}/console/episodes/new")
    page.fill("input[name=number]", "12")
    page.fill("input[name=title]", "Manajemen Talenta ASN")
    page.fill("input[name=day]", today.isoformat())
    page.fill("input[name=start_time]", "23:00")
    page.fill("input[name=end_time]", "22:00")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_load_state()
    assert "setelah waktu mulai" in page.content()
    shot(page, "10-episode-form-error")

    page.fill("input[name=start_time]", "22:00")
    page.fill("input[name=end_time]", "23:45")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_load_state()
    assert "/console/episodes/" in page.url
    manage_url = page.url

    page.fill("input[name=label]", "awal")
    page.fill("input[name=code]", "mulai7")
    page.fill("input[name=opens_time]", "21:30")
    page.fill("input[name=closes_time]", "23:30")
    page.get_by_role("button", name="+ Tambah checkpoint").click()
    page.wait_for_load_state()
    assert "MULAI7" in page.content()

    page.once("dialog", lambda dialog: dialog.accept())  # "Terbitkan episode ini?"
    page.get_by_role("button", name="Terbitkan").click()
    page.wait_for_load_state()
    shot(page, "11-manage")
    with app.app_context():
        from asnbelajar.episodes.models import Episode

        episode = db.session.query(Episode).one()
        assert episode.status == "published" and episode.jp == 2  # 105 min // 45
        checkpoint_id = episode.checkpoints[0].id
        episode_id = episode.id

    page.goto(f"{base}/console/episodes/{episode_id}/checkpoints/{checkpoint_id}/present")
    assert "MULAI7" in "".join(page.locator("body").inner_text().split())  # one box per char
    shot(page, "12-presenter")
    assert page.goto(manage_url).status == 200
