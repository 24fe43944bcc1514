"""Loading what the planning needs for many acts at once: a fixed number of queries, however many acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Date, Integer, Select, String, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from tracker.content import Local
from tracker.dates import Precision, PrecisionDate
from tracker.db import make_precision
from tracker.labels import label
from tracker.planning import wording
from tracker.planning.models import ActPlan, PlannedDate, Review, StageDuration
from tracker.planning.plan import STEPS, Plan, PlanInput, Target, plan_for
from tracker.planning.status import Status
from tracker.regulations.instruments.lookup import instrument_stages
from tracker.regulations.instruments.procedures import InstrumentKind, procedure
from tracker.regulations.models import (
    Deadline,
    DeadlineKind,
    NationalMeasures,
    Notification,
    Regulation,
    RegulationKind,
)
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
class InstrumentPlan:
    """One national instrument's plan on the procedure of its kind."""

    instrument_id: int
    title: str | None
    kind: InstrumentKind
    required: bool
    stage: Stage | None
    since: PrecisionDate | None
    plan: Plan


@dataclass(frozen=True)
class ActPlanView:
    regulation: Regulation
    stage: Stage | None
    since: PrecisionDate | None
    target: Deadline | None
    eu_exception: bool
    durations: Mapping[str, tuple[int, str]]  # step -> (days, where the figure comes from: default, team or act)
    planned: Mapping[str, PrecisionDate]
    plan: Plan  # the act's: that of its required instrument that comes into force last
    instruments: tuple[InstrumentPlan, ...] = ()


def combined_plan(plans: list[InstrumentPlan]) -> Plan:
    """An act's plan from its required instruments': done when all are; else the plan of the one without a
    forecast (nothing can be promised), or of the one whose forecast entry into force comes last. With several
    instruments the reason names the one it is about."""
    if all(p.plan.status is Status.DONE for p in plans):
        chosen = max(plans, key=lambda p: (p.since.first_day if p.since and p.since.first_day else dt.date.min))
    else:
        open_ = [p for p in plans if p.plan.status is not Status.DONE]
        unknown = [p for p in open_ if p.plan.in_force is None]
        chosen = (min(unknown, key=lambda p: p.plan.status.urgency) if unknown
                  else max(open_, key=lambda p: p.plan.forecast_in_force or dt.date.min))
    if len(plans) == 1:
        return chosen.plan
    return replace(chosen.plan, why=wording.of_instrument(chosen.title or str(label(chosen.kind)), chosen.plan.why))


def _transposed(reg: Regulation, as_of: dt.date) -> bool:
    """A directive counts as transposed only once its national measures were notified in full (Aanwijzing 9.19);
    other acts, and acts that need no national measures, when their instruments are in force."""
    if reg.kind is not RegulationKind.DIRECTIVE or reg.national_measures is NationalMeasures.NOT_NEEDED:
        return True
    day = reg.notified.first_day
    return reg.notification is Notification.COMPLETE and (day is None or day <= as_of)


def _transposition_deadlines(session: Session, ids: list[int] | None) -> dict[int, Deadline]:
    """Per directive: its earliest transposition deadline, the target when a team chose none: one query."""
    query = (
        select(Deadline)
        .join(Regulation, Regulation.id == Deadline.regulation_id)
        .where(Regulation.kind == RegulationKind.DIRECTIVE, Deadline.kind == DeadlineKind.TRANSPOSITION,
               Deadline.due_on.is_not(None))
        .order_by(Deadline.due_on.desc(), Deadline.id.desc())
    )
    if ids is not None:
        query = query.where(Deadline.regulation_id.in_(ids))
    return {d.regulation_id: d for d in session.scalars(query)}  # the earliest wins: it comes last


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

    instruments = instrument_stages(session, as_of, ids)
    transposition = _transposition_deadlines(session, ids)
    out: dict[int, ActPlanView] = {}
    for reg in regulations:
        stage, since = stages.get(reg.id, (None, None))
        act_plan_row, deadline = targets.get(reg.id, (None, None))
        if deadline is None and (act_plan_row is None or act_plan_row.target_deadline_id is None):
            deadline = transposition.get(reg.id)  # a directive must be transposed by its deadline
        durations = resolve_durations([*shared, *by_reg.get(reg.id, [])], reg.team_id, reg.id)
        target = (
            Target(deadline.due, Local(deadline.title, deadline.title_en))  # type: ignore[arg-type]
            if deadline is not None and deadline.due.known else None
        )
        exception = bool(act_plan_row.eu_exception) if act_plan_row else False
        data = PlanInput(
            stage=stage,
            since=since,
            target=target,
            durations={k: v[0] for k, v in durations.items()},
            planned=planned.get(reg.id, {}),
            eu_exception=exception,
            last_review=reviews.get(reg.id),
        )
        per = []
        for position, (instrument_id, title, _title_en, kind, required, st, on, precision) in enumerate(
            instruments.get(reg.id, [])
        ):
            path = procedure(kind)
            # A team's planned dates are for the act's first instrument (the act's own path before instruments).
            mine = replace(data, stage=st, since=make_precision(on, precision) if on else None, steps=path.steps,
                           change_dates=path.change_dates, planned=data.planned if position == 0 else {})
            per.append(InstrumentPlan(instrument_id, title, kind, required, st, mine.since, plan_for(mine, as_of)))
        required_plans = [p for p in per if p.required]
        if reg.national_measures == NationalMeasures.NOT_NEEDED:
            plan = Plan(Status.DONE, wording.no_measures(), last_activity=reviews.get(reg.id))
        elif required_plans:
            plan = combined_plan(required_plans)
        else:
            plan = plan_for(data, as_of)
        if plan.status is Status.DONE and not _transposed(reg, as_of):
            passed = target is not None and target.day is not None and target.day < as_of
            plan = Plan(Status.LATE if passed else Status.AT_RISK, wording.not_notified(),
                        last_activity=plan.last_activity)
        out[reg.id] = ActPlanView(reg, stage, since, deadline, exception, durations, data.planned, plan, tuple(per))
    return out


def _as_date(value: dt.date | str) -> dt.date:
    # SQLite hands back a union's date column as text (the union loses the column's type).
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
