"""A participant's JP transcript for one year, as an A4 PDF and as a CSV for Excel.

Pure rendering, like ``certificates.pdf``: it receives a fully formatted
:class:`TranscriptDocument` (dates, names and labels already decided by the view) and
returns bytes, so it has no database or Flask dependency.

* The PDF uses reportlab's built-in Helvetica (no font files to ship); text outside its
  WinAnsi encoding is reduced to the base letters instead of printing black boxes.
  The entries table repeats its header on every page and every page carries
  "Halaman X dari Y", which needs the page count, so pages are drawn once it is known
  (:class:`_NumberedCanvas`).
* The CSV is UTF-8 with a BOM so Excel opens it with the right encoding, and text cells
  go through the shared policy of ``util.spreadsheets`` (leading ``= + - @`` and control
  characters dropped) so that a title typed as a formula
  is never run as one (CSV injection). Numbers stay numbers: a reversal's JP is ``-2``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..util.pdftext import winansi_markup, winansi_text
from ..util.spreadsheets import csv_bytes

__all__ = ["TranscriptDocument", "TranscriptRow", "render_transcript_csv",
           "render_transcript_pdf"]

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


@dataclass(frozen=True)
class TranscriptRow:
    on: date
    activity: str  # "ASN Belajar Seri 41: Judul", "Judul — Penyelenggara", "Pembatalan: …"
    source: str  # "ASN Belajar", "Eksternal" or "Pembatalan"
    jp: int  # signed: a reversal is negative
    certificate_number: str | None = None
    note: str | None = None  # a reversal's reason, or when an entry was reversed


@dataclass(frozen=True)
class TranscriptDocument:
    year: int
    name: str
    nip: str | None  # already grouped for display, e.g. "19850312 201001 1 001"
    instansi: str | None
    unit_kerja: str | None
    jabatan: str | None
    pangkat_golongan: str | None
    email: str | None
    total_jp: int
    target_jp: int
    generated_at: str  # "Sabtu, 2 Maret 2024, pukul 10.00 WIB"
    issuer: str  # "BPSDM"
    verify_url: str  # where certificates can be checked
    rows: list[TranscriptRow] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        return self.total_jp >= self.target_jp

    @property
    def status(self) -> str:
        if self.reached:
            return "Target tercapai"
        return f"Kurang {self.target_jp - self.total_jp} JP"


def date_text(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def filename_for(doc: TranscriptDocument, extension: str) -> str:
    who = re.sub(r"[^0-9]", "", doc.nip or "") or re.sub(
        r"[^a-z0-9]+", "-", doc.name.lower()).strip("-")[:40] or "peserta"
    return f"transkrip-jp-{doc.year}-{who}.{extension}"


# CSV ------------------------------------------------------------------------------------

def render_transcript_csv(doc: TranscriptDocument) -> bytes:
    """Identity lines, one row per entry, and the total against the target (cells made
    formula-safe by :func:`~asnbelajar.util.spreadsheets.csv_bytes`)."""
    rows: list[tuple] = [
        ("Transkrip Jam Pelajaran (JP)", doc.year),
        ("Nama", doc.name),
        ("NIP", doc.nip or ""),
        ("Instansi", doc.instansi or ""),
        ("Unit kerja", doc.unit_kerja or ""),
        ("Jabatan", doc.jabatan or ""),
        ("Dicetak", doc.generated_at),
        (),
        ("Tanggal", "Kegiatan", "Sumber", "JP", "Nomor sertifikat", "Keterangan"),
    ]
    rows += [(r.on.isoformat(), r.activity, r.source, r.jp, r.certificate_number or "",
              r.note or "") for r in doc.rows]
    rows += [(), ("Total JP", "", "", doc.total_jp), ("Target JP", "", "", doc.target_jp),
             ("Status", doc.status)]
    return csv_bytes(rows)


# PDF ------------------------------------------------------------------------------------

NAVY = HexColor("#0A3D6B")
BLUE = HexColor("#0B5CA8")
GOLD = HexColor("#F2B705")
INK = HexColor("#1D2939")
MUTED = HexColor("#5B6675")
LINE = HexColor("#D9E0E8")
ZEBRA = HexColor("#F5F8FC")
SKY = HexColor("#E8F1FB")
GREEN = HexColor("#12805C")
RED = HexColor("#B42318")
TRACK = HexColor("#E6ECF3")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


_plain = winansi_text
_markup = winansi_markup


def _style(name: str, **kw) -> ParagraphStyle:
    base = {"fontName": "Helvetica", "fontSize": 8.5, "leading": 11, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


STYLES = {
    "title": _style("title", fontName="Helvetica-Bold", fontSize=17, leading=21,
                    textColor=NAVY),
    "subtitle": _style("subtitle", fontSize=9.5, leading=13, textColor=MUTED),
    "label": _style("label", fontName="Helvetica-Bold", fontSize=6.8, leading=9,
                    textColor=MUTED),
    "value": _style("value", fontName="Helvetica-Bold", fontSize=9.5, leading=12),
    "cell": _style("cell", fontSize=8.3, leading=10.5),
    "cell_muted": _style("cell_muted", fontSize=7.4, leading=9.5, textColor=MUTED),
    "cell_right": _style("cell_right", fontName="Helvetica-Bold", fontSize=8.8, leading=10.5,
                         alignment=TA_RIGHT),
    "head": _style("head", fontName="Helvetica-Bold", fontSize=7.4, leading=9,
                   textColor=white),
    "head_right": _style("head_right", fontName="Helvetica-Bold", fontSize=7.4, leading=9,
                         textColor=white, alignment=TA_RIGHT),
    "big": _style("big", fontName="Helvetica-Bold", fontSize=22, leading=24, textColor=NAVY),
    "cert": _style("cert", fontSize=7.6, leading=10.5, wordWrap="CJK"),
    "note": _style("note", fontSize=7.6, leading=10.5, textColor=MUTED),
    "empty": _style("empty", fontSize=9, leading=13, textColor=MUTED),
}


def _identity(doc: TranscriptDocument) -> Table:
    def pair(label: str, value: str | None) -> list:
        return [Paragraph(escape(label.upper()), STYLES["label"]),
                Paragraph(_markup(value) or "—", STYLES["value"])]

    left = [pair("Nama", doc.name), pair("NIP", doc.nip or "—"),
            pair("Pangkat/gol.", doc.pangkat_golongan)]
    right = [pair("Instansi", doc.instansi), pair("Unit kerja", doc.unit_kerja),
             pair("Jabatan", doc.jabatan)]
    half = CONTENT_WIDTH / 2
    cells = [[Table([[*lft]], colWidths=[26 * mm, half - 26 * mm - 6]),
              Table([[*rgt]], colWidths=[24 * mm, half - 24 * mm - 6])]
             for lft, rgt in zip(left, right, strict=True)]
    inner = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    for row in cells:
        for table in row:
            table.setStyle(inner)
    table = Table(cells, colWidths=[half, half])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("BOX", (0, 0), (-1, -1), 0.6, LINE),
        ("LINEAFTER", (0, 0), (0, -1), 0.6, LINE),
        ("TOPPADDING", (0, 0), (-1, 0), 9),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 9),
    ]))
    return table


def _progress_bar(value: int, target: int, width: float, reached: bool) -> Drawing:
    height = 7
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, rx=3.5, ry=3.5, fillColor=TRACK, strokeColor=None))
    share = max(0.0, min(1.0, value / target)) if target else 1.0
    if share > 0:
        drawing.add(Rect(0, 0, max(width * share, height), height, rx=3.5, ry=3.5,
                         fillColor=GREEN if reached else BLUE, strokeColor=None))
    return drawing


def _summary(doc: TranscriptDocument) -> Table:
    status_color = "#12805C" if doc.reached else "#B42318"
    total = Paragraph(f"{doc.total_jp} <font size=11 color='#5B6675'>/ {doc.target_jp} JP"
                      "</font>", STYLES["big"])
    label = Paragraph(f"TOTAL JP TAHUN {doc.year}", STYLES["label"])
    status = Paragraph(f"<font color='{status_color}'><b>{escape(doc.status)}</b></font>",
                       _style("status", fontSize=10, leading=13, alignment=TA_RIGHT))
    target_note = Paragraph(
        f"Target {doc.target_jp} JP per tahun (PP 11/2017 pasal 203)",
        _style("target", fontSize=7.4, leading=9.5, textColor=MUTED, alignment=TA_RIGHT))
    bar = _progress_bar(doc.total_jp, doc.target_jp, CONTENT_WIDTH - 24, doc.reached)
    table = Table([[label, status], [total, target_note], [bar, ""]],
                  colWidths=[CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), SKY),
        ("SPAN", (0, 2), (1, 2)),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, 0), 10),
        ("TOPPADDING", (0, 1), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 2), (-1, 2), 6),
        ("BOTTOMPADDING", (0, 2), (-1, 2), 12),
    ]))
    return table


# No, Tanggal, Kegiatan, Sumber, JP, Nomor sertifikat
COLUMNS = (8 * mm, 30 * mm, None, 20 * mm, 10 * mm, 34 * mm)


def _column_widths() -> list[float]:
    fixed = sum(w for w in COLUMNS if w)
    return [w if w else CONTENT_WIDTH - fixed for w in COLUMNS]


def _entries(doc: TranscriptDocument) -> Table:
    head = [Paragraph("NO", STYLES["head"]), Paragraph("TANGGAL", STYLES["head"]),
            Paragraph("KEGIATAN", STYLES["head"]), Paragraph("SUMBER", STYLES["head"]),
            Paragraph("JP", STYLES["head_right"]),
            Paragraph("NOMOR SERTIFIKAT", STYLES["head"])]
    data = [head]
    styles = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, LINE),
    ]
    for index, r in enumerate(doc.rows, start=1):
        activity = f"<b>{_markup(r.activity)}</b>"
        if r.note:
            activity += f"<br/><font size=7.4 color='#5B6675'>{_markup(r.note)}</font>"
        jp_color = "#B42318" if r.jp < 0 else "#1D2939"
        data.append([
            Paragraph(str(index), STYLES["cell_muted"]),
            Paragraph(escape(date_text(r.on)), STYLES["cell"]),
            Paragraph(activity, STYLES["cell"]),
            Paragraph(escape(r.source), STYLES["cell"]),
            Paragraph(f"<font color='{jp_color}'>{r.jp:+d}</font>" if r.jp < 0 else str(r.jp),
                      STYLES["cell_right"]),
            Paragraph(_markup(r.certificate_number) or "—", STYLES["cert"]),
        ])
        if index % 2 == 0:
            styles.append(("BACKGROUND", (0, index), (-1, index), ZEBRA))
    if not doc.rows:
        data.append([Paragraph(f"Belum ada entri JP pada tahun {doc.year}.", STYLES["empty"]),
                     "", "", "", "", ""])
        styles += [("SPAN", (0, 1), (-1, 1)), ("TOPPADDING", (0, 1), (-1, 1), 14),
                   ("BOTTOMPADDING", (0, 1), (-1, 1), 14)]
    data.append([Paragraph(f"<b>Total JP {doc.year}</b>", STYLES["cell"]), "", "", "",
                 Paragraph(str(doc.total_jp), STYLES["cell_right"]),
                 Paragraph(f"dari target {doc.target_jp} JP", STYLES["cell_muted"])])
    last = len(data) - 1
    styles += [("SPAN", (0, last), (3, last)), ("BACKGROUND", (0, last), (-1, last), SKY),
               ("LINEABOVE", (0, last), (-1, last), 1.2, NAVY),
               ("TOPPADDING", (0, last), (-1, last), 7),
               ("BOTTOMPADDING", (0, last), (-1, last), 7)]
    table = Table(data, colWidths=_column_widths(), repeatRows=1)
    table.setStyle(TableStyle(styles))
    return table


def _numbered_canvas(doc: TranscriptDocument):
    footer_left = _plain(f"Transkrip JP {doc.year} · {doc.name}"
                         + (f" · NIP {doc.nip}" if doc.nip else ""))
    generated = _plain(f"Dicetak {doc.generated_at}")

    class _NumberedCanvas(Canvas):
        """Holds every page until the count is known, then draws header and footer."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, count)
                super().showPage()
            super().save()

        def _decorate(self, number: int, count: int) -> None:
            top = PAGE_HEIGHT - 13 * mm
            self.setFillColor(NAVY)
            self.rect(0, PAGE_HEIGHT - 5, PAGE_WIDTH, 5, stroke=0, fill=1)
            self.setFillColor(GOLD)
            self.rect(0, PAGE_HEIGHT - 6.5, PAGE_WIDTH, 1.5, stroke=0, fill=1)
            self.setFont("Helvetica-Bold", 11)
            self.setFillColor(NAVY)
            self.drawString(MARGIN_X, top, "ASN")
            width = self.stringWidth("ASN ", "Helvetica-Bold", 11)
            self.setFillColor(HexColor("#B38B2D"))
            self.drawString(MARGIN_X + width, top, "Belajar")
            self.setFont("Helvetica", 8)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE_WIDTH - MARGIN_X, top,
                                 _plain(f"{doc.issuer} · Transkrip Jam Pelajaran {doc.year}"))
            self.setStrokeColor(LINE)
            self.setLineWidth(0.6)
            self.line(MARGIN_X, top - 5, PAGE_WIDTH - MARGIN_X, top - 5)

            bottom = 11 * mm
            self.line(MARGIN_X, bottom + 9, PAGE_WIDTH - MARGIN_X, bottom + 9)
            self.setFont("Helvetica", 7.2)
            self.setFillColor(MUTED)
            self.drawString(MARGIN_X, bottom, footer_left[:110])
            self.drawString(MARGIN_X, bottom - 9, generated[:110])
            self.setFont("Helvetica-Bold", 7.6)
            self.setFillColor(INK)
            self.drawRightString(PAGE_WIDTH - MARGIN_X, bottom, f"Halaman {number} dari {count}")

    return _NumberedCanvas


def render_transcript_pdf(doc: TranscriptDocument) -> bytes:
    buffer = io.BytesIO()
    # The frame pads its content by 6 pt: shift the margins so the text lines up with the
    # header and footer rules drawn at MARGIN_X.
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X - 6, rightMargin=MARGIN_X - 6,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=_plain(f"Transkrip JP {doc.year} - {doc.name}"), author="ASN Belajar",
        subject=f"Transkrip jam pelajaran tahun {doc.year}", creator="ASN Belajar",
    )
    story = [
        Paragraph("Transkrip Jam Pelajaran (JP)", STYLES["title"]),
        Paragraph(f"Tahun {doc.year} · Pengembangan kompetensi ASN melalui ASN Belajar dan "
                  "pelatihan lain yang diakui penyelenggara", STYLES["subtitle"]),
        Spacer(1, 10),
        _identity(doc),
        Spacer(1, 10),
        _summary(doc),
        Spacer(1, 14),
        _entries(doc),
        Spacer(1, 12),
        KeepTogether([Paragraph(
            f"Dokumen ini dibuat otomatis oleh ASN Belajar pada {_markup(doc.generated_at)}. "
            "Entri JP tidak pernah diubah atau dihapus; koreksi tercatat sebagai entri "
            "pembatalan bernilai negatif. Keaslian setiap sertifikat dapat diperiksa di "
            f"{_markup(doc.verify_url)}.", STYLES["note"])]),
    ]
    template.build(story, canvasmaker=_numbered_canvas(doc))
    return buffer.getvalue()
