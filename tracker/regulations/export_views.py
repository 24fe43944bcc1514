"""CSV exports for Excel: the board (as of a date, filtered) and every deadline and evaluation.

UTF-8 with a byte-order mark so Excel reads Dutch characters, and semicolons because Excel with Dutch regional
settings splits CSV files on semicolons (the comma is the decimal separator there).
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.clock import get_clock
from tracker.content import short_name, text_in
from tracker.date_words import current_language, format_day, format_pdate
from tracker.db import get_session
from tracker.labels import label
from tracker.regulations.certainty import marker_text
from tracker.regulations.models import Deadline, Evaluation, Regulation
from tracker.regulations.queries import board

bp = Blueprint("export", __name__)
# OWASP's rule against CSV (formula) injection: a text cell that starts with one of these is read by Excel as a
# formula (or, after a tab or line break, as one), so it gets a leading apostrophe, which Excel shows as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell as Excel should read it: None empty, a text that could start a formula prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(rows: list[list[object]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[neutralise(v) for v in row] for row in rows])
    response = Response("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/export/board.csv")
def board_csv() -> Response:
    from tracker.regulations.filters import filter_choices
    from tracker.regulations.views import _as_of, _filters

    current = get_clock().today()
    as_of, problem = _as_of(current)
    if problem:  # a file cannot show today's board instead, as the page does
        abort(400, description=f"as_of: {problem}")
    db = get_session()
    choices = filter_choices(db, regulations=False)
    result = board(db, as_of, _filters(choices["teams"], choices["authorities"]), today=current, limit=None)
    base = current_app.config["TRACKER"].base_url
    language = current_language()
    # Headers and words in the reader's language; the cells keep the formula rule (`neutralise`) whatever the text.
    rows: list[list[object]] = [
        [
            _("Korte naam"),
            _("Titel"),
            _("Soort"),
            _("Pijler"),
            _("Team"),
            _("Fase"),
            _("Sinds"),
            _("Volgende termijn"),
            _("Termijn"),
            _("Verlopen"),
            _("Binnen 30 dagen"),
            _("Stand op"),
            _("Link"),
        ]
    ]
    for c in result.cards:
        nxt = c.next_deadline
        rows.append(
            [
                short_name(c.regulation, language),
                text_in(c.regulation, "title", language),
                label(c.regulation.kind),
                c.regulation.pillar,
                c.regulation.team.key,
                label(c.stage) if c.stage else _("niet vastgelegd"),
                format_pdate(c.since, language) if c.since else None,
                format_pdate(nxt.due, language) if nxt else None,
                text_in(nxt, "title", language) if nxt else None,
                c.overdue,
                c.due_soon,
                as_of.isoformat(),
                f"{base}/regulations/{c.regulation.key}",
            ]
        )
    return _csv(rows, _("bord-%(day)s.csv", day=as_of.isoformat()))


@bp.get("/export/dates.csv")
def dates_csv() -> Response:
    db = get_session()
    base = current_app.config["TRACKER"].base_url
    language = current_language()
    rows: list[list[object]] = [
        [_("Soort"), _("Regeling"), _("Onderwerp"), _("Datum"), _("Precisie"), _("Eerste dag"), _("Status"),
         _("Toelichting"), _("Bron"), _("Link"), _("Laatste dag (bereik)"), _("Zekerheid")]
    ]
    for d in db.scalars(
        select(Deadline)
        .options(joinedload(Deadline.regulation))
        .order_by(Deadline.due_on.is_(None), Deadline.due_on, Deadline.id)
    ):
        rows.append(
            [
                f"{_('termijn')} ({label(d.kind)})",
                d.regulation.key,
                text_in(d, "title", language),
                format_pdate(d.due, language),
                d.due.precision.value,
                d.due.start.isoformat() if d.due.start else None,
                _("gehaald op %(when)s", when=format_day(d.met_on, language)) if d.met_on else _("open"),
                text_in(d, "note", language),
                d.source_ref,
                f"{base}/regulations/{d.regulation.key}",
                d.due.last_day.isoformat() if d.due.is_range and d.due.last_day else None,
                marker_text(d, language),
            ]
        )
    for e in db.scalars(
        select(Evaluation)
        .options(joinedload(Evaluation.regulation))
        .order_by(Evaluation.due_on.is_(None), Evaluation.due_on, Evaluation.id)
    ):
        reg: Regulation | None = e.regulation
        rows.append(
            [
                f"{_('evaluatie')} ({label(e.level)})",
                reg.key if reg else None,
                text_in(e, "subject", language),
                format_pdate(e.due, language),
                e.due.precision.value,
                e.due.start.isoformat() if e.due.start else None,
                label(e.status),
                text_in(e, "due_note", language),
                e.source_ref,
                f"{base}/regulations/{reg.key}" if reg else None,
                e.due.last_day.isoformat() if e.due.is_range and e.due.last_day else None,
                marker_text(e, language),
            ]
        )
    return _csv(rows, _("termijnen-en-evaluaties.csv"))
