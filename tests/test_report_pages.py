"""Report pages of the console: dashboard (the organizer's first page), training rate,
episode report, annual report (page and PDF), the home page's impact block."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.test_reports import make_season


@pytest.fixture
def season(app, make_episode, make_participant, organizer, clock):
    """The hand-counted 2023-2024 season of tests/test_reports.py."""
    return make_season(app, make_episode, make_participant, organizer, clock)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.mark.parametrize("url", ["/console", "/console/reports/training-rate",
                                 "/console/reports/annual", "/console/reports/annual.pdf",
                                 "/console/reports/headcounts", "/console/siasn"])
def test_report_pages_are_for_organizers(client, login, make_participant, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(make_participant())
    assert client.get(url).status_code == 403


def test_organizer_lands_on_the_dashboard(client, organizer):
    r = client.post("/login", data={"login": organizer.email, "password": "rahasia123"})
    assert r.headers["Location"].endswith("/console")


def test_dashboard_shows_figures_charts_and_their_tables(client, login, organizer, season):
    login(organizer)
    r = client.get("/console?year=2024")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.count('role="img"') == 3  # episodes, province map, JP distribution
    assert "<title id=\"chart-provinces-t\">" in html
    text = text_of(r)
    # Headline figures (see tests/test_reports.py for how they were counted).
    for expected in ("Episode terbit", "Peserta unik", "ASN mencapai 20 JP"):
        assert expected in text
    assert "Sumatera Utara 2" in text  # province table
    assert "≥ 20 2" in text or "≥ 20 JP 2" in text  # JP distribution table: a and b
    assert "85,7 %" in text  # attendance rate: 6 attended of 7 registered (finalized)


def test_dashboard_year_selector_refuses_nonsense(client, login, organizer):
    login(organizer)
    r = client.get("/console?year=zzz")
    assert r.status_code == 200
    assert "Tahun harus berupa angka" in r.get_data(as_text=True)


def test_training_rate_page_sorts_filters_and_exports(client, login, organizer, season):
    login(organizer)
    r = client.get("/console/reports/training-rate?year=2024&sort=rate&order=desc")
    text = text_of(r)
    assert "JP di platform ini" in text
    assert text.index("Pemerintah Kota Medan") < text.index("Badan Kepegawaian Negara")
    r = client.get("/console/reports/training-rate?year=2024&province=DKI+Jakarta")
    assert "Pemerintah Kota Medan" not in text_of(r)
    r = client.get("/console/reports/training-rate?year=2024&format=xlsx")
    assert r.mimetype.endswith("spreadsheetml.sheet")


def test_episode_report_page_is_printable_with_checkin_chart(client, login, organizer,
                                                            season):
    _people, (first, _second) = season
    login(organizer)
    r = client.get(f"/console/episodes/{first.id}/report")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "css/reports.css" in html and "Cetak" in html
    assert 'id="chart-cp-' in html  # one chart per checkpoint
    assert client.get("/console/episodes/999999/report").status_code == 404


def test_annual_report_page_and_pdf(client, login, organizer, season):
    login(organizer)
    text = text_of(client.get("/console/reports/annual?year=2024"))
    assert "Instansi terjangkau" in text
    r = client.get("/console/reports/annual.pdf?year=2024")
    assert r.mimetype == "application/pdf"
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Laporan Tahunan ASN Belajar 2024" in pdf
    assert "Peserta unik" in pdf


def test_home_page_shows_the_impact_block_without_personal_data(client, season):
    people, _episodes = season
    html = client.get("/").get_data(as_text=True)
    assert "Dampak 2024" in html
    assert people["a"].email not in html and people["a"].full_name not in html
