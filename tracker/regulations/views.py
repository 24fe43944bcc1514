"""Pages: the board by stage (as of any date, filtered) and a page per regulation."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from tracker.auth.models import Team
from tracker.auth.permissions import can_create, can_edit_team
from tracker.clock import get_clock
from tracker.dates import DateError, parse_day
from tracker.db import get_session
from tracker.hooks import page_context
from tracker.parsing import whole_number
from tracker.regulations.certainty import stage_markers
from tracker.regulations.filters import FilterError, filter_choices, parse_filters
from tracker.regulations.forms import DeleteForm, MoveStageForm
from tracker.regulations.models import Authority
from tracker.regulations.queries import BoardFilter, board, regulation_page
from tracker.regulations.stages import Stage

bp = Blueprint("regulations", __name__)

FILTER_ARGS = ("as_of", "pillar", "team", "authority", "kind", "mine", "status")
PAGE_SIZE = 200  # cards per page when one column is shown on its own


def _as_of(current: dt.date) -> dt.date:
    raw = request.args.get("as_of", "").strip()
    try:
        return parse_day(raw) if raw else current
    except DateError as exc:
        abort(400, description=f"as_of: {exc}")


def _filters(teams: list[Team], authorities: list[Authority]) -> BoardFilter:
    try:
        return parse_filters(request.args, teams, authorities, current_user.team_ids)
    except FilterError as exc:
        abort(400, description=str(exc))


def _column() -> tuple[Stage | str | None, int]:
    """`?stage=consultation&page=2`: one column on its own, a page of PAGE_SIZE cards at a time."""
    raw = request.args.get("stage", "").strip()
    try:
        page = whole_number(request.args.get("page", "").strip() or "1", 1, 100000)
    except ValueError as exc:
        abort(400, description=f"page: must be {exc}")
    if not raw:
        return "all", 1
    if raw == "none":
        return None, page
    try:
        return Stage(raw), page
    except ValueError:
        abort(400, description=f"stage: {raw!r} is not a stage; known: {', '.join(s.value for s in Stage)}, none")


@bp.get("/")
def board_page() -> str:
    current = get_clock().today()
    as_of = _as_of(current)
    db = get_session()
    choices = filter_choices(db, regulations=False)
    filters = _filters(choices["teams"], choices["authorities"])
    only, page = _column()
    if request.args.get("status", "").strip():  # a status filter (planning) sees every act, not the first page
        result = board(db, as_of, filters, today=current, limit=None)
    elif only == "all":
        result = board(db, as_of, filters, today=current)
    else:
        result = board(db, as_of, filters, today=current, only=only, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "regulations/board.html",
        board=result,
        page=page,
        page_size=PAGE_SIZE,
        single=only != "all",
        args_without_paging={k: v for k, v in request.args.items() if k not in ("stage", "page")},
        today=current,
        args=request.args,
        filtered=any(request.args.get(k) for k in FILTER_ARGS[1:]),
        can_create=can_create(current_user),
        stage_marks=stage_markers(db, result.cards),
        **choices,
        **page_context("board", result),  # e.g. planning: status badges, a status filter, late and at risk first
    )


def render_detail(key: str, move_form: MoveStageForm | None = None) -> str:
    page = regulation_page(get_session(), key)
    if page is None:
        abort(404, description=f"No regulation with short name {key!r}.")
    editable = can_edit_team(current_user, page.regulation.team_id)
    if editable and move_form is None:
        move_form = MoveStageForm(formdata=None)
        move_form.version.data = str(page.regulation.version)
        stages = list(Stage)
        current = page.current.to_stage if page.current else None
        # Offer the usual move: the next stage.
        if current is not None and current.index + 1 < len(stages):
            move_form.to_stage.data = stages[current.index + 1].value
    return render_template(
        "regulations/detail.html",
        page=page,
        today=get_clock().today(),
        editable=editable,
        move_form=move_form,
        delete_form=DeleteForm(formdata=None),
        **{"feed_links": None, "following": False, **page_context("regulation", page.regulation)},
        **page_context("regulation_page", page),  # the whole page (history, deadlines) for e.g. planning
    )


@bp.get("/regulations/<key>")
def detail(key: str) -> str:
    return render_detail(key)
