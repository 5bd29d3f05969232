"""The shared helpers in asnbelajar.util: spreadsheet cells, LIKE escaping, pages, forms."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from asnbelajar.accounts.models import User
from asnbelajar.util.spreadsheets import csv_bytes, iter_csv, iter_file, safe_cell, write_xlsx
from asnbelajar.util.sql import Page, escape_like, match_words, page_arg, paginate


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "1+1"), ("+62 812", "62 812"), ("-cmd", "cmd"), ("@SUM(A1)", "SUM(A1)"),
    ("\t=x", "x"), ("\r=x", "x"), (" = =x", "x"), ("a=b", "a=b"),
    ("baris\r\nkedua", "baris kedua"), ("kolom\tdua", "kolom dua"),
    (-2, -2), (8, 8), (1.5, 1.5), (None, ""), ("", ""), ("Budi", "Budi"),
    (datetime(2024, 2, 22, 13, 5), "2024-02-22 13:05"),
])
def test_safe_cell_strips_formula_prefixes_and_control_characters(value, expected):
    assert safe_cell(value) == expected


def test_csv_is_bom_utf8_and_no_text_cell_starts_a_formula():
    rows = [["Nama", "Jabatan"], ['=HYPERLINK("http://evil")', "-2+3"], ["Siti", 7]]
    body = csv_bytes(rows)
    assert body.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert parsed == [["Nama", "Jabatan"], ['HYPERLINK("http://evil")', "2+3"], ["Siti", "7"]]


def test_streamed_csv_comes_in_batches_with_the_header_first():
    chunks = list(iter_csv(["No", "Nama"], ([n, f"+{n}"] for n in range(5)), batch=2))
    assert chunks[0] == "\ufeffNo,Nama\r\n".encode()
    assert len(chunks) == 4  # header, 2 + 2 + 1 rows
    assert b"".join(chunks[1:]).decode() == "".join(f"{n},{n}\r\n" for n in range(5))


def test_xlsx_keeps_text_exactly_and_never_writes_a_formula():
    handle, size = write_xlsx(
        ["Nama", "WhatsApp", "Waktu"],
        [["=1+1", "+6281234567890", datetime(2024, 2, 22, 13, 0)], ["Siti", None, None]],
        sheet_name="Data", title="Uji")
    data = b"".join(iter_file(handle))
    assert len(data) == size and handle.closed
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]] == ["=1+1", "+6281234567890",
                                          datetime(2024, 2, 22, 13, 0)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_escape_like_takes_wildcards_literally(db, make_user):
    make_user(full_name="Diskon 100% Benar")
    make_user(full_name="Diskon 1000 Benar")
    make_user(full_name="a_b/c")
    make_user(full_name="axb/c")
    assert escape_like("5%_/") == "5/%/_//"

    def names(text):
        condition = match_words(text, User.full_name)
        return sorted(db.session.scalars(select(User.full_name).where(condition)))

    assert names("100%") == ["Diskon 100% Benar"]
    assert names("a_b/") == ["a_b/c"]
    assert names("benar DISKON") == ["Diskon 100% Benar", "Diskon 1000 Benar"]
    assert match_words("   ", User.full_name) is None


def test_pages_are_flask_sqlalchemy_paginations(db, make_user):
    for n in range(7):
        make_user(full_name=f"Orang {n}")
    stmt = select(User).order_by(User.id)
    second = paginate(stmt, page=2, per_page=3)
    assert [u.full_name for u in second.items] == ["Orang 3", "Orang 4", "Orang 5"]
    assert (second.total, second.pages, second.has_next, second.prev_num) == (7, 3, True, 1)
    past_end = paginate(stmt, page=9, per_page=3)
    assert past_end.items == [] and past_end.total == 7
    rows = paginate(select(User.id, User.full_name).order_by(User.id), page=3, per_page=3,
                    rows=True)
    assert [r.full_name for r in rows.items] == ["Orang 6"] and rows.total == 7
    fetched = Page(["x", "y"], page=2, per_page=2, total=5)
    assert (fetched.items, fetched.pages, list(fetched.iter_pages())) == (
        ["x", "y"], 3, [1, 2, 3])


@pytest.mark.parametrize(("args", "expected"), [
    ({}, 1), ({"page": "3"}, 3), ({"page": "0"}, 1), ({"page": "-2"}, 1), ({"page": "x"}, 1),
])
def test_page_arg(args, expected):
    assert page_arg(args) == expected


def test_builtin_form_messages_are_indonesian_unless_english_was_chosen(client):
    html = client.post("/login", data={"login": "", "password": ""}).get_data(as_text=True)
    assert "Wajib diisi." in html
    assert "This field is required." not in html
    for url in ("/signup", "/forgot-password"):
        html = client.post(url, data={}).get_data(as_text=True)
        assert "Wajib diisi." in html and "This field is required." not in html, url
    client.post("/language", data={"lang": "en"})
    html = client.post("/login", data={"login": "", "password": ""}).get_data(as_text=True)
    assert "This field is required." in html
