"""The report as a Word document (python-docx): real headings, real tables, the roadmap as a picture with its text
alternative, and a table-of-contents field Word fills in. Everything stays editable text, so a coordinator can
rework the prose before sending it on. The document's dates come from the report (the app's clock)."""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from tracker.report.data import Act, Report, Row
from tracker.report.figure import FigurePart, figure_parts
from tracker.report.text import day, pdate, sentence, stage_label

FIGURE_WIDTH = Cm(24)


def _section(document: DocumentType, orientation: WD_ORIENT) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = sorted((section.page_width, section.page_height))
    section.orientation = orientation
    if orientation == WD_ORIENT.LANDSCAPE:
        width, height = height, width
    section.page_width, section.page_height = width, height


def _toc_field(document: DocumentType, placeholder: str) -> None:
    """A TOC field over headings 1 to 3; Word shows page numbers once the field is updated (F9)."""
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, 'TOC \\o "1-3" \\h \\z \\u'), ("separate", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


class _Styles:
    """Paragraph style ids by name, looked up once: python-docx looks a style name up among all styles (and checks
    the default) on every styled paragraph, which was a third of a 1,000-act document's time."""

    def __init__(self, document: DocumentType) -> None:
        self.document = document
        self.ids: dict[str, str] = {}

    def paragraph(self, text: str, name: str) -> Paragraph:
        if name not in self.ids:
            self.ids[name] = self.document.styles[name].style_id
        paragraph = self.document.add_paragraph(text)
        paragraph._p.style = self.ids[name]
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")


def _table(document: DocumentType, header: Sequence[str], rows: Sequence[Row]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    # A repeating header row on every page the table spans.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tbl_header = OxmlElement("w:tblHeader")
    tbl_header.set(qn("w:val"), "true")
    tr_pr.append(tbl_header)
    if not rows:
        return
    # One row made by python-docx (cell widths and properties as it makes them), copied for every row: its
    # `add_row` works out each cell's width from the grid and `_Cell.text` rebuilds the cell, per cell.
    prototype = table.add_row()._tr
    for tc in prototype.tc_lst:
        _Cell(tc, table).text = "-"
    prototype.getparent().remove(prototype)
    tbl = table._tbl
    for row in rows:
        tr = copy.deepcopy(prototype)
        for tc, text in zip(tr.tc_lst, row.cells, strict=True):
            if not text or "\t" in text or "\n" in text:  # python-docx's own way: no run text, tabs, breaks
                _Cell(tc, table).text = text
                continue
            t = tc.find(f".//{qn('w:t')}")
            t.text = text
            if text != text.strip():
                t.set(qn("xml:space"), "preserve")
        tbl.append(tr)


def _labelled(document: DocumentType, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(text)


def _list(document: DocumentType, styles: _Styles, title: str, lines: Sequence[str], empty: str) -> None:
    document.add_paragraph().add_run(title).bold = True
    if not lines:
        document.add_paragraph(empty)
    for line in lines:
        styles.paragraph(line, "List Bullet")


def _act(document: DocumentType, styles: _Styles, report: Report, act: Act) -> None:
    lang = report.lang
    styles.heading(act.heading, 3)
    stage = stage_label(act.stage, lang) + (f", {report.t('since')} {pdate(act.since, lang)}" if act.since else "")
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{report.t('stage')}: ").bold = True
    paragraph.add_run(stage + ".")
    if act.eu_status:
        paragraph.add_run(f" {report.t('eu_status')}: ").bold = True
        paragraph.add_run(sentence(act.eu_status))
    if act.status:
        document.add_paragraph(act.status)
    if act.instruments:
        _list(document, styles, report.t("instruments"), act.instruments, "")
    elif act.regulation.national_instrument:
        _labelled(document, report.t("instrument"), act.regulation.national_instrument)
    changes = [line.text + (f": {line.note}" if line.note else "")
               + (f" ({report.t('reference')}: {line.reference})" if line.reference else "") for line in act.changes]
    _list(document, styles, report.t("changed"), changes, report.t("nothing_changed"))
    _list(document, styles, report.t("next_deadlines"), [line.text for line in act.next_deadlines],
          report.t("no_deadlines"))
    _list(document, styles, report.t("designations"), [line.text for line in act.designations],
          report.t("no_designations"))
    if act.planning:  # only when a planning feature provides it
        _labelled(document, report.t("planning"), act.planning)


def write_docx(report: Report, figure: list[FigurePart] | None = None) -> bytes:
    lang = report.lang
    figure = figure if figure is not None else figure_parts(report)
    document = Document()
    first = document.sections[0]
    first.page_width, first.page_height = Cm(21), Cm(29.7)  # A4, not the template's Letter
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    moment = dt.datetime.combine(report.drawn_up, dt.time(12, 0))
    properties = document.core_properties
    properties.title = f"{report.t('title')} – {report.t('as_of')} {day(report.options.as_of, lang)}"
    properties.author = properties.last_modified_by = "EU implementation tracker"
    properties.created = properties.modified = properties.last_printed = moment
    properties.revision = 1
    properties.language = lang

    document.add_heading(report.t("title"), level=0)
    document.add_paragraph(f"{report.t('as_of')} {day(report.options.as_of, lang)}")
    _labelled(document, report.t("period"), f"{day(report.options.since, lang)} – {day(report.options.as_of, lang)}")
    _labelled(document, report.t("filters"), "; ".join(report.selection))
    _labelled(document, report.t("drawn_up"), day(report.drawn_up, lang))
    document.add_page_break()
    document.add_paragraph(report.t("toc"), style="TOC Heading" if "TOC Heading" in document.styles else None)
    _toc_field(document, report.t("toc_update"))

    # The roadmap on landscape pages, as in the report; the prose after it on portrait pages again.
    _section(document, WD_ORIENT.LANDSCAPE)
    document.add_heading(report.t("roadmap"), level=1)
    for part in figure:
        run = document.add_paragraph().add_run()
        shape = run.add_picture(io.BytesIO(part.png()), width=FIGURE_WIDTH)
        shape._inline.docPr.set("descr", part.alt)
        shape._inline.docPr.set("title", part.caption)
        document.add_paragraph(part.caption, style="Caption")
    if report.without_stage:
        _labelled(document, report.t("no_stage_acts"), ", ".join(a.name for a in report.without_stage))

    _section(document, WD_ORIENT.PORTRAIT)
    document.add_heading(report.t("acts"), level=1)
    styles = _Styles(document)
    for group in report.pillars:
        document.add_heading(group.title, level=2)
        for act in group.acts:
            _act(document, styles, report, act)

    document.add_heading(report.t("deadlines"), level=1)
    columns = [report.t("col_act"), report.t("col_deadline"), report.t("col_due")]
    for title, rows, empty in ((report.t("overdue"), report.overdue, report.t("none_overdue")),
                               (report.t("upcoming"), report.upcoming, report.t("none_upcoming"))):
        document.add_heading(title, level=2)
        if rows:
            _table(document, columns, rows)
        else:
            document.add_paragraph(empty)

    document.add_heading(report.t("changes"), level=1)
    sections = (
        (report.t("stage_changes"), report.stage_changes, report.t("no_stage_changes"),
         [report.t("col_act"), report.t("col_from"), report.t("col_to"), report.t("since").capitalize()]),
        (report.t("new_acts"), report.new_acts, report.t("no_new_acts"),
         [report.t("col_act"), report.t("col_subject"), report.t("stage")]),
        (report.t("moved_dates"), report.moved_dates, report.t("no_moved_dates"),
         [report.t("col_act"), report.t("col_item"), report.t("col_old"), report.t("col_new"), report.t("col_shift")]),
    )
    for title, rows, empty, header in sections:
        document.add_heading(title, level=2)
        if rows:
            _table(document, header, rows)
        else:
            document.add_paragraph(empty)

    document.add_heading(report.t("evaluations"), level=1)
    header = [report.t("col_subject"), report.t("col_eval_due"), report.t("col_performer"), report.t("col_status")]
    for group in report.evaluations:
        document.add_heading(group.title, level=2)
        _table(document, header, group.rows)
    if not report.evaluations:
        document.add_paragraph(report.t("no_evaluations"))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
