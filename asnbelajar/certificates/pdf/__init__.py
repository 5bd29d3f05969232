"""Render verifiable certificates as A4-landscape PDF pages, fast and in bulk.

This package is pure layout: it receives a :class:`CertificateDesign` (what every
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

The package is split by concern: ``layout`` (palette, faces, page geometry), ``wording``
(placeholders and defaults), ``documents`` (the design and document values), ``text``
(fonts and text fitting), ``images`` (uploads and image XObjects), ``drawing`` (the design
layer's primitives), ``qr`` (the verification code as vector rectangles), ``renderer``
(static layer, pages, single and merged PDFs) and ``preview`` (a PNG of the first page).
Callers import from ``certificates.pdf``; the names below are its public surface.
"""

from __future__ import annotations

from ...accounts.nip import format_nip
from .documents import CertificateDesign, CertificateDocument
from .images import IMAGE_BOXES, prepare_image
from .layout import KINDS
from .preview import first_page_png
from .qr import qr_operators
from .renderer import CertificateRenderer, render_certificate_pdf, render_many
from .wording import (
    DEFAULT_PARTICIPANT_WORDING,
    DEFAULT_SPEAKER_WORDING,
    PLACEHOLDERS,
    wording_errors,
)

__all__ = [
    "DEFAULT_PARTICIPANT_WORDING",
    "DEFAULT_SPEAKER_WORDING",
    "IMAGE_BOXES",
    "KINDS",
    "PLACEHOLDERS",
    "CertificateDesign",
    "CertificateDocument",
    "CertificateRenderer",
    "first_page_png",
    "format_nip",
    "prepare_image",
    "qr_operators",
    "render_certificate_pdf",
    "render_many",
    "wording_errors",
]
