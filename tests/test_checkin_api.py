"""Check-in by code over the API: every kind of answer, walk-ins, rate limits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from asnbelajar.attendance.models import CheckIn
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.services import register


def _checkin(client, headers, episode_id, code):
    return client.post(f"/api/v1/episodes/{episode_id}/checkins", json={"code": code},
                       headers=headers)


def test_early_code_answers_like_a_wrong_one_and_closed_window_is_409(
        client, db, make_episode, make_participant, token_for, clock):
    episode = make_episode(starts_in=timedelta(minutes=30))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    headers = token_for(person)
    early = _checkin(client, headers, episode.id, "AWAL23")
    wrong = _checkin(client, headers, episode.id, "SALAH9")
    # A code whose window is not open yet answers exactly like a wrong code.
    assert early.status_code == wrong.status_code == 422
    assert early.json["error"]["code"] == wrong.json["error"]["code"] == "wrong_code"
    assert early.json["error"]["message"] == wrong.json["error"]["message"]
    clock.advance(minutes=75)  # awal closes 30 min after the start
    r = _checkin(client, headers, episode.id, "AWAL23")
    assert r.status_code == 409 and r.json["error"]["code"] == "window_closed"
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_walk_in_is_registered_on_the_spot(client, db, make_episode, make_participant,
                                           token_for):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    r = _checkin(client, token_for(person), episode.id, "awal23")
    assert r.status_code == 201 and r.json["walk_in"] is True
    source = db.session.scalar(select(Registration.source))
    assert source == "walk_in"


def test_walk_in_refused_when_the_episode_does_not_allow_it(client, db, make_episode,
                                                            make_participant, token_for):
    episode = make_episode(starts_in=timedelta(minutes=-5), walk_in_allowed=False)
    r = _checkin(client, token_for(make_participant()), episode.id, "AWAL23")
    assert r.status_code == 409 and r.json["error"]["code"] == "not_registered"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_walk_in_refused_when_full_and_waitlisted_cannot_check_in(
        client, db, make_episode, make_participant, token_for):
    episode = make_episode(starts_in=timedelta(minutes=-5), capacity=1)
    first, second, third = make_participant(), make_participant(), make_participant()
    register(episode.id, first)
    assert register(episode.id, second).status == "waitlisted"
    db.session.commit()
    r = _checkin(client, token_for(second), episode.id, "AWAL23")
    assert r.status_code == 409 and r.json["error"]["code"] == "waitlisted"
    r = _checkin(client, token_for(third), episode.id, "AWAL23")
    assert r.status_code == 409 and r.json["error"]["code"] == "full"


def test_cancelled_episode_refuses_check_in(client, db, make_episode, make_participant,
                                            token_for, organizer):
    from asnbelajar.episodes.services import cancel_episode

    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    cancel_episode(episode, organizer.id, "Narasumber berhalangan")
    db.session.commit()
    r = _checkin(client, token_for(person), episode.id, "AWAL23")
    assert r.status_code == 409 and r.json["error"]["code"] == "cancelled"


def test_wrong_codes_are_rate_limited_per_participant(app_factory, make_participant,
                                                      make_episode, token_for):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_CHECKIN="3 per minute")
    with app.app_context():
        client = app.test_client()
        episode = make_episode(starts_in=timedelta(minutes=-5))
        person = make_participant()
        headers = token_for(person)
        for _ in range(3):
            assert _checkin(client, headers, episode.id, "SALAH1").status_code == 422
        limited = _checkin(client, headers, episode.id, "SALAH1")
        assert limited.status_code == 429
        assert limited.json["error"]["code"] == "rate_limited"
        # another participant from the same address is not blocked by the first one
        other = token_for(make_participant())
        assert _checkin(client, other, episode.id, "AWAL23").status_code == 201
