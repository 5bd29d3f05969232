"""Links that leave the site point at the configured public address."""

import pytest
from werkzeug.routing import BuildError

from asnbelajar.util.urls import external_url


@pytest.fixture
def public_app(app_factory):
    return app_factory(BASE_URL="https://belajar.example.go.id/asn")


def test_external_url_uses_base_url_without_a_request(public_app):
    with public_app.app_context():
        url = external_url("certificates.verify_page", code="ABC123")
    assert url == "https://belajar.example.go.id/asn/verify/ABC123"


def test_external_url_ignores_the_host_of_the_current_request(public_app):
    with public_app.test_request_context("/", base_url="http://10.0.0.7:8000"):
        url = external_url("episodes.detail", episode_id=7, _anchor="jadwal", ref="mail")
    assert url == "https://belajar.example.go.id/asn/episodes/7?ref=mail#jadwal"


def test_external_url_refuses_unknown_endpoints_and_relative_names(public_app):
    with public_app.app_context():
        with pytest.raises(BuildError):
            external_url("certificates.verify_page")
        with pytest.raises(ValueError):
            external_url(".detail", episode_id=1)
