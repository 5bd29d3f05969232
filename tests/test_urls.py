"""Links that leave the site point at the configured public address, built by the URL
map (never by gluing strings), also where no request is running."""

import pytest
from sqlalchemy import select
from werkzeug.routing import BuildError

from asnbelajar.episodes.calendar import episode_ics
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.notifications.rendering import render_pending
from asnbelajar.registrations.services import register
from asnbelajar.util.urls import external_url

PUBLIC = "https://belajar.example.go.id/asn"


@pytest.fixture
def app(app_factory):
    # Every fixture of this module (db, client, factories) uses the public address
    # with a path prefix, which string-built links used to get wrong.
    app = app_factory(BASE_URL=PUBLIC)
    with app.app_context():
        yield app


def test_external_url_uses_base_url_without_a_request(app):
    assert external_url("certificates.verify_page", code="ABC123") == f"{PUBLIC}/verify/ABC123"


def test_external_url_ignores_the_host_of_the_current_request(app):
    with app.test_request_context("/", base_url="http://10.0.0.7:8000"):
        url = external_url("episodes.detail", episode_id=7, _anchor="jadwal", ref="mail")
    assert url == f"{PUBLIC}/episodes/7?ref=mail#jadwal"


def test_external_url_refuses_unknown_endpoints_and_relative_names(app):
    with pytest.raises(BuildError):
        external_url("certificates.verify_page")
    with pytest.raises(ValueError):
        external_url(".detail", episode_id=1)


def test_registration_email_and_calendar_link_to_the_public_address(
        db, make_episode, make_participant):
    episode = make_episode()
    participant = make_participant()
    register(episode.id, participant)
    db.session.commit()
    render_pending()  # rendered by the sender (here without sending), as it would be

    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_addr == participant.email))
    page = f"{PUBLIC}/episodes/{episode.id}"
    assert page in email.body_text and page in email.body_html
    assert f'href="{PUBLIC}/privacy"' in email.body_html
    assert "http://asnbelajar.test" not in email.body_text + email.body_html
    ics = episode_ics(episode).decode()
    assert f"URL:{page}" in ics.replace("\r\n ", "")
