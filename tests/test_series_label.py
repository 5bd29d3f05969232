"""One series label everywhere: "Seri 41 · 2024" on pages, emails and calendars (English
"Series 41 · 2024"), and the Indonesian long form "Seri 41 Tahun 2024" on certificates,
all from asnbelajar/episodes/labels.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale

from asnbelajar.episodes.labels import official_series_label, series_label, series_label_of

from .test_ledger import finish_episode


def test_one_helper_for_every_form(app):
    with app.test_request_context():
        assert series_label(41, 2024) == "Seri 41 · 2024"
        assert series_label(41) == "Seri 41"
        assert series_label(41, 2024, official=True) == "Seri 41 Tahun 2024"
        with force_locale("en"):
            assert series_label(41, 2024) == "Series 41 · 2024"
            assert series_label(41) == "Series 41"
            assert series_label(41, 2024, official=True) == "Series 41, 2024"
            # Official documents stay Indonesian whatever the issuer's language.
            assert official_series_label(41, 2024) == "Seri 41 Tahun 2024"
            # A certificate's frozen label is shown in the page's form.
            assert series_label_of("Seri 41 Tahun 2024") == "Series 41 · 2024"
            assert series_label_of("Angkatan II") == "Angkatan II"


def test_pages_show_the_same_label(client, login, organizer, make_episode, make_participant,
                                   clock):
    siti = make_participant(full_name="Siti Rahmawati")
    episode = finish_episode(make_episode, organizer, clock, [siti], number=41,
                             when=datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    assert episode.label == "Seri 41 · 2024"
    login(siti)
    for path in ("/me/ledger?year=2024", "/me/certificates", f"/episodes/{episode.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Seri 41 · 2024" in page, path
        assert "Seri 41 Tahun" not in page and "2024 / Seri" not in page, path
    client.post("/language", data={"lang": "en"})
    page = client.get("/me/certificates").get_data(as_text=True)
    assert "Series 41 · 2024" in page and "Seri 41" not in page

    login(organizer)
    client.post("/language", data={"lang": "id"})
    checkpoint = episode.checkpoints[0]
    presenter = client.get(
        f"/console/episodes/{episode.id}/checkpoints/{checkpoint.id}/present"
    ).get_data(as_text=True)
    assert presenter.count("Seri 41 · 2024") == 2  # the window title and the banner
    console = client.get("/console/episodes?year=2024").get_data(as_text=True)
    assert "Seri 41 · 2024" in console and "2024 / 41" not in console


def test_certificate_and_calendar_text(app, organizer, make_episode, clock):
    from asnbelajar.certificates.services import _frozen_common
    from asnbelajar.episodes.calendar import episode_ics

    clock.set(datetime(2024, 2, 20, tzinfo=UTC))
    episode = make_episode(number=41, starts_in=timedelta(days=10))
    with app.test_request_context(), force_locale("en"):
        assert _frozen_common(episode)["episode_label"] == "Seri 41 Tahun 2024"
    ics = episode_ics(episode).decode()
    assert "SUMMARY:ASN Belajar Seri 41 · 2024: Manajemen Talenta ASN" in ics.replace(
        "\r\n ", "")
