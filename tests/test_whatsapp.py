"""Optional WhatsApp notifications against a local stand-in of Meta's Cloud API
(tests/whatsapp_standin.py): the template JSON and Bearer header, the outbox's backoff,
give-up, hold-all and retry for the WhatsApp channel, the organizers' page, the
participants' opt-in, set-based queueing of reminders and "certificate ready", erasure,
and a token that never leaves the server."""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asnbelajar.accounts.models import ParticipantProfile, User
from asnbelajar.accounts.privacy import anonymize_user, export_personal_data
from asnbelajar.attendance.services import finalize_episode, mark_attendance
from asnbelajar.audit.models import AuditEvent
from asnbelajar.integrations.models import WhatsAppConnection
from asnbelajar.integrations.whatsapp_settings import save_whatsapp
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.notifications.services import flush_outbox, queue_email
from asnbelajar.registrations.services import register
from asnbelajar.scheduler.services import send_due_reminders
from asnbelajar.timeutil import format_datetime_id, now_utc, to_db

from .whatsapp_standin import WhatsAppStandIn

NUMBER = "6281234567890"


@pytest.fixture
def wa():
    with WhatsAppStandIn() as server:
        yield server


@pytest.fixture
def app(app_factory, wa):
    app = app_factory(WHATSAPP_BASE_URL=wa.url, WHATSAPP_TIMEOUT=1,
                      WHATSAPP_CONNECT_TIMEOUT=1, OUTBOX_SENDERS=2)
    with app.app_context():
        yield app


def connect(db, wa, organizer, *, enabled=True, token=None, reminder="pengingat_episode",
            certificate="sertifikat_siap"):
    save_whatsapp(enabled=enabled, phone_number_id=wa.state.phone_number_id,
                  access_token=token if token is not None else wa.state.token,
                  reminder_template=reminder, certificate_template=certificate,
                  language_code="id", actor_id=organizer.id)
    db.session.commit()


@pytest.fixture
def connected(db, wa, organizer):
    connect(db, wa, organizer)


def opt_in(db, person, number=NUMBER, timezone=None):
    person.profile.phone = "+" + number
    person.profile.whatsapp_opt_in_at = to_db(now_utc())
    if timezone:
        person.timezone = timezone
    db.session.commit()
    return person


def whatsapp_rows(db, **where):
    db.session.expire_all()
    query = select(OutboxEmail).where(OutboxEmail.channel == "whatsapp")
    for key, value in where.items():
        query = query.where(getattr(OutboxEmail, key) == value)
    return list(db.session.scalars(query.order_by(OutboxEmail.id)))


def queue_reminders_for(db, make_episode, people, hours=20):
    episode = make_episode(starts_in=timedelta(hours=hours))
    for person in people:
        register(episode.id, person)
    db.session.commit()
    return episode


# --------------------------------------------------------------------------- delivery

def test_reminder_is_sent_as_a_template_with_the_bearer_token_and_local_time(
        app, db, wa, connected, make_episode, make_participant):
    bali = opt_in(db, make_participant(full_name="Ni Luh Putu Ayu"), timezone="Asia/Makassar")
    plain = make_participant()  # no opt-in: email only
    episode = queue_reminders_for(db, make_episode, [bali, plain])

    assert send_due_reminders() == {"queued": 2, "whatsapp": 1}
    result = flush_outbox()
    assert result["pending"] == 0

    [request] = wa.state.requests
    assert request["path"] == f"/v23.0/{wa.state.phone_number_id}/messages"
    assert request["authorization"] == f"Bearer {wa.state.token}"
    assert request["content_type"] == "application/json"
    name = f"ASN Belajar Seri {episode.number}: {episode.title}"
    assert request["body"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": NUMBER,
        "type": "template",
        "template": {"name": "pengingat_episode", "language": {"code": "id"},
                     "components": [{"type": "body", "parameters": [
                         {"type": "text", "text": "Ni Luh Putu Ayu"},
                         {"type": "text", "text": name},
                         {"type": "text",
                          "text": format_datetime_id(episode.starts_at, "Asia/Makassar")},
                         {"type": "text",
                          "text": f"http://asnbelajar.test/episodes/{episode.id}"}]}]}}
    assert "WITA" in request["body"]["template"]["components"][0]["parameters"][2]["text"]
    [row] = whatsapp_rows(db)
    assert (row.status, row.to_addr, row.attempts) == ("sent", NUMBER, 1)
    assert row.message_id.startswith("wamid.")
    assert row.template == "pengingat_episode"


def test_reruns_queue_nothing_new_and_the_one_hour_reminder_is_its_own(
        app, db, connected, make_episode, make_participant, clock):
    people = [opt_in(db, make_participant(), number=f"62812345678{i}") for i in range(3)]
    queue_reminders_for(db, make_episode, people)
    assert send_due_reminders()["whatsapp"] == 3
    assert send_due_reminders()["whatsapp"] == 0
    clock.advance(hours=19, minutes=30)
    assert send_due_reminders()["whatsapp"] == 3
    assert send_due_reminders()["whatsapp"] == 0
    keys = sorted(row.dedupe_key.split(":")[0] for row in whatsapp_rows(db))
    assert keys == ["wa-reminder-1d"] * 3 + ["wa-reminder-1h"] * 3


def test_nobody_gets_whatsapp_without_opt_in_reminders_or_the_switch(
        app, db, wa, organizer, make_episode, make_participant):
    opted = opt_in(db, make_participant())
    quiet = opt_in(db, make_participant(), number="6281311112222")
    quiet.reminders_enabled = False
    landline = make_participant()
    landline.profile.phone = "+62215551234"
    landline.profile.whatsapp_opt_in_at = to_db(now_utc())  # e.g. an old import
    db.session.commit()
    queue_reminders_for(db, make_episode, [opted, quiet, landline, make_participant()])

    assert send_due_reminders()["whatsapp"] == 0  # no connection at all
    connect(db, wa, organizer, enabled=False)
    assert send_due_reminders()["whatsapp"] == 0  # switched off
    connect(db, wa, organizer, reminder="")
    assert send_due_reminders()["whatsapp"] == 0  # no reminder template
    connect(db, wa, organizer)
    assert send_due_reminders()["whatsapp"] == 1
    assert [row.to_addr for row in whatsapp_rows(db)] == [NUMBER]


def test_certificate_ready_is_queued_once_for_those_who_opted_in(
        app, db, wa, connected, make_episode, make_participant, organizer):
    papua = opt_in(db, make_participant(full_name="Yohanes Wenda"), timezone="Asia/Jayapura")
    other = make_participant()
    episode = make_episode(starts_in=timedelta(minutes=-5))
    for person in (papua, other):
        register(episode.id, person)
    db.session.commit()
    for person in (papua, other):
        mark_attendance(episode, person.id, attended=True, reason="hadir",
                        actor_id=organizer.id)
    finalize_episode(episode.id, actor_id=organizer.id, force=True)
    db.session.commit()
    finalize_episode(episode.id, actor_id=organizer.id, force=True)  # a rerun
    db.session.commit()

    [row] = whatsapp_rows(db)
    assert row.dedupe_key.startswith("wa-certificate-ready:")
    assert row.template == "sertifikat_siap"
    flush_outbox()
    [body] = wa.state.delivered()
    params = [p["text"] for p in body["template"]["components"][0]["parameters"]]
    assert params[0] == "Yohanes Wenda"
    assert params[2] == format_datetime_id(episode.starts_at, "Asia/Jayapura")
    assert params[2].endswith("WIT")
    assert params[3] == "http://asnbelajar.test/me/certificates"
    assert body["template"]["name"] == "sertifikat_siap"


def test_rate_limits_and_server_errors_keep_messages_pending_with_backoff(
        app, db, wa, connected, make_episode, make_participant, clock):
    clock.set(now_utc())
    person = opt_in(db, make_participant())
    queue_reminders_for(db, make_episode, [person])
    send_due_reminders()

    wa.state.fail(429, code=130429, message="(#130429) Rate limit hit")
    flush_outbox()
    [row] = whatsapp_rows(db)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error.startswith("WhatsApp unavailable: HTTP 429, kode 130429")
    first_wait = row.next_attempt_at - to_db(now_utc())
    assert first_wait == timedelta(seconds=30)

    # Like mail held back by an SMTP outage: a flush with nothing else to do tries one
    # held message at once (here the API answers 500 now), and the wait grows.
    wa.state.fail(500, code=131000, message="Something went wrong")
    flush_outbox()
    [row] = whatsapp_rows(db)
    assert row.status == "pending" and row.attempts == 2
    assert "HTTP 500" in row.last_error
    assert row.next_attempt_at - to_db(now_utc()) == timedelta(seconds=60)
    assert len(wa.state.requests) == 2

    flush_outbox()
    [row] = whatsapp_rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(wa.state.delivered()) == 1


def test_a_busy_recipient_waits_alone(app, db, wa, connected, make_episode,
                                      make_participant, clock):
    clock.set(now_utc())
    people = [opt_in(db, make_participant(), number=f"62812000033{i:02d}") for i in range(3)]
    queue_reminders_for(db, make_episode, people)
    send_due_reminders()
    wa.state.fail(400, code=131056, message="(#131056) Pair rate limit hit")
    flush_outbox()
    rows = whatsapp_rows(db)
    assert [row.status for row in rows] == ["pending", "sent", "sent"]
    assert "131056" in rows[0].last_error
    assert not rows[0].last_error.startswith("WhatsApp unavailable")
    clock.advance(minutes=1)
    flush_outbox()
    assert {row.status for row in whatsapp_rows(db)} == {"sent"}


def test_a_hung_api_costs_one_timeout_per_flush_and_mail_keeps_flowing(
        app, db, wa, connected, make_episode, make_participant, clock):
    clock.set(now_utc())
    people = [opt_in(db, make_participant(), number=f"62812000011{i:02d}") for i in range(6)]
    queue_reminders_for(db, make_episode, people)
    send_due_reminders()
    for i in range(5):
        queue_email(f"m{i}", f"orang{i}@example.go.id", f"Pesan {i}", "Halo")
    db.session.commit()
    wa.state.delay = 3  # WHATSAPP_TIMEOUT is 1 s

    started = time.monotonic()
    flush_outbox()
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed
    assert len(wa.state.requests) == 1
    rows = whatsapp_rows(db)
    assert {row.status for row in rows} == {"pending"}
    assert sum(row.attempts for row in rows) == 1
    assert all(row.last_error.startswith("WhatsApp unavailable: WhatsApp tidak menjawab")
               for row in rows)
    emails = db.session.scalars(select(OutboxEmail.status).where(
        OutboxEmail.to_addr.like("orang%"))).all()
    assert emails == ["sent"] * 5
    assert db.session.get(WhatsAppConnection, 1).failure

    # Back again: the next flush probes one held message and then sends everything.
    wa.state.delay = 0
    clock.advance(seconds=5)
    flush_outbox()
    assert {row.status for row in whatsapp_rows(db)} == {"sent"}
    assert len(wa.state.delivered()) == 6
    assert db.session.get(WhatsAppConnection, 1).failure is None


def test_a_refused_token_holds_every_message_until_it_is_replaced(
        app, db, wa, organizer, make_episode, make_participant, clock):
    clock.set(now_utc())
    connect(db, wa, organizer, token="EAAGwrong0token0that0meta0refuses0000")
    people = [opt_in(db, make_participant(), number=f"62812000022{i:02d}") for i in range(4)]
    queue_reminders_for(db, make_episode, people)
    send_due_reminders()

    flush_outbox()
    assert len(wa.state.requests) == 1  # one refusal, not one per message
    rows = whatsapp_rows(db)
    assert {row.status for row in rows} == {"pending"}
    assert all("kode 190" in row.last_error for row in rows)
    clock.advance(minutes=10)
    flush_outbox()  # still refused: again one request
    assert len(wa.state.requests) == 2
    assert {row.status for row in whatsapp_rows(db)} == {"pending"}

    connect(db, wa, organizer)  # the organizer pastes the right token
    clock.advance(seconds=1)
    flush_outbox()
    assert {row.status for row in whatsapp_rows(db)} == {"sent"}
    assert len(wa.state.delivered()) == 4


def test_parallel_senders_ask_a_refusing_api_once_per_flush(
        app, db, wa, organizer, make_episode, make_participant, clock):
    # Two senders with two rows each, and a slow refusal: both senders have their claim
    # while the first request is still out, and the second must not ask again.
    app.config["OUTBOX_BATCH_SIZE"] = 2
    clock.set(now_utc())
    connect(db, wa, organizer, token="EAAGwrong0token0that0meta0refuses0000")
    people = [opt_in(db, make_participant(), number=f"62812000033{i:02d}") for i in range(4)]
    queue_reminders_for(db, make_episode, people)
    send_due_reminders()
    wa.state.delay = 0.3
    for flush in (1, 2, 3):
        flush_outbox()
        assert len(wa.state.requests) == flush
        rows = whatsapp_rows(db)
        assert {row.status for row in rows} == {"pending"}
        assert all("kode 190" in row.last_error for row in rows)
        assert sum(row.attempts for row in rows) == flush
        clock.advance(minutes=10)


def test_held_messages_fail_after_the_retry_window(
        app, db, wa, organizer, make_episode, make_participant, clock):
    clock.set(now_utc())
    connect(db, wa, organizer, token="EAAGwrong0token0that0meta0refuses0000")
    queue_reminders_for(db, make_episode, [opt_in(db, make_participant())])
    send_due_reminders()
    clock.advance(hours=app.config["OUTBOX_RETRY_HOURS"] + 1)
    flush_outbox()
    [row] = whatsapp_rows(db)
    assert row.status == "failed" and "kode 190" in row.last_error


def test_a_refused_recipient_fails_alone_shows_on_the_outbox_page_and_can_be_retried(
        app, db, wa, connected, make_episode, make_participant, client, login, organizer,
        clock):
    clock.set(now_utc())
    good = opt_in(db, make_participant())
    bad = opt_in(db, make_participant(), number="6281399998888")
    wa.state.refuse.add("6281399998888")
    queue_reminders_for(db, make_episode, [good, bad])
    send_due_reminders()
    flush_outbox()
    failed = whatsapp_rows(db, status="failed")
    assert [row.to_addr for row in failed] == ["6281399998888"]
    assert "131026" in failed[0].last_error
    assert [row.to_addr for row in whatsapp_rows(db, status="sent")] == [NUMBER]

    login(organizer)
    page = client.get("/console/email?channel=whatsapp&status=failed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "+6281399998888" in html and "131026" in html and "WhatsApp" in html
    assert "+" + NUMBER not in html  # the sent one is not in the failed list
    found = client.get("/console/email?q=0813 9999").get_data(as_text=True)
    assert "+6281399998888" in found
    emails_only = client.get("/console/email?channel=email").get_data(as_text=True)
    assert "6281399998888" not in emails_only

    response = client.post("/console/email/retry",
                           data={"all": "1", "channel": "whatsapp"})
    assert response.status_code == 302 and "channel=whatsapp" in response.location
    [row] = whatsapp_rows(db, to_addr="6281399998888")
    assert (row.status, row.attempts) == ("pending", 0)
    wa.state.refuse.clear()
    flush_outbox()
    assert whatsapp_rows(db, to_addr="6281399998888")[0].status == "sent"


def test_fixing_a_template_name_renames_unsent_messages(
        app, db, wa, organizer, make_episode, make_participant, runner):
    connect(db, wa, organizer, reminder="pengingat_salah")
    queue_reminders_for(db, make_episode, [opt_in(db, make_participant())])
    send_due_reminders()
    wa.state.fail(400, code=132001,
                  message="(#132001) Template name does not exist in the translation")
    flush_outbox()
    [row] = whatsapp_rows(db)
    assert row.status == "failed" and "132001" in row.last_error

    connect(db, wa, organizer, reminder="pengingat_episode")
    assert whatsapp_rows(db)[0].template == "pengingat_episode"
    out = runner.invoke(args=["outbox", "retry-failed", "--channel", "whatsapp"])
    assert "Queued again: 1" in out.output
    flush_outbox()
    assert whatsapp_rows(db)[0].status == "sent"
    assert wa.state.delivered()[0]["template"]["name"] == "pengingat_episode"
    status = runner.invoke(args=["outbox", "status", "--channel", "whatsapp"]).output
    assert "sent     1" in status and "failed   0" in status


def test_switching_whatsapp_off_holds_queued_messages(
        app, db, wa, organizer, make_episode, make_participant):
    connect(db, wa, organizer)
    queue_reminders_for(db, make_episode, [opt_in(db, make_participant())])
    send_due_reminders()
    connect(db, wa, organizer, enabled=False)
    flush_outbox()
    [row] = whatsapp_rows(db)
    assert row.status == "pending" and not wa.state.requests
    assert row.last_error.startswith("WhatsApp unavailable: WhatsApp dimatikan")


# --------------------------------------------------------------------------- console

def test_organizer_configures_whatsapp_and_sends_a_test_message(
        app, db, wa, client, login, organizer, make_participant):
    assert client.get("/console/integrations/whatsapp").status_code in (302, 401, 403)
    login(make_participant())
    assert client.get("/console/integrations/whatsapp").status_code == 403
    login(organizer)
    page = client.get("/console/integrations/whatsapp")
    assert page.status_code == 200 and "Notifikasi WhatsApp" in page.get_data(as_text=True)

    bad = client.post("/console/integrations/whatsapp", data={
        "phone_number_id": "12ab", "access_token": "pendek", "reminder_template": "Pengingat!",
        "language_code": "Indonesia", "enabled": "y"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in ("Phone number ID tidak valid", "Token akses tidak valid",
                    "Templat pengingat tidak valid", "Kode bahasa tidak valid"):
        assert message in html  # every field's error at once
    assert db.session.get(WhatsAppConnection, 1) is None

    saved = client.post("/console/integrations/whatsapp", data={
        "phone_number_id": wa.state.phone_number_id, "access_token": wa.state.token,
        "reminder_template": "pengingat_episode", "certificate_template": "sertifikat_siap",
        "language_code": "id", "enabled": "y"})
    assert saved.status_code == 302
    conn = db.session.get(WhatsAppConnection, 1)
    assert conn.enabled and conn.reminder_template == "pengingat_episode"

    refused = client.post("/console/integrations/whatsapp/test",
                          data={"phone": "021 555 1234", "kind": "reminder"})
    assert refused.status_code == 422
    assert "nomor ponsel Indonesia" in refused.get_data(as_text=True)
    assert not wa.state.requests

    sent = client.post("/console/integrations/whatsapp/test",
                       data={"phone": "0812-3456-7890", "kind": "certificate"},
                       follow_redirects=True)
    html = sent.get_data(as_text=True)
    assert "Pesan uji terkirim ke 62812****7890" in html
    [body] = wa.state.delivered()
    assert body["to"] == NUMBER and body["template"]["name"] == "sertifikat_siap"
    assert len(body["template"]["components"][0]["parameters"]) == 4

    events = {e.action: e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("whatsapp.%")))}
    assert events["whatsapp.connection"].after["token_changed"] is True
    assert events["whatsapp.test"].after == {"ok": True, "to": "62812****7890",
                                             "template": "sertifikat_siap"}

    # Blank token field keeps the stored token; the switch turns it off.
    kept = client.post("/console/integrations/whatsapp", data={
        "phone_number_id": wa.state.phone_number_id, "access_token": "",
        "reminder_template": "pengingat_episode", "language_code": "id"})
    assert kept.status_code == 302
    db.session.expire_all()
    conn = db.session.get(WhatsAppConnection, 1)
    assert not conn.enabled
    wa.state.fail(401, code=190, message="Error validating access token")
    failed = client.post("/console/integrations/whatsapp/test",
                         data={"phone": "+62 812 3456 7890", "kind": "reminder"},
                         follow_redirects=True)
    assert "kode 190" in failed.get_data(as_text=True)


def test_console_forms_need_the_csrf_token(app_factory, wa, db, organizer):
    app = app_factory(WTF_CSRF_ENABLED=True, WHATSAPP_BASE_URL=wa.url)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(organizer.id)
        session["_fresh"] = True
    for path, data in (("/console/integrations/whatsapp", {"phone_number_id": "1234567"}),
                       ("/console/integrations/whatsapp/test", {"phone": "081234567890"})):
        assert client.post(path, data=data).status_code in (400, 422)
    assert not wa.state.requests


def test_the_token_never_leaves_the_server(app, db, wa, client, login, organizer, caplog,
                                           make_episode, make_participant, token_for):
    caplog.set_level(logging.DEBUG)
    token = wa.state.token
    login(organizer)
    client.post("/console/integrations/whatsapp", data={
        "phone_number_id": wa.state.phone_number_id, "access_token": token,
        "reminder_template": "pengingat_episode", "certificate_template": "sertifikat_siap",
        "language_code": "id", "enabled": "y"})
    conn = db.session.get(WhatsAppConnection, 1)
    assert token not in conn.access_token_enc
    client.post("/console/integrations/whatsapp/test",
                data={"phone": "081234567890", "kind": "reminder"})
    queue_reminders_for(db, make_episode, [opt_in(db, make_participant())])
    send_due_reminders()
    wa.state.fail(401, code=190)
    flush_outbox()
    wa.state.faults.clear()
    conn.failure = None
    db.session.commit()
    flush_outbox()
    assert wa.state.delivered()

    pages = [client.get(path) for path in (
        "/console/integrations/whatsapp", "/console/email", "/console/email?channel=whatsapp",
        "/console/audit")]
    headers = token_for(organizer)
    answers = [client.get(path, headers=headers) for path in (
        "/api/v1/integrations/zoom", "/api/v1/reports/summary")]
    for response in pages + answers:
        assert token not in response.get_data(as_text=True), response.request.path
    assert "tersimpan (terenkripsi)" in pages[0].get_data(as_text=True)
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in str(record.args or "")
    events = db.session.scalars(select(AuditEvent)).all()
    assert all(token not in json.dumps([e.before, e.after]) for e in events)
    rows = db.session.scalars(select(OutboxEmail)).all()
    assert all(token not in f"{r.last_error} {r.body_text} {r.context}" for r in rows)
    assert token not in repr(conn.__dict__)


# --------------------------------------------------------------------------- participants

PROFILE = {"full_name": "Ayu Lestari", "timezone": "Asia/Makassar", "employee_type": "non_asn",
           "instansi": "Pemerintah Provinsi Bali", "province": "Bali",
           "reminders_enabled": "y"}


def test_opt_in_needs_an_indonesian_mobile_number(
        app, db, wa, connected, client, login, make_participant):
    person = make_participant(kind="non_asn", province="Bali")
    login(person)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Kirim juga lewat WhatsApp" in page

    for phone in ("", "021 555 1234", "+65 9123 4567", "0812", "0812-abcd-7890"):
        response = client.post("/me/profile", data={
            **PROFILE, "full_name": "Nama Baru", "phone": phone, "whatsapp_opt_in": "y"})
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 422), phone  # the form again, not a redirect
        error = re.search(r'id="phone-error"[^>]*>([^<]*)<', html)
        assert error, phone
        assert error.group(1).startswith(("Nomor WhatsApp harus nomor ponsel Indonesia",
                                          "Isi Nomor WhatsApp (nomor ponsel Indonesia)")), \
            error.group(1)
        db.session.expire_all()
        user = db.session.get(User, person.id)
        assert user.full_name != "Nama Baru"  # nothing saved
        assert user.profile.whatsapp_opt_in_at is None

    response = client.post("/me/profile", data={
        **PROFILE, "phone": "0812-3456-7890", "whatsapp_opt_in": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.get(ParticipantProfile, person.id)
    assert profile.phone == "+6281234567890"
    first = profile.whatsapp_opt_in_at
    assert first is not None
    assert "Anda memilih WhatsApp sejak" in client.get("/me/profile").get_data(as_text=True)
    data = json.loads(client.get("/me/data.json").get_data(as_text=True))
    assert data["profile"]["whatsapp_opt_in_at"] is not None

    client.post("/me/profile", data={**PROFILE, "phone": "+62 812 3456 7890",
                                     "whatsapp_opt_in": "y"})
    db.session.expire_all()
    assert db.session.get(ParticipantProfile, person.id).whatsapp_opt_in_at == first

    client.post("/me/profile", data={**PROFILE, "phone": "0812-3456-7890"})  # unticked
    db.session.expire_all()
    profile = db.session.get(ParticipantProfile, person.id)
    assert profile.whatsapp_opt_in_at is None and profile.phone == "+6281234567890"


def test_the_opt_in_is_offered_only_while_whatsapp_is_on(
        app, db, wa, organizer, client, login, make_participant):
    person = make_participant(kind="non_asn", province="Bali")
    login(person)
    assert "Kirim juga lewat WhatsApp" not in client.get("/me/profile").get_data(as_text=True)
    response = client.post("/me/profile", data={**PROFILE, "phone": "021 555 1234",
                                                "whatsapp_opt_in": "y"})
    assert response.status_code == 302  # ignored: nothing to opt in to
    db.session.expire_all()
    assert db.session.get(ParticipantProfile, person.id).whatsapp_opt_in_at is None
    connect(db, wa, organizer, enabled=False)
    assert "Kirim juga lewat WhatsApp" not in client.get("/me/profile").get_data(as_text=True)


def test_erasure_scrubs_the_number_and_every_whatsapp_message(
        app, db, wa, connected, make_episode, make_participant, organizer):
    leaving = opt_in(db, make_participant())
    staying = opt_in(db, make_participant(), number="6281311112222")
    queue_reminders_for(db, make_episode, [leaving, staying])
    send_due_reminders()
    flush_outbox()  # sent ones too
    queue_reminders_for(db, make_episode, [leaving, staying], hours=10)
    send_due_reminders()
    assert len(whatsapp_rows(db, to_addr=NUMBER)) == 2
    exported = export_personal_data(leaving.id)
    assert exported["profile"]["whatsapp_opt_in_at"] is not None

    anonymize_user(leaving.id, actor_id=organizer.id, reason="permintaan")
    db.session.commit()
    db.session.expire_all()
    profile = db.session.get(ParticipantProfile, leaving.id)
    assert profile.phone is None and profile.whatsapp_opt_in_at is None
    assert whatsapp_rows(db, to_addr=NUMBER) == []
    assert len(whatsapp_rows(db, to_addr="6281311112222")) == 2
    assert not db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.body_text.contains(leaving.email)))
