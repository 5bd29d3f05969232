"""Dates in Indonesian (and English) from Babel, and one "current year" for every caller."""

from __future__ import annotations

from datetime import UTC, date, datetime

from asnbelajar import timeutil

WHEN = datetime(2024, 2, 22, 6, 0, tzinfo=UTC)  # Thursday 13.00 WIB


def test_indonesian_long_form_is_unchanged():
    assert timeutil.format_datetime_id(WHEN) == "Kamis, 22 Februari 2024, pukul 13.00 WIB"
    assert timeutil.format_datetime_id(WHEN, "Asia/Jayapura") == \
        "Kamis, 22 Februari 2024, pukul 15.00 WIT"
    assert timeutil.format_datetime_id(WHEN, with_time=False) == "Kamis, 22 Februari 2024"


def test_english_forms():
    assert timeutil.format_datetime_id(WHEN, "WITA", locale="en") == \
        "Thursday, 22 February 2024, 14:00 WITA"
    assert timeutil.format_date_id(date(2024, 8, 17), locale="en") == "17 August 2024"
    assert timeutil.format_day_id(date(2030, 5, 1), locale="en") == "Wednesday, 1 May 2030"


def test_every_indonesian_month_and_day_name():
    months = [timeutil.format_date_id(date(2024, m, 1)).split(" ", 1)[1] for m in range(1, 13)]
    assert months == [f"{name} 2024" for name in (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
        "September", "Oktober", "November", "Desember")]
    assert timeutil.day_names("id") == ("Senin", "Selasa", "Rabu", "Kamis", "Jumat",
                                        "Sabtu", "Minggu")
    assert timeutil.day_names("en")[0] == "Monday"


def test_current_year_turns_at_midnight_wib(clock):
    clock.set(datetime(2025, 12, 31, 16, 59, tzinfo=UTC))  # 23.59 WIB
    assert timeutil.current_year() == 2025
    clock.set(datetime(2025, 12, 31, 17, 0, tzinfo=UTC))  # 00.00 WIB, 1 January
    assert timeutil.current_year() == 2026


def test_api_and_ledger_page_agree_on_the_default_year(
        client, clock, db, login, make_participant, token_for):
    # 00.30 WIT on 1 January 2026 is still 22.30 WIB on 31 December 2025: a participant
    # in Papua sees the same default year on the page as the API gives.
    clock.set(datetime(2025, 12, 31, 15, 30, tzinfo=UTC))
    participant = make_participant()
    participant.timezone = "Asia/Jayapura"
    db.session.commit()
    api = client.get("/api/v1/me/ledger", headers=token_for(participant))
    assert api.status_code == 200
    assert api.json["year"] == 2025
    login(participant)
    page = client.get("/me/ledger")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Riwayat JP 2025" in html and "Riwayat JP 2026" not in html
