"""The one writer of stage state: the dated, append-only history and the columns that mirror its latest change.

Moves (browser, API, CLI), the seed and the import all write through here, so `Regulation.current_stage` and
`stage_since`, which today's board reads from an index, always equal the latest change by effective date. Each
change is checked by the pure stage machine (stages.check_move) against the one before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.dates import Precision, PrecisionDate
from tracker.db import fit
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.stages import MoveKind, Previous, Stage, check_move, parse_stage


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


def ordered(session: Session, regulation_id: int) -> list[StageChange]:
    return list(
        session.scalars(
            select(StageChange)
            .where(StageChange.regulation_id == regulation_id)
            .order_by(StageChange.effective_on, StageChange.id)
        )
    )


def latest(session: Session, regulation_id: int) -> StageChange | None:
    """The change that sets the current stage: the latest by effective date, then by the order recorded."""
    return session.scalars(
        select(StageChange)
        .where(StageChange.regulation_id == regulation_id)
        .order_by(StageChange.effective_on.desc(), StageChange.id.desc())
        .limit(1)
    ).first()


def append(
    session: Session, reg: Regulation, entry: Entry, *, today: dt.date, now: dt.datetime, actor: str
) -> StageChange:
    """Append one change after the latest, or raise the StageError (naming its field) that refuses it."""
    target = parse_stage(entry.to_stage)
    last = latest(session, reg.id)
    previous = Previous(last.to_stage, last.effective) if last else None
    kind = check_move(previous, target, entry.effective, today, entry.reason)
    change = StageChange(
        regulation_id=reg.id,
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
    _mirror(reg, change)
    reg.updated_at = now
    session.flush()
    return change


def put_recorded(
    session: Session,
    reg: Regulation,
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
        row = StageChange(regulation_id=reg.id, recorded_at=now, actor=actor, move=MoveKind.INITIAL)
        session.add(row)
    row.to_stage, row.effective = parse_stage(entry.to_stage), entry.effective
    row.reason, row.note, row.reference = _clean(entry.reason), _clean(entry.note), _clean(entry.reference)
    for name, value in provenance.items():
        setattr(row, name, value)
    return row


def rechain(
    session: Session, reg: Regulation, today_of: Callable[[StageChange], dt.date]
) -> list[StageChange]:
    """After history rows were corrected in place (the seed does this when the report's reading changes):
    recompute each change's from-stage and kind along the ordered history, re-check it against the machine, and
    mirror the latest. `today_of(change)` is the day that change is judged against."""
    rows = ordered(session, reg.id)
    previous: Previous | None = None
    for row in rows:
        kind = check_move(previous, row.to_stage, row.effective, today_of(row), row.reason)
        row.from_stage = previous.stage if previous else None
        row.move = kind if previous else MoveKind.INITIAL
        previous = Previous(row.to_stage, row.effective)
    _mirror(reg, rows[-1] if rows else None)
    session.flush()
    return rows


def remirror(session: Session, regulation_ids: Iterable[int] | None = None) -> None:
    """Set the mirrored columns of these regulations (all when None) from their histories, in one statement:
    after an import, or a bulk load. A plain UPDATE, not the ORM: restoring an export must not bump versions."""
    regs, changes = Regulation.__table__, StageChange.__table__

    def latest_of(column: Any) -> Any:
        return (
            select(column)
            .where(changes.c.regulation_id == regs.c.id)
            .order_by(changes.c.effective_on.desc(), changes.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    statement = update(regs).values(
        current_stage=latest_of(changes.c.to_stage),
        stage_since_on=latest_of(changes.c.effective_on),
        stage_since_precision=func.coalesce(latest_of(changes.c.effective_precision), Precision.UNKNOWN.value),
    )
    if regulation_ids is not None:
        statement = statement.where(regs.c.id.in_(list(regulation_ids)))
    session.execute(statement)


def _mirror(reg: Regulation, change: StageChange | None) -> None:
    """The only place that writes the columns today's board reads."""
    reg.current_stage = change.to_stage if change else None
    reg.stage_since = change.effective if change else PrecisionDate.unknown()
