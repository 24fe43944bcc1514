"""The report as PDF: WeasyPrint lays out the same HTML as the web version, as tagged PDF (PDF/UA-1: headings are
structure, the table of contents has page numbers, bookmarks follow the headings). The document's dates come from
the report (the app's clock), so the same report gives the same text."""

from __future__ import annotations

from typing import Any

from tracker.report.data import Report
from tracker.report.figure import FigurePart
from tracker.report.html import render_document


def _cached_page_references() -> None:
    """pydyf builds the tuple of all page references anew on every `PDF.page_references` read, and WeasyPrint's
    tagging reads it once per tagged box: boxes x pages, about half the PDF step of a 1,000-act report. Keep the
    tuple until a page is added (pages are only ever appended). Same references, same bytes."""
    import pydyf

    if getattr(pydyf.PDF, "_tracker_cached_references", False):
        return
    # Only over the pydyf whose property this was read from: another version may keep its pages differently, and
    # then the PDF is merely slower, never wrong.
    if pydyf.__version__.split(".")[:2] != ["0", "13"]:
        return

    def page_references(self: Any) -> tuple[bytes, ...]:
        kids = self.pages["Kids"]
        cached = self.__dict__.get("_tracker_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            self.__dict__["_tracker_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    pydyf.PDF._tracker_cached_references = True


def write_pdf(report: Report, figure: list[FigurePart] | None = None) -> bytes:
    from weasyprint import HTML

    _cached_page_references()
    html = render_document(report, figure)
    return HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True,
                                                      pdf_identifier=b"tracker-report")
