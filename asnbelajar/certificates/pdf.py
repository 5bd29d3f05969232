"""Render verifiable certificates as A4-landscape PDF pages, fast and in bulk.

This module is pure layout: it receives a :class:`CertificateDesign` (what every
certificate of an episode shares: logo, background, signature image, issuer lines,
wording) and fully formatted :class:`CertificateDocument` values (names, numbers and dates
already decided by the certificate service) and returns PDF bytes. It has no database or
Flask dependency so batch jobs, the CLI and tests use it directly.

Why it is fast (BPSDM issues thousands of certificates per episode):

* A :class:`CertificateRenderer` prepares once per design what every page shares: the
  images are decoded and compressed once into image XObjects, and the static drawing
  (paper, frame, seal, logo, issuer lines, signature image, fixed captions) is recorded
  once as PDF operators. Each document then holds that drawing as one form XObject; a
  merged PDF for printing holds it once and every page refers to it.
* The QR code is drawn as vector modules (one rectangle per run of dark modules) straight
  onto the page with a fixed mask, so there is no PNG round trip and no mask search.
* Text is set with reportlab's canvas calls (no platypus), measured with the C
  accelerator (``rl_accel``) when it is installed.

Fonts: the built-in Helvetica family for text that WinAnsi covers (no font file embedded:
small and fast); any run holding other characters (``ễ``, ``Ā``, ``ş`` in Indonesian names)
is set in DejaVu Sans, shipped in ``static/fonts`` and embedded as a subset, so every name
prints as written and stays real, copyable text. Characters neither font has (emoji) are
dropped rather than printed as boxes.

The canvas is created with ``invariant=1``: the same input renders to the same bytes.
"""

from __future__ import annotations

import copy
import io
import math
import string
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import BinaryIO

import pypdfium2
import segno
from PIL import Image
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..accounts.nip import format_nip
from ..util.pdftext import is_winansi

__all__ = [
    "PLACEHOLDERS",
    "CertificateDesign",
    "CertificateDocument",
    "CertificateRenderer",
    "first_page_png",
    "format_nip",
    "IMAGE_BOXES",
    "prepare_image",
    "render_certificate_pdf",
    "wording_errors",
]

KINDS = ("participant", "speaker")

# --- palette -----------------------------------------------------------------------------
NAVY = HexColor("#16264A")
GOLD = HexColor("#B38B2D")
GOLD_LIGHT = HexColor("#E6D3A3")
INK = HexColor("#1F2937")
MUTED = HexColor("#5B6475")
PAPER = HexColor("#FFFEFA")
REVOKED_RED = HexColor("#B91C1C")

# --- fonts ---------------------------------------------------------------------------------
REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
MONO_BOLD = "Courier-Bold"
FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
UNICODE_FONTS = {  # built-in face -> DejaVu face with the same weight/slant
    REGULAR: ("DejaVuSans", "DejaVuSans.ttf"),
    BOLD: ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf"),
    ITALIC: ("DejaVuSans-Oblique", "DejaVuSans-Oblique.ttf"),
    MONO_BOLD: ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf"),
}
# Registered in this order at the start of every document, so the internal names (/F1,
# /F2, ...) in the recorded static drawing match in every document.
BUILTIN_FONTS = (REGULAR, BOLD, ITALIC, MONO_BOLD)

ELLIPSIS = "\u2026"

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTER_X = PAGE_WIDTH / 2
BODY_WIDTH = 640.0  # width available to centred body text

QR_SIZE = 96.0  # drawn size on the page, quiet zone included
QR_QUIET_ZONE = 4
# A fixed data mask: every mask decodes; picking the "best" of eight costs 5x the time
# of encoding once. Mask 1 (horizontal stripes) decodes with zbar at 150 dpi for every
# URL length the app produces (tests/test_certificate_pdf.py).
QR_MASK = 1

STATIC_FORM = "certificate-static"

# --- wording -------------------------------------------------------------------------------
# Organizers edit the wording; these placeholders are the only thing substituted. Values
# are set in bold. No template code: an unknown placeholder is refused when saved.
PLACEHOLDERS = {
    "nama": "nama penerima",
    "peran": "Peserta, Narasumber, Moderator, ...",
    "kegiatan": "program, seri dan judul episode",
    "program": "nama program",
    "seri": "mis. Seri 41 Tahun 2024",
    "judul": "judul episode",
    "tanggal": "hari dan tanggal pelaksanaan",
    "jp": "jam pelajaran",
    "instansi": "instansi penerima",
    "nomor": "nomor sertifikat",
}
DEFAULT_PARTICIPANT_WORDING = (
    "sebagai $peran\n"
    "pada kegiatan $kegiatan\n"
    "yang diselenggarakan pada $tanggal\n"
    "dengan bobot $jp Jam Pelajaran (JP)"
)
DEFAULT_SPEAKER_WORDING = (
    "sebagai $peran\n"
    "pada kegiatan $kegiatan\n"
    "yang diselenggarakan pada $tanggal"
)


def wording_errors(text: str) -> list[str]:
    """Unknown or malformed placeholders in ``text`` (empty list when it is usable)."""
    errors = []
    for match in string.Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        if match.group("invalid") is not None:
            errors.append(text[match.start():match.start() + 12].split(" ")[0] or "$")
        elif name is not None and name not in PLACEHOLDERS:
            errors.append("$" + name)
    return errors


def _wording_runs(template: str, values: dict[str, str]) -> list[list[tuple[str, bool]]]:
    """Paragraphs of (text, bold) runs: literal text regular, substituted values bold."""
    paragraphs = []
    for line in template.splitlines():
        runs: list[tuple[str, bool]] = []
        pos = 0
        for match in string.Template.pattern.finditer(line):
            if match.start() > pos:
                runs.append((line[pos:match.start()], False))
            name = match.group("named") or match.group("braced")
            if match.group("escaped") is not None:
                runs.append(("$", False))
            elif name in values:
                runs.append((values[name], True))
            else:  # refused when saved; never print template syntax
                pass
            pos = match.end()
        if pos < len(line):
            runs.append((line[pos:], False))
        if any(text.strip() for text, _ in runs):
            paragraphs.append(runs)
    return paragraphs


@dataclass(frozen=True)
class CertificateDesign:
    """What every certificate of an episode shares. Images are prepared bytes
    (see :func:`prepare_image`) or ``None``."""

    program_name: str = "ASN Belajar"
    issuer_lines: tuple[str, ...] = ("BPSDM",)
    title: str = "SERTIFIKAT"
    intro: str = "diberikan kepada"
    participant_wording: str = DEFAULT_PARTICIPANT_WORDING
    speaker_wording: str = DEFAULT_SPEAKER_WORDING
    logo: bytes | None = None
    background: bytes | None = None
    signature: bytes | None = None
    # The signature image is printed only above this signer's name, so a certificate
    # frozen with another signer never carries someone else's signature.
    signature_signer: str | None = None
    speakers_page: bool = False


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate, already formatted for display."""

    kind: str  # "participant" or "speaker"
    number: str  # e.g. "00012/ASNB/41/II/2024"
    verification_code: str
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
    issuer: str  # organisation line for the metadata
    signer_name: str
    signer_title: str
    issued_on: str  # e.g. "22 Februari 2024"
    signer_nip: str | None = None
    revoked: bool = False  # organizers' copy of a revoked certificate: stamped DICABUT
    revoked_note: str | None = None
    # Optional second page: the episode's speakers (name, institution, role) and topic.
    speakers: tuple[tuple[str, str | None, str | None], ...] = ()
    topic: str | None = None


# --- text helpers --------------------------------------------------------------------------


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


# --- images --------------------------------------------------------------------------------


# The boxes images are drawn in, in pixels at about 300 dpi: an upload is scaled to fit
# its box once, when saved (logo box 120 x 46 pt, signature box 180 x 64 pt, background
# the A4 page at 150 dpi).
IMAGE_BOXES = {"logo": (500, 192), "signature": (750, 267), "background": (1754, 1240)}


def prepare_image(data: bytes, *, box: tuple[int, int], photo: bool = False) -> bytes:
    """Normalise an uploaded image once (when saved): scaled down to fit ``box`` (pixels),
    PNG (logo, signature: transparency kept) or JPEG (``photo``: a background)."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        img.thumbnail(box)
        out = io.BytesIO()
        if photo:
            img.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
        else:
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            img.save(out, format="PNG", optimize=True)
        return out.getvalue()


@dataclass
class _PreparedImage:
    name: str
    xobject: pdfdoc.PDFImageXObject
    smask: pdfdoc.PDFImageXObject | None
    width: int
    height: int


class _PredictedImage(pdfdoc.PDFImageXObject):
    """An image stream holding PNG-filtered rows (Flate with PNG predictors, as PNG files
    store them): several times smaller than raw Flate for logos and signatures."""

    colors = 3
    predictor = 15

    def format(self, document):
        stream = pdfdoc.PDFStream(content=self.streamContent)
        d = stream.dictionary
        d["Type"] = pdfdoc.PDFName("XObject")
        d["Subtype"] = pdfdoc.PDFName("Image")
        d["Width"], d["Height"] = self.width, self.height
        d["BitsPerComponent"] = 8
        d["ColorSpace"] = pdfdoc.PDFName(self.colorSpace)
        d["Filter"] = pdfdoc.PDFName("FlateDecode")
        if self.predictor != 1:
            d["DecodeParms"] = pdfdoc.PDFDictionary({
                "Predictor": self.predictor, "Colors": self.colors, "BitsPerComponent": 8,
                "Columns": self.width})
        d["Length"] = len(self.streamContent)
        if getattr(self, "smask", None):
            d["SMask"] = self.smask
        stream.filters = []  # the content is compressed already
        return stream.format(document)


def _png_rows(image: Image.Image) -> bytes:
    """The zlib stream of PNG-filtered rows Pillow writes for ``image`` (its IDAT data)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    data, pos, out = buf.getvalue(), 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        if data[pos + 4:pos + 8] == b"IDAT":
            out.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return b"".join(out)


def _predicted(name: str, image: Image.Image) -> _PredictedImage:
    obj = _PredictedImage(name)
    obj.width, obj.height = image.size
    obj.bitsPerComponent = 8
    obj.colorSpace = "DeviceRGB" if image.mode == "RGB" else "DeviceGray"
    obj.colors = 3 if image.mode == "RGB" else 1
    # PNG row filters win on photos and gradients, plain Flate on flat artwork: keep the
    # smaller (a predictor of 1 means none).
    filtered, plain = _png_rows(image), zlib.compress(image.tobytes(), 9)
    if len(plain) < len(filtered):
        obj.streamContent, obj.predictor = plain, 1
    else:
        obj.streamContent, obj.predictor = filtered, 15
    obj.mask = None
    return obj


def _image_xobject(name: str, data: bytes) -> _PreparedImage:
    """Decode and compress an image once; the XObject is then added to every document."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        if img.format == "JPEG" and img.mode in ("RGB", "L"):
            obj = pdfdoc.PDFImageXObject(name)
            obj.width, obj.height = img.size
            obj.bitsPerComponent = 8
            obj.colorSpace = "DeviceRGB" if img.mode == "RGB" else "DeviceGray"
            obj._filters = ("DCTDecode",)
            obj.streamContent = data
            obj.mask = None
            return _PreparedImage(name, obj, None, obj.width, obj.height)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        rgba = img.convert("RGBA")
        obj = _predicted(name, rgba.convert("RGB"))
        smask = _predicted(name + "-mask", rgba.getchannel("A")) if has_alpha else None
        return _PreparedImage(name, obj, smask, obj.width, obj.height)


def _add_image(c: Canvas, image: _PreparedImage) -> None:
    """Register a prepared image XObject in ``c``'s document (what drawImage does, minus
    decoding the image again for every document)."""
    doc = c._doc
    reg = doc.getXObjectName(image.name)
    if reg in doc.idToObject:
        return
    obj = copy.copy(image.xobject)
    if image.smask is not None:
        mask_reg = doc.getXObjectName(image.smask.name)
        doc.Reference(copy.copy(image.smask), mask_reg)
        obj.smask = pdfdoc.PDFObjectReference(mask_reg)
    doc.Reference(obj, reg)


def _draw_image(c: Canvas, image: _PreparedImage, x: float, y: float, box_w: float,
                box_h: float) -> None:
    """Draw a registered image inside the box, aspect ratio kept, centred."""
    scale = min(box_w / image.width, box_h / image.height)
    w, h = image.width * scale, image.height * scale
    c.saveState()
    c.translate(x + (box_w - w) / 2, y + (box_h - h) / 2)
    c.scale(w, h)
    c.addLiteral(f"/{c._doc.getXObjectName(image.name)} Do")
    c.restoreState()
    c._formsinuse.append(image.name)


# --- drawing helpers -----------------------------------------------------------------------


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


@lru_cache(maxsize=16)
def _qr_grid(n: int, x: float, y: float, size: float):
    """Formatted coordinates for an n x n symbol, computed once per symbol size."""
    module = size / (n + 2 * QR_QUIET_ZONE)
    left = x + QR_QUIET_ZONE * module
    top = y + size - QR_QUIET_ZONE * module
    xs = [f"{left + i * module:.3f}" for i in range(n)]
    ys = [f"{top - (r + 1) * module:.3f}" for r in range(n)]
    # A hair of overlap between modules keeps rasterizers from drawing white seams.
    widths = [f"{k * module + 0.02:.3f}" for k in range(n + 1)]
    return xs, ys, widths, f"{module + 0.02:.3f}"


def qr_operators(data: str, x: float, y: float, size: float) -> str:
    """PDF operators drawing the QR code of ``data`` as filled rectangles (quiet zone
    included in ``size``): one rectangle per horizontal run of dark modules."""
    matrix = segno.make(data, error="m", micro=False, mask=QR_MASK).matrix
    n = len(matrix)
    xs, ys, widths, height = _qr_grid(n, x, y, size)
    ops = []
    for r, row in enumerate(matrix):
        line = bytes(row)
        col = line.find(1)
        while col != -1:
            end = line.find(0, col)
            if end == -1:
                end = n
            ops.append(f"{xs[col]} {ys[r]} {widths[end - col]} {height} re")
            col = line.find(1, end)
    ops.append("f")
    return "\n".join(ops)


# --- the renderer --------------------------------------------------------------------------


HEADER_TOP = 530.0


class CertificateRenderer:
    """Renders certificates of one design. Build one per episode (or batch) and reuse it:
    the shared parts are prepared in the constructor."""

    def __init__(self, design: CertificateDesign | None = None):
        self.design = design or CertificateDesign()
        d = self.design
        self._logo = _image_xobject("cert-logo", d.logo) if d.logo else None
        self._background = _image_xobject("cert-bg", d.background) if d.background else None
        self._signature = _image_xobject("cert-sign", d.signature) if d.signature else None
        self._images = [i for i in (self._background, self._logo, self._signature) if i]
        self._issuer_lines = [_clean(line) for line in d.issuer_lines if _clean(line)][:3]
        self._title = _clean(d.title).upper() or "SERTIFIKAT"
        self._static_unicode = [base for base in BUILTIN_FONTS
                                if any(not is_winansi(t) for t in self._issuer_lines
                                       + [self._title, _clean(d.intro)])]
        self._static_code = self._record_static()

    # Static layer --------------------------------------------------------------------

    def _begin(self, c: Canvas) -> None:
        for font in BUILTIN_FONTS:
            c.setFont(font, 10)
        for base in self._static_unicode:
            c.setFont(_unicode_font(base), 10)
        for image in self._images:
            _add_image(c, image)

    def _record_static(self) -> str:
        """Draw the shared layer once on a scratch canvas and keep its operators."""
        c = Canvas(io.BytesIO(), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
        self._begin(c)
        start = len(c._code)
        self._draw_static(c)
        return "\n".join(c._code[start:])

    def _header_layout(self) -> tuple[float, float, float]:
        """(y of the program line, y of the title, y of the number)."""
        top = HEADER_TOP - (50 if self._logo else 0) - 13 * max(0, len(self._issuer_lines) - 1)
        return top - 23, top - 78 + (10 if self._logo else 0), top - 98 + (10 if self._logo else 0)

    def _draw_static(self, c: Canvas) -> None:
        d = self.design
        _draw_frame(c, self._background)
        y = HEADER_TOP
        if self._logo:
            _draw_image(c, self._logo, CENTER_X - 60, HEADER_TOP - 36, 120, 46)
            y = HEADER_TOP - 50
        for line in self._issuer_lines:
            size = _fit_size(line.upper(), BOLD, 12, 7, BODY_WIDTH)
            text = _truncate(line.upper(), BOLD, size, BODY_WIDTH)
            _draw_centered(c, text, y, BOLD, size, NAVY, char_space=1.2 if size >= 10 else 0)
            y -= 13
        _, title_y, _ = self._header_layout()
        size = _fit_size(self._title, BOLD, 46 if not self._logo else 40, 20, BODY_WIDTH)
        _draw_centered(c, self._title, title_y, BOLD, size, NAVY,
                       char_space=9 if len(self._title) <= 14 else 0)
        _draw_seal(c, _clean(d.program_name).upper(), CENTER_X, 100, 38)
        # Verification captions.
        c.setFillColor(NAVY)
        c.setFont(BOLD, 9.5)
        c.drawString(QR_X + QR_SIZE + 10, QR_Y + QR_SIZE - 12, "Pindai untuk verifikasi")
        c.setFillColor(MUTED)
        c.setFont(REGULAR, 7.5)
        c.drawString(QR_X + QR_SIZE + 10, QR_Y + QR_SIZE - 26, "Kode verifikasi:")
        c.setFillColor(white)
        c.rect(QR_X, QR_Y, QR_SIZE, QR_SIZE, stroke=0, fill=1)
        c.setStrokeColor(GOLD_LIGHT)
        c.setLineWidth(0.6)
        c.rect(QR_X - 0.3, QR_Y - 0.3, QR_SIZE + 0.6, QR_SIZE + 0.6, stroke=1, fill=0)

    # One page ------------------------------------------------------------------------

    def _draw_page(self, c: Canvas, doc: CertificateDocument) -> None:
        if doc.kind not in KINDS:
            raise ValueError(f"unknown certificate kind {doc.kind!r}; expected one of {KINDS}")
        c.doForm(STATIC_FORM)
        program_y, _, number_y = self._header_layout()
        program = _clean(doc.program_name).upper()
        size = _fit_size(program, BOLD, 15, 8, BODY_WIDTH - 160)
        program = _truncate(program, BOLD, size, BODY_WIDTH - 160)
        spacing = 3.0 if size >= 12 else 0.0
        _draw_centered(c, program, program_y, BOLD, size, GOLD, char_space=spacing)
        width = _width(program, BOLD, size) + spacing * max(len(program) - 1, 0)
        _ornamental_rule(c, program_y + size * 0.33, 70, gap=width / 2 + 14)
        number = _truncate(f"Nomor: {_clean(doc.number)}", REGULAR, 11.5, BODY_WIDTH)
        _draw_centered(c, number, number_y, REGULAR, 11.5, MUTED)

        self._draw_body(c, doc, top=number_y - 14, bottom=196)
        self._draw_signature(c, doc)
        self._draw_verification(c, doc)
        if doc.revoked:
            self._draw_revoked(c, doc)

    def _body_blocks(self, c: Canvas, doc: CertificateDocument,
                     scale: float) -> list[tuple[float, Callable[[float], None]]]:
        blocks: list[tuple[float, Callable[[float], None]]] = []

        def add(height: float, draw: Callable[[float], None]) -> None:
            blocks.append((height, draw))

        def line(text: str, base: str, size: float, color: Color = INK) -> None:
            add(size * 1.45, lambda y: _draw_centered(c, text, y + size * 0.35, base, size,
                                                      color))

        intro = _clean(self.design.intro)
        if intro:
            line(intro, ITALIC, 13 * scale, MUTED)

        name = _clean(doc.name)
        if _width(name, BOLD, 20 * scale) <= BODY_WIDTH:
            name_lines = [name]
            name_size = _fit_size(name, BOLD, 30 * scale, 20 * scale, BODY_WIDTH)
        else:
            name_lines, name_size = _fit_lines(name, BOLD, 22 * scale, 11, BODY_WIDTH, 2)
            if " ".join(name_lines) != name:
                name_lines, name_size = _fit_lines(name, BOLD, 11, 9, BODY_WIDTH, 3)
        leading = name_size * 1.2
        name_height = leading * len(name_lines) + 4

        def draw_name(y: float) -> None:
            first = y + name_height - name_size * 1.05
            for i, text in enumerate(name_lines):
                _draw_centered(c, text, first - i * leading, BOLD, name_size, NAVY)

        add(name_height, draw_name)
        add(12 * scale, lambda y: _ornamental_rule(c, y + 6 * scale, 170))
        if doc.nip:
            line(f"NIP. {_clean(format_nip(doc.nip))}", REGULAR, 11.5 * scale)
        if doc.instansi:
            lines, size = _fit_lines(_clean(doc.instansi), REGULAR, 11.5 * scale, 10 * scale,
                                     BODY_WIDTH, 2)
            for text in lines:
                line(text, REGULAR, size)
        add(8 * scale, lambda y: None)

        role = "Peserta" if doc.kind == "participant" else (_clean(doc.role) or "Narasumber")
        values = {
            "nama": _clean(doc.name), "peran": role, "program": _clean(doc.program_name),
            "seri": _clean(doc.episode_label), "judul": _clean(doc.episode_title),
            "kegiatan": " ".join(filter(None, [_clean(doc.program_name),
                                                _clean(doc.episode_label)]))
            + f": {_clean(doc.episode_title)}",
            "tanggal": _clean(doc.held_on), "jp": "" if doc.jp is None else str(int(doc.jp)),
            "instansi": _clean(doc.instansi), "nomor": _clean(doc.number),
        }
        wording = (self.design.participant_wording if doc.kind == "participant"
                   else self.design.speaker_wording)
        paragraphs = _wording_runs(wording, values)
        base_size = 13 * scale
        for runs in paragraphs:
            size = base_size
            lines = _wrap_runs(runs, size, BODY_WIDTH)
            while len(lines) > 3 and size > 9:
                size -= 0.5
                lines = _wrap_runs(runs, size, BODY_WIDTH)
            if len(lines) > 3:  # a very long title: the last kept line ends with an ellipsis
                lines = lines[:3]
                lines[-1] = lines[-1][:-1] + [(((ELLIPSIS, False),),
                                               _width(ELLIPSIS, REGULAR, size))]
            lead = size * 1.3

            def draw(y: float, lines=lines, size=size, lead=lead) -> None:
                top = y + lead * len(lines) - size * 0.95
                for i, ln in enumerate(lines):
                    _draw_runs_line(c, ln, top - i * lead, size, INK)

            add(lead * len(lines) + 3 * scale, draw)
        return blocks

    def _draw_body(self, c: Canvas, doc: CertificateDocument, top: float, bottom: float) -> None:
        available = top - bottom
        scale = 1.0
        blocks = self._body_blocks(c, doc, scale)
        total = sum(height for height, _ in blocks)
        # Heights grow about linearly with the scale: start from the estimate, then step
        # down until it fits (at most 25 % smaller).
        if total > available:
            scale = max(0.75, math.floor(available / total * 40) / 40)
            while True:
                blocks = self._body_blocks(c, doc, scale)
                total = sum(height for height, _ in blocks)
                if total <= available or scale <= 0.75:
                    break
                scale = max(0.75, scale - 0.025)
        y = top - max(0.0, (available - total) / 2)
        for height, draw in blocks:
            y -= height
            draw(y)

    def _draw_signature(self, c: Canvas, doc: CertificateDocument) -> None:
        x, width, top = PAGE_WIDTH - 195, 250.0, 176.0
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
        name_y = 70.0 if doc.signer_nip else 62.0
        if self._signature is not None and (
                self.design.signature_signer is None
                or _clean(self.design.signature_signer) == _clean(doc.signer_name)):
            sign_top = y + title_size * 0.4
            box_h = max(20.0, sign_top - name_y - 16)
            _draw_image(c, self._signature, x - 90, name_y + 14, 180, min(box_h, 64))
        _draw_centered(c, name, name_y, BOLD, name_size, INK, x=x)
        name_width = _width(name, BOLD, name_size)
        c.setStrokeColor(INK)
        c.setLineWidth(0.7)
        c.line(x - name_width / 2, name_y - 3, x + name_width / 2, name_y - 3)
        if doc.signer_nip:
            _draw_centered(c, f"NIP. {format_nip(doc.signer_nip)}", name_y - 15, REGULAR, 10,
                           INK, x=x)

    def _draw_verification(self, c: Canvas, doc: CertificateDocument) -> None:
        c.setFillColor(black)
        c.addLiteral(qr_operators(doc.verify_url, QR_X, QR_Y, QR_SIZE))
        tx = QR_X + QR_SIZE + 10
        text_width = 215.0
        ty = QR_Y + QR_SIZE - 43
        code = _clean(doc.verification_code)
        # Large enough to read and type: 14 pt bold monospace when it fits.
        size = _fit_size(code, MONO_BOLD, 14, 8, text_width)
        c.setFillColor(INK)
        for text in _wrap_chars(code, MONO_BOLD, size, text_width, 2):
            c.setFont(_font(text, MONO_BOLD), size)
            c.drawString(tx, ty, text)
            ty -= size + 2
        ty -= 4
        c.setFillColor(MUTED)
        for text in _wrap_chars(_clean(doc.verify_url), REGULAR, 7, text_width, 3):
            c.setFont(_font(text, REGULAR), 7)
            c.drawString(tx, ty, text)
            ty -= 9

    def _draw_revoked(self, c: Canvas, doc: CertificateDocument) -> None:
        c.saveState()
        c.setFillColor(REVOKED_RED)
        c.setStrokeColor(REVOKED_RED)
        c.setFillAlpha(0.35)
        c.setStrokeAlpha(0.5)
        c.translate(CENTER_X, PAGE_HEIGHT / 2)
        c.rotate(18)
        c.setLineWidth(4)
        c.rect(-230, -45, 460, 110, stroke=1, fill=0)
        c.setFont(BOLD, 84)
        c.drawCentredString(0, -18, "DICABUT")
        c.restoreState()
        note = _clean(doc.revoked_note)
        if note:
            note = _truncate(note, BOLD, 10, PAGE_WIDTH - 120)
            _draw_centered(c, note, 40, BOLD, 10, REVOKED_RED)

    def _draw_speakers_page(self, c: Canvas, doc: CertificateDocument) -> None:
        c.doForm(STATIC_FORM)
        y = 430.0
        _draw_centered(c, "NARASUMBER DAN MATERI", y, BOLD, 20, NAVY, char_space=2)
        y -= 22
        label = _clean(f"{doc.program_name} {doc.episode_label}")
        _draw_centered(c, _truncate(label, REGULAR, 12, BODY_WIDTH), y, REGULAR, 12, MUTED)
        y -= 28
        title_lines, size = _fit_lines(_clean(doc.episode_title), BOLD, 15, 10, BODY_WIDTH, 2)
        for text in title_lines:
            _draw_centered(c, text, y, BOLD, size, INK)
            y -= size * 1.3
        if doc.topic:
            y -= 4
            for text in _fit_lines(_clean(doc.topic), REGULAR, 11, 9, BODY_WIDTH, 4)[0]:
                _draw_centered(c, text, y, REGULAR, 11, INK)
                y -= 14
        y -= 14
        _ornamental_rule(c, y, 170)
        y -= 24
        for name, institution, role in doc.speakers[:8]:
            if y < 200:
                break
            head = _clean(name)
            size = _fit_size(head, BOLD, 13, 9, BODY_WIDTH)
            _draw_centered(c, _truncate(head, BOLD, size, BODY_WIDTH), y, BOLD, size, NAVY)
            y -= 15
            sub = " \u2014 ".join(filter(None, [_clean(role), _clean(institution)]))
            if sub:
                _draw_centered(c, _truncate(sub, REGULAR, 10.5, BODY_WIDTH), y, REGULAR,
                               10.5, MUTED)
                y -= 22
        number = _truncate(f"Lampiran sertifikat nomor {_clean(doc.number)}", REGULAR, 9,
                           BODY_WIDTH)
        _draw_centered(c, number, 50, REGULAR, 9, MUTED)

    # Documents -----------------------------------------------------------------------

    def _canvas(self, out: BinaryIO) -> Canvas:
        c = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
        self._begin(c)
        c.beginForm(STATIC_FORM)
        c.addLiteral(self._static_code)
        c._formsinuse.extend(image.name for image in self._images)
        c.endForm()
        return c

    def _pages(self, c: Canvas, doc: CertificateDocument) -> None:
        self._draw_page(c, doc)
        c.showPage()
        if self.design.speakers_page and (doc.speakers or doc.topic):
            self._draw_speakers_page(c, doc)
            c.showPage()

    def render(self, doc: CertificateDocument) -> bytes:
        """One certificate as a PDF file."""
        if doc.kind not in KINDS:
            raise ValueError(f"unknown certificate kind {doc.kind!r}; expected one of {KINDS}")
        buf = io.BytesIO()
        c = self._canvas(buf)
        c.setTitle(f"Sertifikat {_clean(doc.number)}")
        c.setAuthor(_clean(doc.issuer))
        c.setSubject(f"Sertifikat {_clean(doc.program_name)} {_clean(doc.episode_label)}: "
                     f"{_clean(doc.episode_title)}")
        c.setCreator(_clean(doc.program_name) or "ASN Belajar")
        c.setKeywords(["sertifikat", _clean(doc.number), _clean(doc.verification_code)])
        self._pages(c, doc)
        c.save()
        return buf.getvalue()

    def render_merged(self, docs: Iterable[CertificateDocument], out: BinaryIO,
                      title: str = "Sertifikat",
                      progress: Callable[[int], None] | None = None) -> int:
        """Every document as pages of one PDF (for printing) written to ``out``; the shared
        layer is stored once. Returns the number of certificates."""
        c = self._canvas(out)
        c.setTitle(_clean(title))
        count = 0
        for doc in docs:
            self._pages(c, doc)
            count += 1
            if progress is not None:
                progress(count)
        if count == 0:
            c.showPage()
        c.save()
        return count


QR_X, QR_Y = 52.0, 46.0


@lru_cache(maxsize=1)
def _default_renderer() -> CertificateRenderer:
    return CertificateRenderer()


def render_certificate_pdf(doc: CertificateDocument,
                           design: CertificateDesign | None = None) -> bytes:
    """Render ``doc`` as a one-page (two with the speakers page) A4-landscape PDF."""
    renderer = _default_renderer() if design is None else CertificateRenderer(design)
    return renderer.render(doc)


def first_page_png(pdf: bytes, width_px: int = 1200) -> bytes:
    """The first page as a PNG (the console's live preview shows it in any browser)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=width_px / page.get_width()).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        document.close()


def render_many(docs: Sequence[CertificateDocument], design: CertificateDesign | None = None,
                ) -> list[bytes]:
    renderer = CertificateRenderer(design)
    return [renderer.render(doc) for doc in docs]

