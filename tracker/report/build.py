"""One report in one format: gather the data once, draw the figure once, write the format. The CLI, the page's
downloads and the benchmark all come through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session

from tracker.hooks import EXTENSION, page_context
from tracker.regulations.models import Regulation
from tracker.report.data import PlanningSource, Report, gather
from tracker.report.figure import figure_parts
from tracker.report.options import ReportOptions

# A planning feature registers `add_page_context(app, PLANNING_HOOK, provider)`, where provider((regulations,
# as_of)) returns {regulation id: one line on where its planning stands then}. Without one, the report shows none.
PLANNING_HOOK = "report.planning"


def planning_source() -> PlanningSource | None:
    """The planning provided by whatever feature registered for it in this app, or None."""
    if not current_app.extensions.get(EXTENSION, {}).get(PLANNING_HOOK):
        return None

    def provided(regulations: Sequence[Regulation], as_of: dt.date) -> dict[int, str]:
        return {int(k): str(v) for k, v in page_context(PLANNING_HOOK, (list(regulations), as_of)).items() if v}

    return provided


def read(session: Session, options: ReportOptions, *, today: dt.date, tz: ZoneInfo) -> Report:
    return gather(session, options, today=today, tz=tz, planning=planning_source())


# What a format needs from the system beyond pip (`scripts/test` installs them; the README names them).
SYSTEM_LIBRARIES = {"pdf": "libpango-1.0-0 libpangoft2-1.0-0", "docx": "libcairo2"}


class MissingLibrary(RuntimeError):
    """A format whose system library is not installed on this machine: say which, instead of a crash."""


def render(report: Report, fmt: str) -> bytes:
    """The report as `fmt` (html, pdf or docx); needs an app context for the templates."""
    figure = figure_parts(report)
    if fmt == "html":
        from tracker.report.html import render_document

        return render_document(report, figure).encode("utf-8")
    try:
        if fmt == "pdf":
            from tracker.report.pdf import write_pdf

            return write_pdf(report, figure)
        from tracker.report.docx import write_docx

        return write_docx(report, figure)
    except (ImportError, OSError) as exc:  # WeasyPrint and CairoSVG load Pango and Cairo when first used
        raise MissingLibrary(
            f"{fmt.upper()} needs system libraries that this machine lacks ({exc}); on Debian: "
            f"apt-get install {SYSTEM_LIBRARIES[fmt]}"
        ) from exc


def file_name(options: ReportOptions, fmt: str) -> str:
    word = "voortgangsrapportage" if options.lang == "nl" else "progress-report"
    return f"{word}-{options.as_of.isoformat()}.{fmt}"
