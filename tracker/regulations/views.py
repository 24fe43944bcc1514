"""Read-only pages: the board by stage (as of any date) and a page per regulation."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from tracker import get_session, today
from tracker.dates import DateError, parse_day
from tracker.regulations.queries import board, regulation_page

bp = Blueprint("regulations", __name__)


@bp.get("/")
def board_page() -> str:
    current = today()
    raw = request.args.get("as_of", "").strip()
    try:
        as_of = parse_day(raw) if raw else current
    except DateError as exc:
        abort(400, description=f"as_of: {exc}")
    return render_template("regulations/board.html", board=board(get_session(), as_of), today=current)


@bp.get("/regulations/<key>")
def detail(key: str) -> str:
    page = regulation_page(get_session(), key)
    if page is None:
        abort(404, description=f"No regulation with short name {key!r}.")
    return render_template("regulations/detail.html", page=page, today=today())
