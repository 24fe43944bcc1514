"""Read-side queries. Each runs a fixed number of SQL statements, however many regulations there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, String, Subquery, case, func, or_, select, true, type_coerce
from sqlalchemy.orm import Session, aliased, joinedload

from tracker.audit.models import AuditEvent
from tracker.dates import PrecisionDate
from tracker.db import make_precision
from tracker.regulations.history import STAGE_RANK
from tracker.regulations.instruments.lookup import change_in_force, instrument_stages, instruments_of
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, RegulationKind, StageChange
from tracker.regulations.stages import Stage

SOON_DAYS = 30
COLUMN_LIMIT = 30  # cards per column on the page; the column says how many more there are


@dataclass
class Card:
    regulation: Regulation
    stage: Stage | None
    since: PrecisionDate | None
    next_deadline: Deadline | None
    overdue: int = 0  # open deadlines whose (first) day lies before the as-of date; a range's last day
    due_soon: int = 0  # open deadlines due within SOON_DAYS of the as-of date
    status: str | None = None  # the note of the stage change in force: the act's line in the report's Figure 8
    status_en: str | None = None  # its English, where one is kept
    # The act's instruments as of the board's day (rows of tracker.regulations.instruments.lookup.instrument_stages).
    instruments: list[Any] = field(default_factory=list)


@dataclass
class Board:
    as_of: dt.date
    columns: dict[Stage | None, list[Card]] = field(default_factory=dict)
    counts: dict[Stage | None, int] = field(default_factory=dict)

    @property
    def cards(self) -> list[Card]:
        return [card for cards in self.columns.values() for card in cards]

    def stage_of(self, key: str) -> Stage | None:
        return next((c.stage for c in self.cards if c.regulation.key == key), None)


@dataclass(frozen=True)
class BoardFilter:
    """Board filters; each narrows the regulations shown. Values are already validated."""

    pillar: int | None = None
    team_id: int | None = None
    authority_id: int | None = None
    kind: RegulationKind | None = None
    team_ids: frozenset[int] | None = None  # "my teams"
    instrument_kind: InstrumentKind | None = None  # acts with an instrument of this kind
    ministry: str | None = None  # acts led by this ministry or with an instrument of it

    def apply(self, query: Select) -> Select:
        if self.pillar is not None:
            query = query.where(Regulation.pillar == self.pillar)
        if self.team_id is not None:
            query = query.where(Regulation.team_id == self.team_id)
        if self.kind is not None:
            query = query.where(Regulation.kind == self.kind)
        if self.team_ids is not None:
            query = query.where(Regulation.team_id.in_(self.team_ids or {-1}))
        if self.instrument_kind is not None:
            query = query.where(Regulation.id.in_(
                select(Implements.regulation_id).join(Instrument, Instrument.id == Implements.instrument_id)
                .where(Instrument.kind == self.instrument_kind)))
        if self.ministry is not None:
            query = query.where(or_(Regulation.lead_ministry == self.ministry, Regulation.id.in_(
                select(Implements.regulation_id).join(Instrument, Instrument.id == Implements.instrument_id)
                .where(Instrument.ministry == self.ministry))))
        if self.authority_id is not None:
            query = query.where(
                Regulation.id.in_(
                    select(Designation.regulation_id).where(Designation.authority_id == self.authority_id)
                )
            )
        return query


def _placing(as_of: dt.date, column: str) -> ScalarSelect[Any]:
    """For the regulation of the enclosing query: `column` of the change that places it on `as_of`, the change in
    force then of its least advanced required instrument (the latest-moved on a tie); NULL before any change.

    Per instrument, the change in force is its latest on or before the day by (effective_on, id): seeks in the
    history's (instrument_id, effective_on, id, to_stage) index, which holds every column read here."""
    mine = aliased(StageChange)
    in_force = change_in_force(mine.instrument_id, as_of, mine)
    return (
        select(getattr(mine, column))
        .join(Implements, Implements.instrument_id == mine.instrument_id)
        .where(Implements.regulation_id == Regulation.id, Implements.required == true(), mine.id == in_force)
        .order_by(case(STAGE_RANK, value=mine.to_stage), mine.effective_on.desc(), mine.id.desc())
        .limit(1)
        .correlate(Regulation)
        .scalar_subquery()
    )


def _change_in_force(as_of: dt.date) -> ScalarSelect[int]:
    return _placing(as_of, "id")


def _in_force_on(column: Any, as_of: dt.date) -> ScalarSelect[Any]:
    """For the regulation of the enclosing query: `column` of the change that places it on `as_of`."""
    return _placing(as_of, column.key)


def latest_change_id(as_of: dt.date) -> ScalarSelect[int]:
    """The id of the change that places the regulation of the enclosing query on `as_of`."""
    return _change_in_force(as_of)


def stage_rows_as_of(as_of: dt.date, ids: list[int] | None = None) -> Subquery:
    """A subquery of the change that places each regulation on `as_of` (columns of StageChange; `regulation_id`
    is the act placed, which for an instrument shared by two acts need not be the act the change was made for)."""
    latest = latest_change_id(as_of)
    acts = select(Regulation.id.label("act_id"), latest.label("change_id")).select_from(Regulation)
    if ids is not None:
        acts = acts.where(Regulation.id.in_(ids))
    found = acts.subquery("latest_change")
    return (
        select(
            StageChange.id,
            found.c.act_id.label("regulation_id"),
            StageChange.to_stage,
            StageChange.effective_on,
            StageChange.effective_precision,
        )
        .join(found, found.c.change_id == StageChange.id)
        .subquery("stage_then")
    )


def stages_as_of(session: Session, as_of: dt.date, ids: list[int] | None = None) -> dict[int, StageChange]:
    """The change that places each regulation (or those in `ids`) on `as_of`, where one does: one query."""
    then = stage_rows_as_of(as_of, ids)
    rows = session.execute(select(then.c.regulation_id, StageChange).join(then, then.c.id == StageChange.id))
    return {act_id: change for act_id, change in rows}


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
            Deadline.due_end >= as_of,  # a range counts until its last day
            or_(Deadline.met_on.is_(None), Deadline.met_on > as_of),
            *([Deadline.regulation_id.in_(ids)] if ids is not None else []),
        )
        .subquery()
    )
    rows = session.scalars(select(Deadline).join(ranked, ranked.c.id == Deadline.id).where(ranked.c.rn == 1))
    return {d.regulation_id: d for d in rows}


def deadline_badges(session: Session, as_of: dt.date, ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Per regulation: (overdue, due within SOON_DAYS) open deadlines as of the date; one query."""
    soon_end = as_of + dt.timedelta(days=SOON_DAYS)
    open_then = or_(Deadline.met_on.is_(None), Deadline.met_on > as_of)
    rows = session.execute(
        select(
            Deadline.regulation_id,
            func.sum(case((Deadline.due_end < as_of, 1), else_=0)),
            func.sum(case((Deadline.due_on.between(as_of, soon_end), 1), else_=0)),
        )
        .where(
            open_then,
            Deadline.due_on.is_not(None),
            Deadline.due_on <= soon_end,
            *([Deadline.regulation_id.in_(ids)] if ids is not None else []),
        )
        .group_by(Deadline.regulation_id)
    )
    return {reg_id: (int(overdue or 0), int(soon or 0)) for reg_id, overdue, soon in rows}


def board(
    session: Session,
    as_of: dt.date,
    filters: BoardFilter | None = None,
    *,
    today: dt.date | None = None,
    limit: int | None = COLUMN_LIMIT,
    only: Stage | str | None = "all",
    offset: int = 0,
) -> Board:
    """The portfolio by stage as it stood on `as_of`; regulations without a stage then go under None.

    For today (or later) it reads the current stage kept on each regulation: a count per stage and at most `limit`
    cards per column, each an indexed query, so the cost does not grow with the portfolio. For a day in the past one
    query finds every act's change in force then (an index seek per act) and returns the counts and the cards of
    every column. `only` restricts the board to one column.
    """
    filters = filters or BoardFilter()
    stages: list[Stage | None] = [*Stage, None]
    if only != "all":
        stages = [only]  # type: ignore[list-item]  # a Stage or its value (a StrEnum)
    result = Board(as_of=as_of, columns={s: [] for s in stages})
    base = filters.apply(select(Regulation).options(joinedload(Regulation.team)))
    if today is not None and as_of >= today:
        counts = session.execute(
            filters.apply(select(Regulation.current_stage, func.count()).select_from(Regulation)).group_by(
                Regulation.current_stage
            )
        ).all()
        result.counts = {stage: n for stage, n in counts if stage in result.columns}
        for stage in stages:
            where = Regulation.current_stage.is_(None) if stage is None else Regulation.current_stage == stage
            query = base.where(where).order_by(Regulation.key).offset(offset)
            regs = session.scalars(query.limit(limit) if limit is not None else query).all()
            result.columns[stage] = [
                Card(r, r.current_stage, r.stage_since if r.current_stage else None, None) for r in regs
            ]
    else:
        _past_columns(session, result, stages, filters, as_of, limit=limit, offset=offset)
    ids = [c.regulation.id for c in result.cards]
    if today is not None and as_of >= today and ids:
        in_force = stages_as_of(session, as_of, ids)
        for card in result.cards:
            change = in_force.get(card.regulation.id)
            card.status = change.note if change is not None else None
            card.status_en = change.note_en if change is not None else None
    deadlines = next_deadlines(session, as_of, ids)
    badges = deadline_badges(session, as_of, ids)
    instruments = instrument_stages(session, as_of, ids) if ids else {}
    for card in result.cards:
        card.instruments = instruments.get(card.regulation.id, [])
        card.next_deadline = deadlines.get(card.regulation.id)
        card.overdue, card.due_soon = badges.get(card.regulation.id, (0, 0))
    return result


def stage_then(as_of: dt.date) -> ColumnElement[str]:
    """For the regulation of the enclosing query: the stage its change in force on `as_of` moved it to, as text
    (NULL before its first change), read from the covering index alone, without visiting the history's rows."""
    return type_coerce(_in_force_on(StageChange.to_stage, as_of), String())  # plain text: no enum conversion


def _past_columns(
    session: Session,
    result: Board,
    stages: list[Stage | None],
    filters: BoardFilter,
    as_of: dt.date,
    *,
    limit: int | None,
    offset: int,
) -> None:
    """Fill a past board's counts and cards in two queries. The first reads each act's stage then, in key order
    (the key index, and one seek per act in the history's covering index: no sort, no window, no row of the
    history); each column's size and page are counted off that list here. The second loads the acts on the page
    with their change in force. Profiled at 10,000 acts on SQLite, windows over every act (a row number and a
    count per stage) cost three times the seeks themselves; the list of (id, stage) pairs is the cheap part."""
    by_value: dict[str | None, Stage | None] = {s.value: s for s in Stage}
    by_value[None] = None
    shown = {(stage.value if stage is not None else None) for stage in stages}
    sizes: dict[str | None, int] = {}
    page: dict[str | None, list[int]] = {value: [] for value in shown}
    end = None if limit is None else offset + limit
    rows = session.execute(
        filters.apply(select(Regulation.id, stage_then(as_of)).select_from(Regulation)).order_by(Regulation.key)
    )
    for reg_id, value in rows:
        if value in shown:
            position = sizes[value] = sizes.get(value, 0) + 1
            if position > offset and (end is None or position <= end):
                page[value].append(reg_id)
    result.counts = {by_value[value]: size for value, size in sizes.items()}
    ids = [reg_id for ids in page.values() for reg_id in ids]
    if not ids:
        return
    change_id = latest_change_id(as_of)
    loaded = {
        reg.id: (reg, on, precision, note, note_en)
        for reg, on, precision, note, note_en in session.execute(
            select(
                Regulation, StageChange.effective_on, StageChange.effective_precision, StageChange.note,
                StageChange.note_en,
            )
            .outerjoin(StageChange, StageChange.id == change_id)
            .options(joinedload(Regulation.team))
            .where(Regulation.id.in_(ids))
        )
    }
    for value, reg_ids in page.items():
        stage = by_value[value]
        for reg_id in reg_ids:
            reg, on, precision, note, note_en = loaded[reg_id]
            since = make_precision(on, precision) if stage is not None and on is not None else None
            result.columns[stage].append(Card(reg, stage, since, None, status=note, status_en=note_en))


@dataclass
class RegulationPage:
    regulation: Regulation
    history: list[StageChange]  # of all its instruments, in order
    deadlines: list[Deadline]
    designations: list[Designation]
    evaluations: list[Evaluation]
    audit: list[AuditEvent]
    instruments: list[tuple[Instrument, Implements]] = field(default_factory=list)

    @property
    def current(self) -> StageChange | None:
        """The change that places the act: the latest of its least advanced required instrument."""
        placing = [i for i, link in self.instruments if link.required and i.current_stage is not None]
        if not placing:
            return None
        least = min(placing, key=lambda i: (i.current_stage.index if i.current_stage else 0,
                                            -(i.stage_since.start or dt.date.min).toordinal(), i.id))
        rows = [change for change in self.history if change.instrument_id == least.id]
        return rows[-1] if rows else None

    @property
    def several(self) -> bool:
        """More than one instrument: the page names the instrument of each change."""
        return len(self.instruments) > 1


def regulation_by_key(session: Session, key: str) -> Regulation | None:
    """A regulation by its short name, with its team loaded."""
    return session.scalars(select(Regulation).options(joinedload(Regulation.team)).where(Regulation.key == key)).first()


def regulation_page(session: Session, key: str) -> RegulationPage | None:
    """Everything the regulation page shows, in a fixed number of queries."""
    reg = regulation_by_key(session, key)
    if reg is None:
        return None
    instruments = instruments_of(session, reg.id)
    history = session.scalars(
        select(StageChange)
        .where(StageChange.instrument_id.in_([i.id for i, _link in instruments] or [-1]))
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
    return RegulationPage(
        reg, list(history), list(deadlines), list(designations), list(evaluations), list(audit), instruments
    )
