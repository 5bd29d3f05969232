"""Episode pages, the organizer console, check-in, presenter and audit pages (HTML)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from icalendar import Calendar
from sqlalchemy import func, select

from asnbelajar import timeutil
from asnbelajar.accounts.services import ProfileData, create_user, sign_up
from asnbelajar.attendance.models import AttendanceImport, CheckIn
from asnbelajar.audit.models import AuditEvent
from asnbelajar.episodes.models import Episode
from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
from asnbelajar.extensions import db
from asnbelajar.registrations.services import register

PASSWORD = "rahasia123"
CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "BOOTSTRAP_SERVE_LOCAL": True,
    "BASE_URL": "http://asnbelajar.test",
}


def _forget_cached_user() -> None:
    g.pop("_login_user", None)


def _build(app_factory, **extra):
    """The shared test app (migrated database, SQLite or PostgreSQL) with this module's
    config."""
    app = app_factory(**{**CONFIG, **extra})
    # The tests keep an app context open (to share the session with the views); requests
    # then reuse its ``g``, so forget the user Flask-Login cached there by the last request.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)
    return app


@pytest.fixture
def console_app(app_factory):
    app = _build(app_factory)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def web(console_app):
    return console_app.test_client()


@pytest.fixture
def organizer(console_app):
    user = create_user(email="panitia@example.go.id", password=PASSWORD, role="organizer",
                       full_name="Panitia BPSDM")
    db.session.commit()
    return user


@pytest.fixture
def participant(console_app):
    user = make_rina()
    db.session.commit()
    return user


def make_rina():
    """A participant who signed up with a profile and gave consent (registration needs it)."""
    return sign_up(email="rina@example.go.id", password=PASSWORD, full_name="Rina Marlina",
                   consent=True, profile=ProfileData(nip=None, employee_type="non_asn",
                                                     instansi="Pemerintah Provinsi Jawa Barat",
                                                     province="Jawa Barat"))


def login(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def make_live_episode(organizer, *, code="SIASN7", walk_in=True, number=43) -> Episode:
    """Published, started ten minutes ago, with an open "awal" checkpoint."""
    now = timeutil.now_utc().replace(microsecond=0)
    start = now - timedelta(minutes=10)
    episode = create_episode({"number": number, "title": "Transformasi Digital SIASN",
                              "starts_at": start, "ends_at": start + timedelta(hours=2),
                              "zoom_url": "https://zoom.us/j/81234567890",
                              "walk_in_allowed": walk_in}, organizer.id)
    add_checkpoint(episode, {"label": "awal", "code": code, "opens_at": start,
                             "closes_at": start + timedelta(minutes=40)}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()
    return episode


def episode_form(**overrides) -> dict:
    data = {"year": "2026", "number": "41", "title": "Penulisan Naskah Dinas yang Efektif",
            "summary": "Praktik baik naskah dinas.", "competency_type": "teknis",
            "timezone": "Asia/Makassar", "day": "2026-12-03", "start_time": "13:00",
            "end_time": "15:00", "jp": "", "capacity": "500", "registration_opens": "",
            "registration_closes": "", "zoom_url": "https://zoom.us/j/123",
            "youtube_url": "", "recording_url": "", "attendance_rule": "checkpoints",
            "min_minutes": "", "min_percent": "", "walk_in_allowed": "y"}
    data.update(overrides)
    return data


# Organizer console ----------------------------------------------------------------------

def test_organizer_creates_episode_through_form(web, organizer):
    login(web, organizer)
    assert web.get("/console/episodes/new").status_code == 200

    response = web.post("/console/episodes/new", data=episode_form())

    episode = db.session.scalar(select(Episode))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/console/episodes/{episode.id}")
    assert episode.status == "draft"
    assert (episode.year, episode.number, episode.capacity) == (2026, 41, 500)
    # 13.00-15.00 WITA is 05.00-07.00 UTC; blank JP is the default 120 min / 45 = 2.
    assert episode.starts_at == datetime(2026, 12, 3, 5, 0)
    assert episode.ends_at == datetime(2026, 12, 3, 7, 0)
    assert episode.timezone == "Asia/Makassar"
    assert episode.jp == 2
    assert episode.walk_in_allowed is True
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Penulisan Naskah Dinas yang Efektif" in page


def test_bad_time_range_shows_message_and_creates_nothing(web, organizer):
    login(web, organizer)

    response = web.post("/console/episodes/new",
                        data=episode_form(start_time="15:00", end_time="13:00"))

    assert response.status_code == 200
    assert "Waktu selesai harus setelah waktu mulai." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Episode)) == 0


def test_duplicate_series_number_shows_message_under_number(web, organizer):
    login(web, organizer)
    web.post("/console/episodes/new", data=episode_form())

    response = web.post("/console/episodes/new", data=episode_form(title="Lain"))

    html = response.get_data(as_text=True)
    assert re.search(r'id="number-error"[^>]*>[^<]*sudah dipakai', html)
    assert db.session.scalar(select(func.count()).select_from(Episode)) == 1


def test_edit_moves_time_and_keeps_other_fields(web, organizer):
    login(web, organizer)
    web.post("/console/episodes/new", data=episode_form())
    episode = db.session.scalar(select(Episode))
    form = web.get(f"/console/episodes/{episode.id}/edit").get_data(as_text=True)
    assert 'value="13:00"' in form and 'value="Penulisan Naskah Dinas yang Efektif"' in form

    response = web.post(f"/console/episodes/{episode.id}/edit",
                        data=episode_form(start_time="14:00", end_time="17:00"))

    assert response.status_code == 302
    db.session.refresh(episode)
    assert episode.starts_at == datetime(2026, 12, 3, 6, 0)
    assert episode.jp == 4  # blank JP follows the new duration (180 min / 45)


@pytest.mark.parametrize("method, path", [
    ("get", "/console/episodes"),
    ("get", "/console/episodes/new"),
    ("get", "/console/episodes/{id}"),
    ("get", "/console/episodes/{id}/edit"),
    ("get", "/console/episodes/{id}/checkpoints/{cp}/present"),
    ("get", "/console/audit"),
    ("post", "/console/episodes/{id}/publish"),
    ("post", "/console/episodes/{id}/finalize"),
])
def test_participant_gets_403_on_console_pages(web, organizer, participant, method, path):
    episode = make_live_episode(organizer)
    login(web, participant)

    url = path.format(id=episode.id, cp=episode.checkpoints[0].id)
    response = getattr(web, method)(url)

    assert response.status_code == 403


def test_anonymous_is_sent_to_login_from_console(web):
    response = web.get("/console/episodes")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_console_lists_episodes_with_counts(web, organizer, participant):
    episode = make_live_episode(organizer)
    register(episode.id, participant)
    db.session.commit()
    login(web, organizer)

    html = web.get("/console/episodes").get_data(as_text=True)

    assert "Transformasi Digital SIASN" in html
    assert re.search(r'data-label="Terdaftar"[^>]*>\s*1\b', html)


def test_cockpit_publishes_adds_speaker_and_checkpoint(web, organizer):
    login(web, organizer)
    web.post("/console/episodes/new", data=episode_form())
    episode = db.session.scalar(select(Episode))
    base = f"/console/episodes/{episode.id}"

    speaker = web.post(f"{base}/speakers", data={"name": "Dr. Hendra Gunawan, M.Si.",
                                                 "institution": "LAN", "role": "narasumber"})
    checkpoint = web.post(f"{base}/checkpoints", data={
        "label": "awal", "opens_time": "13:00", "closes_time": "13:30", "code": "awal23",
        "required": "y"})
    duplicate = web.post(f"{base}/checkpoints", data={
        "label": "akhir", "opens_time": "14:30", "closes_time": "15:10", "code": "AWAL23",
        "required": "y"})
    published = web.post(f"{base}/publish")

    assert speaker.status_code == checkpoint.status_code == published.status_code == 302
    assert duplicate.status_code == 422
    assert "sudah dipakai checkpoint lain" in duplicate.get_data(as_text=True)
    db.session.refresh(episode)
    assert episode.status == "published"
    assert [link.speaker.name for link in episode.speakers] == ["Dr. Hendra Gunawan, M.Si."]
    (cp,) = episode.checkpoints
    # 13.00 WITA = 05.00 UTC on the episode's local date.
    assert (cp.code, cp.opens_at) == ("AWAL23", datetime(2026, 12, 3, 5, 0))
    page = web.get(base).get_data(as_text=True)
    assert "AWAL23" in page and "Dr. Hendra Gunawan" in page


def test_report_upload_mark_and_finalize_from_cockpit(web, organizer, participant):
    episode = make_live_episode(organizer)
    register(episode.id, participant)
    db.session.commit()
    login(web, organizer)
    local = timeutil.to_local(episode.starts_at, "Asia/Jakarta")
    stamp = "%m/%d/%Y %I:%M:%S %p"
    csv = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        f"Rina Marlina,rina@example.go.id,{local:{stamp}},"
        f"{local + timedelta(minutes=100):{stamp}},100\n"
        f"Tamu,tamu@contoh.id,{local:{stamp}},{local + timedelta(minutes=50):{stamp}},50\n"
    )
    upload = web.post(f"/console/episodes/{episode.id}/attendance/report",
                      data={"file": (io.BytesIO(csv.encode()), "peserta.csv")},
                      content_type="multipart/form-data")
    assert upload.status_code == 302
    record = db.session.scalar(select(AttendanceImport))
    assert (record.rows, record.matched, len(record.unmatched)) == (2, 1, 1)
    page = web.get(f"/console/episodes/{episode.id}").get_data(as_text=True)
    assert "tamu@contoh.id" in page and "email tidak terdaftar" in page

    mark = web.post(f"/console/episodes/{episode.id}/attendance/mark",
                    data={"mark-participant": "RINA@example.go.id", "mark-attended": "yes",
                          "mark-reason": "Hadir di ruang rapat bersama"})
    assert mark.status_code == 302

    early = web.post(f"/console/episodes/{episode.id}/finalize", follow_redirects=True)
    assert "belum berakhir" in early.get_data(as_text=True)
    forced = web.post(f"/console/episodes/{episode.id}/finalize", data={"force": "y"},
                      follow_redirects=True)
    html = forced.get_data(as_text=True)
    assert "1 hadir, 1 dikreditkan, 1 sertifikat diterbitkan" in html


def test_cancel_needs_a_reason_and_then_cancels(web, organizer):
    episode = make_live_episode(organizer)
    login(web, organizer)

    missing = web.post(f"/console/episodes/{episode.id}/cancel", data={"cancel-reason": ""})
    done = web.post(f"/console/episodes/{episode.id}/cancel",
                    data={"cancel-reason": "Narasumber berhalangan"})

    assert missing.status_code == 422
    assert 'id="cancel-reason-error"' in missing.get_data(as_text=True)
    assert done.status_code == 302
    db.session.refresh(episode)
    assert (episode.status, episode.cancel_reason) == ("cancelled", "Narasumber berhalangan")


def test_mark_unknown_participant_shows_error_under_field(web, organizer):
    episode = make_live_episode(organizer)
    login(web, organizer)

    response = web.post(f"/console/episodes/{episode.id}/attendance/mark",
                        data={"mark-participant": "siapa@example.go.id", "mark-attended": "no",
                              "mark-reason": "uji"})

    assert response.status_code == 422
    assert re.search(r'id="mark-participant-error"[^>]*>Tidak ada akun',
                     response.get_data(as_text=True))


def test_presenter_shows_code_and_rejects_foreign_checkpoint(web, organizer):
    episode = make_live_episode(organizer)
    other = make_live_episode(organizer, code="LAIN99", number=44)
    login(web, organizer)

    page = web.get(f"/console/episodes/{episode.id}/checkpoints/{episode.checkpoints[0].id}"
                   "/present")
    foreign = web.get(f"/console/episodes/{episode.id}/checkpoints/{other.checkpoints[0].id}"
                      "/present")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<span>S</span><span>I</span>" in html
    assert f"asnbelajar.test/episodes/{episode.id}/checkin" in html
    assert "<script>" not in html  # CSP: script-src 'self' only
    assert foreign.status_code == 404


def test_audit_log_lists_and_filters_events(web, organizer):
    make_live_episode(organizer)
    login(web, organizer)

    everything = web.get("/console/audit").get_data(as_text=True)
    only_publish = web.get("/console/audit?action=episode.publish").get_data(as_text=True)

    assert "episode.create" in everything and "checkpoint.create" in everything
    assert "episode.publish" in only_publish and "episode.create</code>" not in only_publish
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 3


# Public pages ---------------------------------------------------------------------------

def test_home_catalog_and_detail_render(web, organizer):
    episode = make_live_episode(organizer)

    home = web.get("/").get_data(as_text=True)
    catalog = web.get(f"/episodes?year={episode.year}&type=manajerial")
    detail = web.get(f"/episodes/{episode.id}?tz=Asia/Jayapura").get_data(as_text=True)

    assert "Transformasi Digital SIASN" in home and "data-countdown" in home
    assert catalog.status_code == 200
    assert "Seri 43 · " in detail and "WIT" in detail
    assert "zoom.us" not in detail  # the Zoom link is for registered participants only


def test_draft_is_404_for_public_and_visible_to_organizer(web, organizer):
    episode = create_episode({"number": 9, "title": "Draf rahasia",
                              "starts_at": "2030-01-10T09:00:00+07:00",
                              "ends_at": "2030-01-10T11:00:00+07:00"}, organizer.id)
    db.session.commit()

    assert web.get(f"/episodes/{episode.id}").status_code == 404
    assert web.get(f"/episodes/{episode.id}.ics").status_code == 404
    login(web, organizer)
    assert web.get(f"/episodes/{episode.id}").status_code == 200


def test_zoom_link_shown_to_registered_participant_near_start(web, organizer, participant):
    episode = make_live_episode(organizer)
    register(episode.id, participant)
    db.session.commit()
    login(web, participant)

    html = web.get(f"/episodes/{episode.id}").get_data(as_text=True)

    assert "https://zoom.us/j/81234567890" in html
    assert "Anda terdaftar" in html


def test_ics_download_parses(web, organizer):
    episode = make_live_episode(organizer)

    response = web.get(f"/episodes/{episode.id}.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert "Transformasi Digital SIASN" in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == timeutil.as_utc(episode.starts_at)


# Check-in -------------------------------------------------------------------------------

def test_checkin_page_records_once_and_repeat_says_already(web, organizer, participant):
    episode = make_live_episode(organizer)
    register(episode.id, participant)
    db.session.commit()
    login(web, participant)
    url = f"/episodes/{episode.id}/checkin"
    page = web.get(url).get_data(as_text=True)
    assert 'Presensi "awal"' in page and 'autocomplete="off"' in page

    first = web.post(url, data={"code": " siasn7 "})
    second = web.post(url, data={"code": "SIASN7"})

    assert first.status_code == second.status_code == 302
    shown = web.get(first.headers["Location"]).get_data(as_text=True)
    assert re.search(r'Presensi "awal" tercatat pukul \d\d\.\d\d WIB', shown)
    again = web.get(second.headers["Location"]).get_data(as_text=True)
    assert 'Anda sudah presensi "awal"' in again
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_wrong_code_returns_4xx_and_records_nothing(web, organizer, participant):
    episode = make_live_episode(organizer)
    register(episode.id, participant)
    db.session.commit()
    login(web, participant)

    response = web.post(f"/episodes/{episode.id}/checkin", data={"code": "SALAH1"})
    empty = web.post(f"/episodes/{episode.id}/checkin", data={"code": ""})

    assert response.status_code == 422
    assert "Kode presensi salah" in response.get_data(as_text=True)
    assert empty.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_closed_window_and_no_walk_in_are_conflicts(web, organizer, participant, monkeypatch):
    episode = make_live_episode(organizer, walk_in=False)
    login(web, participant)

    not_registered = web.post(f"/episodes/{episode.id}/checkin", data={"code": "SIASN7"})
    register(episode.id, participant)
    db.session.commit()
    later = timeutil.now_utc() + timedelta(hours=1)
    monkeypatch.setattr(timeutil, "_clock", lambda: later)
    closed = web.post(f"/episodes/{episode.id}/checkin", data={"code": "SIASN7"})

    assert not_registered.status_code == 409
    assert "tidak menerima peserta tanpa pendaftaran" in not_registered.get_data(as_text=True)
    assert closed.status_code == 409
    assert "sudah ditutup" in closed.get_data(as_text=True)


def test_checkin_requires_login_and_participant_role(web, organizer):
    episode = make_live_episode(organizer)
    anonymous = web.get(f"/episodes/{episode.id}/checkin")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_failed_checkins_are_rate_limited_per_user(app_factory):
    app = _build(app_factory, RATELIMIT_ENABLED=True, RATELIMIT_CHECKIN="3 per minute",
                 RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        org = create_user(email="panitia@example.go.id", password=PASSWORD, role="organizer")
        user = make_rina()
        db.session.commit()
        episode = make_live_episode(org)
        register(episode.id, user)
        db.session.commit()
        client = app.test_client()
        login(client, user)
        url = f"/episodes/{episode.id}/checkin"

        statuses = [client.post(url, data={"code": "SALAH1"}).status_code for _ in range(3)]
        blocked = client.post(url, data={"code": "SIASN7"})

        assert statuses == [422, 422, 422]
        assert blocked.status_code == 429
        db.session.remove()


def test_successful_checkins_do_not_use_up_the_limit(app_factory):
    app = _build(app_factory, RATELIMIT_ENABLED=True, RATELIMIT_CHECKIN="2 per minute",
                 RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        org = create_user(email="panitia@example.go.id", password=PASSWORD, role="organizer")
        user = make_rina()
        db.session.commit()
        episode = make_live_episode(org)
        client = app.test_client()
        login(client, user)
        url = f"/episodes/{episode.id}/checkin"

        statuses = [client.post(url, data={"code": "SIASN7"}).status_code for _ in range(4)]

        assert statuses == [302, 302, 302, 302]
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        db.session.remove()


def test_timestamps_in_page_follow_the_episode_zone(web, organizer, monkeypatch):
    fixed = datetime(2026, 2, 22, 5, 0, tzinfo=UTC)
    monkeypatch.setattr(timeutil, "_clock", lambda: fixed - timedelta(days=3))
    episode = create_episode({"number": 5, "title": "Zona", "starts_at": fixed,
                              "ends_at": fixed + timedelta(hours=2)}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()

    html = web.get(f"/episodes/{episode.id}?tz=Asia/Makassar").get_data(as_text=True)

    assert "Minggu, 22 Februari 2026, pukul 13.00 WITA" in html


def test_every_post_form_carries_a_csrf_token(app_factory):
    app = _build(app_factory, WTF_CSRF_ENABLED=True)
    with app.app_context():
        org = create_user(email="panitia@example.go.id", password=PASSWORD, role="organizer")
        user = make_rina()
        db.session.commit()
        episode = make_live_episode(org)
        client = app.test_client()
        pages = []
        login(client, org)
        for path in (f"/console/episodes/{episode.id}", "/console/episodes/new",
                     f"/console/episodes/{episode.id}/edit"):
            pages.append(client.get(path).get_data(as_text=True))
        login(client, user)
        pages.append(client.get(f"/episodes/{episode.id}/checkin").get_data(as_text=True))
        pages.append(client.get(f"/episodes/{episode.id}").get_data(as_text=True))

        for html in pages:
            forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
            assert forms
            assert all('name="csrf_token"' in form for form in forms)
        db.session.remove()
