"""Shared fixtures: one suite, two databases.

``ASNBELAJAR_TEST_DATABASE_URL`` (a PostgreSQL server URL) makes the suite create its own
database for this run, migrate it, and empty it between tests; otherwise every test gets a
fresh SQLite file copied from a migrated template.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from asnbelajar import create_app, timeutil
from asnbelajar.extensions import db as _db

PG_SERVER_URL = os.environ.get("ASNBELAJAR_TEST_DATABASE_URL", "").strip()
BASE_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "BASE_URL": "http://asnbelajar.test",
    "SERVER_NAME": None,
    # Tests move the clock years ahead after issuing tokens; expiry has its own tests.
    "API_TOKEN_DAYS": 36500,
    # One checkpoint thread per test app would outlive its database; test_sqlite_writers
    # covers them.
    "SQLITE_CHECKPOINT_SECONDS": 0,
    # Token uses written in the request, so a test reads them at once;
    # test_token_touch_batch covers the batches.
    "TOKEN_TOUCH_BATCH_SECONDS": 0,
}


def _pg_url(database: str) -> str:
    base = PG_SERVER_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def _migrate(url: str, instance: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = instance
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A migrated database for this run (PostgreSQL) or a migrated SQLite template."""
    instance = str(tmp_path_factory.mktemp("instance"))
    if PG_SERVER_URL:
        name = f"asnb_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name).replace("postgresql://", "postgresql+psycopg://")
        _migrate(url, instance)
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _migrate(f"sqlite:///{path}", instance)
        yield str(path)


@pytest.fixture
def is_postgres() -> bool:
    return bool(PG_SERVER_URL)


class BodyClosingClient(FlaskClient):
    """Closes what a WSGI server would close and werkzeug's test client leaves open.

    - A multipart body over 500 KB is written to a temporary file and handed to the app as
      ``wsgi.input``, which the server owns and the app must not close; werkzeug never
      does either (a ResourceWarning per large upload). Closed once the request is
      answered.
    - An unbuffered answer's body (a ``send_file`` answer holds its file open) is closed
      by a server once sent; here the test may still read it, so it is closed when the
      test's app is torn down (:func:`close_answers`)."""

    def open(self, *args: Any, **kwargs: Any):
        response = super().open(*args, **kwargs)
        request = getattr(response, "request", None)
        stream = request.environ.get("wsgi.input") if request is not None else None
        if stream is not None and not isinstance(stream, io.BytesIO):
            stream.close()
        if not kwargs.get("buffered"):
            self.application.extensions.setdefault(_ANSWERS, []).append(response)
        return response


_ANSWERS = "tests.open_answers"


def close_answers(app) -> None:
    """Close the answers the test's clients got from ``app`` (BodyClosingClient)."""
    for response in app.extensions.pop(_ANSWERS, []):
        response.close()


@pytest.fixture
def app_factory(database_url, tmp_path) -> Iterator[Callable[..., Any]]:
    """Build an app on this test's database; extra config may be passed."""
    made = []
    if PG_SERVER_URL:
        url = database_url
    else:
        path = tmp_path / "test.db"
        shutil.copy(database_url, path)
        url = f"sqlite:///{path}"

    def factory(**config: Any):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **config})
        app.test_client_class = BodyClosingClient
        app.instance_path = str(tmp_path / "instance")
        os.makedirs(app.instance_path, exist_ok=True)
        made.append(app)
        return app

    yield factory
    for app in made:
        close_answers(app)
        with app.app_context():
            _db.session.remove()
            if PG_SERVER_URL:
                tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
                with _db.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            _db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Clock:
    """A settable "now" for the whole application (patches timeutil._clock)."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)

    def set(self, value: datetime) -> None:
        self.now = value.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now = (self.now or datetime.now(UTC)) + timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(timeutil, "_clock", c)
    return c


# Factories ------------------------------------------------------------------------------

_counter = iter(range(1, 10_000_000))


def make_nip(n: int, *, kind: str = "pns") -> str:
    """A structurally valid NIP, distinct for each n."""
    birth = datetime(1980, 1, 1) + timedelta(days=n % 7000)
    seq = n % 999 + 1
    gender = 1 + n % 2
    if kind == "pppk":
        return f"{birth:%Y%m%d}2021{2}{1 + n // 999 % 9}{gender}{seq:03d}"
    year = 2005 + n // 999 % 15
    month = 1 + n // (999 * 15) % 12
    return f"{birth:%Y%m%d}{year}{month:02d}{gender}{seq:03d}"


@pytest.fixture
def make_user(db):
    from asnbelajar.accounts.services import create_user

    def factory(role: str = "participant", email: str | None = None,
                password: str = "rahasia123", full_name: str | None = None):
        n = next(_counter)
        user = create_user(email=email or f"{role}{n}@example.go.id", password=password,
                           role=role, full_name=full_name or f"{role.title()} {n}")
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_participant(db):
    from asnbelajar.accounts.services import ProfileData, sign_up

    def factory(*, email: str | None = None, nip: str | None = "auto", kind: str = "pns",
                full_name: str | None = None, password: str = "rahasia123",
                instansi: str = "Pemerintah Provinsi Jawa Barat",
                province: str = "Jawa Barat"):
        n = next(_counter)
        if nip == "auto":
            nip = None if kind == "non_asn" else make_nip(n, kind=kind)
        user = sign_up(
            email=email or f"peserta{n}@example.go.id", password=password,
            full_name=full_name or f"Peserta {n}", consent=True,
            profile=ProfileData(nip=nip, employee_type=kind, instansi=instansi,
                                province=province, unit_kerja="Bidang Pengembangan",
                                jabatan="Analis SDM Aparatur", pangkat_golongan="III/b"),
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", email="panitia@example.go.id")


@pytest.fixture
def make_episode(db, organizer):
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode

    def factory(*, starts_in: timedelta = timedelta(days=7), hours: float = 2.5,
                publish: bool = True, checkpoints: bool = True, number: int | None = None,
                **fields: Any):
        start = timeutil.now_utc().replace(microsecond=0) + starts_in
        end = start + timedelta(hours=hours)
        data = {"title": "Manajemen Talenta ASN", "number": number or next(_counter) % 900 + 1,
                "starts_at": start.isoformat(), "ends_at": end.isoformat(), **fields}
        episode = create_episode(data, organizer.id)
        if checkpoints:
            add_checkpoint(episode, {"label": "awal", "code": "AWAL23",
                                     "opens_at": start.isoformat(),
                                     "closes_at": (start + timedelta(minutes=30)).isoformat()},
                           organizer.id)
            add_checkpoint(episode, {"label": "akhir", "code": "AKHIR45",
                                     "opens_at": (end - timedelta(minutes=20)).isoformat(),
                                     "closes_at": (end + timedelta(minutes=30)).isoformat()},
                           organizer.id)
        if publish:
            publish_episode(episode, organizer.id)
        db.session.commit()
        return episode

    return factory


@pytest.fixture
def login(client):
    """Log a user into the test client's session."""

    def do(user) -> None:
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True

    return do


@pytest.fixture
def token_for(db):
    from asnbelajar.accounts.sessions import issue_api_token

    def make(user) -> dict[str, str]:
        token = issue_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def on_live_episode(db, make_episode, make_participant, token_for):
    """(episode live since 5 minutes, with the code AWAL23 open; a participant, registered
    there unless ``registered=False``; their token's headers)."""
    from asnbelajar.registrations.services import register

    def make(*, registered: bool = True):
        episode = make_episode(starts_in=timedelta(minutes=-5))
        person = make_participant()
        if registered:
            register(episode.id, person)
            db.session.commit()
        return episode, person, token_for(person)

    return make
