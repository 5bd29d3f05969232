"""The Zoom integration against a local stand-in of Zoom's API (tests/zoom_standin.py):
the connection and its secret, the meeting kept in sync with the episode, personal join
links pushed by the scheduler (batches, rate limits, outages, waiting list, cancellation),
and the participant report pulled and imported."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asnbelajar.attendance.models import AttendanceImport, AttendanceInterval
from asnbelajar.episodes.services import cancel_episode
from asnbelajar.integrations.models import ZoomConnection, ZoomMeeting, ZoomRegistrant
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.services import cancel_registration, register
from asnbelajar.scheduler.services import finalize_due_episodes, run_all_once
from asnbelajar.scheduler.zoom import sync_zoom
from asnbelajar.timeutil import now_utc

from .zoom_standin import ZoomStandIn


@pytest.fixture
def zoom():
    with ZoomStandIn() as server:
        yield server


@pytest.fixture
def app(app_factory, zoom):
    app = app_factory(ZOOM_API_URL=zoom.url + "/v2", ZOOM_OAUTH_URL=zoom.url,
                      ZOOM_MAX_INLINE_WAIT=2)
    with app.app_context():
        yield app


@pytest.fixture
def connected(client, organizer, token_for, zoom):
    headers = token_for(organizer)
    state = zoom.state
    response = client.put("/api/v1/integrations/zoom", headers=headers, json={
        "account_id": state.account_id, "client_id": state.client_id,
        "client_secret": state.client_secret})
    assert response.status_code == 204
    return headers


def _zoom_for(client, headers, episode, kind="meeting"):
    response = client.post(f"/api/v1/episodes/{episode.id}/zoom", headers=headers,
                           json={"kind": kind})
    assert response.status_code == 201, response.json
    return response.json


# --------------------------------------------------------------------------- connection

def test_secret_is_stored_encrypted_and_never_shown_or_logged(
        app, client, db, organizer, token_for, login, zoom, connected, caplog):
    caplog.set_level(logging.DEBUG)
    secret = zoom.state.client_secret
    answer = client.get("/api/v1/integrations/zoom", headers=connected)
    assert answer.status_code == 200
    assert answer.json["configured"] is True
    assert answer.json["account_id"] == zoom.state.account_id
    assert answer.json["client_id"] == zoom.state.client_id
    assert secret not in answer.get_data(as_text=True)
    stored = db.session.get(ZoomConnection, 1)
    assert secret not in stored.client_secret_enc
    assert stored.client_secret_enc != base64.b64encode(secret.encode()).decode()

    test = client.post("/api/v1/integrations/zoom/test", headers=connected)
    assert test.status_code == 200 and test.json["ok"] is True

    login(organizer)
    page = client.get("/console/integrations/zoom")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert zoom.state.client_id in html and secret not in html
    assert "tersimpan (terenkripsi)" in html
    # The console test button, then the settings saved again without a secret keep it.
    assert client.post("/console/integrations/zoom/test").status_code == 302
    saved = client.post("/console/integrations/zoom", data={
        "account_id": zoom.state.account_id, "client_id": zoom.state.client_id,
        "client_secret": ""})
    assert saved.status_code == 302
    assert client.post("/api/v1/integrations/zoom/test",
                       headers=connected).json["ok"] is True
    for response in (client.get("/console/integrations/zoom"),
                     client.get("/api/v1/openapi.json")):
        assert secret not in response.get_data(as_text=True)
    assert secret not in caplog.text
    # The audit trail records the change, never the secret.
    from asnbelajar.audit.models import AuditEvent
    events = db.session.scalars(select(AuditEvent)).all()
    assert events and all(secret not in repr(e.after) for e in events)


def test_wrong_secret_fails_the_test_cleanly(client, organizer, token_for, zoom, caplog):
    headers = token_for(organizer)
    assert client.put("/api/v1/integrations/zoom", headers=headers, json={
        "account_id": zoom.state.account_id, "client_id": zoom.state.client_id,
        "client_secret": "not-the-secret"}).status_code == 204
    test = client.post("/api/v1/integrations/zoom/test", headers=headers)
    assert test.status_code == 200
    assert test.json["ok"] is False
    assert "Invalid client_id" in test.json["message"]
    assert "not-the-secret" not in caplog.text


@pytest.mark.parametrize("body, field", [
    ({"account_id": "", "client_id": "c", "client_secret": "s"}, "account_id"),
    ({"account_id": "a", "client_id": 5, "client_secret": "s"}, "client_id"),
    ({"account_id": "a", "client_id": "c"}, "client_secret"),
    ({"account_id": "a b", "client_id": "c", "client_secret": "s"}, "account_id"),
])
def test_connection_input_is_checked(client, organizer, token_for, body, field):
    response = client.put("/api/v1/integrations/zoom", headers=token_for(organizer), json=body)
    assert response.status_code == 422
    assert response.json["error"]["field"] == field


def test_only_organizers_reach_the_connection(client, make_participant, token_for):
    headers = token_for(make_participant())
    assert client.get("/api/v1/integrations/zoom", headers=headers).status_code == 403
    assert client.get("/api/v1/integrations/zoom").status_code == 401


# --------------------------------------------------------------------------- meetings

def test_webinar_created_moved_and_cancelled(app, client, db, make_episode, organizer, zoom,
                                             connected):
    episode = make_episode(starts_in=timedelta(days=10), hours=2)
    body = _zoom_for(client, connected, episode, kind="webinar")
    zoom_id = str(body["zoom_id"])
    created = zoom.state.meetings[zoom_id]
    assert body["join_url"] == f"https://zoom.example/j/{zoom_id}"
    assert created["kind"] == "webinar" and created["type"] == 5
    assert created["duration"] == 120 and created["timezone"] == "Asia/Jakarta"
    assert created["topic"].endswith(": Manajemen Talenta ASN")
    assert created["settings"]["approval_type"] == 0
    # A second call returns the same webinar.
    again = client.post(f"/api/v1/episodes/{episode.id}/zoom", headers=connected,
                        json={"kind": "webinar"})
    assert again.status_code == 200 and str(again.json["zoom_id"]) == zoom_id
    assert len(zoom.state.calls("POST", "/v2/users/me/")) == 1

    start = episode.starts_at + timedelta(days=1, hours=1)
    moved = client.patch(f"/api/v1/episodes/{episode.id}", headers=connected, json={
        "starts_at": start.isoformat() + "Z",
        "ends_at": (start + timedelta(minutes=90)).isoformat() + "Z"})
    assert moved.status_code == 200, moved.json
    patched = zoom.state.meetings[zoom_id]
    local = (start + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S")
    assert patched["start_time"] == local and patched["duration"] == 90

    cancel_episode(episode, organizer.id, "narasumber berhalangan")
    db.session.commit()
    assert zoom.state.meetings[zoom_id]["deleted"] is True
    assert db.session.scalar(select(ZoomMeeting.deleted_at)) is not None


def test_a_move_zoom_missed_is_sent_by_the_scheduler(app, client, db, make_episode, zoom,
                                                     connected):
    episode = make_episode(starts_in=timedelta(days=10), hours=2)
    zoom_id = str(_zoom_for(client, connected, episode)["zoom_id"])
    zoom.state.fail("/v2/meetings/", 503, count=10)
    start = episode.starts_at + timedelta(hours=3)
    moved = client.patch(f"/api/v1/episodes/{episode.id}", headers=connected, json={
        "starts_at": start.isoformat() + "Z",
        "ends_at": (start + timedelta(hours=2)).isoformat() + "Z"})
    assert moved.status_code == 200  # the episode moves even when Zoom is down
    meeting = db.session.scalar(select(ZoomMeeting))
    assert meeting.sync_error
    zoom.state.faults.clear()
    assert sync_zoom()["synced"] == 1
    assert zoom.state.meetings[zoom_id]["start_time"] == \
        (start + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S")
    db.session.expire_all()
    assert db.session.scalar(select(ZoomMeeting.sync_error)) is None


def test_create_refused_without_connection_or_for_cancelled_episode(
        client, db, make_episode, organizer, token_for):
    headers = token_for(organizer)
    episode = make_episode()
    response = client.post(f"/api/v1/episodes/{episode.id}/zoom", headers=headers,
                           json={"kind": "meeting"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "zoom_not_configured"
    bad = client.post(f"/api/v1/episodes/{episode.id}/zoom", headers=headers,
                      json={"kind": "party"})
    assert bad.status_code == 422


# --------------------------------------------------------------------------- registrants

def _register_many(db, episode, make_participant, n, prefix="p"):
    people = [make_participant(email=f"{prefix}{i}@example.go.id") for i in range(n)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    return people


def test_registrants_pushed_in_batches_with_personal_links(
        app, client, db, make_episode, make_participant, token_for, zoom, connected):
    episode = make_episode(starts_in=timedelta(days=5))
    early = _register_many(db, episode, make_participant, 3, prefix="early")
    _zoom_for(client, connected, episode, kind="meeting")
    people = early + _register_many(db, episode, make_participant, 62)
    # Confirmation of those registered after the Zoom meeting waits for their link.
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.to_addr == "p0@example.go.id",
        OutboxEmail.dedupe_key.like("registration_%"))) == 0

    result = sync_zoom()
    assert result["pushed"] == 65
    batches = zoom.state.calls("POST", "/v2/meetings/")
    assert [len(c["body"]["registrants"]) for c in batches] == [30, 30, 5]
    links = dict(db.session.execute(
        select(ZoomRegistrant.user_id, ZoomRegistrant.join_url)).all())
    assert len(links) == 65 and len(set(links.values())) == 65

    person = people[10]
    mail = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.to_addr == person.email, OutboxEmail.dedupe_key.like("registration_%")))
    assert mail.dedupe_key.startswith("registration_confirmed:")
    assert links[person.id] in mail.body_text and links[person.id] in mail.body_html
    ics = base64.b64decode(mail.attachments[0]["data"]).decode()
    assert links[person.id] in ics.replace("\r\n ", "")
    # Registered before the meeting existed: a separate email carries the link.
    early_mail = db.session.scalars(select(OutboxEmail.dedupe_key).where(
        OutboxEmail.to_addr == early[0].email)).all()
    assert any(k.startswith("zoom-link:") for k in early_mail)

    mine = client.get(f"/api/v1/episodes/{episode.id}", headers=token_for(person))
    assert mine.json["join_url"] == links[person.id]
    stranger = make_participant(email="stranger@example.go.id")
    assert client.get(f"/api/v1/episodes/{episode.id}",
                      headers=token_for(stranger)).json["join_url"] is None
    # A rerun pushes nobody twice.
    assert sync_zoom()["pushed"] == 0
    assert len(zoom.state.calls("POST", "/v2/meetings/")) == 3


def test_rate_limit_waits_inline_or_until_the_next_run(
        app, client, db, make_episode, make_participant, zoom, connected, clock):
    clock.set(now_utc())
    episode = make_episode(starts_in=timedelta(days=5))
    _zoom_for(client, connected, episode)
    _register_many(db, episode, make_participant, 40)
    # A short Retry-After is waited out in the same run.
    zoom.state.fail("/v2/meetings/", 429, count=1, retry_after="1")
    assert sync_zoom()["pushed"] == 40
    more = _register_many(db, episode, make_participant, 5, prefix="late")
    # A long one stops the run; the scheduler retries after it.
    zoom.state.fail("/v2/meetings/", 429, count=1, retry_after="120")
    assert sync_zoom()["pushed"] == 0
    waiting = db.session.scalars(select(ZoomRegistrant).where(
        ZoomRegistrant.user_id.in_([p.id for p in more]))).all()
    assert len(waiting) == 5 and all(w.registrant_id is None for w in waiting)
    assert sync_zoom()["pushed"] == 0  # too early: nothing sent to Zoom
    clock.advance(seconds=121)
    out = run_all_once(app)
    assert out["zoom-sync"]["pushed"] == 5


def test_outage_is_retried_with_backoff(app, client, db, make_episode, make_participant,
                                        zoom, connected, clock):
    clock.set(now_utc())
    episode = make_episode(starts_in=timedelta(days=5))
    _zoom_for(client, connected, episode)
    _register_many(db, episode, make_participant, 3)
    zoom.state.fail("/v2/meetings/", 502, count=3)
    assert sync_zoom()["pushed"] == 0
    rows = db.session.scalars(select(ZoomRegistrant)).all()
    assert len(rows) == 3 and all(r.attempts == 1 and r.last_error for r in rows)
    clock.advance(minutes=2)
    assert sync_zoom()["pushed"] == 3


def test_webinar_waitlist_gets_link_when_promoted_and_cancellation_removed(
        app, client, db, make_episode, make_participant, zoom, connected):
    episode = make_episode(starts_in=timedelta(days=5), capacity=1)
    zoom_id = str(_zoom_for(client, connected, episode, kind="webinar")["zoom_id"])
    first = make_participant(email="first@example.go.id")
    second = make_participant(email="second@example.go.id")
    register(episode.id, first)
    assert register(episode.id, second).status == "waitlisted"
    db.session.commit()
    assert sync_zoom()["pushed"] == 1
    assert [c["path"] for c in zoom.state.calls("POST", "/v2/webinars/")] == \
        [f"/v2/webinars/{zoom_id}/batch_registrants"]
    assert [r["email"] for r in zoom.state.registrants[zoom_id]] == ["first@example.go.id"]

    cancel_registration(episode.id, first)
    db.session.commit()
    result = sync_zoom()
    assert result["removed"] == 1 and result["pushed"] == 1
    statuses = {r["email"]: r["status"] for r in zoom.state.registrants[zoom_id]}
    assert statuses == {"first@example.go.id": "cancelled", "second@example.go.id": "approved"}
    promoted = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.to_addr == "second@example.go.id",
        OutboxEmail.dedupe_key.like("promoted:%")))
    link = db.session.scalar(select(ZoomRegistrant.join_url).where(
        ZoomRegistrant.user_id == second.id))
    assert promoted is not None and link in promoted.body_text
    assert db.session.scalar(select(ZoomRegistrant.join_url).where(
        ZoomRegistrant.user_id == first.id)) is None


def test_a_person_zoom_refuses_is_retried_then_left_for_the_organizer(
        app, client, db, make_episode, make_participant, zoom, connected, clock):
    from asnbelajar.integrations.registrants import MAX_PUSH_ATTEMPTS
    from asnbelajar.integrations.services import episode_zoom_status

    clock.set(now_utc())
    episode = make_episode(starts_in=timedelta(days=5))
    _zoom_for(client, connected, episode)
    people = _register_many(db, episode, make_participant, 3)
    zoom.state.reject_emails.add(people[1].email)
    assert sync_zoom()["pushed"] == 2
    refused = db.session.scalar(select(ZoomRegistrant).where(
        ZoomRegistrant.user_id == people[1].id))
    assert refused.registrant_id is None and refused.attempts == 1 and refused.last_error
    status = episode_zoom_status(episode.id)
    assert (status.registered, status.pending, status.failed) == (2, 1, 1)
    refused.attempts = MAX_PUSH_ATTEMPTS - 1
    db.session.commit()
    clock.advance(hours=2)
    sync_zoom()
    calls = len(zoom.state.calls("POST", "/v2/meetings/"))
    clock.advance(hours=2)
    assert sync_zoom()["pushed"] == 0
    assert len(zoom.state.calls("POST", "/v2/meetings/")) == calls  # given up: no more calls


def test_batch_refused_falls_back_to_single_registration(
        app, client, db, make_episode, make_participant, zoom, connected):
    zoom.state.batch_supported = False
    episode = make_episode(starts_in=timedelta(days=5))
    _zoom_for(client, connected, episode)
    _register_many(db, episode, make_participant, 4)
    assert sync_zoom()["pushed"] == 4
    singles = [c for c in zoom.state.calls("POST", "/v2/meetings/")
               if c["path"].endswith("/registrants")]
    assert len(singles) == 4


# --------------------------------------------------------------------------- reports

def _report_rows(links: dict[str, str]) -> list[dict]:
    """Rina joins by her personal link under another email, leaves and rejoins; Benny
    joins through the shared link with his account email; a guest joins without one."""
    return [
        {"id": "u1", "name": "Rina (HP)", "user_email": "rina.pribadi@gmail.com",
         "registrant_id": links["rina"], "join_time": "2022-03-23T02:02:10Z",
         "leave_time": "2022-03-23T03:14:55Z", "duration": 4365, "status": "in_meeting"},
        {"id": "u1", "name": "Rina (HP)", "user_email": "rina.pribadi@gmail.com",
         "registrant_id": links["rina"], "join_time": "2022-03-23T03:16:02Z",
         "leave_time": "2022-03-23T04:30:00Z", "duration": 4438, "status": "in_meeting"},
        {"id": "u2", "name": "Benny", "user_email": "benny.sitorus@example.go.id",
         "join_time": "2022-03-23T02:20:00Z", "leave_time": "2022-03-23T03:00:00Z",
         "duration": 2400},
        {"id": "", "name": "Galaxy A52", "user_email": "",
         "join_time": "2022-03-23T02:05:00Z", "leave_time": "2022-03-23T04:29:00Z",
         "duration": 8640},
        {"id": "u9", "name": "Menunggu", "user_email": "x@example.go.id",
         "join_time": "2022-03-23T02:00:00Z", "leave_time": "2022-03-23T02:01:00Z",
         "status": "in_waiting_room"},
    ]


def test_report_pulled_after_the_end_matches_registrant_id_then_email(
        app, client, db, make_episode, make_participant, organizer, token_for, zoom,
        connected, clock):
    from asnbelajar.timeutil import parse_iso

    clock.set(parse_iso("2022-03-16T09:00:00+07:00"))
    episode = make_episode(starts_in=timedelta(days=7), hours=2.5, checkpoints=False,
                           attendance_rule="minutes", min_minutes=120)
    zoom_id = str(_zoom_for(client, connected, episode)["zoom_id"])
    rina = make_participant(email="rina.marlina@example.go.id")
    benny = make_participant(email="benny.sitorus@example.go.id")
    for person in (rina, benny):
        register(episode.id, person)
    db.session.commit()
    sync_zoom()
    rina_rid = db.session.scalar(select(ZoomRegistrant.registrant_id).where(
        ZoomRegistrant.user_id == rina.id))
    zoom.state.report[zoom_id] = _report_rows({"rina": rina_rid})

    # Not yet: the episode has not ended (+ report delay), and finalize waits for it.
    clock.set(parse_iso("2022-03-23T11:35:00+07:00"))
    assert sync_zoom()["reports"] == {}
    clock.set(parse_iso("2022-03-23T12:10:00+07:00"))
    assert finalize_due_episodes()["episodes"][episode.id] == {"waiting": "zoom report"}

    out = run_all_once(app)
    report = out["zoom-sync"]["reports"][episode.id]
    assert report == {"rows": 5, "matched": 3}
    pages = zoom.state.calls("GET", f"/v2/report/meetings/{zoom_id}/participants")
    assert len(pages) == 3  # page_size 2: every page read through next_page_token
    per_user = dict(db.session.execute(
        select(AttendanceInterval.user_id, func.sum(AttendanceInterval.seconds))
        .group_by(AttendanceInterval.user_id)).all())
    assert per_user[rina.id] == 4365 + 4438
    assert per_user[benny.id] == 2400
    imported = db.session.scalar(select(AttendanceImport))
    assert imported.filename == f"Zoom API: meeting {zoom_id}"
    reasons = {u["name"]: u["reason"] for u in imported.unmatched}
    assert "tamu" in reasons["Galaxy A52"] and "ruang tunggu" in reasons["Menunggu"]
    meeting = db.session.scalar(select(ZoomMeeting))
    assert meeting.report_pulled_at is not None and meeting.report_rows == 5
    # Finalize then runs on that evidence (same run, after the pull).
    assert out["finalize-due"]["episodes"][episode.id]["attended"] == 1

    # Pull again on the finalized episode: only with confirm=true.
    db.session.expire_all()  # the scheduler run finalized it in its own session
    again = client.post(f"/api/v1/episodes/{episode.id}/zoom/pull-report", headers=connected)
    assert again.status_code == 409
    confirmed = client.post(f"/api/v1/episodes/{episode.id}/zoom/pull-report",
                            headers=connected, json={"confirm": True})
    assert confirmed.status_code == 200
    assert (confirmed.json["rows"], confirmed.json["matched"]) == (5, 3)
    assert len(confirmed.json["unmatched"]) == 2


def test_pull_report_any_time_and_console_panel(app, client, db, make_episode,
                                                make_participant, organizer, login, zoom,
                                                connected):
    episode = make_episode(starts_in=timedelta(days=3))
    zoom_id = str(_zoom_for(client, connected, episode)["zoom_id"])
    # Nothing reported so far: an empty pull asks for confirmation, wiping nothing.
    empty = client.post(f"/api/v1/episodes/{episode.id}/zoom/pull-report", headers=connected)
    assert empty.status_code == 409
    assert empty.json["error"]["code"] == "confirmation_required"
    benny = make_participant(email="benny.sitorus@example.go.id")
    register(episode.id, benny)
    db.session.commit()
    zoom.state.report[zoom_id] = [
        {"name": "Benny", "user_email": "benny.sitorus@example.go.id",
         "join_time": "2030-01-01T02:00:00Z", "leave_time": "2030-01-01T03:00:00Z",
         "duration": 3600}]
    pulled = client.post(f"/api/v1/episodes/{episode.id}/zoom/pull-report", headers=connected)
    assert pulled.status_code == 200
    assert pulled.json["rows"] == 1 and pulled.json["matched"] == 1
    assert pulled.json["unmatched"] == []

    login(organizer)
    page = client.get(f"/console/episodes/{episode.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert zoom_id in html and "Tarik ulang laporan Zoom" in html
    assert zoom.state.client_secret not in html
    assert client.post(f"/console/episodes/{episode.id}/zoom/pull-report").status_code == 302


def test_console_creates_the_meeting(app, client, db, make_episode, organizer, login, zoom,
                                     connected):
    episode = make_episode(starts_in=timedelta(days=3))
    login(organizer)
    page = client.get(f"/console/episodes/{episode.id}")
    assert "Buat di Zoom" in page.get_data(as_text=True)
    done = client.post(f"/console/episodes/{episode.id}/zoom",
                       data={"kind": "webinar", "registration_required": "y",
                             "auto_recording": "cloud"})
    assert done.status_code == 302
    meeting = db.session.scalar(select(ZoomMeeting))
    assert meeting.kind == "webinar" and meeting.auto_recording == "cloud"
    assert zoom.state.meetings[meeting.zoom_id]["settings"]["auto_recording"] == "cloud"


def test_episode_page_dashboard_and_reminder_carry_the_personal_link(
        app, client, db, make_episode, make_participant, login, zoom, connected):
    from asnbelajar.scheduler.services import send_due_reminders

    episode = make_episode(starts_in=timedelta(minutes=20))
    zoom_id = str(_zoom_for(client, connected, episode)["zoom_id"])
    person = make_participant(email="rina.marlina@example.go.id")
    register(episode.id, person)
    db.session.commit()
    sync_zoom()
    link = db.session.scalar(select(ZoomRegistrant.join_url))
    assert link and zoom_id in link
    login(person)
    page = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert link in page and f"https://zoom.example/j/{zoom_id}" not in page
    assert link in client.get("/me").get_data(as_text=True)
    send_due_reminders()
    reminder = db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.dedupe_key.like("reminder-1h:%")))
    assert reminder is not None and link in reminder.body_text


def test_cancellation_zoom_refuses_is_retried_without_blocking(
        app, client, db, make_episode, make_participant, zoom, connected):
    episode = make_episode(starts_in=timedelta(days=5))
    zoom_id = str(_zoom_for(client, connected, episode)["zoom_id"])
    people = _register_many(db, episode, make_participant, 2)
    sync_zoom()
    cancel_registration(episode.id, people[0])
    db.session.commit()
    zoom.state.fail(f"/v2/meetings/{zoom_id}/registrants/status", 409, count=1)
    late = make_participant(email="late@example.go.id")
    register(episode.id, late)
    db.session.commit()
    result = sync_zoom()
    # The refused cancellation waits for the next run; the newcomer is still pushed.
    assert (result["removed"], result["pushed"]) == (0, 1)
    row = db.session.scalar(select(ZoomRegistrant).where(
        ZoomRegistrant.user_id == people[0].id))
    assert row.attempts == 1 and row.removed_at is None
    assert sync_zoom()["removed"] == 1
    body = zoom.state.calls("PUT", f"/v2/meetings/{zoom_id}/registrants/status")[-1]["body"]
    assert body == {"action": "cancel", "registrants": [{"id": row.registrant_id}]}


def test_cancellation_falls_back_to_deleting_the_registrant(
        app, client, db, make_episode, make_participant, zoom, connected):
    episode = make_episode(starts_in=timedelta(days=5))
    zoom_id = str(_zoom_for(client, connected, episode)["zoom_id"])
    people = _register_many(db, episode, make_participant, 2)
    sync_zoom()
    cancel_registration(episode.id, people[0])
    db.session.commit()
    # A Zoom (or plan) without the status endpoint: the registrant is deleted instead.
    zoom.state.fail(f"/v2/meetings/{zoom_id}/registrants/status", 404, count=1)
    assert sync_zoom()["removed"] == 1
    assert [r["email"] for r in zoom.state.registrants[zoom_id]] == [people[1].email]


def test_double_click_keeps_one_meeting(app, client, db, make_episode, organizer, zoom,
                                        connected, monkeypatch):
    from asnbelajar.integrations import services as zs

    episode = make_episode(starts_in=timedelta(days=3))
    first = _zoom_for(client, connected, episode)
    # The second request checked before the first one had stored its meeting.
    monkeypatch.setattr(zs, "meeting_of", lambda episode_id: None)
    again = zs.create_zoom_for_episode(episode, "meeting", organizer.id)
    db.session.commit()
    assert again.zoom_id == str(first["zoom_id"])
    assert db.session.scalar(select(func.count()).select_from(ZoomMeeting)) == 1
    alive = [k for k, m in zoom.state.meetings.items() if not m["deleted"]]
    assert alive == [str(first["zoom_id"])]


@pytest.mark.parametrize("status, code", [(200, "zoom_error"), (503, "zoom_error"),
                                          (429, "zoom_rate_limited"), (400, "zoom_error")])
def test_zoom_failures_on_create_are_409_and_store_nothing(
        client, db, make_episode, zoom, connected, status, code):
    episode = make_episode(starts_in=timedelta(days=3))
    zoom.state.fail("/v2/users/me/", status, count=5, retry_after="600")
    response = client.post(f"/api/v1/episodes/{episode.id}/zoom", headers=connected,
                           json={"kind": "meeting"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == code
    assert db.session.scalar(select(func.count()).select_from(ZoomMeeting)) == 0


def test_rate_limited_token_defers_the_push_without_counting_a_failure(
        app, client, db, make_episode, make_participant, zoom, connected, clock):
    from asnbelajar.integrations.zoom_client import forget_tokens

    clock.set(now_utc())
    episode = make_episode(starts_in=timedelta(days=5))
    _zoom_for(client, connected, episode)
    _register_many(db, episode, make_participant, 2)
    forget_tokens()
    zoom.state.fail("/oauth/token", 429, count=1, retry_after="300")
    assert sync_zoom()["pushed"] == 0
    rows = db.session.scalars(select(ZoomRegistrant)).all()
    assert len(rows) == 2 and all(r.attempts == 0 and r.next_attempt_at for r in rows)
    clock.advance(seconds=301)
    assert sync_zoom()["pushed"] == 2
