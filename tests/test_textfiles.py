"""One decoder and one delimiter sniffer for uploaded CSV files (Zoom reports and
registrant imports)."""

from __future__ import annotations

import codecs

import pytest

from asnbelajar.util.textfiles import TextFileError, decode_upload, sniff_delimiter

TEXT = "Nama,Email\r\nJosé Sitompul,jose@example.go.id\r\n"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("utf-16-le"), "utf-16-le"),
    (TEXT.encode("utf-16-be"), "utf-16-be"),
    (TEXT.encode("cp1252"), "cp1252"),
])
def test_every_encoding_excel_and_zoom_write_is_read(data: bytes, encoding: str) -> None:
    decoded = decode_upload(data)
    assert decoded.text == TEXT
    assert decoded.encoding == encoding


def test_cp1252_punctuation_is_kept() -> None:
    assert decode_upload("“Seri 12” – Rp 5€".encode("cp1252")).text == "“Seri 12” – Rp 5€"


@pytest.mark.parametrize("data", [
    b"PK\x03\x04\x14\x00" + b"\x00" * 40, b"\xd0\xcf\x11\xe0" + b"\x00" * 40,
    b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", bytes(range(256)) * 4, b"a,b\x00\x00\x01\x02c",
])
def test_binary_files_are_refused(data: bytes) -> None:
    with pytest.raises(TextFileError) as info:
        decode_upload(data)
    assert info.value.reason == "binary"


def test_bytes_no_encoding_reads_name_their_line() -> None:
    with pytest.raises(TextFileError) as info:
        decode_upload(b"a,b\r\nc,d\r\nJos\x81,e\r\n")
    assert info.value.reason == "encoding"
    assert info.value.line == 3


def test_broken_utf8_after_a_bom_names_its_line() -> None:
    with pytest.raises(TextFileError) as info:
        decode_upload(codecs.BOM_UTF8 + b"a\nb\n\xff\xfe\xfd")
    assert info.value.line == 3


@pytest.mark.parametrize("text, delimiter", [
    ("a,b,c\n1,2,3\n", ","),
    ("nama;email;nip\nBudi;b@x.go.id;1\n", ";"),
    ("nama\temail\nBudi\tb@x.go.id\n", "\t"),
    # A quoted comma does not vote: the file is semicolon-separated.
    ('nama;email\n"Sitorus, Benny";b@x.go.id\n', ";"),
    # Decimal commas inside a semicolon file (Indonesian Excel).
    ("nama;durasi\nBudi;12,5\nSri;7,25\n", ";"),
    ("", ","),
    ("satu kolom\nsaja\n", ","),
])
def test_sniff_delimiter(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter
