"""Render one verifiable certificate as a single A4-landscape PDF page.

This module is pure layout: it receives a fully formatted :class:`CertificateDocument`
(numbers, dates and names already decided by the certificate service) and returns PDF
bytes. It has no database or Flask dependency so it can be unit-tested and reused by
batch jobs.

Design choices:

* Only reportlab's built-in Type 1 fonts (Helvetica family) are used, so no font files
  need to ship with the app. Every piece of variable text is measured with
  :func:`reportlab.pdfbase.pdfmetrics.stringWidth` and shrinks, wraps or (as a last
  resort) is shortened with an ellipsis so that it never overflows the frame and the
  certificate always stays one page.
* The QR code (``segno``, error correction M or better, 4-module quiet zone) is
  embedded as a crisp 1-bit PNG with many pixels per module, so it stays sharp in print
  and can be extracted and decoded in tests without a PDF rasterizer.
* The canvas is created with ``invariant=1``: the same document renders to the same
  bytes, which keeps re-issued certificates identical and tests stable.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

__all__ = ["CertificateDocument", "format_nip", "render_certificate_pdf"]

KINDS = ("participant", "speaker")

# --- palette -----------------------------------------------------------------------------
NAVY = HexColor("#16264A")
GOLD = HexColor("#B38B2D")
GOLD_LIGHT = HexColor("#E6D3A3")
INK = HexColor("#1F2937")
MUTED = HexColor("#5B6475")
PAPER = HexColor("#FFFEFA")

# --- fonts (reportlab built-ins, WinAnsi encoded) ---------------------------------------
REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
BOLD_ITALIC = "Helvetica-BoldOblique"

ELLIPSIS = "\u2026"

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTER_X = PAGE_WIDTH / 2
# Width available to centred body text (inside the frame, with generous margins).
BODY_WIDTH = 640.0

# QR code geometry: drawn size on the page (quiet zone included) and PNG pixels/module.
QR_SIZE = 96.0
QR_PIXELS_PER_MODULE = 10
QR_QUIET_ZONE = 4


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate, already formatted for display."""

    kind: str  # "participant" or "speaker"
    number: str  # e.g. "00012/ASNB/41/II/2024"
    verification_code: str  # random url-safe string
    verify_url: str  # the QR code encodes exactly this URL
    name: str  # recipient with academic titles
    nip: str | None  # 18 digits, or None for non-ASN recipients
    instansi: str | None
    role: str | None  # speakers: "Narasumber" / "Moderator" / "Keynote Speaker"
    program_name: str  # "ASN Belajar"
    episode_label: str  # "Seri 41 Tahun 2024"
    episode_title: str
    held_on: str  # e.g. "Kamis, 22 Februari 2024"
    jp: int | None  # learning hours; None for speaker certificates
    issuer: str  # organisation line, e.g. "BPSDM Provinsi Jawa Barat"
    signer_name: str
    signer_title: str
    issued_on: str  # e.g. "22 Februari 2024"


# --- text helpers ------------------------------------------------------------------------


def format_nip(nip: str) -> str:
    """Group an 18-digit NIP as printed on official documents.

    ``"198503122010011001"`` becomes ``"19850312 201001 1 001"`` (birth date, TMT,
    gender, sequence). Anything that is not exactly 18 digits is returned trimmed but
    otherwise untouched, so unusual data is shown rather than silently mangled.
    """
    digits = re.sub(r"\s+", "", nip)
    if len(digits) == 18 and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return nip.strip()


def _encodable(char: str) -> bool:
    """Whether the built-in fonts (WinAnsi / cp1252 encoding) have a glyph for ``char``."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _printable(char: str) -> str:
    """``char`` if the built-in fonts can show it, else its accent-free base letter(s).

    Anything outside WinAnsi would print as a black box: "ễ" becomes "e", "Ā" becomes
    "A", and symbols without a Latin base (emoji, CJK) are dropped.
    """
    if _encodable(char):
        return char
    base = unicodedata.normalize("NFKD", char)
    return "".join(ch for ch in base if not unicodedata.combining(ch) and _encodable(ch))


def _clean(text: str | None) -> str:
    """Printable text with whitespace collapsed, so measured text matches drawn text."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join("".join(_printable(ch) for ch in text).split())


def _truncate(text: str, font: str, size: float, max_width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``max_width``."""
    if stringWidth(text, font, size) <= max_width:
        return text
    while text and stringWidth(text + ELLIPSIS, font, size) > max_width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _fit_size(text: str, font: str, max_size: float, min_size: float, max_width: float) -> float:
    """Largest font size in ``[min_size, max_size]`` at which ``text`` fits on one line."""
    width_at_one = stringWidth(text, font, 1)
    if width_at_one <= 0:
        return max_size
    return max(min_size, min(max_size, max_width / width_at_one))


def _fit_lines(
    text: str,
    font: str,
    max_size: float,
    min_size: float,
    max_width: float,
    max_lines: int,
) -> tuple[list[str], float]:
    """Shrink, then wrap, then truncate ``text`` so it fits in ``max_lines`` lines.

    Prefers a single line at the largest possible size; wraps only when the single line
    would drop below ``min_size``; truncates the last line only if even ``max_lines``
    lines at ``min_size`` cannot hold the text.
    """
    if stringWidth(text, font, min_size) <= max_width:
        return [text], _fit_size(text, font, max_size, min_size, max_width)
    size = max_size
    while size >= min_size:
        lines = simpleSplit(text, font, size, max_width)
        if len(lines) <= max_lines and all(
            stringWidth(line, font, size) <= max_width for line in lines
        ):
            return lines, size
        size -= 0.5
    size = min_size
    lines = simpleSplit(text, font, size, max_width)
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        kept[-1] = kept[-1] + " " + " ".join(lines[max_lines:])
    kept = [_truncate(line, font, size, max_width) for line in kept]
    return kept, size


def _wrap_chars(text: str, font: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """Wrap text without spaces (URLs, codes) at character boundaries."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and stringWidth(current + char, font, size) > max_width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [
            _truncate("".join(lines[max_lines - 1 :]), font, size, max_width)
        ]
    return lines


# --- drawing helpers ---------------------------------------------------------------------


def _draw_centered(
    c: Canvas,
    text: str,
    y: float,
    font: str,
    size: float,
    color: Color = INK,
    x: float = CENTER_X,
    char_space: float = 0.0,
) -> None:
    """Draw one line centred on ``x``; ``char_space`` adds tracking for display titles."""
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
    t.setCharSpace(0)  # Tc is part of the PDF text state and would leak into later text.
    c.drawText(t)


def _draw_frame(c: Canvas) -> None:
    """Paper tint, double navy/gold border and small corner ornaments."""
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

    # Gold diamonds sitting on the corners of the gold frame.
    for cx, cy in (
        (29, 29),
        (PAGE_WIDTH - 29, 29),
        (29, PAGE_HEIGHT - 29),
        (PAGE_WIDTH - 29, PAGE_HEIGHT - 29),
    ):
        path = c.beginPath()
        path.moveTo(cx, cy + 9)
        path.lineTo(cx + 9, cy)
        path.lineTo(cx, cy - 9)
        path.lineTo(cx - 9, cy)
        path.close()
        c.setFillColor(GOLD)
        c.setStrokeColor(PAPER)
        c.setLineWidth(1.5)
        c.drawPath(path, stroke=1, fill=1)
        c.setFillColor(NAVY)
        c.circle(cx, cy, 2.2, stroke=0, fill=1)


def _draw_ornamental_rule(c: Canvas, y: float, half_width: float, gap: float = 0.0) -> None:
    """Thin gold rule with a centre diamond (or a gap for text when ``gap`` > 0)."""
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    if gap:
        c.line(CENTER_X - gap - half_width, y, CENTER_X - gap, y)
        c.line(CENTER_X + gap, y, CENTER_X + gap + half_width, y)
        for sign in (-1, 1):
            dx = CENTER_X + sign * gap
            c.setFillColor(GOLD)
            c.circle(dx, y, 1.6, stroke=0, fill=1)
        return
    c.line(CENTER_X - half_width, y, CENTER_X - 6, y)
    c.line(CENTER_X + 6, y, CENTER_X + half_width, y)
    path = c.beginPath()
    path.moveTo(CENTER_X, y + 3.5)
    path.lineTo(CENTER_X + 3.5, y)
    path.lineTo(CENTER_X, y - 3.5)
    path.lineTo(CENTER_X - 3.5, y)
    path.close()
    c.setFillColor(GOLD)
    c.drawPath(path, stroke=0, fill=1)


def _qr_png(data: str) -> bytes:
    """QR code PNG: error correction M or better, 4-module quiet zone, crisp pixels."""
    qr = segno.make(data, error="m", boost_error=True, micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=QR_PIXELS_PER_MODULE, border=QR_QUIET_ZONE)
    return buf.getvalue()


# --- page sections -----------------------------------------------------------------------


def _draw_header(c: Canvas, doc: CertificateDocument) -> float:
    """Issuer, program name, "SERTIFIKAT" and number; returns the y below the header."""
    issuer = _clean(doc.issuer).upper()
    size = _fit_size(issuer, BOLD, 12, 7, BODY_WIDTH)
    issuer = _truncate(issuer, BOLD, size, BODY_WIDTH)
    _draw_centered(c, issuer, 530, BOLD, size, NAVY, char_space=1.2 if size >= 10 else 0)

    program = _clean(doc.program_name).upper()
    size = _fit_size(program, BOLD, 15, 8, BODY_WIDTH - 160)
    program = _truncate(program, BOLD, size, BODY_WIDTH - 160)
    spacing = 3.0 if size >= 12 else 0.0
    _draw_centered(c, program, 507, BOLD, size, GOLD, char_space=spacing)
    program_width = stringWidth(program, BOLD, size) + spacing * max(len(program) - 1, 0)
    _draw_ornamental_rule(c, 507 + size * 0.33, 70, gap=program_width / 2 + 14)

    _draw_centered(c, "SERTIFIKAT", 452, BOLD, 46, NAVY, char_space=9)
    number = _truncate(f"Nomor: {_clean(doc.number)}", REGULAR, 11.5, BODY_WIDTH)
    _draw_centered(c, number, 432, REGULAR, 11.5, MUTED)
    return 418


def _activity_paragraph(doc: CertificateDocument, title: str, size: float) -> Paragraph:
    """The "pada kegiatan <program> <label>: <title>" sentence with bold emphasis."""
    program = escape(f"{_clean(doc.program_name)} {_clean(doc.episode_label)}".strip())
    markup = f"pada kegiatan <b>{program}: {escape(title)}</b>"
    style = ParagraphStyle(
        "activity",
        fontName=REGULAR,
        fontSize=size,
        leading=size * 1.3,
        alignment=TA_CENTER,
        textColor=INK,
    )
    return Paragraph(markup, style)


def _fit_activity(
    doc: CertificateDocument, scale: float = 1.0, max_lines: int = 3
) -> tuple[Paragraph, float]:
    """Shrink the activity sentence, then shorten the title, until it fits ``max_lines``."""
    title = _clean(doc.episode_title)
    max_size, min_size = 13.0 * scale, 9.0
    size = max_size
    while True:
        para = _activity_paragraph(doc, title, size)
        _, height = para.wrap(BODY_WIDTH, 1000)
        if height <= max_lines * size * 1.3 + 0.1:
            return para, height
        if size > min_size:
            size -= 0.5
            continue
        # Still too long at the minimum size: drop words from the title.
        words = title.rstrip(ELLIPSIS).split()
        if len(words) <= 1:
            title = _truncate(title, BOLD, size, BODY_WIDTH / 2)
            para = _activity_paragraph(doc, title, size)
            _, height = para.wrap(BODY_WIDTH, 1000)
            return para, height
        title = " ".join(words[:-1]) + ELLIPSIS


Block = tuple[float, Callable[[float], None]]  # (height, draw at bottom y)


def _layout_body(c: Canvas, doc: CertificateDocument, scale: float) -> list[Block]:
    """Measure the recipient/activity block at ``scale`` (1.0 = nominal type sizes).

    Returns stacked blocks, top to bottom; nothing is drawn until the callers run them.
    """
    blocks: list[Block] = []

    def add(height: float, draw: Callable[[float], None]) -> None:
        blocks.append((height, draw))

    def line(text: str, font: str, size: float, color: Color = INK) -> None:
        add(size * 1.45, lambda y: _draw_centered(c, text, y + size * 0.35, font, size, color))

    def centred_paragraph(markup: str, size: float, leading: float, pad: float) -> None:
        style = ParagraphStyle(
            "body",
            fontName=REGULAR,
            fontSize=size,
            leading=leading,
            alignment=TA_CENTER,
            textColor=INK,
        )
        para = Paragraph(markup, style)
        _, height = para.wrap(BODY_WIDTH, 1000)
        add(height + pad, lambda y: para.drawOn(c, CENTER_X - BODY_WIDTH / 2, y))

    line("diberikan kepada", ITALIC, 13 * scale, MUTED)

    # One line from 30 down to 20 pt; longer names wrap (truncated only beyond 3 lines).
    name = _clean(doc.name)
    if stringWidth(name, BOLD, 20 * scale) <= BODY_WIDTH:
        name_lines = [name]
        name_size = _fit_size(name, BOLD, 30 * scale, 20 * scale, BODY_WIDTH)
    else:
        name_lines, name_size = _fit_lines(name, BOLD, 22 * scale, 11, BODY_WIDTH, 2)
        if " ".join(name_lines) != name:
            name_lines, name_size = _fit_lines(name, BOLD, 11, 9, BODY_WIDTH, 3)
    name_leading = name_size * 1.2
    name_height = name_leading * len(name_lines) + 4

    def draw_name(y: float) -> None:
        first = y + name_height - name_size * 1.05
        for i, text in enumerate(name_lines):
            _draw_centered(c, text, first - i * name_leading, BOLD, name_size, NAVY)

    add(name_height, draw_name)
    add(12 * scale, lambda y: _draw_ornamental_rule(c, y + 6 * scale, 170))

    if doc.nip:
        line(f"NIP. {_clean(format_nip(doc.nip))}", REGULAR, 11.5 * scale)
    if doc.instansi:
        lines, size = _fit_lines(
            _clean(doc.instansi), REGULAR, 11.5 * scale, 10 * scale, BODY_WIDTH, 2
        )
        for text in lines:
            line(text, REGULAR, size)

    add(8 * scale, lambda y: None)
    role = "Peserta" if doc.kind == "participant" else (_clean(doc.role) or "Narasumber")
    centred_paragraph(f"sebagai <b>{escape(role)}</b>", 13 * scale, 16 * scale, 3 * scale)

    activity, activity_height = _fit_activity(doc, scale)
    add(activity_height + 3 * scale, lambda y: activity.drawOn(c, CENTER_X - BODY_WIDTH / 2, y))

    held_size = 12 * scale
    held_on = _truncate(
        f"yang diselenggarakan pada {_clean(doc.held_on)}", REGULAR, held_size, BODY_WIDTH
    )
    line(held_on, REGULAR, held_size)

    if doc.kind == "participant" and doc.jp is not None:
        centred_paragraph(
            f"dengan bobot <b>{int(doc.jp)} Jam Pelajaran (JP)</b>",
            12 * scale,
            15 * scale,
            2 * scale,
        )
    return blocks


def _draw_body(c: Canvas, doc: CertificateDocument, top: float, bottom: float) -> None:
    """Recipient and activity block, vertically centred between ``top`` and ``bottom``.

    Extreme content (very long names, institutions and titles together) is first
    shrunk by up to 25 % as a whole so the block never runs into the signature area.
    """
    available = top - bottom
    for step in range(11):
        scale = 1.0 - step * 0.025
        blocks = _layout_body(c, doc, scale)
        total = sum(height for height, _ in blocks)
        if total <= available:
            break
    y = top - max(0.0, (available - total) / 2)
    for height, draw in blocks:
        y -= height
        draw(y)


def _draw_signature(c: Canvas, doc: CertificateDocument) -> None:
    """Right-hand signature block: issue date, signer title, signing space, signer name."""
    x = PAGE_WIDTH - 195
    width = 250.0
    top = 176.0
    c.setFillColor(INK)
    issued = _truncate(f"Diterbitkan pada {_clean(doc.issued_on)}", REGULAR, 11, width)
    _draw_centered(c, issued, top, REGULAR, 11, INK, x=x)

    title_lines, title_size = _fit_lines(_clean(doc.signer_title), BOLD, 11, 8.5, width, 3)
    y = top - 15
    for text in title_lines:
        _draw_centered(c, text, y, BOLD, title_size, NAVY, x=x)
        y -= title_size * 1.25

    name = _clean(doc.signer_name)
    name_size = _fit_size(name, BOLD, 12, 8, width)
    name = _truncate(name, BOLD, name_size, width)
    name_y = 62.0
    _draw_centered(c, name, name_y, BOLD, name_size, INK, x=x)
    name_width = stringWidth(name, BOLD, name_size)
    c.setStrokeColor(INK)
    c.setLineWidth(0.7)
    c.line(x - name_width / 2, name_y - 3, x + name_width / 2, name_y - 3)


def _star_path(c: Canvas, cx: float, cy: float, outer: float, inner: float, points: int = 5):
    """Closed path of a regular star centred on (cx, cy), one point straight up."""
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


def _draw_seal(c: Canvas, doc: CertificateDocument, cx: float, cy: float, r: float) -> None:
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

    label = _clean(doc.program_name).upper() or "SERTIFIKAT"
    ring = f"{label} \u2022 SERTIFIKAT \u2022 "
    size = 6.2
    text_radius = r - 11.5
    circumference = 2 * math.pi * text_radius
    width = stringWidth(ring, BOLD, size)
    if width > circumference:
        ring = "SERTIFIKAT \u2022 "
        width = stringWidth(ring, BOLD, size)
    repeats = max(1, int(circumference // width))
    ring = ring * repeats
    width = stringWidth(ring, BOLD, size)
    spacing = (circumference - width) / len(ring)
    # Centre the first label on top of the medallion, then run clockwise.
    first = ring.split(" \u2022 ")[0]
    angle = math.pi / 2 + (stringWidth(first, BOLD, size) + spacing * len(first)) / 2 / text_radius
    c.setFillColor(GOLD)
    for char in ring:
        char_width = stringWidth(char, BOLD, size)
        angle -= (char_width / 2) / text_radius
        c.saveState()
        c.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
        c.rotate(math.degrees(angle) - 90)
        c.setFont(BOLD, size)
        c.drawCentredString(0, 0, char)
        c.restoreState()
        angle -= (char_width / 2 + spacing) / text_radius


def _draw_verification(c: Canvas, doc: CertificateDocument) -> None:
    """Bottom-left QR code with its caption, verification code and URL."""
    x, y = 52.0, 46.0
    png = _qr_png(doc.verify_url)
    # White backing so the quiet zone stays white on the tinted paper.
    c.setFillColor(white)
    c.rect(x, y, QR_SIZE, QR_SIZE, stroke=0, fill=1)
    c.drawImage(ImageReader(io.BytesIO(png)), x, y, QR_SIZE, QR_SIZE)
    c.setStrokeColor(GOLD_LIGHT)
    c.setLineWidth(0.6)
    c.rect(x - 0.3, y - 0.3, QR_SIZE + 0.6, QR_SIZE + 0.6, stroke=1, fill=0)

    tx = x + QR_SIZE + 10
    text_width = 215.0
    ty = y + QR_SIZE - 18
    c.setFillColor(NAVY)
    c.setFont(BOLD, 9.5)
    c.drawString(tx, ty, "Pindai untuk verifikasi")
    ty -= 14
    c.setFillColor(MUTED)
    c.setFont(REGULAR, 7.5)
    c.drawString(tx, ty, "Kode verifikasi:")
    ty -= 10
    c.setFillColor(INK)
    for text in _wrap_chars(_clean(doc.verification_code), "Courier", 8, text_width, 2):
        c.setFont("Courier", 8)
        c.drawString(tx, ty, text)
        ty -= 10
    ty -= 3
    c.setFillColor(MUTED)
    for text in _wrap_chars(_clean(doc.verify_url), REGULAR, 7, text_width, 3):
        c.setFont(REGULAR, 7)
        c.drawString(tx, ty, text)
        ty -= 9


# --- public API --------------------------------------------------------------------------


def render_certificate_pdf(doc: CertificateDocument) -> bytes:
    """Render ``doc`` as a one-page A4-landscape PDF and return its bytes.

    Raises ``ValueError`` for an unknown ``kind``. Output is deterministic for a given
    document (reportlab ``invariant`` mode, no timestamps or random ids).
    """
    if doc.kind not in KINDS:
        raise ValueError(f"unknown certificate kind {doc.kind!r}; expected one of {KINDS}")

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    c.setTitle(f"Sertifikat {_clean(doc.number)}")
    c.setAuthor(_clean(doc.issuer))
    c.setSubject(
        f"Sertifikat {_clean(doc.program_name)} {_clean(doc.episode_label)}: "
        f"{_clean(doc.episode_title)}"
    )
    c.setCreator(_clean(doc.program_name) or "ASN Belajar")
    c.setKeywords(["sertifikat", _clean(doc.number), _clean(doc.verification_code)])

    _draw_frame(c)
    header_bottom = _draw_header(c, doc)
    _draw_body(c, doc, top=header_bottom, bottom=196)
    _draw_seal(c, doc, CENTER_X, 100, 38)
    _draw_signature(c, doc)
    _draw_verification(c, doc)

    c.showPage()
    c.save()
    return buf.getvalue()
