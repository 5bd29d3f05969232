"""Uploaded text files (CSV): one decoder and one delimiter sniffer for every importer.

Organizers upload what Excel and Zoom write: UTF-8 with or without a BOM, UTF-16 ("Unicode
text" from Excel, Zoom's exports on some Windows machines) and, from Excel's plain
"CSV (Comma delimited)" on Windows, cp1252. Framework-free: callers word the error for
their users from :class:`TextFileError`'s ``reason`` and ``line``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["DecodedText", "TextFileError", "decode_upload", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t")

# Formats that are surely not text: ZIP (XLSX, DOCX), OLE2 (XLS), PDF, PNG, JPEG, GZIP.
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff",
                 b"\x1f\x8b")


class TextFileError(ValueError):
    """The upload is not a text file this platform can read.

    ``reason`` is ``"binary"`` (a spreadsheet, PDF, image or random bytes) or
    ``"encoding"`` (text in no encoding we accept); ``line`` is the 1-based line of the
    first undecodable byte when known.
    """

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(f"{reason} (line {line})" if line else reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be" or "cp1252"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a BOM: ASCII text then has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:2048]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.6 and even == 0:
        encoding = "utf-16-le"
    elif even > half * 0.6 and odd == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding), encoding  # type: ignore[return-value]
    except UnicodeDecodeError:
        return None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\x0c")
    return bool(sample) and controls / len(sample) > 0.05


def decode_upload(data: bytes) -> DecodedText:
    """Decode an uploaded text file.

    Order: a UTF-16 or UTF-8 byte-order mark decides; otherwise UTF-8, then UTF-16 without
    a BOM (recognised by its NUL bytes), then cp1252. Raises :class:`TextFileError` for a
    binary file or bytes no accepted encoding can read.
    """
    if data.startswith(_BINARY_MAGIC):
        raise TextFileError("binary")
    text: str | None = None
    encoding = ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise TextFileError("encoding") from None
        text = text.lstrip("\ufeff")
    elif data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8):]
        try:
            text, encoding = body.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise TextFileError("encoding", body[:err.start].count(b"\n") + 1) from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            found = _utf16_without_bom(data)
            if found is not None:
                text, encoding = found
            elif b"\x00" in data:
                raise TextFileError("binary") from None
            else:
                try:
                    text, encoding = data.decode("cp1252"), "cp1252"
                except UnicodeDecodeError as err:
                    raise TextFileError("encoding",
                                        data[:err.start].count(b"\n") + 1) from None
        if "\x00" in text:
            found = _utf16_without_bom(data)
            if found is not None:
                text, encoding = found
    if _looks_binary(text):
        raise TextFileError("binary")
    return DecodedText(text=text, encoding=encoding)


def sniff_delimiter(text: str, candidates: tuple[str, ...] = DELIMITERS,
                    lines: int = 30) -> str:
    """The field delimiter of a CSV text: ``,`` unless another one splits the first
    non-empty lines more consistently.

    Excel with Indonesian regional settings writes ``;`` (the decimal mark is ``,``);
    "Unicode text" exports use tabs. A delimiter counts on a line only outside double
    quotes, so a quoted "Sitorus, Benny" does not vote for the comma. The winner is the
    delimiter present on the most of the sampled lines, then with the most fields on the
    first line; a tie goes to the earlier candidate.
    """
    sample: list[str] = []
    in_quotes = False
    current: list[str] = []
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
            continue
        if ch in "\r\n" and not in_quotes:
            line = "".join(current)
            current = []
            if line.strip():
                sample.append(line)
                if len(sample) >= lines:
                    break
            continue
        current.append(ch)
    if current and "".join(current).strip() and len(sample) < lines:
        sample.append("".join(current))
    if not sample:
        return candidates[0]
    best = candidates[0]
    best_score = (-1, -1)
    for delimiter in candidates:
        present = sum(1 for line in sample if delimiter in line)
        score = (present, sample[0].count(delimiter))
        if score > best_score:
            best, best_score = delimiter, score
    return best if best_score[0] > 0 else candidates[0]
