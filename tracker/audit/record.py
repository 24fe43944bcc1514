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
from tracker.db import fit


@dataclass(frozen=True)
class Actor:
    """Who does something: a user (id, e-mail, role and teams), or a process such as "seed", "cli" or "import".

    A process has no role: it acts for the operator who runs it and may change everything.
    """

    label: str
    user_id: int | None = None
    address: str | None = None
    role: str | None = None  # "viewer", "editor" or "admin" for a user; None for a process
    team_ids: frozenset[int] = frozenset()

    @property
    def is_process(self) -> bool:
        return self.user_id is None and self.role is None

    def may_edit_team(self, team_id: int | None) -> bool:
        """Editors change their own teams' records; admins and processes everything; viewers nothing."""
        if self.is_process or self.role == "admin":
            return True
        return self.role == "editor" and team_id is not None and team_id in self.team_ids

    @property
    def may_create(self) -> bool:
        return self.is_process or self.role in ("editor", "admin")


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
        actor=fit(actor.label, AuditEvent.__table__.c.actor),
        action=action,
        target_type=type(target).__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        target_label=fit(label, AuditEvent.__table__.c.target_label),
        regulation_id=regulation_id,
        changes=changes or {},
        address=actor.address,
    )
    session.add(event)
    return event
