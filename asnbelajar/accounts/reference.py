"""The reference list of government agencies (instansi): reading the shipped CSV, loading it
into :class:`~asnbelajar.accounts.models.Instansi` and searching it.

The CSV has the header ``name,kind,code,province``; see ``asnbelajar/data/README.md``.
"""

from __future__ import annotations

import csv
import os
import pathlib
import re
from typing import TextIO

from sqlalchemy import case, insert, select, update

from ..extensions import db
from ..util.sql import match_words, search_words
from .models import Instansi

# Indonesia's 38 provinces, as participants pick them and reports group them.
PROVINCES = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi",
    "Sumatera Selatan", "Kepulauan Bangka Belitung", "Bengkulu", "Lampung", "DKI Jakarta",
    "Jawa Barat", "Banten", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur", "Bali",
    "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah",
    "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara",
    "Gorontalo", "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara",
    "Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya", "Papua Selatan",
    "Papua Tengah", "Papua Pegunungan",
)

HEADER = ("name", "kind", "code", "province")
KINDS = ("kementerian", "lembaga", "provinsi", "kabupaten", "kota", "lainnya")
REGIONAL_KINDS = ("provinsi", "kabupaten", "kota")
# Kinds listed before the rest in search results.
FIRST_KINDS = ("provinsi", "kementerian")
MIN_QUERY_LENGTH = 2

NAME_MAX = 200
CODE_MAX = 20
PROVINCE_MAX = 60
_PROVINCE_CODE = re.compile(r"\d{2}")
_REGENCY_CODE = re.compile(r"\d{2}\.\d{2}")


def default_path() -> pathlib.Path:
    """The reference list shipped with the package."""
    return pathlib.Path(__file__).resolve().parent.parent / "data" / "instansi.csv"


def name_key(name: str) -> str:
    """Lower-cased, whitespace-collapsed name: the case-insensitive unique key."""
    return " ".join(name.split()).lower()


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def read_instansi_csv(path: str | os.PathLike[str]) -> list[dict]:
    """Parse and validate a reference CSV.

    Returns one dict per row with ``name``, ``name_key``, ``kind``, ``code`` and
    ``province`` (``None`` when empty). Raises :class:`ValueError` naming the line of the
    first problem: a wrong header, a wrong number of fields, an empty or too long name,
    an unknown kind, a malformed code, a missing province for a regional government, or a
    name repeated (case-insensitively) within the file.
    """
    path = pathlib.Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return _parse(fh, path)
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    except csv.Error as err:
        raise ValueError(f"{path}: malformed CSV: {err}") from err


def _parse(fh: TextIO, path: pathlib.Path) -> list[dict]:
    reader = csv.reader(fh)
    rows: list[dict] = []
    seen: dict[str, int] = {}
    header_seen = False
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue  # blank line
        if not header_seen:
            got = tuple(f.strip().lower() for f in fields)
            if got != HEADER:
                raise ValueError(
                    f"{path}, line {line}: expected the header {','.join(HEADER)}, "
                    f"got {','.join(fields)}"
                )
            header_seen = True
            continue
        rows.append(_parse_row(fields, line, path, seen))
    if not header_seen:
        raise ValueError(f"{path}: empty file, expected the header {','.join(HEADER)}")
    return rows


def _parse_row(fields: list[str], line: int, path: pathlib.Path, seen: dict[str, int]) -> dict:
    def fail(message: str) -> ValueError:
        return ValueError(f"{path}, line {line}: {message}")

    if len(fields) != len(HEADER):
        raise fail(f"expected {len(HEADER)} fields ({','.join(HEADER)}), got {len(fields)}")
    name, kind, code, province = (_clean(f) for f in fields)
    kind = kind.lower()
    if not name:
        raise fail("empty name")
    if len(name) > NAME_MAX:
        raise fail(f"name longer than {NAME_MAX} characters")
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if len(code) > CODE_MAX:
        raise fail(f"code longer than {CODE_MAX} characters")
    if code and kind == "provinsi" and not _PROVINCE_CODE.fullmatch(code):
        raise fail(f"province code {code!r} is not two digits (e.g. 32)")
    if code and kind in ("kabupaten", "kota") and not _REGENCY_CODE.fullmatch(code):
        raise fail(f"kabupaten/kota code {code!r} is not of the form NN.NN (e.g. 32.04)")
    if len(province) > PROVINCE_MAX:
        raise fail(f"province longer than {PROVINCE_MAX} characters")
    if kind in REGIONAL_KINDS and not province:
        raise fail(f"a {kind} needs its province")
    key = name_key(name)
    if key in seen:
        raise fail(f"duplicate name {name!r} (first on line {seen[key]})")
    seen[key] = line
    return {
        "name": name,
        "name_key": key,
        "kind": kind,
        "code": code or None,
        "province": province or None,
    }


def load_instansi(path: str | os.PathLike[str] | None = None) -> tuple[int, int]:
    """Upsert the reference list into the ``instansi`` table; returns (inserted, updated).

    Rows are matched by ``name_key``. New names are inserted as reference rows; existing
    rows get the file's spelling, kind, code and province and become reference rows
    (including names first typed by participants). Rows not in the file are left alone.
    The whole file is validated before anything is written, so a malformed file changes
    nothing. Does not commit: the caller does.
    """
    rows = read_instansi_csv(path if path is not None else default_path())
    table = Instansi.__table__
    existing = {
        row.name_key: row
        for row in db.session.execute(
            select(table.c.id, table.c.name_key, table.c.name, table.c.kind, table.c.code,
                   table.c.province, table.c.is_reference)
        )
    }
    to_insert: list[dict] = []
    to_update: list[dict] = []
    for row in rows:
        wanted = {**row, "is_reference": True}
        current = existing.get(row["name_key"])
        if current is None:
            to_insert.append(wanted)  # created_at comes from the column default
            continue
        if any(getattr(current, field) != value for field, value in wanted.items()):
            to_update.append({"id": current.id, **wanted})
    if to_insert:
        db.session.execute(insert(table), to_insert)
    if to_update:
        # ORM bulk UPDATE by primary key: one executemany.
        db.session.execute(update(Instansi), to_update)
    return len(to_insert), len(to_update)


def search_instansi(query: str | None, limit: int = 20) -> list[str]:
    """Reference names containing every word of ``query``, in any order and letter case
    ("negara kepegawaian" finds Badan Kepegawaian Negara). The one agency search: the
    sign-up autocomplete (``/instansi/search``) answers with exactly this.

    Provinces and ministries come first, then everything else; alphabetical within each.
    A query shorter than two characters finds nothing (too broad to be useful).
    """
    words = search_words(query, max_length=100)
    if len(" ".join(words)) < MIN_QUERY_LENGTH or limit <= 0:
        return []
    stmt = (select(Instansi.name)
            .where(Instansi.is_reference.is_(True),
                   match_words(words, Instansi.name_key, lowered=True)))
    first = case((Instansi.kind.in_(FIRST_KINDS), 0), else_=1)
    stmt = stmt.order_by(first, Instansi.name_key).limit(limit)
    return list(db.session.scalars(stmt))
