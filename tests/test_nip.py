"""NIP parsing and validation (asnbelajar.accounts.nip)."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asnbelajar.accounts.nip import (
    NIPError,
    NIPInfo,
    employee_type_for,
    format_nip,
    is_valid_nip,
    mask_nip,
    normalize_nip,
    parse_nip,
)

TODAY = date(2026, 11, 28)
# Youngest allowed birth date on TODAY (exactly 15 years old).
YOUNGEST_BIRTH = date(2011, 11, 28)

# No example database on disk: tests stay deterministic and leave no files behind.
NIP_SETTINGS = settings(database=None, deadline=None, max_examples=200)


def pns(birth: str, year: int, month: int, gender: int = 1, seq: int = 1) -> str:
    return f"{birth}{year:04d}{month:02d}{gender}{seq:03d}"


def pppk(birth: str, year: int, contract: int = 1, gender: int = 1, seq: int = 1) -> str:
    return f"{birth}{year:04d}2{contract}{gender}{seq:03d}"


def error_code(raw: object) -> str:
    with pytest.raises(NIPError) as excinfo:
        parse_nip(raw, today=TODAY)  # type: ignore[arg-type]
    return excinfo.value.code


# --- valid examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "198503122010011001",
        "19850312 201001 1 001",
        "19850312.201001.1.001",
        "19850312-201001-1-001",
        "  198503122010011001\n",
        "\t19850312 . 201001 - 1 001 ",
    ],
)
def test_pns_nip_with_or_without_separators_is_parsed(raw: str) -> None:
    info = parse_nip(raw, today=TODAY)
    assert info == NIPInfo(
        nip="198503122010011001",
        kind="pns",
        birth_date=date(1985, 3, 12),
        appointment_year=2010,
        appointment_month=1,
        gender="L",
        sequence=1,
        contract_count=None,
    )


def test_pppk_nip_is_parsed_with_year_contract_gender_and_sequence() -> None:
    info = parse_nip("199001012021211005", today=TODAY)
    assert info == NIPInfo(
        nip="199001012021211005",
        kind="pppk",
        birth_date=date(1990, 1, 1),
        appointment_year=2021,
        appointment_month=None,
        gender="L",
        sequence=5,
        contract_count=1,
    )


def test_pppk_nip_with_separators_and_female_gender_is_parsed() -> None:
    info = parse_nip("19900101 2021 2 9 2 999", today=TODAY)
    assert info.kind == "pppk"
    assert info.contract_count == 9
    assert info.gender == "P"
    assert info.sequence == 999


def test_pns_gender_digit_2_is_perempuan() -> None:
    assert parse_nip(pns("19850312", 2010, 1, gender=2), today=TODAY).gender == "P"


def test_pns_month_12_is_not_mistaken_for_pppk() -> None:
    info = parse_nip(pns("19850312", 2010, 12), today=TODAY)
    assert info.kind == "pns"
    assert info.appointment_month == 12


def test_leap_day_birth_date_is_valid() -> None:
    assert parse_nip(pns("20000229", 2020, 3), today=TODAY).birth_date == date(2000, 2, 29)


def test_earliest_birth_year_1930_is_valid() -> None:
    assert is_valid_nip(pns("19300101", 1955, 1), today=TODAY)


def test_exactly_fifteen_years_old_today_is_valid() -> None:
    assert is_valid_nip(pns(f"{YOUNGEST_BIRTH:%Y%m%d}", 2026, 11), today=TODAY)


def test_appointment_in_birth_year_plus_fifteen_is_valid() -> None:
    # Year level on purpose: months before the 15th birthday are tolerated.
    assert is_valid_nip(pns("19851231", 2000, 1), today=TODAY)
    assert is_valid_nip(pppk("19851231", 2000), today=TODAY)


def test_appointment_next_year_is_valid() -> None:
    assert is_valid_nip(pns("19850312", 2027, 12), today=TODAY)
    assert is_valid_nip(pppk("19850312", 2027), today=TODAY)


def test_sequence_001_and_999_are_valid() -> None:
    assert parse_nip(pns("19850312", 2010, 1, seq=1), today=TODAY).sequence == 1
    assert parse_nip(pns("19850312", 2010, 1, seq=999), today=TODAY).sequence == 999


# --- malformed examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("19850312201001100", "length"),  # 17 digits
        ("1985031220100110011", "length"),  # 19 digits
        ("", "length"),
        ("   ", "length"),
        (" - . ", "length"),
        ("19850312201001100A", "chars"),
        ("1985031220100110O1", "chars"),  # letter O for zero
        ("19850312_201001_1_001", "chars"),
        ("19850312/201001/1/001", "chars"),
        ("19850312\t201001 1 001", "chars"),  # tab inside is not a separator
        ("19850312\u00a0201001 1 001", "chars"),  # non-breaking space inside
        ("١٩٨٥٠٣١٢٢٠١٠٠١١٠٠١", "chars"),  # Arabic-Indic digits
        ("198503122010011001" + "²", "chars"),
        ("abc", "chars"),  # letters win over a wrong length
        (pns("19850230", 2010, 1), "birth_date"),  # 30 February
        (pns("19851301", 2010, 1), "birth_date"),  # month 13
        (pns("19850000", 2010, 1), "birth_date"),
        (pns("19290101", 1960, 1), "birth_date"),  # before 1930
        (pns("20261129", 2027, 1), "birth_date"),  # tomorrow
        (pns("20300101", 2027, 1), "birth_date"),  # future year
        (pns("20111129", 2027, 1), "birth_date"),  # 15 tomorrow
        (pns("19850312", 2010, 13), "appointment"),  # month 13
        (pns("19850312", 2010, 0), "appointment"),  # month 00
        ("198503122021201001", "appointment"),  # PPPK contract 0: "20" is neither layout
        (pns("19850312", 2010, 30), "appointment"),
        (pns("19850312", 1999, 12), "appointment"),  # PNS before birth year + 15
        (pppk("19850312", 1999), "appointment"),  # PPPK before birth year + 15
        (pns("19850312", 1980, 1), "appointment"),  # before birth
        (pns("19850312", 2028, 1), "appointment"),  # after current year + 1
        (pppk("19850312", 2028), "appointment"),
        (pns("19850312", 2010, 1, gender=3), "gender"),
        (pns("19850312", 2010, 1, gender=0), "gender"),
        (pppk("19900101", 2021, gender=9), "gender"),
        (pns("19850312", 2010, 1, seq=0), "sequence"),
        (pppk("19900101", 2021, seq=0), "sequence"),
    ],
)
def test_malformed_nip_raises_error_with_code(raw: str, code: str) -> None:
    assert error_code(raw) == code
    assert not is_valid_nip(raw, today=TODAY)


def test_pppk_contract_zero_reports_appointment_digits_13_14() -> None:
    with pytest.raises(NIPError) as excinfo:
        parse_nip("198503122021201001", today=TODAY)
    assert excinfo.value.code == "appointment"
    assert "digit 13-14" in excinfo.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345", "NIP harus terdiri dari 18 digit angka (yang dimasukkan 5 digit)."),
        (pns("19850230", 2010, 1), "Tanggal lahir pada NIP (digit 1-8) tidak valid."),
        (
            pns("19850312", 2010, 1, gender=3),
            "Kode jenis kelamin pada NIP (digit 15) harus 1 atau 2.",
        ),
        (
            pns("19850312", 2010, 1, seq=0),
            "Nomor urut pada NIP (digit 16-18) tidak boleh 000.",
        ),
    ],
)
def test_error_message_is_indonesian_and_names_the_digits(raw: str, expected: str) -> None:
    with pytest.raises(NIPError) as excinfo:
        parse_nip(raw, today=TODAY)
    assert excinfo.value.message == expected
    assert str(excinfo.value) == expected


def test_month_13_message_names_digits_13_14() -> None:
    with pytest.raises(NIPError) as excinfo:
        parse_nip(pns("19850312", 2010, 13), today=TODAY)
    assert excinfo.value.message.startswith("Bulan pengangkatan pada NIP (digit 13-14) tidak valid")


def test_first_wrong_field_in_digit_order_is_reported() -> None:
    # Bad birth date, bad month, bad gender and sequence 000: the birth date comes first.
    assert error_code("198502309999133000") == "birth_date"
    assert error_code(pns("19850312", 2010, 1, gender=3, seq=0)) == "gender"


def test_nip_error_is_a_value_error_that_survives_pickling() -> None:
    error = NIPError("Nomor urut pada NIP (digit 16-18) tidak boleh 000.", "sequence")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own data
    assert (copy.message, copy.code) == (error.message, error.code)


def test_none_and_non_string_are_rejected_not_crashing() -> None:
    assert error_code(None) == "length"
    assert error_code(198503122010011001) == "chars"
    assert not is_valid_nip(None)  # type: ignore[arg-type]


def test_today_defaults_to_the_real_date() -> None:
    next_year = date.today().year + 1
    assert not is_valid_nip(pns(f"{next_year}0101", next_year, 1))
    assert is_valid_nip("198503122010011001")


def test_nip_info_is_immutable() -> None:
    info = parse_nip("198503122010011001", today=TODAY)
    with pytest.raises(AttributeError):
        info.gender = "P"  # type: ignore[misc]


# --- helpers --------------------------------------------------------------------------


def test_normalize_removes_separators_and_surrounding_whitespace_only() -> None:
    assert normalize_nip(" 19850312 201001-1.001 \n") == "198503122010011001"
    assert normalize_nip("1985 03 12A") == "19850312A"  # does not validate
    assert normalize_nip("") == ""


def test_employee_type_for_returns_kind_after_parsing() -> None:
    assert employee_type_for("19850312 201001 1 001") == "pns"
    assert employee_type_for("199001012021211005") == "pppk"
    with pytest.raises(NIPError):
        employee_type_for("19850312201001100")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198503122010011001", "**************1001"),
        ("19850312 201001 1 001", "**************1001"),
        ("199001012021211005", "**************1005"),
        (None, ""),
        ("", ""),
        ("1234", "****"),
        ("12", "**"),
    ],
)
def test_mask_nip_keeps_only_the_last_four_digits(raw: str | None, expected: str) -> None:
    assert mask_nip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198503122010011001", "19850312 201001 1 001"),
        ("19850312.201001.1.001", "19850312 201001 1 001"),
        ("199001012021211005", "19900101 2021 2 1 1 005"),
        ("19900101 2021 2 1 1 005", "19900101 2021 2 1 1 005"),
        ("12345", "12345"),  # not an NIP: returned as typed, normalized
        ("198503122010201001", "198503122010201001"),  # neither layout: ungrouped
        ("", ""),
    ],
)
def test_format_nip_groups_digits_by_layout(raw: str, expected: str) -> None:
    assert format_nip(raw) == expected


# --- property-based -------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1930, 1, 1), max_value=YOUNGEST_BIRTH)
genders = st.sampled_from([("1", "L"), ("2", "P")])
sequences = st.integers(min_value=1, max_value=999)
separator = st.text(alphabet=" .-", max_size=2)
edge_whitespace = st.text(alphabet=" \t\n\r", max_size=3)


@st.composite
def valid_nips(draw: st.DrawFn) -> tuple[str, NIPInfo]:
    """A valid normalized NIP of either layout and the fields it must parse to."""
    birth = draw(birth_dates)
    year = draw(st.integers(min_value=birth.year + 15, max_value=TODAY.year + 1))
    gender_digit, gender = draw(genders)
    seq = draw(sequences)
    if draw(st.booleans()):
        month = draw(st.integers(min_value=1, max_value=12))
        nip = f"{birth:%Y%m%d}{year:04d}{month:02d}{gender_digit}{seq:03d}"
        info = NIPInfo(nip, "pns", birth, year, month, gender, seq, None)
    else:
        contract = draw(st.integers(min_value=1, max_value=9))
        nip = f"{birth:%Y%m%d}{year:04d}2{contract}{gender_digit}{seq:03d}"
        info = NIPInfo(nip, "pppk", birth, year, None, gender, seq, contract)
    return nip, info


@st.composite
def with_separators(draw: st.DrawFn, digits: str) -> str:
    """``digits`` with random separators between them and whitespace around."""
    parts = [draw(edge_whitespace)]
    for index, digit in enumerate(digits):
        if index:
            parts.append(draw(separator))
        parts.append(digit)
    parts.append(draw(edge_whitespace))
    return "".join(parts)


@st.composite
def typed_valid_nips(draw: st.DrawFn) -> tuple[str, NIPInfo]:
    nip, info = draw(valid_nips())
    return draw(with_separators(nip)), info


@NIP_SETTINGS
@given(typed_valid_nips())
def test_valid_nip_with_random_separators_round_trips_all_fields(
    case: tuple[str, NIPInfo],
) -> None:
    raw, expected = case
    assert normalize_nip(raw) == expected.nip
    assert parse_nip(raw, today=TODAY) == expected
    assert is_valid_nip(raw, today=TODAY)
    assert employee_type_for(raw, today=TODAY) == expected.kind


@NIP_SETTINGS
@given(valid_nips())
def test_format_nip_output_parses_back_to_the_same_nip(case: tuple[str, NIPInfo]) -> None:
    nip, info = case
    formatted = format_nip(nip)
    assert len(formatted.split(" ")) == (4 if info.kind == "pns" else 6)
    assert normalize_nip(formatted) == nip
    assert parse_nip(formatted, today=TODAY) == info


@NIP_SETTINGS
@given(st.text())
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize_nip(raw)
    assert normalize_nip(once) == once


@NIP_SETTINGS
@given(st.text())
def test_parse_either_succeeds_or_raises_nip_error(raw: str) -> None:
    try:
        info = parse_nip(raw, today=TODAY)
    except NIPError as error:
        assert error.code in {
            "chars",
            "length",
            "birth_date",
            "appointment",
            "gender",
            "sequence",
            "contract",
        }
        assert error.message
        assert not is_valid_nip(raw, today=TODAY)
    else:
        assert info.nip == normalize_nip(raw)
        assert is_valid_nip(raw, today=TODAY)


@NIP_SETTINGS
@given(
    valid_nips(),
    st.integers(min_value=1, max_value=17),
    st.characters().filter(lambda ch: ch not in "0123456789 .-"),
)
def test_any_non_digit_non_separator_character_inside_is_rejected(
    case: tuple[str, NIPInfo], position: int, bad: str
) -> None:
    nip, _ = case
    raw = nip[:position] + bad + nip[position:]
    assert error_code(raw) == "chars"
    assert not is_valid_nip(raw, today=TODAY)


@NIP_SETTINGS
@given(
    st.text(alphabet="0123456789", max_size=40)
    .filter(lambda s: len(s) != 18)
    .flatmap(with_separators)
)
def test_wrong_number_of_digits_is_rejected(raw: str) -> None:
    assert error_code(raw) == "length"


@NIP_SETTINGS
@given(valid_nips())
def test_mask_of_valid_nip_shows_only_the_last_four_digits(case: tuple[str, NIPInfo]) -> None:
    nip, _ = case
    masked = mask_nip(nip)
    assert masked == "*" * 14 + nip[-4:]


@NIP_SETTINGS
@given(st.one_of(st.none(), st.text(), typed_valid_nips().map(lambda case: case[0])))
def test_mask_never_reveals_more_than_the_last_four_characters(raw: str | None) -> None:
    masked = mask_nip(raw)
    value = normalize_nip(raw) if raw else ""
    assert len(masked) == len(value)
    assert set(masked[:-4]) <= {"*"}
    if len(value) <= 4:
        assert masked == "*" * len(value)
    assert sum(ch != "*" for ch in masked) <= min(4, max(len(value) - 1, 0))
    if len(value) > 4:
        assert masked[-4:] == value[-4:]


@NIP_SETTINGS
@given(st.integers(min_value=1, max_value=6000))
def test_birth_date_after_the_youngest_allowed_is_rejected(days: int) -> None:
    too_young = YOUNGEST_BIRTH + timedelta(days=days)
    raw = pns(f"{too_young:%Y%m%d}", TODAY.year, 1)
    assert error_code(raw) == "birth_date"
