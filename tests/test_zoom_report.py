"""Zoom attendance report parser: real sample files, generated variants, malformed input,
and properties of interval merging."""

from __future__ import annotations

import codecs
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asnbelajar.attendance.zoom import (
    ReportFormatError,
    ReportRow,
    SkippedRow,
    ZoomReport,
    attended_seconds,
    merge_intervals,
    parse_zoom_report,
)

DATA = Path(__file__).parent / "data"
MEETING_FILE = "zoom-meeting-participants.csv"
WEBINAR_FILE = "zoom-webinar-attendee-report.csv"
WIB = timedelta(hours=7)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_email(report: ZoomReport, email: str) -> list[ReportRow]:
    return [row for row in report.rows if row.email == email]


def intervals(rows: list[ReportRow]) -> list[tuple[datetime, datetime]]:
    return [(row.joined_at, row.left_at) for row in rows]


# --------------------------------------------------------------------------- sample files

def test_meeting_sample() -> None:
    report = parse_zoom_report(read(MEETING_FILE))
    assert report.kind == "meeting"
    assert report.topic == "ASN Belajar Seri 12"
    assert len(report.rows) == 7
    assert report.skipped == []
    assert {row.section for row in report.rows} == {"participants"}
    assert [row.line for row in report.rows] == [5, 6, 7, 8, 9, 10, 11]

    host = report.rows[0]
    assert host.name == "Host ASN Belajar"
    assert host.email == "zoom.bpsdm@example.go.id"
    assert host.duration_minutes == 167

    benny = report.rows[3]
    assert benny.name == "Sitorus, Benny"  # quoted field with a comma
    assert benny.email == "benny.sitorus@example.go.id"  # lower-cased

    guest = report.rows[4]
    assert guest.name == "Galaxy A52"
    assert guest.email is None
    assert guest.duration_minutes == 144

    assert len(by_email(report, "rina.marlina@example.go.id")) == 2
    assert len(by_email(report, "yuliana.t@example.go.id")) == 2


def test_webinar_sample() -> None:
    report = parse_zoom_report(read(WEBINAR_FILE))
    assert report.kind == "webinar"
    assert report.topic == "ASN Belajar Seri 12: Manajemen Talenta ASN"
    sections = [row.section for row in report.rows]
    assert sections.count("host") == 1
    assert sections.count("panelist") == 1
    assert sections.count("attendee") == 3
    assert len(report.rows) == 5

    host = next(row for row in report.rows if row.section == "host")
    assert host.name == "Host ASN Belajar" and host.line == 7
    panelist = next(row for row in report.rows if row.section == "panelist")
    assert panelist.email == "hendra.g@example.ac.id"
    assert panelist.duration_minutes == 156
    guest = next(row for row in report.rows if row.name == "Galaxy A52")
    assert guest.email is None and guest.section == "attendee"

    assert report.skipped == [
        SkippedRow(16, "Dimas Anggara", "dimas.a@example.go.id", "tidak hadir (Attended = No)")
    ]


def test_times_are_converted_from_wib_to_aware_utc() -> None:
    for name in (MEETING_FILE, WEBINAR_FILE):
        report = parse_zoom_report(read(name))
        first = by_email(report, "rina.marlina@example.go.id")[0]
        assert first.joined_at == utc(2022, 3, 23, 2, 2, 10)  # 09:02:10 WIB
        assert first.left_at == utc(2022, 3, 23, 3, 14, 55)
        assert first.joined_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("tz", ["Asia/Makassar", "WITA"])
def test_other_account_time_zone(tz: str) -> None:
    report = parse_zoom_report(read(MEETING_FILE), tz=tz)
    rina = by_email(report, "rina.marlina@example.go.id")[0]
    assert rina.joined_at == utc(2022, 3, 23, 1, 2, 10)


def test_unknown_time_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Zona waktu"):
        parse_zoom_report(read(MEETING_FILE), tz="Mars/Olympus")


def test_rows_are_frozen() -> None:
    row = parse_zoom_report(read(MEETING_FILE)).rows[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- merging

def test_rina_reconnect_gap_of_67_seconds() -> None:
    rina = intervals(by_email(parse_zoom_report(read(MEETING_FILE)), "rina.marlina@example.go.id"))
    assert len(merge_intervals(rina)) == 2  # default gap 60 s
    assert len(merge_intervals(rina, gap_seconds=60)) == 2
    merged = merge_intervals(rina, gap_seconds=120)
    assert merged == [(utc(2022, 3, 23, 2, 2, 10), utc(2022, 3, 23, 4, 30))]
    # Only connected time counts: 72m45s + 73m58s.
    assert attended_seconds(rina) == (72 * 60 + 45) + (73 * 60 + 58)


def test_yuliana_nested_connection_is_merged() -> None:
    yuliana = intervals(by_email(parse_zoom_report(read(MEETING_FILE)), "yuliana.t@example.go.id"))
    merged = merge_intervals(yuliana)
    assert merged == [(utc(2022, 3, 23, 2, 0, 30), utc(2022, 3, 23, 4, 31, 40))]
    seconds = attended_seconds(yuliana)
    assert seconds == 151 * 60 + 10
    assert abs(seconds / 60 - 152) < 1.5  # Zoom's own "152" rounds up


def test_merge_rejects_reversed_interval_and_negative_gap() -> None:
    with pytest.raises(ValueError):
        merge_intervals([(utc(2022, 1, 1, 10), utc(2022, 1, 1, 9))])
    with pytest.raises(ValueError):
        merge_intervals([], gap_seconds=-1)
    assert merge_intervals([]) == []
    assert attended_seconds([]) == 0


BASE = datetime(2022, 3, 23, 8, 0, tzinfo=UTC)
_interval = st.tuples(
    st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=200)
).map(lambda t: (BASE + timedelta(seconds=t[0]), BASE + timedelta(seconds=t[0] + t[1])))
_intervals = st.lists(_interval, max_size=25)


def _seconds(items: list[tuple[datetime, datetime]]) -> set[int]:
    covered: set[int] = set()
    for start, end in items:
        first, last = (int((t - BASE).total_seconds()) for t in (start, end))
        covered.update(range(first, last))
    return covered


@given(_intervals, st.integers(min_value=0, max_value=120))
def test_merge_is_sorted_and_separated(items: list, gap: int) -> None:
    merged = merge_intervals(items, gap_seconds=gap)
    for start, end in merged:
        assert start <= end
    for (_s1, e1), (s2, _e2) in zip(merged, merged[1:], strict=False):
        assert (s2 - e1).total_seconds() > gap  # neither overlapping nor adjacent
    assert merged == sorted(merged)


@given(_intervals)
def test_merge_without_gap_covers_exactly_the_same_set(items: list) -> None:
    merged = merge_intervals(items, gap_seconds=0)
    assert _seconds(merged) == _seconds(items)


@given(_intervals, st.integers(min_value=0, max_value=120))
def test_merge_with_gap_only_adds_short_gaps(items: list, gap: int) -> None:
    merged = merge_intervals(items, gap_seconds=gap)
    # Every connection lies inside one merged interval ...
    for start, end in items:
        assert any(ms <= start and end <= me for ms, me in merged)
    # ... and every merged interval starts and ends at a real join / leave.
    starts = {s for s, _ in items}
    ends = {e for _, e in items}
    for ms, me in merged:
        assert ms in starts and me in ends
    assert _seconds(items) <= _seconds(merged)


@given(_intervals)
def test_attended_seconds_bounds(items: list) -> None:
    total = attended_seconds(items)
    raw = [int((end - start).total_seconds()) for start, end in items]
    assert total <= sum(raw)
    assert total >= max(raw, default=0)
    assert total == len(_seconds(items))


@given(_intervals, st.randoms(use_true_random=False))
def test_merge_does_not_depend_on_input_order(items: list, rnd) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert merge_intervals(shuffled) == merge_intervals(items)


# --------------------------------------------------------------------------- variants

HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
# (name, email, local join, local leave, minutes)
PEOPLE = [
    ("Host ASN Belajar", "zoom.bpsdm@example.go.id",
     datetime(2022, 3, 23, 8, 45, 2), datetime(2022, 3, 23, 11, 31, 40), 167),
    ("Rina Marlina", "rina.marlina@example.go.id",
     datetime(2022, 3, 23, 9, 2, 10), datetime(2022, 3, 23, 10, 14, 55), 73),
    ("Sitorus, Benny", "Benny.Sitorus@Example.go.id",
     datetime(2022, 3, 23, 9, 20), datetime(2022, 3, 23, 10, 0), 40),
    ("Galaxy A52", "",
     datetime(2022, 3, 23, 13, 5), datetime(2022, 3, 23, 14, 29), 84),
]


def _quote(cell: str, sep: str) -> str:
    return f'"{cell}"' if sep in cell or "," in cell else cell


def meeting_csv(fmt: str, *, summary: bool = True, bom: bool = False, newline: str = "\n",
                sep: str = ",", pad: str = "") -> bytes:
    def row(cells: list[str]) -> str:
        return sep.join(_quote(cell, sep) for cell in cells) + "\n"

    text = ""
    if summary:
        text += row(["Meeting ID", "Topic", "Start Time", "End Time", "User Email",
                     "Duration (Minutes)", "Participants"])
        text += row(["85566778899", "ASN Belajar Seri 12", "03/23/2022 09:00:14 AM",
                     "03/23/2022 11:31:40 AM", "zoom.bpsdm@example.go.id", "152", "7"])
        text += "\n"
    text += row(["Name (Original Name)", "User Email", "Join Time", "Leave Time",
                 "Duration (Minutes)", "Guest"])
    for name, email, join, leave, minutes in PEOPLE:
        text += row([name, email, f"{pad}{join.strftime(fmt)}{pad}",
                     f"{pad}{leave.strftime(fmt)}{pad}", str(minutes), "No"])
    text = text.replace("\n", newline)
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def assert_people(report: ZoomReport, *, seconds: bool = True) -> None:
    assert report.kind == "meeting"
    assert len(report.rows) == len(PEOPLE)
    for row, (name, email, join, leave, minutes) in zip(report.rows, PEOPLE, strict=True):
        assert row.name == name
        assert row.email == (email.lower() or None)
        if not seconds:
            join, leave = join.replace(second=0), leave.replace(second=0)
        assert row.joined_at == join.replace(tzinfo=UTC) - WIB
        assert row.left_at == leave.replace(tzinfo=UTC) - WIB
        assert row.section == "participants"
        assert row.duration_minutes == minutes


@pytest.mark.parametrize(
    ("fmt", "seconds"),
    [
        ("%m/%d/%Y %I:%M:%S %p", True),  # Zoom's default
        ("%m/%d/%Y %I:%M %p", False),  # without seconds
        ("%m/%d/%Y %H:%M:%S", True),  # 24-hour
        ("%b %d, %Y %H:%M:%S", True),  # webinar style
        ("%b %d, %Y %I:%M %p", False),  # "Mar 23, 2022 09:02 AM"
        ("%Y-%m-%d %H:%M:%S", True),  # ISO-like
        ("%d/%m/%Y %H:%M:%S", True),  # DD/MM, detected because the day (23) > 12
        ("%d/%m/%Y %I:%M %p", False),
        ("%d %b %Y %H:%M", False),
    ],
)
def test_time_format_variants(fmt: str, seconds: bool) -> None:
    assert_people(parse_zoom_report(meeting_csv(fmt)), seconds=seconds)


def test_padded_time_cells() -> None:
    report = parse_zoom_report(meeting_csv("%m/%d/%Y  %I:%M:%S %p", pad="  "))
    assert_people(report)


@pytest.mark.parametrize(
    "options",
    [
        {"bom": False, "newline": "\n"},
        {"bom": True, "newline": "\r\n"},
        {"bom": False, "newline": "\r\n", "summary": False},
        {"bom": True, "newline": "\n", "summary": False},
        {"sep": ";"},  # Excel with an Indonesian locale re-saves with semicolons
        {"sep": "\t"},
    ],
)
def test_encoding_line_ending_and_layout_variants(options: dict) -> None:
    report = parse_zoom_report(meeting_csv("%m/%d/%Y %I:%M:%S %p", **options))
    assert_people(report)
    if options.get("summary", True):
        assert report.topic == "ASN Belajar Seri 12"
    else:
        assert report.topic is None
        assert report.rows[0].line == 2  # the header is line 1


def test_header_is_the_first_line_in_lowercase_newer_style() -> None:
    data = (
        b"Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,"
        b"In waiting room\n"
        b"Rina Marlina, rina.marlina@example.go.id ,03/23/2022 09:00:00 AM,"
        b"03/23/2022 09:02:00 AM,2,No,Yes\n"
        b"Rina Marlina,rina.marlina@example.go.id,03/23/2022 09:02:10 AM,"
        b"03/23/2022 10:14:55 AM,73,No,No\n"
    )
    report = parse_zoom_report(data)
    assert [row.line for row in report.rows] == [3]
    assert report.rows[0].email == "rina.marlina@example.go.id"
    assert report.skipped[0].line == 2
    assert "ruang tunggu" in report.skipped[0].reason


def test_odd_spacing_and_short_header_names() -> None:
    data = (
        b" Participant , Email Address ,  Join Time , Leave Time , Duration \r\n"
        b"  Rina Marlina  ,  RINA.Marlina@Example.go.id ,  03/23/2022   09:02:10  AM ,"
        b" 03/23/2022 10:14:55AM , 73 \r\n"
        b"Benny, ,\"Mar 23 , 2022  9:20 am\",\"Mar  23, 2022 10:00 a.m.\",\r\n"
    )
    report = parse_zoom_report(data)
    rina, benny = report.rows
    assert rina.name == "Rina Marlina"
    assert rina.email == "rina.marlina@example.go.id"
    assert rina.joined_at == utc(2022, 3, 23, 2, 2, 10)
    assert rina.left_at == utc(2022, 3, 23, 3, 14, 55)
    assert rina.duration_minutes == 73
    assert benny.email is None
    assert benny.duration_minutes is None
    assert benny.joined_at == utc(2022, 3, 23, 2, 20)


def test_cp1252_file_falls_back() -> None:
    data = (HEADER + "Dédé Sitompul,dede@example.go.id,03/23/2022 09:00 AM,"
            "03/23/2022 10:00 AM,60,No\n").encode("cp1252")
    report = parse_zoom_report(data)
    assert report.rows[0].name == "Dédé Sitompul"


def test_utf16_excel_unicode_text() -> None:
    text = HEADER.replace(",", "\t") + "Rina\trina@example.go.id\t03/23/2022 09:00 AM\t" \
        "03/23/2022 10:00 AM\t60\tNo\r\n"
    report = parse_zoom_report(text.encode("utf-16"))
    assert report.rows[0].joined_at == utc(2022, 3, 23, 2, 0)


def test_ambiguous_numeric_dates_default_to_month_first() -> None:
    data = (HEADER + "Rina,rina@example.go.id,03/05/2022 09:00 AM,03/05/2022 10:00 AM,60,No\n"
            ).encode()
    assert parse_zoom_report(data).rows[0].joined_at == utc(2022, 3, 5, 2, 0)
    forced = parse_zoom_report(data, date_order="dmy")
    assert forced.rows[0].joined_at == utc(2022, 5, 3, 2, 0)


def test_day_first_detected_from_any_row_of_the_file() -> None:
    data = (HEADER
            + "A,a@example.go.id,03/05/2022 09:00,03/05/2022 10:00,60,No\n"
            + "B,b@example.go.id,13/05/2022 09:00,13/05/2022 10:00,60,No\n").encode()
    first, second = parse_zoom_report(data).rows
    assert first.joined_at == utc(2022, 5, 3, 2, 0)
    assert second.joined_at == utc(2022, 5, 13, 2, 0)


def test_webinar_variants_other_attended_and_dashes() -> None:
    data = (
        b"Attendee Report,\n"
        b"Topic,Webinar ID,Actual Start Time,\n"
        b"Seri 13,855,\"Mar 23, 2022 09:00 AM\",\n"
        b"\n"
        b"Panelist Details,\n"
        b"User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),\n"
        b"Narasumber,n@example.ac.id,\"Mar 23, 2022 08:55:00\",\"Mar 23, 2022 11:31:00\",156,\n"
        b"\n"
        b"Other Attended,\n"
        b"User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),\n"
        b"Tamu,,\"Mar 23, 2022 09:05 AM\",\"Mar 23, 2022 11:29 AM\",144,\n"
        b"Hilang,h@example.go.id,--,--,--,\n"
    )
    report = parse_zoom_report(data)
    assert report.kind == "webinar"
    assert report.topic == "Seri 13"
    assert [(row.section, row.line) for row in report.rows] == [("panelist", 7), ("attendee", 11)]
    assert report.skipped[0].line == 12
    assert "--" in report.skipped[0].reason


def test_meeting_row_with_dashes_is_skipped() -> None:
    data = (HEADER + "Rina,rina@example.go.id,--,--,--,No\n").encode()
    report = parse_zoom_report(data)
    assert report.rows == []
    assert report.skipped == [
        SkippedRow(2, "Rina", "rina@example.go.id", "tidak ada waktu masuk/keluar ('--')")
    ]


def test_line_numbers_count_physical_lines_of_multiline_cells() -> None:
    data = (HEADER + '"Rina\nMarlina",rina@example.go.id,03/23/2022 09:00 AM,'
            "03/23/2022 10:00 AM,60,No\n"
            "Benny,benny@example.go.id,03/23/2022 09:00 AM,nonsense,60,No\n").encode()
    with pytest.raises(ReportFormatError) as info:
        parse_zoom_report(data)
    assert info.value.line == 4


# --------------------------------------------------------------------------- malformed

def _sample_with_line(line_no: int, old: bytes, new: bytes) -> bytes:
    lines = read(MEETING_FILE).split(b"\r\n")
    assert old in lines[line_no - 1]
    lines[line_no - 1] = lines[line_no - 1].replace(old, new)
    return b"\r\n".join(lines)


def test_garbage_time_names_the_line() -> None:
    data = _sample_with_line(7, b"03/23/2022 11:30:00 AM", b"abc")
    with pytest.raises(ReportFormatError) as info:
        parse_zoom_report(data)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.line == 7
    assert error.message.startswith("Baris 7: waktu keluar 'abc' tidak dikenali.")
    assert str(error) == error.message


@pytest.mark.parametrize(
    "bad",
    [b"03/23/2022 13:02:10 PM", b"02/30/2022 09:02:10 AM", b"03/23/2022 25:00:00",
     b"13/23/2022 09:02:10"],
)
def test_impossible_times_name_the_line(bad: bytes) -> None:
    data = _sample_with_line(6, b"03/23/2022 09:02:10 AM", bad)
    with pytest.raises(ReportFormatError, match="^Baris 6: waktu masuk") as info:
        parse_zoom_report(data)
    assert info.value.line == 6


def test_leave_before_join() -> None:
    data = _sample_with_line(8, b"03/23/2022 10:00:00 AM", b"03/23/2022 09:00:00 AM")
    with pytest.raises(ReportFormatError, match="^Baris 8: waktu keluar .* lebih awal") as info:
        parse_zoom_report(data)
    assert info.value.line == 8


def test_row_missing_its_time_cells() -> None:
    data = (HEADER + "Rina,rina@example.go.id\n").encode()
    with pytest.raises(ReportFormatError, match="^Baris 2: jumlah kolom.*terpotong") as info:
        parse_zoom_report(data)
    assert info.value.line == 2


def test_unquoted_comma_in_name_is_explained() -> None:
    data = (HEADER + "Sitorus, Benny,benny@example.go.id,03/23/2022 09:20:00 AM,"
            "03/23/2022 10:00:00 AM,40,No\n").encode()
    with pytest.raises(ReportFormatError, match="tanda kutip") as info:
        parse_zoom_report(data)
    assert info.value.line == 2


def test_mixed_day_month_orders_are_rejected() -> None:
    data = (HEADER
            + "A,a@example.go.id,13/05/2022 09:00,13/05/2022 10:00,60,No\n"
            + "B,b@example.go.id,05/13/2022 09:00,05/13/2022 10:00,60,No\n").encode()
    with pytest.raises(ReportFormatError, match="tidak konsisten") as info:
        parse_zoom_report(data)
    assert info.value.line == 3


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", codecs.BOM_UTF8])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(ReportFormatError, match="Berkas kosong") as info:
        parse_zoom_report(data)
    assert "Join Time" in info.value.message and "Leave Time" in info.value.message
    assert info.value.line is None


@pytest.mark.parametrize(
    "data",
    [
        b"nip,nama,unit\n198001012005011001,Rina,BKN\n",
        b"Meeting ID,Topic,Start Time\n855,Seri 12,03/23/2022 09:00 AM\n",
        bytes(range(256)) * 8,
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64,
    ],
    ids=["random-csv", "summary-only", "binary", "xlsx"],
)
def test_no_participant_table(data: bytes) -> None:
    with pytest.raises(ReportFormatError) as info:
        parse_zoom_report(data)
    message = info.value.message
    assert "Join Time" in message and "Leave Time" in message and "User Email" in message


def test_unique_users_report_gets_a_hint() -> None:
    data = (b"Name (original name),Email,Total duration (minutes),Guest\n"
            b"Rina,rina@example.go.id,146,No\n")
    with pytest.raises(ReportFormatError, match="Show unique users") as info:
        parse_zoom_report(data)
    assert info.value.line == 1


def test_report_format_error_api() -> None:
    error = ReportFormatError("waktu keluar 'abc' tidak dikenali.", 7)
    assert error.message == "Baris 7: waktu keluar 'abc' tidak dikenali."
    assert error.line == 7
    assert ReportFormatError("Baris 3: x", 3).message == "Baris 3: x"
    plain = ReportFormatError("Berkas kosong.")
    assert plain.line is None and plain.message == "Berkas kosong."
