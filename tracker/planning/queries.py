"""Loading what the planning needs for many acts at once: a fixed number of queries, however many acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, Select, String, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from tracker.content import Local
from tracker.dates import Precision, PrecisionDate
from tracker.planning.models import ActPlan, PlannedDate, Review, StageDuration
from tracker.planning.plan import STEPS, Plan, PlanInput, Target, plan_for
from tracker.regulations.models import Deadline, Regulation
from tracker.regulations.queries import stages_as_of
from tracker.regulations.stages import Stage

# Used only for a step that has no figure in the database at all (an empty database, before `tracker seed`):
# the same assumptions as seed/planning/durations.yaml, which is where the figures live.
FALLBACK_DAYS = {
    "internal_prep": 180,
    "consultation": 120,
    "council_of_state": 120,
    "parliament": 270,
    "publication": 30,
}


@dataclass(frozen=True)
class ActPlanView:
    regulation: Regulation
    stage: Stage | None
    since: PrecisionDate | None
    target: Deadline | None
    eu_exception: bool
    durations: Mapping[str, tuple[int, str]]  # step -> (days, where the figure comes from: default, team or act)
    planned: Mapping[str, PrecisionDate]
    plan: Plan


def resolve_durations(
    rows: Iterable[StageDuration], team_id: int | None, regulation_id: int
) -> dict[str, tuple[int, str]]:
    """Per step: the act's own figure, else its team's, else the default; each with its scope."""
    found: dict[str, tuple[int, str]] = {s: (FALLBACK_DAYS[s], "fallback") for s in STEPS}
    rank = {"fallback": 0, "default": 1, "team": 2, "act": 3}
    for row in rows:
        if row.regulation_id is not None:
            scope = "act" if row.regulation_id == regulation_id else None
        elif row.team_id is not None:
            scope = "team" if row.team_id == team_id else None
        else:
            scope = "default"
        if scope and rank[scope] > rank[found[row.step][1]]:
            found[row.step] = (row.days, scope)
    return found


def load_plans(
    session: Session,
    as_of: dt.date,
    regulations: list[Regulation] | None = None,
    stages: Mapping[int, tuple[Stage | None, PrecisionDate | None]] | None = None,
) -> dict[int, ActPlanView]:
    """The plan of every act (or of `regulations`) as of a day, by regulation id. `stages` (id -> (stage, since))
    may come from the caller (the board has them); otherwise the history is read in one query."""
    if regulations is None:
        regulations = list(
            session.scalars(select(Regulation).options(joinedload(Regulation.team)).order_by(Regulation.key))
        )
        ids = None
    else:
        ids = [r.id for r in regulations]
    if not regulations:
        return {}

    def only(column: Any) -> list[Any]:  # a filter on the shown acts, or none for all
        return [column.in_(ids)] if ids is not None else []

    if stages is None:
        changes = stages_as_of(session, as_of, ids)
        stages = {i: (c.to_stage, c.effective) for i, c in changes.items()}
    # One query for the target, the exception and the latest review of each act...
    last_review = (
        select(func.max(Review.reviewed_on))
        .where(Review.regulation_id == Regulation.id, Review.reviewed_on <= as_of)
        .scalar_subquery()
    )
    targets: dict[int, tuple[ActPlan | None, Deadline | None]] = {}
    reviews: dict[int, dt.date | None] = {}
    for reg_id, act_plan, deadline, reviewed in session.execute(
        select(Regulation.id, ActPlan, Deadline, last_review)
        .outerjoin(ActPlan, ActPlan.regulation_id == Regulation.id)
        .outerjoin(Deadline, ActPlan.target_deadline_id == Deadline.id)
        .where(*only(Regulation.id))
    ):
        targets[reg_id], reviews[reg_id] = (act_plan, deadline), reviewed
    # ...and one for the durations that apply and the planned dates (a union: the page's query count stays low).
    team_ids = {r.team_id for r in regulations}
    durations_q: Select = select(  # the two parts of a union have one row type
        literal("d").label("what"),
        StageDuration.id,
        StageDuration.regulation_id,
        StageDuration.team_id,
        StageDuration.step,
        StageDuration.days,
        null().cast(Date).label("planned_on"),
        null().cast(String(32)).label("planned_precision"),
    ).where(
        or_(
            StageDuration.team_id.is_(None) & StageDuration.regulation_id.is_(None),
            StageDuration.team_id.in_(team_ids),
            StageDuration.regulation_id.in_(ids) if ids is not None else StageDuration.regulation_id.is_not(None),
        )
    )
    planned_q: Select = select(
        literal("p"),
        PlannedDate.id,
        PlannedDate.regulation_id,
        null().cast(Integer),
        PlannedDate.step,
        null().cast(Integer),
        PlannedDate.planned_on,
        PlannedDate.planned_precision,
    ).where(*only(PlannedDate.regulation_id))
    duration_rows: list[StageDuration] = []
    planned: dict[int, dict[str, PrecisionDate]] = {}
    for what, row_id, reg_id, team_id, step, days, planned_on, precision in session.execute(
        union_all(durations_q, planned_q)
    ):
        if what == "d":
            duration_rows.append(StageDuration(id=row_id, regulation_id=reg_id, team_id=team_id, step=step, days=days))
        else:
            planned.setdefault(reg_id, {})[step] = PrecisionDate(_as_date(planned_on), Precision(precision))
    by_reg: dict[int, list[StageDuration]] = {}
    shared: list[StageDuration] = []
    for row in duration_rows:
        (by_reg.setdefault(row.regulation_id, []) if row.regulation_id is not None else shared).append(row)

    out: dict[int, ActPlanView] = {}
    for reg in regulations:
        stage, since = stages.get(reg.id, (None, None))
        act_plan, deadline = targets.get(reg.id, (None, None))
        durations = resolve_durations([*shared, *by_reg.get(reg.id, [])], reg.team_id, reg.id)
        target = (
            Target(deadline.due, Local(deadline.title, deadline.title_en))  # type: ignore[arg-type]
            if deadline is not None and deadline.due.known else None
        )
        exception = bool(act_plan.eu_exception) if act_plan else False
        data = PlanInput(
            stage=stage,
            since=since,
            target=target,
            durations={k: v[0] for k, v in durations.items()},
            planned=planned.get(reg.id, {}),
            eu_exception=exception,
            last_review=reviews.get(reg.id),
        )
        out[reg.id] = ActPlanView(
            reg, stage, since, deadline, exception, durations, data.planned, plan_for(data, as_of)
        )
    return out


def _as_date(value: dt.date | str) -> dt.date:
    # SQLite hands back a union's date column as text (the union loses the column's type).
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
