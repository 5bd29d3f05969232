"""The design layer's drawing primitives: centred text, mixed-weight lines, frame,
ornamental rules and the seal."""

from __future__ import annotations

import math

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ...util.pdftext import is_winansi
from .images import (
    _draw_image,
    _PreparedImage,
)
from .layout import (
    BOLD,
    CENTER_X,
    GOLD,
    INK,
    NAVY,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PAPER,
    REGULAR,
)
from .text import (
    Word,
    _font,
    _line_width,
)


def _draw_centered(c: Canvas, text: str, y: float, base: str, size: float,
                   color: Color = INK, x: float = CENTER_X, char_space: float = 0.0) -> None:
    font = _font(text, base)
    c.setFillColor(color)
    if not char_space:
        c.setFont(font, size)
        c.drawCentredString(x, y, text)
        return
    width = stringWidth(text, font, size) + char_space * (len(text) - 1)
    t = c.beginText(x - width / 2, y)
    t.setFont(font, size)
    t.setCharSpace(char_space)
    t.textOut(text)
    t.setCharSpace(0)  # Tc is part of the text state and would leak into later text.
    c.drawText(t)


def _draw_runs_line(c: Canvas, line: list[Word], y: float, size: float, color: Color) -> None:
    """One centred line of mixed regular/bold words."""
    x = CENTER_X - _line_width(line, size) / 2
    t = c.beginText(x, y)
    t.setFillColor(color)
    for i, (fragments, _w) in enumerate(line):
        if i:
            t.setFont(REGULAR, size)
            t.textOut(" ")
        for text, bold in fragments:
            t.setFont(_font(text, BOLD if bold else REGULAR), size)
            t.textOut(text)
    c.drawText(t)


def _diamond(c: Canvas, cx: float, cy: float, r: float) -> None:
    path = c.beginPath()
    path.moveTo(cx, cy + r)
    path.lineTo(cx + r, cy)
    path.lineTo(cx, cy - r)
    path.lineTo(cx - r, cy)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def _draw_frame(c: Canvas, background: _PreparedImage | None) -> None:
    if background is not None:
        _draw_image(c, background, 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
    else:
        c.setFillColor(PAPER)
        c.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
    c.setStrokeColor(NAVY)
    c.setLineWidth(5)
    c.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36, stroke=1, fill=0)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.6)
    c.rect(27, 27, PAGE_WIDTH - 54, PAGE_HEIGHT - 54, stroke=1, fill=0)
    c.setLineWidth(0.5)
    c.rect(31, 31, PAGE_WIDTH - 62, PAGE_HEIGHT - 62, stroke=1, fill=0)
    for cx, cy in ((29, 29), (PAGE_WIDTH - 29, 29), (29, PAGE_HEIGHT - 29),
                   (PAGE_WIDTH - 29, PAGE_HEIGHT - 29)):
        c.setFillColor(GOLD)
        _diamond(c, cx, cy, 9)
        c.setFillColor(NAVY)
        c.circle(cx, cy, 2.2, stroke=0, fill=1)


def _ornamental_rule(c: Canvas, y: float, half_width: float, gap: float = 0.0) -> None:
    c.setStrokeColor(GOLD)
    c.setFillColor(GOLD)
    c.setLineWidth(0.8)
    if gap:
        c.line(CENTER_X - gap - half_width, y, CENTER_X - gap, y)
        c.line(CENTER_X + gap, y, CENTER_X + gap + half_width, y)
        for sign in (-1, 1):
            c.circle(CENTER_X + sign * gap, y, 1.6, stroke=0, fill=1)
        return
    c.line(CENTER_X - half_width, y, CENTER_X - 6, y)
    c.line(CENTER_X + 6, y, CENTER_X + half_width, y)
    _diamond(c, CENTER_X, y, 3.5)


def _star_path(c: Canvas, cx: float, cy: float, outer: float, inner: float, points: int = 5):
    path = c.beginPath()
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / points
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    return path


def _draw_seal(c: Canvas, label: str, cx: float, cy: float, r: float) -> None:
    """Gold medallion with the program name set around the ring (decorative only)."""
    c.setFillColor(PAPER)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.8)
    c.circle(cx, cy, r, stroke=1, fill=1)
    c.setLineWidth(0.6)
    c.circle(cx, cy, r - 3.5, stroke=1, fill=0)
    c.circle(cx, cy, r - 15, stroke=1, fill=0)
    c.setFillColor(GOLD)
    c.drawPath(_star_path(c, cx, cy, r * 0.36, r * 0.15), stroke=0, fill=1)

    label = (label if is_winansi(label) else "") or "SERTIFIKAT"
    ring = f"{label} \u2022 SERTIFIKAT \u2022 "
    size = 6.2
    text_radius = r - 11.5
    circumference = 2 * math.pi * text_radius
    width = stringWidth(ring, BOLD, size)
    if width > circumference:
        ring = "SERTIFIKAT \u2022 "
        width = stringWidth(ring, BOLD, size)
    ring = ring * max(1, int(circumference // width))
    width = stringWidth(ring, BOLD, size)
    spacing = (circumference - width) / len(ring)
    first = ring.split(" \u2022 ")[0]
    angle = math.pi / 2 + (stringWidth(first, BOLD, size) + spacing * len(first)) / 2 / text_radius
    c.setFillColor(GOLD)
    c.setFont(BOLD, size)
    for char in ring:
        char_width = stringWidth(char, BOLD, size)
        angle -= (char_width / 2) / text_radius
        c.saveState()
        c.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
        c.rotate(math.degrees(angle) - 90)
        c.drawCentredString(0, 0, char)
        c.restoreState()
        angle -= (char_width / 2 + spacing) / text_radius
