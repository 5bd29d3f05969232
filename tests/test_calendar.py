"""The .ics an episode hands out, and the emails that tell registrants about a move or a
cancellation: parsed with a standard iCalendar library, read back as local time."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from asnbelajar.episodes.models import Episode
from asnbelajar.episodes.services import create_episode, publish_episode
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.services import (
    cancel_registration,
    notify_registrants,
    register,
)
from asnbelajar.timeutil import to_local

WIB, WITA, WIT = (ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"),
                  ZoneInfo("Asia/Jayapura"))
NOW = datetime(2030, 2, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def frozen(clock):
    clock.set(NOW)
    return clock


def _event(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    _second_reader_agrees(data, event)
    return calendar, event


def _second_reader_agrees(data: bytes, event) -> None:
    """A second, independent iCalendar parser (vobject, as Evolution-style clients read)
    reads the same event: same UID, SEQUENCE, start, end, organizer and attendee."""
    import vobject

    parsed = vobject.readOne(data.decode("utf-8"))
    method = Calendar.from_ical(data).get("method")
    if method is not None:
        assert parsed.method.value == str(method)
    (other,) = list(parsed.vevent_list)
    assert other.uid.value == str(event["uid"])
    assert int(other.sequence.value) == int(event["sequence"])
    assert other.dtstart.value == event["dtstart"].dt
    assert other.dtend.value == event["dtend"].dt
    if "organizer" in event:
        assert other.organizer.value == str(event["organizer"])
    if "attendee" in event:
        assert other.attendee.value == str(event["attendee"])


def _edit_form(episode: Episode, **overrides) -> dict:
    """The console's edit form as the browser would post it (times in the episode zone)."""
    tz = episode.timezone
    starts, ends = to_local(episode.starts_at, tz), to_local(episode.ends_at, tz)
    data = {"year": str(episode.year), "number": str(episode.number), "title": episode.title,
            "summary": episode.summary or "", "competency_type": episode.competency_type,
            "timezone": tz, "day": f"{starts:%Y-%m-%d}", "start_time": f"{starts:%H:%M}",
            "end_time": f"{ends:%H:%M}", "jp": str(episode.jp),
            "capacity": str(episode.capacity or ""), "registration_opens": "",
            "registration_closes": "", "zoom_url": episode.zoom_url or "",
            "youtube_url": "", "recording_url": "", "attendance_rule": episode.attendance_rule,
            "min_minutes": "", "min_percent": "", "walk_in_allowed": "y"}
    data.update(overrides)
    return data


def _emails(db, template: str, episode: Episode) -> list[OutboxEmail]:
    return list(db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.dedupe_key.like(f"{template}:{episode.id}:%"))
        .order_by(OutboxEmail.id)))


def _attached_ics(email: OutboxEmail):
    (item,) = email.attachments
    assert item["content_type"].startswith("text/calendar")
    assert item["filename"].endswith(".ics")
    return _event(base64.b64decode(item["data"]))


@pytest.fixture
def audience(db, frozen, organizer, make_participant):
    """A published episode (capacity 1) at 13.00 WIB with one registered, one waitlisted
    and one cancelled registrant."""
    episode = create_episode({"number": 12, "title": "Etika Digital ASN", "capacity": 1,
                              "starts_at": "2030-03-07T13:00:00+07:00",
                              "ends_at": "2030-03-07T15:00:00+07:00",
                              "zoom_url": "https://zoom.us/j/1"}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()
    registered, waitlisted, gone = (make_participant() for _ in range(3))
    register(episode.id, registered)
    register(episode.id, gone)
    cancel_registration(episode.id, gone)
    register(episode.id, waitlisted)
    db.session.commit()
    return episode, registered, waitlisted, gone


def test_ics_download_reads_as_the_right_local_time_in_every_zone(client, db, frozen,
                                                                  organizer):
    # Typed as 14.00 WITA in the console: the same instant as 13.00 WIB and 15.00 WIT.
    episode = create_episode({"number": 3, "title": "Zona", "timezone": "Asia/Makassar",
                              "starts_at": "2030-03-07T14:00:00+08:00",
                              "ends_at": "2030-03-07T16:00:00+08:00"}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()

    response = client.get(f"/episodes/{episode.id}.ics")

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar, event = _event(response.data)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset() is not None  # an absolute instant, not floating time
    assert (start.astimezone(WIB).hour, start.astimezone(WITA).hour,
            start.astimezone(WIT).hour) == (13, 14, 15)
    assert start.astimezone(WIB).date().isoformat() == "2030-03-07"
    assert end - start == timedelta(hours=2)
    assert str(event["UID"]) == episode.ical_uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(calendar["VERSION"]) == "2.0"


def test_ics_uid_is_stable_across_downloads(client, db, frozen, organizer):
    episode = create_episode({"number": 4, "title": "Stabil",
                              "starts_at": "2030-03-07T13:00:00+07:00",
                              "ends_at": "2030-03-07T15:00:00+07:00"}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()

    first = _event(client.get(f"/episodes/{episode.id}.ics").data)[1]
    second = _event(client.get(f"/episodes/{episode.id}.ics").data)[1]

    assert str(first["UID"]) == str(second["UID"]) == episode.ical_uid


def test_moving_time_emails_each_active_registrant_once_with_same_uid_higher_sequence(
        client, db, login, organizer, audience):
    episode, registered, waitlisted, gone = audience
    uid = episode.ical_uid
    login(organizer)

    first = client.post(f"/console/episodes/{episode.id}/edit",
                        data=_edit_form(episode, start_time="14:00", end_time="16:00"))

    assert first.status_code == 302
    moved = _emails(db, "episode_moved", episode)
    # The registered and the waitlisted participant; never the one who cancelled.
    assert sorted(e.to_addr for e in moved) == sorted([registered.email, waitlisted.email])
    assert gone.email not in {e.to_addr for e in moved}
    for email in moved:
        assert "Perubahan jadwal" in email.subject
        calendar, event = _attached_ics(email)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART").astimezone(WIB).hour == 14
        assert event.decoded("DTSTART").astimezone(WITA).hour == 15

    second = client.post(f"/console/episodes/{episode.id}/edit",
                         data=_edit_form(episode, day="2030-03-14"))

    assert second.status_code == 302
    moved_again = _emails(db, "episode_moved", episode)[len(moved):]
    assert len(moved_again) == 2
    sequences = {int(_attached_ics(e)[1]["SEQUENCE"]) for e in moved_again}
    assert sequences == {2}
    assert {str(_attached_ics(e)[1]["UID"]) for e in moved_again} == {uid}
    start = _attached_ics(moved_again[0])[1].decoded("DTSTART").astimezone(WIB)
    assert (start.date().isoformat(), start.hour) == ("2030-03-14", 14)
    # The public download follows: same UID, latest SEQUENCE.
    _, public = _event(client.get(f"/episodes/{episode.id}.ics").data)
    assert (str(public["UID"]), int(public["SEQUENCE"])) == (uid, 2)


def test_same_change_announced_twice_queues_nothing_new(db, organizer, audience):
    episode = audience[0]
    from asnbelajar.episodes.services import update_episode

    update_episode(episode, {"starts_at": "2030-03-07T10:00:00+07:00",
                             "ends_at": "2030-03-07T12:00:00+07:00"}, organizer.id)
    db.session.commit()
    queued = len(_emails(db, "episode_moved", episode))

    assert notify_registrants(episode, "episode_moved") == 0
    db.session.commit()

    assert queued == 2
    assert len(_emails(db, "episode_moved", episode)) == 2


def test_edit_without_time_change_sends_no_email(client, db, login, organizer, audience):
    episode = audience[0]
    login(organizer)

    response = client.post(f"/console/episodes/{episode.id}/edit",
                           data=_edit_form(episode, title="Etika Digital ASN (revisi)"))

    assert response.status_code == 302
    assert _emails(db, "episode_moved", episode) == []
    db.session.refresh(episode)
    assert episode.ical_sequence == 0


def test_moving_a_draft_emails_nobody(db, frozen, organizer):
    episode = create_episode({"number": 5, "title": "Draf",
                              "starts_at": "2030-03-07T13:00:00+07:00",
                              "ends_at": "2030-03-07T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    from asnbelajar.episodes.services import update_episode

    update_episode(episode, {"starts_at": "2030-03-08T13:00:00+07:00",
                             "ends_at": "2030-03-08T15:00:00+07:00"}, organizer.id)
    db.session.commit()

    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_cancelling_emails_a_cancel_ics_to_each_active_registrant(client, db, login,
                                                                  organizer, audience):
    episode, registered, waitlisted, gone = audience
    uid, sequence = episode.ical_uid, episode.ical_sequence
    login(organizer)

    response = client.post(f"/console/episodes/{episode.id}/cancel",
                           data={"cancel-reason": "Narasumber berhalangan hadir"})

    assert response.status_code == 302
    cancelled = _emails(db, "episode_cancelled", episode)
    assert sorted(e.to_addr for e in cancelled) == sorted([registered.email, waitlisted.email])
    for email in cancelled:
        assert "Narasumber berhalangan hadir" in email.body_text
        calendar, event = _attached_ics(email)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) > sequence
        assert event.decoded("DTSTART").astimezone(WIB).hour == 13
    # Cancelling again is a no-op: no second round of emails.
    client.post(f"/console/episodes/{episode.id}/cancel",
                data={"cancel-reason": "Narasumber berhalangan hadir"})
    assert len(_emails(db, "episode_cancelled", episode)) == 2
    _, public = _event(client.get(f"/episodes/{episode.id}.ics").data)
    assert str(public["STATUS"]) == "CANCELLED"


def test_cancelling_a_draft_emails_nobody(client, db, frozen, login, organizer):
    episode = create_episode({"number": 6, "title": "Draf batal",
                              "starts_at": "2030-03-07T13:00:00+07:00",
                              "ends_at": "2030-03-07T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)

    client.post(f"/console/episodes/{episode.id}/cancel", data={"cancel-reason": "Batal"})

    db.session.refresh(episode)
    assert episode.status == "cancelled"
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_public_ics_never_carries_the_join_link(client, make_episode):
    episode = make_episode(zoom_url="https://zoom.us/j/85566778899")
    body = client.get(f"/episodes/{episode.id}.ics").get_data(as_text=True)
    assert "zoom.us" not in body
    assert f"/episodes/{episode.id}" in body
