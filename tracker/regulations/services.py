"""Carry out the regulation commands: permission, field and version checks, the change, its audit row.

Handlers flush and never commit. A stale `expected_version` raises StaleVersion before anything is written; a
race the check cannot see is caught at flush by SQLAlchemy's version counter, which the unit of work
(`tracker.unit_of_work.run_and_commit`) reports the same way.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, diff, record, snapshot
from tracker.clock import Clock
from tracker.errors import Duplicate, Forbidden, InvalidFields, NotFound, StaleVersion
from tracker.keys import key_problem
from tracker.regulations import history
from tracker.regulations.commands import (
    ITEM_KINDS,
    CreateItem,
    CreateRegulation,
    DeleteItem,
    ItemChanged,
    MoveStage,
    RegulationChanged,
    StageMoved,
    UpdateItem,
    UpdateRegulation,
)
from tracker.regulations.fields import ITEM_FIELDS, MoveStageFields, RegulationFields, names, validate
from tracker.regulations.instruments.lookup import instrument_for_move
from tracker.regulations.instruments.models import Implements
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, StageChange
from tracker.unit_of_work import handles, publish

MODELS: dict[str, type] = {"deadlines": Deadline, "designations": Designation, "evaluations": Evaluation}
SINGULAR = {"deadlines": "deadline", "designations": "designation", "evaluations": "evaluation"}
# A change to these moves or renames the calendar event: its SEQUENCE must grow.
SEQUENCED = {"due", "title", "subject", "kind"}
REGULATION_COLUMNS = names(RegulationFields)


def item_columns(kind: str) -> tuple[str, ...]:
    """The row attributes behind a kind's fields (a designation names its authority by key, stores its id)."""
    return tuple("authority_id" if n == "authority" else n for n in names(ITEM_FIELDS[kind]))


# -- lookups and checks ---------------------------------------------------------------------------
def regulation(session: Session, key: str) -> Regulation:
    reg = session.scalars(select(Regulation).where(Regulation.key == key)).first()
    if reg is None:
        raise NotFound(_l("Er is geen regeling met de korte naam %(key)s.", key=repr(str(key)[:40])), "key")
    return reg


def editable(session: Session, key: str, actor: Actor) -> Regulation:
    reg = regulation(session, key)
    if not actor.may_edit_team(reg.team_id):
        raise Forbidden(_l("U mag %(key)s niet wijzigen: de regeling hoort bij een ander team, of u bent lezer.",
                           key=reg.key))
    return reg


def _kind(kind: str) -> str:
    if kind not in ITEM_KINDS:
        raise NotFound(_l("Deze soort gegevens bestaat niet (%(known)s).", known=", ".join(ITEM_KINDS)), "kind")
    return kind


def item(session: Session, reg: Regulation, kind: str, item_id: int) -> Any:
    row = session.get(MODELS[_kind(kind)], item_id)
    if row is None or row.regulation_id != reg.id:
        raise NotFound(_l("Dit gegeven (%(kind)s %(id)s) bestaat niet (meer) bij %(key)s.", kind=SINGULAR[kind],
                          id=item_id, key=reg.key), "item_id")
    return row


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
        raise StaleVersion(what)


def _authority_id(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    if "authority" not in values:
        return values
    key = values.pop("authority")
    found = session.scalar(select(Authority.id).where(Authority.key == key))
    if found is None:
        known = ", ".join(session.scalars(select(Authority.key).order_by(Authority.key)))
        raise InvalidFields(_l("%(key)s is geen toezichthouder; bekend zijn: %(known)s.", key=repr(str(key)[:40]),
                               known=known), "authority")
    return {**values, "authority_id": found}


# -- handlers -------------------------------------------------------------------------------------
@handles(MoveStage)
def move_stage(session: Session, cmd: MoveStage, actor: Actor, clock: Clock) -> StageChange:
    reg = editable(session, cmd.key, actor)
    values = validate(
        MoveStageFields,
        {
            "to_stage": cmd.to_stage,
            "effective": cmd.effective,
            "reason": cmd.reason,
            "note": cmd.note,
            "reference": cmd.reference,
        },
    )
    check_version(session, reg, cmd.expected_version, "regulation")
    now = clock.now()
    instrument = instrument_for_move(session, reg, cmd.instrument_id, now)
    change = history.append(
        session, instrument, history.Entry(**values), today=clock.today(), now=now, actor=actor.label
    )
    changes = {
        "stage": [change.from_stage.value if change.from_stage else None, change.to_stage.value],
        "effective": [None, change.effective.isoformat()],
    }
    if instrument.title:
        changes["instrument"] = [None, instrument.title]
    changes.update({k: [None, v] for k in ("reason", "note", "reference") if (v := getattr(change, k))})
    record(
        session,
        actor,
        now,
        "stage.move",
        target=change,
        label=reg.key,  # the stages are in `changes`, worded when shown (tracker.audit.words)
        regulation_id=reg.id,
        changes=changes,
    )
    acts = frozenset(session.scalars(select(Implements.regulation_id).where(Implements.instrument_id == instrument.id)))
    publish(session, StageMoved(acts | {reg.id}, reg.key, changes["stage"][0], change.to_stage.value,
                                change.effective.isoformat(), instrument.id))
    return change


@handles(CreateRegulation)
def create_regulation(session: Session, cmd: CreateRegulation, actor: Actor, clock: Clock) -> Regulation:
    if not actor.may_create:
        raise Forbidden(_l("Alleen bewerkers en beheerders maken regelingen aan."))
    if problem := key_problem(cmd.key):
        raise InvalidFields(problem, "key")
    values = validate(RegulationFields, dict(cmd.values))
    if not actor.may_edit_team(values["team_id"]):
        raise Forbidden(_l("U kunt alleen een regeling aanmaken voor een van uw eigen teams."), "team_id")
    if session.scalar(select(Regulation.id).where(Regulation.key == cmd.key)) is not None:
        raise Duplicate(_l("Er bestaat al een regeling met de korte naam %(key)s.", key=repr(cmd.key)), "key")
    now = clock.now()
    reg = Regulation(key=cmd.key, created_at=now, updated_at=now, links=[], **values)
    session.add(reg)
    session.flush()
    record(
        session,
        actor,
        now,
        "regulation.create",
        target=reg,
        label=cmd.key,
        regulation_id=reg.id,
        changes={k: [None, v] for k, v in snapshot(reg, REGULATION_COLUMNS).items() if v not in (None, "")},
    )
    publish(session, RegulationChanged(frozenset({reg.id}), reg.key, "create"))
    return reg


@handles(UpdateRegulation)
def update_regulation(session: Session, cmd: UpdateRegulation, actor: Actor, clock: Clock) -> dict[str, list[Any]]:
    reg = editable(session, cmd.key, actor)
    values = validate(RegulationFields, dict(cmd.values), partial=True)
    if "team_id" in values and values["team_id"] != reg.team_id and not actor.may_edit_team(values["team_id"]):
        raise Forbidden(_l("U kunt een regeling alleen overdragen aan een van uw eigen teams."), "team_id")
    check_version(session, reg, cmd.expected_version, "regulation")
    changes = _apply(session, reg, REGULATION_COLUMNS, values, actor, clock, "regulation.update", reg.key, reg.id)
    if changes:
        publish(session, RegulationChanged(frozenset({reg.id}), reg.key, "update", tuple(sorted(changes))))
    return changes


@handles(CreateItem)
def create_item(session: Session, cmd: CreateItem, actor: Actor, clock: Clock) -> Any:
    reg = editable(session, cmd.key, actor)
    kind = _kind(cmd.kind)
    values = _authority_id(session, validate(ITEM_FIELDS[kind], dict(cmd.values)))
    now = clock.now()
    row = MODELS[kind](regulation_id=reg.id, created_at=now, updated_at=now, **values)
    session.add(row)
    # The regulation row is not touched: creating an item must not conflict with anyone else's new item.
    session.flush()
    record(
        session,
        actor,
        now,
        f"{SINGULAR[kind]}.create",
        target=row,
        label=label(row),
        regulation_id=reg.id,
        changes={k: [None, v] for k, v in snapshot(row, item_columns(kind)).items() if v not in (None, "")},
    )
    publish(session, ItemChanged(frozenset({reg.id}), reg.key, kind, row.id, "create"))
    return row


def _existing(session: Session, cmd: UpdateItem | DeleteItem, actor: Actor) -> tuple[Regulation, str, Any]:
    """The regulation, kind and row an update or delete names, once the actor may change it."""
    reg = editable(session, cmd.key, actor)
    kind = _kind(cmd.kind)
    return reg, kind, item(session, reg, kind, cmd.item_id)


@handles(UpdateItem)
def update_item(session: Session, cmd: UpdateItem, actor: Actor, clock: Clock) -> Any:
    reg, kind, row = _existing(session, cmd, actor)
    values = _authority_id(session, validate(ITEM_FIELDS[kind], dict(cmd.values), partial=True))
    check_version(session, row, cmd.expected_version, SINGULAR[kind])
    changes = _apply(session, row, item_columns(kind), values, actor, clock, f"{SINGULAR[kind]}.update", None, reg.id)
    if changes:
        publish(session, ItemChanged(frozenset({reg.id}), reg.key, kind, row.id, "update", tuple(sorted(changes))))
    return row


@handles(DeleteItem)
def delete_item(session: Session, cmd: DeleteItem, actor: Actor, clock: Clock) -> None:
    reg, kind, row = _existing(session, cmd, actor)
    check_version(session, row, cmd.expected_version, SINGULAR[kind])
    record(
        session,
        actor,
        clock.now(),
        f"{SINGULAR[kind]}.delete",
        target=row,
        label=label(row),
        regulation_id=reg.id,
        changes={k: [v, None] for k, v in snapshot(row, item_columns(kind)).items() if v not in (None, "")},
    )
    publish(session, ItemChanged(frozenset({reg.id}), reg.key, kind, row.id, "delete"))
    session.delete(row)
    session.flush()


def _apply(
    session: Session,
    row: Any,
    columns: tuple[str, ...],
    values: dict[str, Any],
    actor: Actor,
    clock: Clock,
    action: str,
    label_text: str | None,
    regulation_id: int,
) -> dict[str, list[Any]]:
    """Set the given fields, and if anything changed: stamp, bump the calendar SEQUENCE when due, audit, flush."""
    before = snapshot(row, columns)
    for name in columns:
        if name in values:
            setattr(row, name, values[name])
    changes = diff(before, snapshot(row, columns))
    if changes:
        now = clock.now()
        row.updated_at = now
        if hasattr(row, "sequence") and set(changes) & SEQUENCED:
            row.sequence += 1
        record(
            session,
            actor,
            now,
            action,
            target=row,
            label=label_text or label(row),
            regulation_id=regulation_id,
            changes=changes,
        )
        session.flush()
    return changes


def label(row: Any) -> str:
    """What the audit trail names an item by: words without a date, which would be written in one language (the
    date is among the changes, worded in the reader's language when shown)."""
    if isinstance(row, Deadline):
        return row.title
    if isinstance(row, Evaluation):
        return row.subject
    return row.role
