"""The annual report as a PDF an organizer can attach to a letter (A4, reportlab)."""

from __future__ import annotations

import io

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..timeutil import format_date_id, now_utc
from ..util.pdftext import winansi_markup
from .snapshots import AnnualReport

NAVY = colors.HexColor("#0a3d6b")


def _num(n: int | float) -> str:
    return f"{n:,}".replace(",", ".")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %".replace(".", ",")


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c7ced8")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), NAVY),
                  ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                  ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9)]
    table.setStyle(TableStyle(style))
    return table


def render_annual_pdf(report: AnnualReport) -> bytes:
    styles = getSampleStyleSheet()
    title = ParagraphStyle("t", parent=styles["Title"], textColor=NAVY, fontSize=16)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], textColor=NAVY, fontSize=12)
    small = ParagraphStyle("s", parent=styles["Normal"], fontSize=8, textColor=colors.grey,
                           alignment=TA_CENTER)
    body = ParagraphStyle("b", parent=styles["Normal"], fontSize=9)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(winansi_markup(text), style)

    s = report.summary
    issuer = current_app.config.get("CERTIFICATE_ISSUER") or "BPSDM"
    story = [
        p(f"Laporan Tahunan ASN Belajar {report.year}", title),
        p(f"{issuer} · disusun {format_date_id(now_utc())}", small),
        Spacer(1, 0.5 * cm),
        p("Ringkasan", h2),
        _table([
            ["Jumlah seri (episode terbit)", _num(s["episodes"])],
            ["Pendaftaran aktif", _num(s["registrations"])],
            ["Peserta unik", _num(s["unique_participants"])],
            ["Peserta ASN (PNS/PPPK)", _num(report.asn_participants)],
            ["Kehadiran terverifikasi", _num(s["attended"])],
            ["JP yang diberikan", _num(s["jp_credited"])],
            ["Sertifikat peserta berlaku", _num(s["certificates"])],
            [f"ASN mencapai {report.target} JP (JP di platform ini)",
             _num(s["asn_reached_target"])],
            ["Instansi terjangkau", _num(report.agencies_reached)],
            ["Provinsi terjangkau", _num(report.provinces_reached)],
        ], [11 * cm, 5 * cm], header=False),
        Spacer(1, 0.4 * cm),
        p("Instansi dengan training rate tertinggi", h2),
        p(f"Training rate = ASN peserta yang mencapai {report.target} JP dari JP yang tercatat "
          "di platform ini, dibagi ASN peserta instansi (dan, bila jumlah ASN instansi "
          "dimasukkan, dibagi jumlah ASN itu).", body),
        Spacer(1, 0.2 * cm),
    ]
    top = [["#", "Instansi", "Peserta ASN", f">= {report.target} JP", "Rate", "Rate vs ASN"]]
    for i, r in enumerate(report.top_agencies, start=1):
        top.append([str(i), p(r["instansi"]), _num(r["participants"]),
                    _num(r["reached_target"]), _pct(r["rate"]), _pct(r["headcount_rate"])])
    if len(top) == 1:
        top.append(["", p("Belum ada instansi dengan cukup peserta."), "", "", "", ""])
    story.append(_table(top, [0.8 * cm, 7.4 * cm, 2.2 * cm, 1.8 * cm, 1.8 * cm, 2.2 * cm]))
    story += [Spacer(1, 0.4 * cm), p("Narasumber menurut asal instansi", h2)]
    speakers = [["Asal", "Narasumber", "Sesi"]]
    speakers += [[p(r["origin"]), _num(r["speakers"]), _num(r["sessions"])]
                 for r in report.speakers_by_origin]
    if len(speakers) == 1:
        speakers.append([p("Belum ada narasumber."), "", ""])
    story.append(_table(speakers, [10.2 * cm, 3 * cm, 3 * cm]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=2 * cm, bottomMargin=2 * cm,
                            title=f"Laporan Tahunan ASN Belajar {report.year}",
                            author=issuer)
    doc.build(story)
    return buffer.getvalue()
