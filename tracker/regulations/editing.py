"""Changes to regulations and their deadlines, designations and evaluations: version-checked and audited.

Each function takes the actor and `now`, flushes, and leaves the commit to the caller. A stale `expected_version`
raises ConflictError before anything is written; a race the check cannot see is caught by SQLAlchemy's version
counter at flush (StaleDataError), which callers report the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, diff, record, snapshot
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation

REGULATION_FIELDS = (
    "title",
    "title_nl",
    "kind",
    "eu_number",
    "celex",
    "pillar",
    "team_id",
    "lead_ministry",
    "national_instrument",
    "bill_number",
    "summary",
    "eu_published",
    "eu_in_force",
)
ITEM_FIELDS: dict[type, tuple[str, ...]] = {
    Deadline: ("kind", "title", "due", "legal_basis", "note", "met_on"),
    Designation: ("authority_id", "role", "scope", "status", "legal_basis"),
    Evaluation: ("subject", "level", "status", "due", "due_note", "performer", "pillar"),
}
# A change to these moves or renames the calendar event: its SEQUENCE must grow.
SEQUENCED = {"due", "title", "subject", "kind"}
ITEM_NAMES = {Deadline: "deadline", Designation: "designation", Evaluation: "evaluation"}


class ConflictError(Exception):
    """Someone else saved this record since the form was opened."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Someone else changed this {what} since you opened it. Nothing was saved; "
            "your input is kept below. Reload to see their change, then apply yours again."
        )


class DuplicateError(ValueError):
    pass


def check_version(session: Session, row: Any, expected: int | None, what: str) -> None:
    """Lock the row, then compare with its version in the database now.

    The lock comes first (FOR UPDATE on PostgreSQL; on SQLite a no-op write, which takes the database's write
    lock), so a save that committed in between is seen here and becomes a conflict, and none can commit between
    this check and our write: the loser of a race gets the conflict message, never a confusing second error.
    """
    if expected is None:
        return
    table = type(row).__table__
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(table).where(table.c.id == row.id).values(version=table.c.version))
        current = session.scalar(select(table.c.version).where(table.c.id == row.id))
    else:
        current = session.scalar(select(table.c.version).where(table.c.id == row.id).with_for_update())
    if current != expected or row.version != expected:
        raise ConflictError(what)


def create_regulation(
    session: Session, key: str, values: dict[str, Any], *, actor: Actor, now: dt.datetime
) -> Regulation:
    if session.scalar(select(Regulation.id).where(Regulation.key == key)) is not None:
        raise DuplicateError(f"a regulation with short name {key!r} exists already")
    reg = Regulation(
        key=key, created_at=now, updated_at=now, links=[], **{k: values[k] for k in REGULATION_FIELDS if k in values}
    )
    session.add(reg)
    session.flush()
    record(
        session,
        actor,
        now,
        "regulation.create",
        target=reg,
        label=key,
        regulation_id=reg.id,
        changes={k: [None, v] for k, v in snapshot(reg, REGULATION_FIELDS).items() if v not in (None, "")},
    )
    return reg


def update_regulation(
    session: Session,
    reg: Regulation,
    values: dict[str, Any],
    *,
    expected_version: int | None,
    actor: Actor,
    now: dt.datetime,
) -> dict[str, list[Any]]:
    check_version(session, reg, expected_version, "regulation")
    return _apply(
        session,
        reg,
        REGULATION_FIELDS,
        values,
        actor=actor,
        now=now,
        action="regulation.update",
        label=reg.key,
        regulation_id=reg.id,
    )


def create_item(
    session: Session, model: type, reg: Regulation, values: dict[str, Any], *, actor: Actor, now: dt.datetime
) -> Any:
    fields = ITEM_FIELDS[model]
    item = model(regulation_id=reg.id, created_at=now, updated_at=now, **{k: values[k] for k in fields if k in values})
    session.add(item)
    reg.updated_at = now  # bumps the regulation's version: its page changed
    session.flush()
    record(
        session,
        actor,
        now,
        f"{ITEM_NAMES[model]}.create",
        target=item,
        label=_label(item),
        regulation_id=reg.id,
        changes={k: [None, v] for k, v in snapshot(item, fields).items() if v not in (None, "")},
    )
    return item


def update_item(
    session: Session, item: Any, values: dict[str, Any], *, expected_version: int | None, actor: Actor, now: dt.datetime
) -> dict[str, list[Any]]:
    model = type(item)
    check_version(session, item, expected_version, ITEM_NAMES[model])
    return _apply(
        session,
        item,
        ITEM_FIELDS[model],
        values,
        actor=actor,
        now=now,
        action=f"{ITEM_NAMES[model]}.update",
        label=None,
        regulation_id=item.regulation_id,
    )


def delete_item(session: Session, item: Any, *, expected_version: int | None, actor: Actor, now: dt.datetime) -> None:
    model = type(item)
    check_version(session, item, expected_version, ITEM_NAMES[model])
    fields = ITEM_FIELDS[model]
    record(
        session,
        actor,
        now,
        f"{ITEM_NAMES[model]}.delete",
        target=item,
        label=_label(item),
        regulation_id=item.regulation_id,
        changes={k: [v, None] for k, v in snapshot(item, fields).items() if v not in (None, "")},
    )
    session.delete(item)
    session.flush()


def _apply(
    session: Session,
    row: Any,
    fields: tuple[str, ...],
    values: dict[str, Any],
    *,
    actor: Actor,
    now: dt.datetime,
    action: str,
    label: str | None,
    regulation_id: int,
) -> dict[str, list[Any]]:
    """Set the given fields, and if anything changed: stamp, bump the calendar SEQUENCE when due, audit, flush."""
    before = snapshot(row, fields)
    for name in fields:
        if name in values:
            setattr(row, name, values[name])
    changes = diff(before, snapshot(row, fields))
    if changes:
        row.updated_at = now
        if hasattr(row, "sequence") and set(changes) & SEQUENCED:
            row.sequence += 1
        record(
            session,
            actor,
            now,
            action,
            target=row,
            label=label or _label(row),
            regulation_id=regulation_id,
            changes=changes,
        )
        session.flush()
    return changes


def _label(item: Any) -> str:
    if isinstance(item, Deadline):
        return f"{item.title} ({item.due.display()})"
    if isinstance(item, Evaluation):
        return f"{item.subject} ({item.due.display()})"
    return item.role
