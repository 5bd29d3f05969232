"""The verification QR code drawn as vector rectangles (no PNG round trip)."""

from __future__ import annotations

from functools import lru_cache

import segno

QR_QUIET_ZONE = 4
# A fixed data mask: every mask decodes; picking the "best" of eight costs 5x the time
# of encoding once. Mask 1 (horizontal stripes) decodes with zbar at 150 dpi for every
# URL length the app produces (tests/test_certificate_pdf.py).
QR_MASK = 1


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
