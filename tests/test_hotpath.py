"""Hot views (asnbelajar/hotpath.py): check-in and registration answered without the
per-request machinery must answer exactly as the ordinary views do, take only plain
successes, respect the same rate limits without writing to the limiter on a success, and
leave every other answer to the ordinary view."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from asnbelajar.extensions import limiter
from asnbelajar.registrations.services import register

CHECKIN = "api.checkins_create"
REGISTRATION = "api.registrations_create"


def _record_hot_answers(app) -> dict[str, list[bool]]:
    """Wrap the app's hot views: per endpoint, whether each attempt answered."""
    answered: dict[str, list[bool]] = {CHECKIN: [], REGISTRATION: []}
    for endpoint, view in list(app.hot_views.items()):
        def recording(*args, _view=view, _endpoint=endpoint, **kwargs):
            response = None
            try:
                response = _view(*args, **kwargs)
            finally:
                answered[_endpoint].append(response is not None)
            return response

        app.hot_views[endpoint] = recording
    return answered


# Headers that differ between any two answers.
_VARYING = {"X-Request-ID", "Content-Length", "Date"}


def _same_answer(hot, ordinary, *, varying_fields=()) -> None:
    assert hot.status_code == ordinary.status_code
    assert hot.mimetype == ordinary.mimetype == "application/json"
    hot_headers = {k: v for k, v in hot.headers.items() if k not in _VARYING}
    ordinary_headers = {k: v for k, v in ordinary.headers.items() if k not in _VARYING}
    assert hot_headers == ordinary_headers
    assert hot.headers["X-Request-ID"] and ordinary.headers["X-Request-ID"]
    assert set(hot.json) == set(ordinary.json)
    for key in set(hot.json) - set(varying_fields):
        assert hot.json[key] == ordinary.json[key], key


@pytest.fixture
def two_ways(app, app_factory):
    """(hot client, its answers, ordinary client) on the same database."""
    answered = _record_hot_answers(app)
    ordinary = app_factory(HOT_PATH_ENABLED=False)
    return app.test_client(), answered, ordinary.test_client()


def test_check_in_answers_as_the_ordinary_view(db, two_ways, make_episode, make_participant,
                                               token_for):
    hot, answered, ordinary = two_ways
    episode = make_episode(starts_in=timedelta(minutes=-5))
    people = [make_participant() for _ in range(2)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    url = f"/api/v1/episodes/{episode.id}/checkins"
    first, second = (token_for(p) for p in people)
    a = hot.post(url, json={"code": " awal23 "}, headers=first)
    b = ordinary.post(url, json={"code": " awal23 "}, headers=second)
    assert a.status_code == 201 and a.json["created"] is True
    _same_answer(a, b, varying_fields=("id", "checked_in_at"))
    assert a.headers["Cache-Control"] == "no-store"
    # A repeat: the earlier check-in, 200, both ways.
    a2 = hot.post(url, json={"code": "AWAL23"}, headers=first)
    b2 = ordinary.post(url, json={"code": "AWAL23"}, headers=second)
    assert a2.status_code == 200 and a2.json["id"] == a.json["id"]
    # The first answer's time is the stored row's, which the repeat reads back.
    assert a2.json["checked_in_at"] == a.json["checked_in_at"]
    assert b2.json["checked_in_at"] == b.json["checked_in_at"]
    _same_answer(a2, b2, varying_fields=("id", "checked_in_at"))
    assert answered[CHECKIN] == [True, True]


def test_registration_answers_as_the_ordinary_view(db, two_ways, make_episode,
                                                   make_participant, token_for):
    hot, answered, ordinary = two_ways
    episode = make_episode(capacity=1)
    url = f"/api/v1/episodes/{episode.id}/registrations"
    people = [token_for(make_participant()) for _ in range(4)]
    registered = hot.post(url, headers=people[0])
    assert registered.status_code == 201 and registered.json["status"] == "registered"
    waiting = ordinary.post(url, headers=people[1])
    assert waiting.json == {"id": waiting.json["id"], "status": "waitlisted",
                            "waitlist_position": 1}
    waiting_hot = hot.post(url, json={}, headers=people[2])
    assert waiting_hot.json["waitlist_position"] == 2
    _same_answer(waiting_hot, waiting, varying_fields=("id", "waitlist_position"))
    again_hot = hot.post(url, headers=people[2])
    again = ordinary.post(url, headers=people[1])
    assert again_hot.status_code == again.status_code == 200
    _same_answer(again_hot, again, varying_fields=("id", "waitlist_position"))
    assert again_hot.json == waiting_hot.json
    assert answered[REGISTRATION] == [True, True, True]


@pytest.mark.parametrize("case", ["wrong code", "no token", "organizer", "query string",
                                  "text body", "array body", "unknown field", "NUL"])
def test_anything_but_a_plain_success_is_the_ordinary_views_answer(
        case, db, two_ways, make_episode, make_participant, make_user, token_for):
    hot, answered, ordinary = two_ways
    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    headers = token_for(person)
    url = f"/api/v1/episodes/{episode.id}/checkins"
    kwargs = {"json": {"code": "AWAL23"}, "headers": headers}
    if case == "wrong code":
        kwargs["json"] = {"code": "SALAH1"}
    elif case == "no token":
        kwargs["headers"] = {}
    elif case == "organizer":
        kwargs["headers"] = token_for(make_user("organizer", email="lain@example.go.id"))
    elif case == "query string":
        url += "?x=1"
        kwargs["json"] = {"code": "SALAH1"}
    elif case == "text body":
        kwargs = {"data": "code=AWAL23", "headers": {**headers, "Content-Type": "text/plain"}}
    elif case == "array body":
        kwargs["json"] = ["AWAL23"]
    elif case == "unknown field":
        kwargs["json"] = {"code": "SALAH1", "extra": 1}
    elif case == "NUL":
        kwargs["json"] = {"code": "AWAL\x0023"}
    a = hot.post(url, **kwargs)
    b = ordinary.post(url, **kwargs)
    assert a.status_code == b.status_code and a.status_code >= 400, a.json
    assert a.json["error"]["code"] == b.json["error"]["code"]
    assert a.json["error"]["message"] == b.json["error"]["message"]
    assert a.json["error"]["request_id"] == a.headers["X-Request-ID"]
    assert not any(answered[CHECKIN])  # tried (or not even that), never answered
    if case == "wrong code":
        assert "Kode presensi salah" in a.json["error"]["message"]


def test_a_refused_hot_attempt_leaves_nothing_behind(db, app, make_episode,
                                                     make_participant, token_for):
    """The walk-in check-in that is refused (walk-ins not allowed) registered nobody and
    the ordinary view's answer is the only one: one log line, one error."""
    from asnbelajar.registrations.models import Registration

    answered = _record_hot_answers(app)
    episode = make_episode(starts_in=timedelta(minutes=-5), walk_in_allowed=False)
    person = make_participant()
    response = app.test_client().post(f"/api/v1/episodes/{episode.id}/checkins",
                                      json={"code": "AWAL23"}, headers=token_for(person))
    assert response.status_code == 409 and response.json["error"]["code"] == "not_registered"
    assert answered[CHECKIN] == [False]
    assert db.session.query(Registration).filter_by(user_id=person.id).count() == 0


def test_one_request_log_line_with_the_hot_answers_status(app, db, make_episode,
                                                          make_participant, token_for, caplog):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    caplog.set_level(logging.INFO, logger="asnbelajar.request")
    response = app.test_client().post(
        f"/api/v1/episodes/{episode.id}/checkins", json={"code": "AWAL23"},
        headers={**token_for(person), "X-Request-ID": "hp-1234"})
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "hp-1234"
    lines = [r.getMessage() for r in caplog.records if r.name == "asnbelajar.request"]
    assert len(lines) == 1
    assert "request_id=hp-1234" in lines[0] and "status=201" in lines[0]
    assert "route=/api/v1/episodes/<int:episode_id>/checkins" in lines[0]


@pytest.fixture
def limited_app(app, app_factory):
    # After the suite's app (limits off): the one limiter takes the last app's settings.
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATELIMIT_CHECKIN="3 per minute")
    yield app
    limiter.reset()


def _count_writes(monkeypatch) -> list[tuple]:
    writes: list[tuple] = []
    storage = limiter.limiter.storage
    real = storage.incr

    def incr(*args, **kwargs):
        writes.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(storage, "incr", incr)
    return writes


def test_limits_hold_on_the_hot_path_and_a_success_writes_nothing(
        limited_app, db, make_episode, make_participant, token_for, monkeypatch):
    answered = _record_hot_answers(limited_app)
    client = limited_app.test_client()
    episode = make_episode(starts_in=timedelta(minutes=-5))
    guesser, other = make_participant(), make_participant()
    for person in (guesser, other):
        register(episode.id, person)
    db.session.commit()
    url = f"/api/v1/episodes/{episode.id}/checkins"
    writes = _count_writes(monkeypatch)
    ok = client.post(url, json={"code": "AWAL23"}, headers=token_for(other))
    assert ok.status_code == 201 and answered[CHECKIN] == [True]
    assert writes == []  # a success: the limits are read, not counted
    headers = token_for(guesser)
    for _ in range(3):
        assert client.post(url, json={"code": "SALAH1"}, headers=headers).status_code == 422
    assert writes  # failures are counted (by Flask-Limiter, on the ordinary path)
    # The right code now: the person's limit is reached; the hot view must not answer.
    refused = client.post(url, json={"code": "AWAL23"}, headers=headers)
    assert refused.status_code == 429, refused.json
    assert refused.json["error"]["code"] == "rate_limited"
    assert answered[CHECKIN][-1] is False


def test_registration_limit_counts_failures_only(limited_app, db, make_episode,
                                                 make_participant, token_for, monkeypatch):
    answered = _record_hot_answers(limited_app)
    client = limited_app.test_client()
    person = make_participant()
    headers = token_for(person)
    writes = _count_writes(monkeypatch)
    for _ in range(3):
        episode = make_episode()
        response = client.post(f"/api/v1/episodes/{episode.id}/registrations",
                               headers=headers)
        assert response.status_code == 201
    assert writes == [] and answered[REGISTRATION] == [True, True, True]
    for _ in range(30):  # an episode that does not exist: 404, counted
        assert client.post("/api/v1/episodes/999999/registrations",
                           headers=headers).status_code == 404
    episode = make_episode()
    refused = client.post(f"/api/v1/episodes/{episode.id}/registrations", headers=headers)
    assert refused.status_code == 429
    assert answered[REGISTRATION][-1] is False


def test_the_hot_path_can_be_switched_off(app_factory, db, make_episode, make_participant,
                                          token_for):
    app = app_factory(HOT_PATH_ENABLED=False)
    answered = _record_hot_answers(app)
    episode = make_episode()
    response = app.test_client().post(f"/api/v1/episodes/{episode.id}/registrations",
                                      headers=token_for(make_participant()))
    assert response.status_code == 201 and answered[REGISTRATION] == []


def test_an_expired_or_revoked_token_is_refused_and_not_stamped(app, db, make_episode,
                                                                make_participant, token_for):
    """On PostgreSQL the token's statement stamps its use (and, for a check-in, inserts a
    qualifying row); a token that is not live is refused by the ordinary view, and the
    stamp and the row roll back with the hot attempt."""
    from sqlalchemy import func, select, update

    from asnbelajar.accounts.models import ApiToken
    from asnbelajar.attendance.models import CheckIn
    from asnbelajar.timeutil import now_utc, to_db

    episode = make_episode(starts_in=timedelta(minutes=-5))
    person = make_participant()
    register(episode.id, person)
    headers = token_for(person)
    db.session.execute(update(ApiToken).values(expires_at=to_db(now_utc()) - timedelta(days=1)))
    db.session.commit()
    response = app.test_client().post(f"/api/v1/episodes/{episode.id}/checkins",
                                      json={"code": "AWAL23"}, headers=headers)
    assert response.status_code == 401
    # Read on a connection of its own: what was committed (the test client's requests
    # share this test's app context, and with it the session's open transaction).
    with db.engine.connect() as connection:
        assert connection.scalar(select(ApiToken.last_used_at)) is None
        assert connection.scalar(select(func.count()).select_from(CheckIn)) == 0
