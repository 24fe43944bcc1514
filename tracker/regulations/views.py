"""Pages: the board by stage (as of any date, filtered) and a page per regulation."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker import date_input
from tracker.auth.models import Team
from tracker.auth.names import names_by_email
from tracker.auth.permissions import can_create, can_edit_team
from tracker.clock import get_clock
from tracker.dates import DateError, Precision, parse_day
from tracker.db import get_session
from tracker.hooks import page_context
from tracker.labels import label
from tracker.parsing import whole_number
from tracker.regulations.certainty import level_of, stage_markers
from tracker.regulations.filters import FilterError, filter_choices, parse_filters
from tracker.regulations.forms import DeleteForm, MoveStageForm
from tracker.regulations.instruments.lookup import name_of
from tracker.regulations.instruments.procedures import procedure
from tracker.regulations.models import Authority
from tracker.regulations.queries import BoardFilter, RegulationPage, board, regulation_page
from tracker.regulations.stages import Stage

bp = Blueprint("regulations", __name__)


@bp.app_template_filter("certainty")
def certainty_word(level: object) -> str:
    """A certainty code from a row or a field source ("reading") as its one name (tracker/regulations/words.py)."""
    return label(level_of(level))


FILTER_ARGS = ("as_of", "pillar", "team", "authority", "kind", "mine", "status", "instrument", "ministry")
PAGE_SIZE = 200  # cards per page when one column is shown on its own


def _as_of(current: dt.date) -> tuple[dt.date, str | None]:
    """The board's date, and what is wrong with the one asked for (the board then shows today's, with the message
    at the date field)."""
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return current, None
    try:
        return parse_day(raw), None
    except DateError:
        try:
            value = date_input.parse(raw)
        except DateError as exc:
            return current, str(exc)
        if value.precision is Precision.DAY and value.start is not None:
            return value.start, None
        return current, _("Kies een dag, bijvoorbeeld 30-09-2023.")


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
        abort(400, description=_("page: moet %(rule)s zijn.", rule=str(exc)))
    if not raw:
        return "all", 1
    if raw == "none":
        return None, page
    try:
        return Stage(raw), page
    except ValueError:
        abort(400, description=_("stage: %(value)s is geen fase; bekend zijn %(known)s en none.", value=repr(raw[:24]),
                                 known=", ".join(s.value for s in Stage)))


@bp.get("/")
def board_page() -> tuple[str, int]:
    current = get_clock().today()
    as_of, as_of_error = _as_of(current)
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
        as_of_error=as_of_error,
        **choices,
        **page_context("board", result),  # e.g. planning: status badges, a status filter, late and at risk first
    ), (400 if as_of_error else 200)


def render_detail(key: str, move_form: MoveStageForm | None = None) -> str:
    page = regulation_page(get_session(), key)
    if page is None:
        abort(404, description=_("Er is geen regeling met de korte naam %(key)s.", key=repr(key[:40])))
    editable = can_edit_team(current_user, page.regulation.team_id)
    if editable and move_form is None:
        move_form = MoveStageForm(formdata=None)
        move_form.version.data = str(page.regulation.version)
        stages = list(procedure(page.instruments[0][0].kind).phases) if len(page.instruments) == 1 else list(Stage)
        current = page.regulation.current_stage
        # Offer the usual move: the next stage on the instrument's path.
        if current in stages and stages.index(current) + 1 < len(stages):
            move_form.to_stage.data = stages[stages.index(current) + 1].value
    if move_form is not None:
        move_form.instrument.choices = instrument_choices(page)
    return render_template(
        "regulations/detail.html",
        page=page,
        today=get_clock().today(),
        editable=editable,
        move_form=move_form,
        delete_form=DeleteForm(formdata=None),
        actor_names=_actor_names(page),
        instrument_names={i.id: name_of(i, label(i.kind)) for i, _link in page.instruments},
        **{"feed_links": None, "following": False, **page_context("regulation", page.regulation)},
        **page_context("regulation_page", page),  # the whole page (history, deadlines) for e.g. planning
    )


def instrument_choices(page: RegulationPage) -> list[tuple[str, str]]:
    """The instruments a move may be for, when the act has several (else the field is not shown)."""
    if not page.several:
        return []
    return [(str(i.id), f"{name_of(i, str(label(i.kind)))} — {label(i.current_stage) if i.current_stage else '—'}")
            for i, _link in page.instruments]


def _actor_names(page: RegulationPage) -> dict[str, str]:
    """People by name instead of by e-mail address in the history and the audit trail: one query."""
    return names_by_email(get_session(), {ch.actor for ch in page.history} | {ev.actor for ev in page.audit})


@bp.get("/regulations/<key>")
def detail(key: str) -> str:
    return render_detail(key)
