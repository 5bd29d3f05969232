"""Brute force and enumeration (issue 9, item 4): the per-account login throttle with
growing delays, per-address limits that successful logins do not use up, the sign-up
limit, identical answers for existing and unknown accounts, and the switch that turns
every limit off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from asnbelajar.accounts.models import LoginThrottle
from asnbelajar.accounts.services import create_user

PASSWORD = "rahasia123"


@pytest.fixture
def limited(app_factory):
    """An app with limits on (the suite switches them off) and generous address limits,
    so only the per-account throttle is seen."""

    def make(**config):
        from asnbelajar.extensions import db

        app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1000 per minute",
                          RATELIMIT_STORAGE_URI="memory://", **config)
        with app.app_context():
            create_user(email="siti@example.go.id", password=PASSWORD, role="participant")
            db.session.commit()
        return app

    return make


def _web(client, login, password):
    return client.post("/login", data={"login": login, "password": password})


def _api(client, login, password):
    return client.post("/api/v1/auth/token", json={"login": login, "password": password})


def test_account_throttle_grows_and_never_locks_out(limited, clock):
    app = limited(LOGIN_FREE_FAILURES=3, LOGIN_MAX_DELAY_SECONDS=60)
    client = app.test_client()
    # Failures through both routes count for the same account.
    statuses = [_web(client, "siti@example.go.id", "salah").status_code,
                _api(client, "siti@example.go.id", "salah").status_code,
                _web(client, "SITI@example.go.id", "salah").status_code,
                _api(client, "siti@example.go.id", "salah").status_code]
    assert statuses == [200, 401, 200, 401]  # the 4th failure starts a 2 s wait
    blocked = _api(client, "siti@example.go.id", PASSWORD)
    assert blocked.status_code == 429 and blocked.json["error"]["code"] == "rate_limited"
    assert _web(client, "siti@example.go.id", PASSWORD).status_code == 429
    clock.advance(seconds=3)
    assert _api(client, "siti@example.go.id", "salah").status_code == 401  # now waits 4 s
    clock.advance(seconds=3)
    assert _api(client, "siti@example.go.id", PASSWORD).status_code == 429
    clock.advance(seconds=2)
    # The owner gets in once the wait is over; the count starts afresh.
    assert _web(client, "siti@example.go.id", PASSWORD).status_code == 302
    with app.app_context():
        from asnbelajar.extensions import db

        assert db.session.scalars(select(LoginThrottle)).all() == []
    # The wait never exceeds the maximum, however many failures.
    for _ in range(12):
        _api(client, "siti@example.go.id", "salah")
        clock.advance(seconds=61)
    clock.advance(seconds=61)
    assert _api(client, "siti@example.go.id", PASSWORD).status_code == 200


def test_unknown_and_existing_accounts_answer_alike(limited, clock):
    app = limited(LOGIN_FREE_FAILURES=2)
    client = app.test_client()

    def run(login):
        answers = []
        for _ in range(4):
            response = _api(client, login, "salah")
            answers.append((response.status_code, response.json["error"]["code"]))
        web = _web(client, login, "salah")
        return answers, web.status_code

    known = run("siti@example.go.id")
    unknown = run("tidak.ada@example.go.id")
    assert known == unknown
    assert known[0][:3] == [(401, "invalid_credentials")] * 3 and known[0][3][0] == 429
    # The page text too (the request id and form token aside).
    clock.advance(hours=1)
    a = _web(app.test_client(), "siti@example.go.id", "salah").get_data(as_text=True)
    b = _web(app.test_client(), "tidak.ada@example.go.id", "salah").get_data(as_text=True)
    assert "Email/NIP atau kata sandi salah" in a and "Email/NIP atau kata sandi salah" in b
    forgot_a = app.test_client().post("/forgot-password", data={"login": "siti@example.go.id"},
                                      follow_redirects=True).get_data(as_text=True)
    forgot_b = app.test_client().post("/forgot-password", data={"login": "x@example.go.id"},
                                      follow_redirects=True).get_data(as_text=True)
    assert "Jika akun tersebut terdaftar" in forgot_a and "Jika akun tersebut terdaftar" in forgot_b


def test_successful_logins_do_not_use_up_the_address_limit(app_factory):
    from asnbelajar.extensions import db

    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute",
                      RATELIMIT_STORAGE_URI="memory://", LOGIN_FREE_FAILURES=100)
    with app.app_context():
        for n in range(6):
            create_user(email=f"staf{n}@example.go.id", password=PASSWORD, role="participant")
        db.session.commit()
    # One office, one address: six colleagues sign in within the minute.
    for n in range(6):
        assert _web(app.test_client(), f"staf{n}@example.go.id", PASSWORD).status_code == 302
        assert _api(app.test_client(), f"staf{n}@example.go.id", PASSWORD).status_code == 200
    client = app.test_client()
    failures = [_api(client, f"staf{n}@example.go.id", "salah").status_code for n in range(4)]
    assert failures == [401, 401, 401, 429]


def test_signup_is_rate_limited_per_address_on_web_and_api(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_SIGNUP="2 per hour",
                      RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    body = {"password": PASSWORD, "full_name": "Peserta", "instansi": "BKN", "consent": True}
    api = [client.post("/api/v1/participants", json={**body, "email": f"a{n}@example.go.id"})
           .status_code for n in range(3)]
    assert api == [201, 201, 429]
    web = [client.post("/signup", data={
        "full_name": "Peserta", "email": f"w{n}@example.go.id", "password": PASSWORD,
        "confirm": PASSWORD, "employee_type": "non_asn", "instansi": "BKN",
        "province": "Jawa Barat", "consent": "y"}).status_code for n in range(3)]
    assert web == [302, 302, 429]


def test_limits_switch_off_entirely(app_factory):
    from asnbelajar.extensions import db

    app = app_factory(RATELIMIT_ENABLED=False, LOGIN_FREE_FAILURES=1,
                      RATELIMIT_LOGIN="1 per minute", RATELIMIT_SIGNUP="1 per hour")
    with app.app_context():
        create_user(email="bebas@example.go.id", password=PASSWORD, role="participant")
        db.session.commit()
        client = app.test_client()
        for _ in range(5):
            assert _api(client, "bebas@example.go.id", "salah").status_code == 401
        assert _api(client, "bebas@example.go.id", PASSWORD).status_code == 200
        assert db.session.scalars(select(LoginThrottle)).all() == []
