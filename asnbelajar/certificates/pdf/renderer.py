"""The renderer: the static layer recorded once per design, one page per document, and
single or merged (print) PDFs."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import BinaryIO

from reportlab.lib.colors import Color, black, white
from reportlab.pdfgen.canvas import Canvas

from ...accounts.nip import format_nip
from ...util.pdftext import is_winansi
from .documents import CertificateDesign, CertificateDocument
from .drawing import (
    _draw_centered,
    _draw_frame,
    _draw_runs_line,
    _draw_seal,
    _ornamental_rule,
)
from .images import (
    _add_image,
    _draw_image,
    _image_xobject,
)
from .layout import (
    BODY_WIDTH,
    BOLD,
    BUILTIN_FONTS,
    CENTER_X,
    ELLIPSIS,
    GOLD,
    GOLD_LIGHT,
    HEADER_TOP,
    INK,
    ITALIC,
    KINDS,
    MONO_BOLD,
    MUTED,
    NAVY,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    QR_SIZE,
    QR_X,
    QR_Y,
    REGULAR,
    REVOKED_RED,
    STATIC_FORM,
)
from .qr import qr_operators
from .text import (
    _clean,
    _fit_lines,
    _fit_size,
    _font,
    _truncate,
    _unicode_font,
    _width,
    _wrap_chars,
    _wrap_runs,
)
from .wording import (
    _wording_runs,
)


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


@lru_cache(maxsize=1)
def _default_renderer() -> CertificateRenderer:
    return CertificateRenderer()


def render_certificate_pdf(doc: CertificateDocument,
                           design: CertificateDesign | None = None) -> bytes:
    """Render ``doc`` as a one-page (two with the speakers page) A4-landscape PDF."""
    renderer = _default_renderer() if design is None else CertificateRenderer(design)
    return renderer.render(doc)


def render_many(docs: Sequence[CertificateDocument], design: CertificateDesign | None = None,
                ) -> list[bytes]:
    renderer = CertificateRenderer(design)
    return [renderer.render(doc) for doc in docs]
