"""Sign-up as people use it: every field error in one answer, each naming its field, in
the person's language; typed passwords kept; the time zone chosen or derived from the
province (web and API)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from asnbelajar import timeutil
from asnbelajar.extensions import db

PASSWORD = "rahasia123"


@pytest.fixture
def web_client(app_factory):
    app = app_factory(BOOTSTRAP_SERVE_LOCAL=True)
    with app.app_context():
        yield app.test_client()


def _data(**overrides):
    data = {
        "full_name": "Ni Made Ayu, S.Kom.", "email": "ayu@example.go.id",
        "password": PASSWORD, "confirm": PASSWORD, "employee_type": "pns",
        "nip": "1985.0312.2010.01.1.001", "instansi": "Pemerintah Provinsi Bali",
        "province": "Bali", "phone": "0812 3456 7890", "consent": "y",
    }
    data.update(overrides)
    return data


def _user(email):
    from asnbelajar.accounts.models import User

    return db.session.scalar(select(User).where(User.email == email))


def test_every_field_error_at_once_and_passwords_kept(web_client):
    response = web_client.post("/signup", data=_data(
        email="bukan-email", nip="199013452015031001", password="pendek", confirm="pendek",
        phone="12ab"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("email", "nip", "password", "phone"):
        assert f'id="{field}-error"' in html, field
    # The summary names each field before its message.
    start = html.index("error-summary")
    summary = html[start:html.index("</ul>", start)]
    for label in ("Email", "NIP / NI PPPK", "Kata sandi", "Nomor WhatsApp"):
        assert f">{label}</a>:" in summary, label
    assert "This field" not in html and "Field must" not in html
    assert re.search(r'name="password"[^>]*value="pendek"|value="pendek"[^>]*name="password"',
                     html)
    assert re.search(r'name="confirm"[^>]*value="pendek"|value="pendek"[^>]*name="confirm"',
                     html)


def test_taken_email_reported_with_a_short_password(web_client, make_participant):
    make_participant(email="ayu@example.go.id", nip=None, kind="non_asn")
    html = web_client.post("/signup", data=_data(password="x", confirm="x")).get_data(
        as_text=True)
    assert "Email ini sudah terdaftar." in html and 'id="password-error"' in html


def test_empty_form_in_indonesian(web_client):
    html = web_client.post("/signup", data={}).get_data(as_text=True)
    assert "This field is required" not in html
    assert 'id="full_name-error"' in html and 'id="email-error"' in html


@pytest.mark.parametrize("province,zone", [
    ("Bali", "Asia/Makassar"), ("Papua Pegunungan", "Asia/Jayapura"),
    ("Jawa Timur", "Asia/Jakarta"), ("Sulawesi Selatan", "Asia/Makassar"),
])
def test_web_sign_up_derives_zone_from_province(web_client, province, zone):
    response = web_client.post("/signup", data=_data(province=province))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _user("ayu@example.go.id").timezone == zone


def test_web_sign_up_keeps_a_chosen_zone(web_client):
    response = web_client.post("/signup", data=_data(timezone="Asia/Jayapura"))
    assert response.status_code == 302
    assert _user("ayu@example.go.id").timezone == "Asia/Jayapura"


def test_sign_up_page_offers_zone_with_province_map(web_client):
    html = web_client.get("/signup").get_data(as_text=True)
    assert 'name="timezone"' in html and "data-province-zones" in html
    assert "papua pegunungan" in html.lower() and "/static/js/tz.js" in html


def test_api_sign_up_zone_given_derived_or_refused(client):
    body = {"email": "yan@example.go.id", "password": PASSWORD, "full_name": "Yan Wenda",
            "employee_type": "non_asn", "instansi": "Pemerintah Kabupaten Jayawijaya",
            "province": "Papua Pegunungan", "consent": True}
    assert client.post("/api/v1/participants", json=body).status_code == 201
    assert _user("yan@example.go.id").timezone == "Asia/Jayapura"
    body2 = {**body, "email": "yan2@example.go.id", "timezone": "Asia/Makassar"}
    assert client.post("/api/v1/participants", json=body2).status_code == 201
    assert _user("yan2@example.go.id").timezone == "Asia/Makassar"
    bad = client.post("/api/v1/participants",
                      json={**body, "email": "yan3@example.go.id", "timezone": "Europe/Paris"})
    assert bad.status_code == 422
    assert _user("yan3@example.go.id") is None


def test_zone_for_province():
    assert timeutil.zone_for_province("  nusa tenggara  timur ") == "Asia/Makassar"
    assert timeutil.zone_for_province("Maluku Utara") == "Asia/Jayapura"
    assert timeutil.zone_for_province(None) == "Asia/Jakarta"
    assert timeutil.zone_name("WITA") == "Asia/Makassar"
    assert timeutil.zone_name("Europe/Paris") is None


def test_registrant_csv_content_type_once(app):
    from flask import Response

    from asnbelajar.util.spreadsheets import CSV_MIMETYPE

    assert Response("a", mimetype=CSV_MIMETYPE).headers["Content-Type"] == \
        "text/csv; charset=utf-8"


def test_welcome_after_academic_title_has_one_period(web_client, make_participant):
    make_participant(email="dr@example.go.id", full_name="Rina Wati, S.E.")
    web_client.post("/login", data={"login": "dr@example.go.id", "password": PASSWORD})
    html = web_client.get("/me").get_data(as_text=True)
    assert "Rina Wati, S.E." in html and "S.E.." not in html


# --- invitations and emails in the participant's own zone ---------------------------------

def _ics(email):
    import base64

    from icalendar import Calendar

    (attachment,) = email.attachments
    (event,) = Calendar.from_ical(base64.b64decode(attachment["data"])).walk("VEVENT")
    return event


def test_invitation_names_organizer_and_attendee_and_move_keeps_link(
        app, make_participant, make_episode):
    from asnbelajar.notifications.models import OutboxEmail
    from asnbelajar.notifications.rendering import render_pending
    from asnbelajar.registrations.services import notify_registrants, register

    episode = make_episode(zoom_url="https://zoom.us/j/123456789")
    bali = make_participant(email="made@example.go.id", province="Bali",
                            full_name="I Made Ayu")
    db.session.commit()
    register(episode.id, bali)
    db.session.commit()
    render_pending()  # a confirmation is rendered by the sender; here without sending
    confirmation = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.to_addr == "made@example.go.id",
        OutboxEmail.dedupe_key.like("registration_confirmed:%")))
    event = _ics(confirmation)
    assert str(event["organizer"]).startswith("mailto:")
    assert str(event["attendee"]) == "mailto:made@example.go.id"
    assert event["attendee"].params["PARTSTAT"] == "ACCEPTED"
    assert "WITA" in confirmation.body_text  # Bali reads its own zone
    episode.ical_sequence += 1
    notify_registrants(episode, "episode_moved")
    db.session.commit()
    moved = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.dedupe_key.like(f"episode_moved:{episode.id}:%")))
    event = _ics(moved)
    assert str(event["location"]) == "https://zoom.us/j/123456789"
    assert "organizer" in event


# --- reminders ------------------------------------------------------------------------

def test_episode_under_an_hour_away_gets_only_the_hour_reminder(
        app, make_episode, make_participant):
    from datetime import timedelta

    from asnbelajar.notifications.models import OutboxEmail
    from asnbelajar.registrations.services import register
    from asnbelajar.scheduler.services import send_due_reminders

    episode = make_episode(starts_in=timedelta(minutes=40))
    register(episode.id, make_participant())
    db.session.commit()
    assert send_due_reminders()["queued"] == 1
    keys = list(db.session.scalars(select(OutboxEmail.dedupe_key).where(
        OutboxEmail.dedupe_key.like("reminder-%"))))
    assert len(keys) == 1 and keys[0].startswith("reminder-1h:")


def test_reminders_can_be_turned_off_in_the_profile(
        web_client, make_episode, make_participant):
    from datetime import timedelta

    from asnbelajar.registrations.services import register
    from asnbelajar.scheduler.services import send_due_reminders

    quiet = make_participant(email="sepi@example.go.id", province="Maluku")
    loud = make_participant(email="ramai@example.go.id")
    db.session.commit()
    page = web_client.get("/login")
    assert page.status_code == 200
    web_client.post("/login", data={"login": "sepi@example.go.id", "password": PASSWORD})
    form = web_client.get("/me/profile").get_data(as_text=True)
    assert 'name="reminders_enabled"' in form and "checked" in form.split(
        'name="reminders_enabled"')[1][:80] + form.split('name="reminders_enabled"')[0][-80:]
    profile = quiet.profile
    response = web_client.post("/me/profile", data={
        "full_name": quiet.full_name, "timezone": quiet.timezone,
        "employee_type": profile.employee_type, "nip": profile.nip or "",
        "instansi": profile.instansi_name, "province": profile.province})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(quiet)
    assert quiet.reminders_enabled is False and quiet.timezone == "Asia/Jayapura"
    episode = make_episode(starts_in=timedelta(hours=20))
    register(episode.id, quiet)
    register(episode.id, loud)
    db.session.commit()
    assert send_due_reminders()["queued"] == 1  # only the one who kept them


# --- speakers while the episode is live -----------------------------------------------------

def test_speaker_sees_join_link_while_live_and_no_check_in(app_factory, make_episode):
    from datetime import timedelta

    from asnbelajar.accounts.services import create_user
    from asnbelajar.speakers.models import EpisodeSpeaker, Speaker

    app = app_factory(BOOTSTRAP_SERVE_LOCAL=True)
    with app.app_context():
        episode = make_episode(starts_in=timedelta(minutes=-10),
                               zoom_url="https://zoom.us/j/987654321")
        user = create_user(email="pembicara@example.go.id", password=PASSWORD, role="speaker",
                           full_name="Dr. Sari")
        speaker = Speaker(name="Dr. Sari", user_id=user.id, email=user.email)
        db.session.add(speaker)
        db.session.flush()
        db.session.add(EpisodeSpeaker(episode_id=episode.id, speaker_id=speaker.id,
                                      role="narasumber"))
        db.session.commit()
        episode_id = episode.id
    client = app.test_client()
    client.post("/login", data={"login": "pembicara@example.go.id", "password": PASSWORD})
    portal = client.get("/speaker").get_data(as_text=True)
    assert "https://zoom.us/j/987654321" in portal
    session = client.get(f"/speaker/episodes/{episode_id}").get_data(as_text=True)
    assert "Gabung Zoom sebagai narasumber" in session
    public = client.get(f"/episodes/{episode_id}").get_data(as_text=True)
    assert "Isi kode presensi" not in public


# --- check-in and "Pendaftaran Saya" states ------------------------------------------------

def test_checkpoint_closing_before_opening_has_its_own_message(app, make_episode):
    from datetime import timedelta

    from asnbelajar.episodes.services import add_checkpoint
    from asnbelajar.errors import ValidationError
    from asnbelajar.timeutil import now_utc

    # An episode at 09.00 WIB (02.00 UTC) a week ahead, whatever the time of this run: the
    # rule compares local dates (at 23.40 WIB a start of "now" would fail it).
    now = now_utc()
    start = (now + timedelta(days=7)).replace(hour=2, minute=0, second=0, microsecond=0)
    episode = make_episode(checkpoints=False, starts_in=start - now)
    opens = episode.starts_at_utc + timedelta(minutes=30)
    # "09.30-09.00" as the console reads it: closing time past midnight.
    with pytest.raises(ValidationError) as err:
        add_checkpoint(episode, {"label": "awal", "opens_at": opens,
                                 "closes_at": opens + timedelta(hours=23, minutes=30)}, None)
    assert "lebih awal dari jam buka" in str(err.value.message)


def test_evaluation_closes_two_weeks_after_the_end(app, make_episode, make_participant, clock):
    from datetime import timedelta

    from asnbelajar.errors import Conflict
    from asnbelajar.evaluations.services import evaluation_open, submit_evaluation
    from asnbelajar.registrations.services import register

    episode = make_episode(starts_in=timedelta(hours=1))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    clock.advance(days=20)
    assert not evaluation_open(episode)
    with pytest.raises(Conflict):
        submit_evaluation(episode, person, {"overall": 5}, None)


def test_my_registrations_show_check_in_state(web_client, make_episode, make_participant):
    from datetime import timedelta

    from asnbelajar.attendance.services import check_in
    from asnbelajar.registrations.services import register

    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant(email="hadir@example.go.id")
    register(episode.id, person)
    db.session.commit()
    web_client.post("/login", data={"login": "hadir@example.go.id", "password": PASSWORD})
    assert "Presensi sekarang" in web_client.get("/me/registrations").get_data(as_text=True)
    check_in(episode.id, person, episode.checkpoints[0].code)
    db.session.commit()
    html = web_client.get("/me/registrations").get_data(as_text=True)
    assert "Presensi sekarang" not in html and "Presensi tercatat" in html


def test_presenter_view_holds_the_code_back_days_early(app_factory, make_episode):
    from datetime import timedelta

    from asnbelajar.accounts.services import create_user

    app = app_factory(BOOTSTRAP_SERVE_LOCAL=True)
    with app.app_context():
        create_user(email="penyaji@example.go.id", password=PASSWORD, role="organizer")
        early = make_episode(starts_in=timedelta(days=4))
        soon = make_episode(starts_in=timedelta(minutes=30))
        db.session.commit()
        pages = [(e.id, e.checkpoints[0].id, e.checkpoints[0].code) for e in (early, soon)]
    client = app.test_client()
    client.post("/login", data={"login": "penyaji@example.go.id", "password": PASSWORD})
    (e1, c1, code1), (e2, c2, code2) = pages
    html = client.get(f"/console/episodes/{e1}/checkpoints/{c1}/present").get_data(as_text=True)
    assert "<h1" in html and "presenter-code" not in html and "pada hari presensi dibuka" in html
    html = client.get(f"/console/episodes/{e2}/checkpoints/{c2}/present").get_data(as_text=True)
    assert "presenter-code" in html and " ".join(code2) in html


def test_console_warns_before_publishing_a_past_episode(app_factory, make_episode):
    from datetime import timedelta

    from asnbelajar.accounts.services import create_user

    app = app_factory(BOOTSTRAP_SERVE_LOCAL=True)
    with app.app_context():
        create_user(email="penyaji@example.go.id", password=PASSWORD, role="organizer")
        past = make_episode(starts_in=timedelta(days=-3), publish=False)
        coming = make_episode(starts_in=timedelta(days=3), publish=False)
        db.session.commit()
        ids = past.id, coming.id
    client = app.test_client()
    client.post("/login", data={"login": "penyaji@example.go.id", "password": PASSWORD})
    html = client.get(f"/console/episodes/{ids[0]}").get_data(as_text=True)
    assert 'id="past-date-warning"' in html and "bertanggal lampau" in html
    html = client.get(f"/console/episodes/{ids[1]}").get_data(as_text=True)
    assert 'id="past-date-warning"' not in html
