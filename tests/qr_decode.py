"""Decode the QR code of a PDF page the way a phone sees it: rasterized at 150 dpi by
poppler (``pdftoppm``) and read by zbar (``zbarimg``). Certificates draw the code as
vector modules, so there is no embedded picture to read."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def decode_pdf_qr(pdf: bytes, page: int = 1, dpi: int = 150) -> list[str]:
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("poppler-utils and zbar-tools are needed to decode QR codes")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                        str(path), str(Path(tmp) / "page")], check=True)
        (png,) = Path(tmp).glob("page*.png")
        result = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True,
                                text=True)
        return result.stdout.split()
