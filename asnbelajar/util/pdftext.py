"""Text for reportlab's built-in PDF fonts (Helvetica, Courier: WinAnsi encoded).

One cleaner for every PDF the app draws (certificates, transcripts): a character the
built-in fonts cannot show would print as a black box, so it becomes its accent-free base
letter ("ễ" → "e", "Ā" → "A") or, without one (emoji, CJK), is dropped. Whitespace
collapses so that measured text equals drawn text.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from xml.sax.saxutils import escape

__all__ = ["is_winansi", "winansi_markup", "winansi_text"]


@lru_cache(maxsize=4096)
def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def is_winansi(text: str) -> bool:
    """Whether every character of ``text`` has a glyph in the built-in fonts."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _printable(char: str) -> str:
    if _encodable(char):
        return char
    base = unicodedata.normalize("NFKD", char)
    return "".join(ch for ch in base if not unicodedata.combining(ch) and _encodable(ch))


def winansi_text(text: str | None) -> str:
    """``text`` reduced to what the built-in fonts print, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    if not is_winansi(text):
        text = "".join(_printable(ch) for ch in text)
    return " ".join(text.split())


def winansi_markup(text: str | None) -> str:
    """:func:`winansi_text` made safe for a reportlab Paragraph (which reads a little XML)."""
    return escape(winansi_text(text))
