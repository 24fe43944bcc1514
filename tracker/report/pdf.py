"""The report as PDF: WeasyPrint lays out the same HTML as the web version, as tagged PDF (PDF/UA-1: headings are
structure, the table of contents has page numbers, bookmarks follow the headings). The document's dates come from
the report (the app's clock), so the same report gives the same text."""

from __future__ import annotations

from tracker.report.data import Report
from tracker.report.figure import FigurePart
from tracker.report.html import render_document


def write_pdf(report: Report, figure: list[FigurePart] | None = None) -> bytes:
    from weasyprint import HTML

    html = render_document(report, figure)
    return HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True,
                                                      pdf_identifier=b"tracker-report")
