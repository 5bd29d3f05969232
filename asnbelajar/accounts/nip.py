"""NIP (Nomor Induk Pegawai) parsing and validation.

An NIP is 18 digits, stored as a string. There is no check digit, so only the
structure can be validated. Two layouts exist (positions are 1-based):

PNS (civil servant)::

    YYYYMMDD  YYYYMM  G  NNN
    1-8       9-14    15 16-18
    birth     TMT CPNS (appointment year-month)
              gender (1 = laki-laki, 2 = perempuan), sequence 001-999

NI PPPK (contract employee)::

    YYYYMMDD  YYYY  2   K   G   NNN
    1-8       9-12  13  14  15  16-18
    birth     appointment year, the digit 2, contract count 1-9,
              gender (1 = laki-laki, 2 = perempuan), sequence 001-999

The layouts are told apart by digits 13-14: a PNS has the appointment month 01-12
there, a PPPK has ``2`` followed by 1-9 (``21``-``29``, impossible as a month).
Anything else (``00``, ``13``-``20``, ``30``-``99``) is neither layout and is reported
as an invalid appointment month.

Rules checked, in digit order (the first failure is reported):

* after removing separators (spaces, dots, hyphens) and surrounding whitespace, only
  ASCII digits remain (``chars``), exactly 18 of them (``length``);
* the birth date is a real date, year >= 1930, not in the future, age >= 15 today
  (``birth_date``);
* the appointment year is not before birth year + 15 (compared at year level, on
  purpose lenient) and not after the current year + 1 (``appointment``);
* gender is 1 or 2 (``gender``); sequence is 001-999 (``sequence``).

"Today" is the current date in WIB (Asia/Jakarta), taken from ``timeutil.now_utc()`` (the one
clock, which tests can freeze), unless a ``today`` is passed in (tests pass a fixed date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..timeutil import now_utc, to_local

__all__ = [
    "NIPError",
    "NIPInfo",
    "NIP_LENGTH",
    "employee_type_for",
    "format_nip",
    "is_valid_nip",
    "mask_nip",
    "normalize_nip",
    "parse_nip",
]

NIP_LENGTH = 18
MIN_BIRTH_YEAR = 1930
MIN_AGE = 15  # years, for the birth date and for the earliest appointment
MAX_APPOINTMENT_YEARS_AHEAD = 1

# Separators a user may type between the digit groups.
_SEPARATORS = str.maketrans("", "", " .-")
# Whitespace and separators at either end are dropped before the inner separators are
# removed, so the result never starts or ends with whitespace (normalizing is idempotent).
_EDGES = re.compile(r"\A[\s.\-]+|[\s.\-]+\Z")
_DIGITS = re.compile(r"[0-9]*")  # ASCII only: str.isdigit() would accept "١" or "²"


class NIPError(ValueError):
    """An NIP that cannot be accepted.

    ``message`` is an Indonesian sentence for the user naming the wrong digits;
    ``code`` is a short machine code: ``chars``, ``length``, ``birth_date``,
    ``appointment``, ``gender``, ``sequence`` or ``contract``.
    """

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __reduce__(self):  # keep both arguments when pickled (e.g. across processes)
        return (type(self), (self.message, self.code))

    def __repr__(self) -> str:
        return f"NIPError({self.message!r}, code={self.code!r})"


@dataclass(frozen=True)
class NIPInfo:
    """The fields of a valid NIP."""

    nip: str  # normalized: 18 digits
    kind: str  # "pns" or "pppk"
    birth_date: date
    appointment_year: int
    appointment_month: int | None  # None for PPPK
    gender: str  # "L" (laki-laki) or "P" (perempuan)
    sequence: int
    contract_count: int | None  # PPPK only


def _today() -> date:
    """Today's date in the series' home zone (WIB), from the one clock of the code base."""
    return to_local(now_utc()).date()


def normalize_nip(raw: str) -> str:
    """Drop surrounding whitespace and the separators (spaces, dots, hyphens).

    Does not validate: whatever else is in ``raw`` is kept.
    """
    return _EDGES.sub("", raw).translate(_SEPARATORS)


def _layout(digits: str) -> str | None:
    """``"pns"``/``"pppk"`` from digits 13-14 of a normalized 18-digit NIP, else None."""
    marker = digits[12:14]
    if marker[0] == "2" and marker[1] != "0":
        return "pppk"
    if 1 <= int(marker) <= 12:
        return "pns"
    return None


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def parse_nip(raw: str, today: date | None = None) -> NIPInfo:
    """Parse and validate an NIP (separators allowed); raise :class:`NIPError`."""
    if raw is None:
        raise NIPError("NIP wajib diisi (18 digit angka).", "length")
    if not isinstance(raw, str):
        raise NIPError("NIP harus berupa teks berisi 18 digit angka.", "chars")
    if today is None:
        today = _today()
    nip = normalize_nip(raw)

    if not _DIGITS.fullmatch(nip):
        raise NIPError(
            "NIP hanya boleh berisi angka 0-9 (spasi, titik, atau tanda hubung boleh "
            "dipakai sebagai pemisah).",
            "chars",
        )
    if len(nip) != NIP_LENGTH:
        if not nip:
            raise NIPError("NIP wajib diisi (18 digit angka).", "length")
        raise NIPError(
            f"NIP harus terdiri dari 18 digit angka (yang dimasukkan {len(nip)} digit).",
            "length",
        )

    # Digits 1-8: birth date.
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NIPError("Tanggal lahir pada NIP (digit 1-8) tidak valid.", "birth_date") from None
    if birth.year < MIN_BIRTH_YEAR:
        raise NIPError(
            f"Tahun lahir pada NIP (digit 1-4) tidak boleh sebelum {MIN_BIRTH_YEAR}.",
            "birth_date",
        )
    if birth > today:
        raise NIPError(
            "Tanggal lahir pada NIP (digit 1-8) tidak boleh di masa depan.", "birth_date"
        )
    if _age(birth, today) < MIN_AGE:
        raise NIPError(
            f"Tanggal lahir pada NIP (digit 1-8) menunjukkan usia kurang dari {MIN_AGE} tahun.",
            "birth_date",
        )

    # Digits 9-14: appointment (and, for PPPK, the marker and contract count).
    kind = _layout(nip)
    if kind is None:
        raise NIPError(
            "Bulan pengangkatan pada NIP (digit 13-14) tidak valid: harus 01-12 untuk PNS, "
            "atau 2 diikuti angka 1-9 untuk PPPK.",
            "appointment",
        )
    appointment_year = int(nip[8:12])
    appointment_month: int | None = None
    contract_count: int | None = None
    if kind == "pns":
        appointment_month = int(nip[12:14])
    else:
        contract_count = int(nip[13])
        if not 1 <= contract_count <= 9:  # unreachable: "20" is neither layout
            raise NIPError("Nomor kontrak PPPK pada NIP (digit 14) harus 1 sampai 9.", "contract")
    earliest = birth.year + MIN_AGE
    latest = today.year + MAX_APPOINTMENT_YEARS_AHEAD
    if appointment_year < earliest:
        raise NIPError(
            f"Tahun pengangkatan pada NIP (digit 9-12) tidak boleh sebelum {earliest} "
            f"(tahun lahir + {MIN_AGE}).",
            "appointment",
        )
    if appointment_year > latest:
        raise NIPError(
            f"Tahun pengangkatan pada NIP (digit 9-12) tidak boleh setelah {latest}.",
            "appointment",
        )

    # Digit 15: gender.
    gender_digit = nip[14]
    if gender_digit not in "12":
        raise NIPError("Kode jenis kelamin pada NIP (digit 15) harus 1 atau 2.", "gender")

    # Digits 16-18: sequence.
    sequence = int(nip[15:18])
    if sequence == 0:
        raise NIPError("Nomor urut pada NIP (digit 16-18) tidak boleh 000.", "sequence")

    return NIPInfo(
        nip=nip,
        kind=kind,
        birth_date=birth,
        appointment_year=appointment_year,
        appointment_month=appointment_month,
        gender="L" if gender_digit == "1" else "P",
        sequence=sequence,
        contract_count=contract_count,
    )


def is_valid_nip(raw: str, today: date | None = None) -> bool:
    """True when :func:`parse_nip` accepts ``raw``."""
    try:
        parse_nip(raw, today)
    except NIPError:
        return False
    return True


def employee_type_for(nip: str, today: date | None = None) -> str:
    """``"pns"`` or ``"pppk"`` for a valid NIP; raises :class:`NIPError` otherwise."""
    return parse_nip(nip, today).kind


def mask_nip(nip: str | None) -> str:
    """Hide all but the last 4 digits: ``"**************1234"`` (same length).

    Separators are removed first. ``""`` for None or empty; a value of 4 characters or
    fewer is masked entirely, so never more than the last 4 characters are shown.
    """
    if not nip:
        return ""
    value = normalize_nip(str(nip))
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def format_nip(nip: str) -> str:
    """Group the digits for display.

    PNS: ``"19850312 201001 1 001"``; PPPK: ``"19900101 2021 2 1 1 005"``. Only the
    layout is looked at (dates are not validated), so stored NIPs always display; a
    value that is not 18 digits is returned normalized but ungrouped.
    """
    if not nip:
        return ""
    value = normalize_nip(str(nip))
    if len(value) != NIP_LENGTH or not _DIGITS.fullmatch(value):
        return value
    kind = _layout(value)
    if kind == "pns":
        return f"{value[0:8]} {value[8:14]} {value[14]} {value[15:18]}"
    if kind == "pppk":
        return f"{value[0:8]} {value[8:12]} {value[12]} {value[13]} {value[14]} {value[15:18]}"
    return value
