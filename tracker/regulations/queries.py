"""Read-side queries. Each runs a fixed number of SQL statements, however many regulations there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, StageChange
from tracker.regulations.stages import Stage


@dataclass
class Card:
    regulation: Regulation
    stage: Stage | None
    stage_change: StageChange | None
    next_deadline: Deadline | None


@dataclass
class Board:
    as_of: dt.date
    columns: dict[Stage | None, list[Card]] = field(default_factory=dict)

    @property
    def cards(self) -> list[Card]:
        return [card for cards in self.columns.values() for card in cards]

    def stage_of(self, key: str) -> Stage | None:
        return next((c.stage for c in self.cards if c.regulation.key == key), None)


def stages_as_of(session: Session, as_of: dt.date) -> dict[int, StageChange]:
    """The change in force on `as_of` for every regulation that had one: one query."""
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
        .where(StageChange.effective_on <= as_of)
        .subquery()
    )
    rows = session.scalars(select(StageChange).join(ranked, ranked.c.id == StageChange.id).where(ranked.c.rn == 1))
    return {change.regulation_id: change for change in rows}


def next_deadlines(session: Session, as_of: dt.date) -> dict[int, Deadline]:
    """Per regulation, the first deadline on or after `as_of` that was not met by then: one query."""
    ranked = (
        select(
            Deadline.id,
            func.row_number()
            .over(partition_by=Deadline.regulation_id, order_by=(Deadline.due_on, Deadline.id))
            .label("rn"),
        )
        .where(Deadline.due_on >= as_of, or_(Deadline.met_on.is_(None), Deadline.met_on > as_of))
        .subquery()
    )
    rows = session.scalars(select(Deadline).join(ranked, ranked.c.id == Deadline.id).where(ranked.c.rn == 1))
    return {d.regulation_id: d for d in rows}


def board(session: Session, as_of: dt.date) -> Board:
    """The portfolio by stage as it stood on `as_of`; regulations without a stage then go under None."""
    regulations = session.scalars(
        select(Regulation).options(joinedload(Regulation.team)).order_by(Regulation.key)
    ).all()
    changes = stages_as_of(session, as_of)
    deadlines = next_deadlines(session, as_of)
    result = Board(as_of=as_of, columns={stage: [] for stage in [*Stage, None]})
    for reg in regulations:
        change = changes.get(reg.id)
        stage = change.to_stage if change else None
        result.columns[stage].append(Card(reg, stage, change, deadlines.get(reg.id)))
    return result


@dataclass
class RegulationPage:
    regulation: Regulation
    history: list[StageChange]
    deadlines: list[Deadline]
    designations: list[Designation]
    evaluations: list[Evaluation]

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
    return RegulationPage(reg, list(history), list(deadlines), list(designations), list(evaluations))
