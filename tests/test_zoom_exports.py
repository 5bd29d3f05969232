"""The report shapes Zoom really exports, read from realistic files in tests/data/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from asnbelajar.attendance.zoom import ReportFormatError, parse_zoom_report

DATA = Path(__file__).parent / "data"


def parse(name: str):
    return parse_zoom_report((DATA / name).read_bytes())


def test_webinar_attendees_named_by_first_and_last_name_are_all_read() -> None:
    report = parse("zoom-webinar-first-last-name.csv")
    assert report.kind == "webinar"
    attendees = [row for row in report.rows if row.section == "attendee"]
    assert len(attendees) == 50
    assert attendees[0].name == "Rina Marlina"
    assert attendees[0].email == "rina.marlina0@example.go.id"
    assert [(s.section, s.line, s.rows, s.skipped) for s in report.sections] == [
        ("host", 6, 1, 0), ("panelist", 9, 1, 0), ("attendee", 12, 50, 1)]
    assert report.skipped[0].name == "Dimas Anggara"


def test_usage_export_credits_the_participant_not_the_host() -> None:
    report = parse("zoom-usage-export-host-columns.csv")
    rina = [row for row in report.rows if row.name.startswith("Rina")]
    assert [row.email for row in rina] == ["rina.marlina@example.go.id"] * 2
    # The participant's own duration, not the meeting's 150 minutes.
    assert [row.duration_minutes for row in rina] == [58, 88]
    hosts = [row for row in report.rows if row.email == "zoom.bpsdm@example.go.id"]
    assert len(hosts) == 1 and hosts[0].name == "Host ASN Belajar"
    guest = next(row for row in report.rows if row.name == "Galaxy A52")
    assert guest.email is None
    # "In Waiting Room = Yes" is not attendance.
    assert [s.name for s in report.skipped] == ["Yuliana Tampubolon"]


def test_multi_meeting_export_reads_past_blank_lines() -> None:
    report = parse("zoom-multi-meeting.csv")
    assert [(s.line, s.rows) for s in report.sections] == [(4, 3), (13, 2)]
    rina = [row for row in report.rows if row.email == "rina.marlina@example.go.id"]
    assert [row.line for row in rina] == [5, 8]
    # A meeting-level "Duration (Minutes)" (90) is never a connection's.
    assert sorted(row.duration_minutes for row in report.rows) == [40, 40, 44, 60, 86]
    assert {row.email for row in report.rows} >= {"yuliana.t@example.go.id"}


@pytest.mark.parametrize("name", [
    "zoom-participants-id.csv", "zoom-participants-es.csv", "zoom-participants-fr.csv",
    "zoom-participants-ja.csv", "zoom-participants-de.csv",
])
def test_exports_in_other_interface_languages(name: str) -> None:
    report = parse(name)
    assert report.kind == "meeting"
    assert len(report.rows) == 4
    rina = [row for row in report.rows if row.email == "rina.marlina@example.go.id"]
    # 20/04/2022 09:02 WIB, read day-first.
    assert rina[0].joined_at == datetime(2022, 4, 20, 2, 2, tzinfo=UTC)
    assert rina[0].duration_minutes == 58
    assert [row.email for row in report.rows].count(None) == 1


@pytest.mark.parametrize("name, names_it", [
    ("zoom-quality-dashboard.csv", "laporan kualitas (Dashboard)"),
    ("zoom-unique-users.csv", "Show unique users"),
    ("zoom-registration-report.csv", "laporan pendaftaran (Registration Report)"),
    ("zoom-meeting-list.csv", "daftar rapat"),
])
def test_exports_that_are_not_participant_reports_name_what_to_download(
        name: str, names_it: str) -> None:
    with pytest.raises(ReportFormatError) as info:
        parse(name)
    message = info.value.message
    assert names_it in message
    assert "bukan laporan peserta" in message
    assert "Attendee Report" in message and "Participants" in message


def test_an_unreadable_section_is_a_line_numbered_error_not_a_silent_skip() -> None:
    with pytest.raises(ReportFormatError) as info:
        parse("zoom-webinar-broken-section.csv")
    assert info.value.line == 9
    assert info.value.message.startswith("Baris 9: ")
    assert "Leave Time" in info.value.message


def test_header_only_report_reads_zero_rows() -> None:
    report = parse("zoom-header-only.csv")
    assert report.rows == [] and report.skipped == []
    assert [(s.line, s.rows) for s in report.sections] == [(4, 0)]


@pytest.mark.parametrize("value", ["03/23/2022 09:02:10 +99:99", "03/23/2022 09:02:10 -15:00",
                                   "03/23/2022 09:02:10 +07:75", "9999-12-31 23:59:59 -12:00",
                                   "garbage 99:99", "+99:99"])
def test_impossible_offsets_and_garbage_name_the_line(value: str) -> None:
    data = ("Name (Original Name),User Email,Join Time,Leave Time\n"
            f"Rina,rina@example.go.id,\"{value}\",03/23/2022 10:00:00\n").encode()
    with pytest.raises(ReportFormatError) as info:
        parse_zoom_report(data)
    assert info.value.line == 2


def test_valid_offset_is_honoured() -> None:
    data = (b"Name (Original Name),User Email,Join Time,Leave Time\n"
            b"Rina,rina@example.go.id,2022-03-23 09:00:00 +08:00,2022-03-23 10:00:00 +08:00\n")
    row = parse_zoom_report(data).rows[0]
    assert row.joined_at == datetime(2022, 3, 23, 1, 0, tzinfo=UTC)


def test_old_season_files_are_read_whatever_their_dates() -> None:
    data = (b"Name (Original Name),User Email,Join Time,Leave Time\n"
            b"Rina,rina@example.go.id,01/05/2015 09:00:00 AM,01/05/2015 10:00:00 AM\n")
    assert parse_zoom_report(data).rows[0].joined_at.year == 2015
