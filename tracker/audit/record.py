"""Recording audit events and computing what changed. Callers pass actor and now; nothing here commits."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.audit.models import AuditEvent
from tracker.dates import PrecisionDate


@dataclass(frozen=True)
class Actor:
    """Who does something: a user (id and e-mail), or a process such as "seed" or "cli"."""

    label: str
    user_id: int | None = None
    address: str | None = None


def shown(value: Any) -> Any:
    """A value as people read it in the trail."""
    if isinstance(value, PrecisionDate):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: shown(getattr(row, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    action: str,
    *,
    target: Any = None,
    label: str | None = None,
    regulation_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if hasattr(target, "_get_current_object"):  # a Flask-Login proxy for the current user
        target = target._get_current_object()
    event = AuditEvent(
        at=now,
        actor_id=actor.user_id,
        actor=actor.label,
        action=action,
        target_type=type(target).__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        target_label=label,
        regulation_id=regulation_id,
        changes=changes or {},
        address=actor.address,
    )
    session.add(event)
    return event
