"""The report as HTML: the standalone document (download, and the source of the PDF) and the body the web page
includes. Both render templates/report/_body.html, so the web, the HTML file and the PDF say the same."""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from flask import render_template

from tracker.report.data import Report
from tracker.report.figure import FigurePart, figure_parts
from tracker.report.lines import Row
from tracker.report.text import day, pdate, sentence, stage_label

# From this many acts on, the printed report (and the PDF) sets each act's lists as running text, the deadlines a row
# per date, the new acts as a list and the evaluations in two cells a row (WeasyPrint's cost is per box): a
# 1,000-act portfolio then takes 265 pages instead of 600, in about two thirds of the time of three-cell rows.
COMPACT_FROM = 60


def anchor(prefix: str, text: str) -> str:
    return f"{prefix}-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def by_date(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """Deadline rows (act, deadline, date; in date order) as (date, its rows): the compact form's deadline tables
    have a row per date, which keeps the date order and needs a third of the rows."""
    return [(date, list(group)) for date, group in groupby(rows, key=lambda row: row.cells[2])]


def template_values(report: Report, figure: list[FigurePart] | None = None) -> dict[str, Any]:
    lang = report.lang
    return {
        "report": report,
        "figure": figure if figure is not None else figure_parts(report),
        "anchor": anchor,
        "day": lambda value: day(value, lang),
        "pdate": lambda value: pdate(value, lang),
        "stage_label": lambda stage: stage_label(stage, lang),
        "sentence": sentence,
        "compact_from": COMPACT_FROM,
        "by_date": by_date,
    }


def render_document(report: Report, figure: list[FigurePart] | None = None) -> str:
    """The whole report as one HTML file, styles included (needs an app context for the templates)."""
    return render_template("report/document.html", **template_values(report, figure))
