"""The one writer of stage state: the dated, append-only history and the columns that mirror it.

A history belongs to a national instrument and runs on the procedure of its kind. Moves (browser, API, CLI), the
seed and the import all write through here, so `Instrument.current_stage` and `stage_since` always equal the
instrument's latest change by effective date, and `Regulation.current_stage` and `stage_since`, which today's board
reads from an index, always equal those of the act's least advanced required instrument (instruments with no stage
yet do not place the act). Each change is checked by the pure stage machine (stages.check_move) against the one
before it, along its instrument's path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, true, update
from sqlalchemy.orm import Session

from tracker.dates import Precision, PrecisionDate
from tracker.db import fit
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.instruments.procedures import procedure
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.stages import MoveKind, Previous, Stage, check_move, parse_stage

# A stage's place on the board, for "least advanced" in SQL.
STAGE_RANK = {stage.value: stage.index for stage in Stage}


@dataclass(frozen=True)
class Entry:
    """One change to append: where to, from when, and what the team wrote about it."""

    to_stage: Stage | str
    effective: PrecisionDate
    reason: str | None = None
    note: str | None = None
    reference: str | None = None


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def ordered(session: Session, instrument_id: int) -> list[StageChange]:
    return list(
        session.scalars(
            select(StageChange)
            .where(StageChange.instrument_id == instrument_id)
            .order_by(StageChange.effective_on, StageChange.id)
        )
    )


def latest(session: Session, instrument_id: int) -> StageChange | None:
    """The change that sets the current stage: the latest by effective date, then by the order recorded."""
    return session.scalars(
        select(StageChange)
        .where(StageChange.instrument_id == instrument_id)
        .order_by(StageChange.effective_on.desc(), StageChange.id.desc())
        .limit(1)
    ).first()


def _check(previous: Previous | None, instrument: Instrument, target: Stage | str, effective: PrecisionDate,
           today: dt.date, reason: str | None) -> MoveKind:
    path = procedure(instrument.kind)
    return check_move(previous, target, effective, today, reason, path=path.phases, path_name=path.name)


def append(
    session: Session, instrument: Instrument, entry: Entry, *, today: dt.date, now: dt.datetime, actor: str
) -> StageChange:
    """Append one change after the instrument's latest, or raise the StageError (naming its field) that refuses
    it; then mirror the instrument and every act it implements."""
    target = parse_stage(entry.to_stage)
    last = latest(session, instrument.id)
    previous = Previous(last.to_stage, last.effective) if last else None
    kind = _check(previous, instrument, target, entry.effective, today, entry.reason)
    change = StageChange(
        regulation_id=instrument.regulation_id,
        instrument_id=instrument.id,
        from_stage=last.to_stage if last else None,
        to_stage=target,
        move=kind,
        effective=entry.effective,
        recorded_at=now,
        actor=fit(actor, StageChange.__table__.c.actor),
        reason=_clean(entry.reason),
        note=_clean(entry.note),
        reference=_clean(entry.reference),
    )
    session.add(change)
    _mirror(instrument, change)
    instrument.updated_at = now
    session.flush()
    mirror_acts(session, instrument.id, now)
    return change


def put_recorded(
    session: Session,
    instrument: Instrument,
    row: StageChange | None,
    entry: Entry,
    *,
    now: dt.datetime,
    actor: str,
    provenance: dict[str, Any],
) -> StageChange:
    """Record a change as a source states it (the seed transcribing the report), or correct one recorded so.

    Unlike `append` it may land anywhere in the history, so the caller rechains once all are in place.
    `provenance` holds the row's source and seed columns.
    """
    if row is None:
        row = StageChange(regulation_id=instrument.regulation_id, instrument_id=instrument.id, recorded_at=now,
                          actor=actor, move=MoveKind.INITIAL)
        session.add(row)
    row.to_stage, row.effective = parse_stage(entry.to_stage), entry.effective
    row.reason, row.note, row.reference = _clean(entry.reason), _clean(entry.note), _clean(entry.reference)
    for name, value in provenance.items():
        setattr(row, name, value)
    return row


def rechain(
    session: Session, instrument: Instrument, today_of: Callable[[StageChange], dt.date], now: dt.datetime
) -> list[StageChange]:
    """After history rows were corrected in place (the seed does this when the report's reading changes):
    recompute each change's from-stage and kind along the ordered history, re-check it against the machine, and
    mirror the latest. `today_of(change)` is the day that change is judged against."""
    rows = ordered(session, instrument.id)
    previous: Previous | None = None
    for row in rows:
        kind = _check(previous, instrument, row.to_stage, row.effective, today_of(row), row.reason)
        row.from_stage = previous.stage if previous else None
        row.move = kind if previous else MoveKind.INITIAL
        previous = Previous(row.to_stage, row.effective)
    _mirror(instrument, rows[-1] if rows else None)
    session.flush()
    mirror_acts(session, instrument.id, now)
    return rows


def least_advanced(acts: Iterable[int] | None = None) -> Any:
    """Per act (of the enclosing query on `regulations`): its least advanced required instrument with a stage,
    as a correlated subquery to read one column from (`least_advanced()(column)`); the latest-moved on a tie."""
    instruments, links, regs = Instrument.__table__, Implements.__table__, Regulation.__table__
    rank = case(STAGE_RANK, value=instruments.c.current_stage)

    def of(column: Any) -> Any:
        return (
            select(column)
            .select_from(instruments.join(links, links.c.instrument_id == instruments.c.id))
            .where(links.c.regulation_id == regs.c.id, links.c.required == true(),
                   instruments.c.current_stage.is_not(None))
            .order_by(rank, instruments.c.stage_since_on.desc(), instruments.c.id)
            .limit(1)
            .scalar_subquery()
        )

    return of


def remirror(session: Session, regulation_ids: Iterable[int] | None = None) -> None:
    """Set the mirrored columns of the instruments of these acts (all when None) from their histories, then those
    of the acts from their instruments, in two statements: after an import, or a bulk load. Plain UPDATEs, not the
    ORM: restoring an export must not bump versions."""
    ids = None if regulation_ids is None else list(regulation_ids)
    instruments, changes = Instrument.__table__, StageChange.__table__

    def latest_of(column: Any) -> Any:
        return (
            select(column)
            .where(changes.c.instrument_id == instruments.c.id)
            .order_by(changes.c.effective_on.desc(), changes.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    statement = update(instruments).values(
        current_stage=latest_of(changes.c.to_stage),
        stage_since_on=latest_of(changes.c.effective_on),
        stage_since_precision=func.coalesce(latest_of(changes.c.effective_precision), Precision.UNKNOWN.value),
    )
    if ids is not None:
        links = Implements.__table__
        statement = statement.where(
            instruments.c.id.in_(select(links.c.instrument_id).where(links.c.regulation_id.in_(ids)))
        )
    session.execute(statement)
    regs = Regulation.__table__
    least = least_advanced()
    acts = update(regs).values(
        current_stage=least(instruments.c.current_stage),
        stage_since_on=least(instruments.c.stage_since_on),
        stage_since_precision=func.coalesce(least(instruments.c.stage_since_precision), Precision.UNKNOWN.value),
    )
    session.execute(acts if ids is None else acts.where(regs.c.id.in_(ids)))


def act_place(instruments: Iterable[tuple[Stage | None, PrecisionDate]]) -> tuple[Stage | None, PrecisionDate]:
    """An act's stage and its date from its required instruments': the least advanced (latest-moved on a tie);
    instruments with no stage yet do not place it."""
    placed = [(stage, since) for stage, since in instruments if stage is not None]
    if not placed:
        return None, PrecisionDate.unknown()
    return min(placed, key=lambda p: (p[0].index, -(p[1].start or dt.date.min).toordinal()))


def mirror_acts(session: Session, instrument_id: int, now: dt.datetime) -> None:
    """Set the stage columns of every act this instrument implements from its required instruments, through the
    ORM (a move bumps the act's version, as any change to it does)."""
    acts = list(session.scalars(
        select(Regulation).where(Regulation.id.in_(
            select(Implements.regulation_id).where(Implements.instrument_id == instrument_id)))
    ))
    if not acts:
        return
    rows = session.execute(
        select(Implements.regulation_id, Instrument.current_stage, Instrument.stage_since)
        .join(Instrument, Instrument.id == Implements.instrument_id)
        .where(Implements.regulation_id.in_([a.id for a in acts]), Implements.required.is_(True))
    ).all()
    for act in acts:
        stage, since = act_place((st, sn) for reg_id, st, sn in rows if reg_id == act.id)
        act.current_stage, act.stage_since = stage, since
        act.updated_at = now  # any move changes the act: a form read before it is stale
    session.flush()


def _mirror(instrument: Instrument, change: StageChange | None) -> None:
    """The only place that writes an instrument's stage columns."""
    instrument.current_stage = change.to_stage if change else None
    instrument.stage_since = change.effective if change else PrecisionDate.unknown()
