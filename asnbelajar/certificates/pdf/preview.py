"""A picture of the first page for the console's live preview."""

from __future__ import annotations

import io

import pypdfium2


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
