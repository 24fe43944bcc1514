"""Changes to regulations. Each takes `actor` and `now`, only flushes, and leaves the commit to its caller."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.dates import PrecisionDate
from tracker.regulations.editing import check_version
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.stages import Previous, check_move, parse_stage


def latest_change(session: Session, regulation: Regulation) -> StageChange | None:
    """The change that sets the current stage: the latest by effective date, then by the order recorded."""
    return session.scalars(
        select(StageChange)
        .where(StageChange.regulation_id == regulation.id)
        .order_by(StageChange.effective_on.desc(), StageChange.id.desc())
        .limit(1)
    ).first()


def move_stage(
    session: Session,
    regulation: Regulation,
    to_stage: str,
    effective: PrecisionDate,
    *,
    actor: Actor,
    now: dt.datetime,
    today: dt.date,
    reason: str | None = None,
    note: str | None = None,
    reference: str | None = None,
    expected_version: int | None = None,
) -> StageChange:
    """Append one change to the regulation's history, or raise the StageError that refuses it.

    The regulation row is locked (PostgreSQL) and its version bumped, so two people moving the same act at
    once cannot both succeed: the second gets a stale-data error from its flush.
    """
    check_version(session, regulation, expected_version, "regulation")
    target = parse_stage(to_stage)
    latest = latest_change(session, regulation)
    previous = Previous(latest.to_stage, latest.effective) if latest else None
    kind = check_move(previous, target, effective, today, reason)
    change = StageChange(
        regulation_id=regulation.id,
        from_stage=latest.to_stage if latest else None,
        to_stage=target,
        move=kind,
        effective=effective,
        recorded_at=now,
        actor=actor.label,
        reason=(reason or "").strip() or None,
        note=(note or "").strip() or None,
        reference=(reference or "").strip() or None,
    )
    session.add(change)
    regulation.updated_at = now
    regulation.current_stage, regulation.stage_since = target, effective
    session.flush()
    changes = {
        "stage": [change.from_stage.value if change.from_stage else None, target.value],
        "effective": [None, effective.isoformat()],
    }
    changes.update({k: [None, v] for k in ("reason", "note", "reference") if (v := getattr(change, k))})
    record(
        session,
        actor,
        now,
        "stage.move",
        target=change,
        label=f"{regulation.key}: {target.label_en}",
        regulation_id=regulation.id,
        changes=changes,
    )
    return change
