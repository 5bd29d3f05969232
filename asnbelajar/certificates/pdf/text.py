"""Fonts and text fitting: face choice (built-in or DejaVu), cleaning, measuring,
shrinking, wrapping and truncating text to a width."""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

from ...util.pdftext import is_winansi
from .layout import (
    BOLD,
    ELLIPSIS,
    FONT_DIR,
    REGULAR,
    UNICODE_FONTS,
)


@cache
def _unicode_font(base: str) -> str:
    name, filename = UNICODE_FONTS[base]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    return name


@lru_cache(maxsize=1)
def _unicode_coverage() -> frozenset[int]:
    font = pdfmetrics.getFont(_unicode_font(REGULAR))
    return frozenset(font.face.charToGlyph)


@lru_cache(maxsize=16384)
def _font(text: str, base: str) -> str:
    """The built-in face when WinAnsi covers ``text``, else the DejaVu face."""
    return base if is_winansi(text) else _unicode_font(base)


@lru_cache(maxsize=8192)
def _clean(text: str | None) -> str:
    """Printable text, whitespace collapsed (measured text equals drawn text)."""
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    if is_winansi(text):
        return text
    covered = _unicode_coverage()
    out = []
    for char in text:
        if is_winansi(char) or (ord(char) < 0x10000 and ord(char) in covered):
            out.append(char)
        else:
            base = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in base if not unicodedata.combining(c)
                               and (is_winansi(c) or (ord(c) < 0x10000 and ord(c) in covered))))
    return " ".join("".join(out).split())


@lru_cache(maxsize=65536)
def _width(text: str, base: str, size: float) -> float:
    return stringWidth(text, _font(text, base), size)


def _truncate(text: str, base: str, size: float, max_width: float) -> str:
    if _width(text, base, size) <= max_width:
        return text
    while text and _width(text + ELLIPSIS, base, size) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _fit_size(text: str, base: str, max_size: float, min_size: float, max_width: float) -> float:
    width_at_one = _width(text, base, 1)
    if width_at_one <= 0:
        return max_size
    return max(min_size, min(max_size, max_width / width_at_one))


def _fit_lines(text: str, base: str, max_size: float, min_size: float, max_width: float,
               max_lines: int) -> tuple[list[str], float]:
    """Shrink, then wrap, then (only beyond ``max_lines`` at ``min_size``) truncate."""
    font = _font(text, base)
    if stringWidth(text, font, min_size) <= max_width:
        return [text], _fit_size(text, base, max_size, min_size, max_width)
    size = max_size
    while size >= min_size:
        lines = simpleSplit(text, font, size, max_width)
        if len(lines) <= max_lines and all(stringWidth(ln, font, size) <= max_width
                                           for ln in lines):
            return lines, size
        size -= 0.5
    size = min_size
    lines = simpleSplit(text, font, size, max_width)
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        kept[-1] = kept[-1] + " " + " ".join(lines[max_lines:])
    return [_truncate(line, base, size, max_width) for line in kept], size


def _wrap_chars(text: str, base: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """Wrap text without spaces (URLs, codes) at character boundaries."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and _width(current + char, base, size) > max_width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [_truncate("".join(lines[max_lines - 1:]), base, size,
                                                    max_width)]
    return lines


# A word is one or more fragments (text, bold): "($jp JP)" makes "(" + bold "2".
Word = tuple[tuple[tuple[str, bool], ...], float]  # fragments, width at the current size


def _words(runs: list[tuple[str, bool]]) -> list[tuple[tuple[str, bool], ...]]:
    words: list[list[tuple[str, bool]]] = [[]]
    for text, bold in runs:
        # Keep the run's edges: "sebagai " + "Peserta" are two words, "(" + "2" is one.
        body = _clean(text)
        text = (" " if text[:1].isspace() else "") + body + (
            " " if text[-1:].isspace() and body else "")
        parts = text.split(" ")
        for i, part in enumerate(parts):
            if i > 0 and words[-1]:
                words.append([])
            if part:
                words[-1].append((part, bold))
    return [tuple(word) for word in words if word]


def _wrap_runs(runs: list[tuple[str, bool]], size: float, max_width: float) -> list[list[Word]]:
    """Greedy word wrap of mixed regular/bold runs at ``size``."""
    space = stringWidth(" ", REGULAR, size)
    lines: list[list[Word]] = [[]]
    used = 0.0
    for fragments in _words(runs):
        width = sum(_width(t, BOLD if b else REGULAR, size) for t, b in fragments)
        extra = width + (space if lines[-1] else 0)
        if lines[-1] and used + extra > max_width:
            lines.append([])
            used, extra = 0.0, width
        lines[-1].append((fragments, width))
        used += extra
    return [line for line in lines if line]


def _line_width(line: list[Word], size: float) -> float:
    return sum(w for _, w in line) + stringWidth(" ", REGULAR, size) * (len(line) - 1)
