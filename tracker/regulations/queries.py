"""Read-side queries. Each runs a fixed number of SQL statements, however many regulations there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.audit.models import AuditEvent
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, RegulationKind, StageChange
from tracker.regulations.stages import Stage

SOON_DAYS = 30


@dataclass
class Card:
    regulation: Regulation
    stage: Stage | None
    stage_change: StageChange | None
    next_deadline: Deadline | None
    overdue: int = 0  # open deadlines whose (first) day lies before the as-of date
    due_soon: int = 0  # open deadlines due within SOON_DAYS of the as-of date


@dataclass(frozen=True)
class BoardFilter:
    """Board filters; each narrows the regulations shown. Values are already validated."""

    pillar: int | None = None
    team_id: int | None = None
    authority_id: int | None = None
    kind: RegulationKind | None = None
    team_ids: frozenset[int] | None = None  # "my teams"

    def apply(self, query: Select) -> Select:
        if self.pillar is not None:
            query = query.where(Regulation.pillar == self.pillar)
        if self.team_id is not None:
            query = query.where(Regulation.team_id == self.team_id)
        if self.kind is not None:
            query = query.where(Regulation.kind == self.kind)
        if self.team_ids is not None:
            query = query.where(Regulation.team_id.in_(self.team_ids or {-1}))
        if self.authority_id is not None:
            query = query.where(
                Regulation.id.in_(
                    select(Designation.regulation_id).where(Designation.authority_id == self.authority_id)
                )
            )
        return query


@dataclass
class Board:
    as_of: dt.date
    columns: dict[Stage | None, list[Card]] = field(default_factory=dict)

    @property
    def cards(self) -> list[Card]:
        return [card for cards in self.columns.values() for card in cards]

    def stage_of(self, key: str) -> Stage | None:
        return next((c.stage for c in self.cards if c.regulation.key == key), None)


def stages_as_of(session: Session, as_of: dt.date, ids: list[int] | None = None) -> dict[int, StageChange]:
    """The change in force on `as_of` for every regulation (or those in `ids`) that had one: one query."""
    ranked = (
        select(
            StageChange.id,
            func.row_number()
            .over(
                partition_by=StageChange.regulation_id,
                order_by=(StageChange.effective_on.desc(), StageChange.id.desc()),
            )
            .label("rn"),
        )
        .where(StageChange.effective_on <= as_of, *([StageChange.regulation_id.in_(ids)] if ids is not None else []))
        .subquery()
    )
    rows = session.scalars(select(StageChange).join(ranked, ranked.c.id == StageChange.id).where(ranked.c.rn == 1))
    return {change.regulation_id: change for change in rows}


def next_deadlines(session: Session, as_of: dt.date, ids: list[int] | None = None) -> dict[int, Deadline]:
    """Per regulation, the first deadline on or after `as_of` that was not met by then: one query."""
    ranked = (
        select(
            Deadline.id,
            func.row_number()
            .over(partition_by=Deadline.regulation_id, order_by=(Deadline.due_on, Deadline.id))
            .label("rn"),
        )
        .where(
            Deadline.due_on >= as_of,
            or_(Deadline.met_on.is_(None), Deadline.met_on > as_of),
            *([Deadline.regulation_id.in_(ids)] if ids is not None else []),
        )
        .subquery()
    )
    rows = session.scalars(select(Deadline).join(ranked, ranked.c.id == Deadline.id).where(ranked.c.rn == 1))
    return {d.regulation_id: d for d in rows}


def deadline_badges(session: Session, as_of: dt.date) -> dict[int, tuple[int, int]]:
    """Per regulation: (overdue, due within SOON_DAYS) open deadlines as of the date; one query."""
    soon_end = as_of + dt.timedelta(days=SOON_DAYS)
    open_then = or_(Deadline.met_on.is_(None), Deadline.met_on > as_of)
    rows = session.execute(
        select(
            Deadline.regulation_id,
            func.sum(case((Deadline.due_on < as_of, 1), else_=0)),
            func.sum(case((Deadline.due_on.between(as_of, soon_end), 1), else_=0)),
        )
        .where(open_then, Deadline.due_on.is_not(None), Deadline.due_on <= soon_end)
        .group_by(Deadline.regulation_id)
    )
    return {reg_id: (int(overdue or 0), int(soon or 0)) for reg_id, overdue, soon in rows}


def board(session: Session, as_of: dt.date, filters: BoardFilter | None = None) -> Board:
    """The portfolio by stage as it stood on `as_of`; regulations without a stage then go under None."""
    query = select(Regulation).options(joinedload(Regulation.team)).order_by(Regulation.key)
    regulations = session.scalars((filters or BoardFilter()).apply(query)).all()
    changes = stages_as_of(session, as_of)
    deadlines = next_deadlines(session, as_of)
    badges = deadline_badges(session, as_of)
    result = Board(as_of=as_of, columns={stage: [] for stage in [*Stage, None]})
    for reg in regulations:
        change = changes.get(reg.id)
        stage = change.to_stage if change else None
        overdue, soon = badges.get(reg.id, (0, 0))
        result.columns[stage].append(Card(reg, stage, change, deadlines.get(reg.id), overdue, soon))
    return result


@dataclass
class RegulationPage:
    regulation: Regulation
    history: list[StageChange]
    deadlines: list[Deadline]
    designations: list[Designation]
    evaluations: list[Evaluation]
    audit: list[AuditEvent]

    @property
    def current(self) -> StageChange | None:
        return self.history[-1] if self.history else None


def regulation_page(session: Session, key: str) -> RegulationPage | None:
    """Everything the regulation page shows, in a fixed number of queries."""
    reg = session.scalars(select(Regulation).options(joinedload(Regulation.team)).where(Regulation.key == key)).first()
    if reg is None:
        return None
    history = session.scalars(
        select(StageChange)
        .where(StageChange.regulation_id == reg.id)
        .order_by(StageChange.effective_on, StageChange.id)
    ).all()
    deadlines = session.scalars(
        select(Deadline)
        .where(Deadline.regulation_id == reg.id)
        .order_by(Deadline.due_on.is_(None), Deadline.due_on, Deadline.id)
    ).all()
    designations = session.scalars(
        select(Designation)
        .options(joinedload(Designation.authority))
        .where(Designation.regulation_id == reg.id)
        .order_by(Designation.id)
    ).all()
    evaluations = session.scalars(
        select(Evaluation)
        .where(Evaluation.regulation_id == reg.id)
        .order_by(Evaluation.due_on.is_(None), Evaluation.due_on, Evaluation.id)
    ).all()
    audit = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.regulation_id == reg.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(200)
    ).all()
    return RegulationPage(reg, list(history), list(deadlines), list(designations), list(evaluations), list(audit))
