"""Palette, type faces and page geometry shared by the certificate drawing modules."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape

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
FONT_DIR = Path(__file__).resolve().parents[3] / "static" / "fonts"
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
QR_X, QR_Y = 52.0, 46.0

STATIC_FORM = "certificate-static"

HEADER_TOP = 530.0
