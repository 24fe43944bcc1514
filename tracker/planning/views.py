"""Planning in the browser: the act page's plan and timeline, the board's badges and status filter, the review
button and planning forms, and the portfolio timeline page. Added to other features' pages through hooks."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.auth.current import current_actor
from tracker.auth.models import Team
from tracker.auth.permissions import can_edit_team
from tracker.clock import get_clock
from tracker.dates import DateError, parse_day
from tracker.db import get_session
from tracker.errors import Refused
from tracker.hooks import add_page_context
from tracker.labels import label
from tracker.parsing import whole_number
from tracker.planning import commands, wording
from tracker.planning.plan import PLANNABLE, STEPS
from tracker.planning.queries import ActPlanView, load_plans
from tracker.planning.status import Status
from tracker.planning.timeline import build
from tracker.refusals import page_status
from tracker.regulations.filters import FilterError, filter_choices, parse_filters
from tracker.regulations.models import Regulation
from tracker.regulations.queries import Board, RegulationPage
from tracker.unit_of_work import run_and_commit

bp = Blueprint("planning", __name__)


def parse_status(raw: str | None) -> Status | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return Status(text)
    except ValueError:
        abort(
            400,
            description=_(
                "Planning: %(text)s is geen planningstatus; kies uit %(known)s.",
                text=repr(text),
                known=", ".join(f"{s.value} ({label(s)})" for s in Status),
            ),
        )


def _board_context(board: Board) -> dict[str, Any]:
    """Badges for the shown cards (their stages come from the board: no query per act), the status filter,
    and late and at-risk acts first within each column."""
    wanted = parse_status(request.args.get("status"))
    cards = board.cards
    stages = {c.regulation.id: (c.stage, c.since) for c in cards}
    plans = load_plans(get_session(), board.as_of, [c.regulation for c in cards], stages)
    for stage, column in board.columns.items():
        kept = [c for c in column if wanted is None or plans[c.regulation.id].plan.status is wanted]
        if wanted is not None:
            board.counts[stage] = len(kept)
        kept.sort(key=lambda c: plans[c.regulation.id].plan.status.urgency)  # stable: by key within a status
        board.columns[stage] = kept
    return {"plans": plans, "plan_statuses": list(Status), "plan_status": wanted}


def _regulation_context(page: RegulationPage) -> dict[str, Any]:
    """The act's plan as of today and its timeline, from the history and deadlines the page has already read."""
    reg, today = page.regulation, get_clock().today()
    view = load_plans(
        get_session(),
        today,
        [reg],
        {reg.id: (page.current.to_stage, page.current.effective) if page.current else (None, None)},
    )[reg.id]
    history = [(c.to_stage, c.effective) for c in page.history]
    deadlines = [(d.title, d.due) for d in page.deadlines if d.due.known]
    return {
        "planning": view,
        "planning_timeline": build(history, view.plan, deadlines, view.target.due if view.target else None, today),
        "planning_editable": can_edit_team(current_user, reg.team_id),
        "planning_steps": [(k, wording.STEP_NAMES[k]) for k in PLANNABLE],
        "duration_steps": [(k, wording.STEP_NAMES[k]) for k in STEPS],
        "planning_refused": g.get("planned_refused"),  # a refused planned start: its step, input and errors
    }


def _report_lines(subject: tuple[list[Regulation], dt.date]) -> dict[int, str]:
    """The progress report's line per act (tracker.report's "report.planning" hook): status and reason then."""
    regulations, as_of = subject
    plans = load_plans(get_session(), as_of, regulations)
    return {reg_id: f"{label(view.plan.status)}: {view.plan.reason}" for reg_id, view in plans.items()}


def register(app: Any) -> None:
    add_page_context(app, "board", _board_context)
    add_page_context(app, "regulation_page", _regulation_context)
    add_page_context(app, "report.planning", _report_lines)
    # Globals, not a context processor: the planning macros that other pages import see no page context.
    app.jinja_env.globals.update(
        step_names=wording.STEP_NAMES,
        step_kinds=wording.STEP_KINDS,
        duration_sources=wording.DURATION_SOURCES,
        planning_window=wording.window,
    )


bp.record_once(lambda state: register(state.app))


# -- changes -------------------------------------------------------------------------------------------
def _saved(command: object, key: str, done: str) -> Response:
    """Run the command (a refusal is the error page naming it: tracker.refusals) and go back to the plan."""
    run_and_commit(get_session(), command, current_actor(), get_clock())
    flash(done)
    return redirect(url_for("regulations.detail", key=key) + "#planning")


@bp.post("/regulations/<key>/plan/review")
def review(key: str) -> Response:
    return _saved(
        commands.ConfirmCurrent(key, request.form.get("note")),
        key,
        _("Bevestigd: de planning is nog actueel."),
    )


@bp.post("/regulations/<key>/plan/planned")
def planned(key: str) -> Response | tuple[str, int]:
    step = request.form.get("step", "")
    if step not in PLANNABLE:
        abort(400, description=_("Stap: %(step)s is geen stap van de planning; kies er een uit de lijst.", step=step))
    typed = request.form.get("date") or ""
    try:
        return _saved(commands.SetPlannedDate(key, step, typed), key, _("Geplande start opgeslagen."))
    except Refused as exc:
        errors = [str(message) for field, message in exc.errors if field == "date"]
        if not errors:
            raise  # not about the date (no such act, not allowed): the error page names it
        # The act page again, with the error on the date field and the input kept, as the other forms do. The
        # act page is the regulations feature's view: reached through the app, not imported (no feature imports
        # another's views).
        g.planned_refused = {"step": step, "date": typed, "errors": errors}
        page = cast(str, current_app.view_functions["regulations.detail"](key=key))  # the act page's HTML
        return page, page_status(exc)


@bp.post("/regulations/<key>/plan/target")
def target(key: str) -> Response:
    raw = request.form.get("deadline_id", "").strip()
    try:
        deadline_id = whole_number(raw, 1, 2**31 - 1) if raw else None
    except ValueError:
        abort(400, description=_("Doeldatum: kies een termijn uit de lijst."))
    cmd = commands.SetTarget(key, deadline_id, request.form.get("eu_exception") == "1")
    return _saved(cmd, key, _("Doeldatum opgeslagen."))


@bp.post("/regulations/<key>/plan/duration")
def duration(key: str) -> Response:
    step = request.form.get("step", "")
    raw = request.form.get("days", "").strip()
    try:
        days = whole_number(raw, 0, 3650) if raw else None
    except ValueError:
        abort(400, description=_("Dagen: geef een heel aantal dagen van 0 tot en met 3650, of laat het leeg."))
    scope = request.form.get("scope", "act")
    if scope not in ("act", "team"):
        abort(400, description=_("Voor: kies deze regeling of het team."))
    reg = get_session().scalars(select(Regulation).where(Regulation.key == key)).first()
    if reg is None:
        abort(404, description=_("Er is geen regeling met de korte naam %(key)s.", key=repr(key)))
    team = cast(Team, get_session().get(Team, reg.team_id))  # an act's team exists (foreign key)
    cmd = commands.SetDuration(
        step,
        days,
        key=key if scope == "act" else None,
        team=team.key if scope == "team" else None,
        source=request.form.get("source"),
    )
    return _saved(cmd, key, _("Duur opgeslagen."))


# -- the portfolio timeline -----------------------------------------------------------------------------
@bp.get("/plan")
def portfolio() -> str:
    today = get_clock().today()
    raw = request.args.get("as_of", "").strip()
    try:
        as_of = parse_day(raw) if raw else today
    except DateError:
        problem = _("Stand op: %(text)s is geen dag; schrijf JJJJ-MM-DD, bijvoorbeeld 2023-09-30.", text=repr(raw))
        abort(400, description=problem)
    db = get_session()
    choices = filter_choices(db, regulations=False)
    try:
        filters = parse_filters(request.args, choices["teams"], choices["authorities"], current_user.team_ids)
    except FilterError as exc:
        abort(400, description=str(exc))
    wanted = parse_status(request.args.get("status"))
    regs = list(db.scalars(filters.apply(select(Regulation)).order_by(Regulation.key)))
    views = [v for v in load_plans(db, as_of, regs).values() if wanted is None or v.plan.status is wanted]
    # Least slack first; acts without a slack (no target, done) after, most urgent status first.
    views.sort(
        key=lambda v: (v.plan.slack_days is None, v.plan.slack_days or 0, v.plan.status.urgency, v.regulation.key)
    )
    return render_template(
        "planning/portfolio.html",
        views=views,
        rows=_portfolio_rows(views, as_of),
        as_of=as_of,
        today=today,
        args=request.args,
        plan_statuses=list(Status),
        plan_status=wanted,
        **choices,
    )


def _portfolio_rows(views: list[ActPlanView], as_of: dt.date) -> dict[str, Any]:
    """The picture's geometry: one row per act, a bar from its stage start (or as-of) to forecast entry into force."""
    days = [as_of]
    for v in views:
        if v.since and v.since.first_day:
            days.append(v.since.first_day)
        if v.plan.forecast_in_force:
            days.append(v.plan.forecast_in_force)
        if v.target is not None and v.target.due.first_day:
            days.append(v.target.due.first_day)
    start, end = dt.date(min(days).year, 1, 1), dt.date(max(days).year + 1, 1, 1)
    left, width = 150, 960
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return round(left + (width - left - 20) * (day - start).days / span, 1)

    rows = []
    for i, v in enumerate(views):
        begin = v.since.first_day if v.since and v.since.first_day else as_of
        stop = v.plan.forecast_in_force or begin
        target_day = v.target.due.first_day if v.target is not None else None
        rows.append(
            {
                "y": 30 + i * 22,
                "view": v,
                "x": x(begin),
                "w": max(x(stop) - x(begin), 2.0),
                "target_x": x(target_day) if target_day else None,
            }
        )
    return {
        "rows": rows,
        "width": width,
        "height": 40 + len(views) * 22,
        "ticks": [(x(dt.date(y, 1, 1)), str(y)) for y in range(start.year, end.year + 1)],
        "today_x": x(as_of),
    }
