"""Carry out the instrument commands: permission, field and version checks, the change, its audit row.

Handlers flush and never commit (tracker.unit_of_work runs them). An instrument is edited by the team of the act it
was made for; linking it to another act needs the right to edit that act too.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, diff, record, snapshot
from tracker.clock import Clock
from tracker.errors import Duplicate, Forbidden, InvalidFields, NotFound
from tracker.regulations import history
from tracker.regulations.fields import names, validate
from tracker.regulations.instruments.commands import (
    CreateInstrument,
    InstrumentChanged,
    LinkInstrument,
    UpdateInstrument,
)
from tracker.regulations.instruments.fields import URL, InstrumentFields, LinkFields
from tracker.regulations.instruments.lookup import add_instrument, instruments_of
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.instruments.procedures import procedure
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.services import check_version, editable
from tracker.unit_of_work import handles, publish

INSTRUMENT_COLUMNS = names(InstrumentFields)
LINK_COLUMNS = names(LinkFields)


def _split(values: dict[str, Any], *, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    own = {k: v for k, v in values.items() if k not in LINK_COLUMNS}
    link = {k: v for k, v in values.items() if k in LINK_COLUMNS}
    checked = validate(InstrumentFields, own, partial=partial)
    url = checked.get("consultation_url")
    if url and not re.fullmatch(URL, url):
        raise InvalidFields(_l("Een link naar de internetconsultatie begint met https://."), "consultation_url")
    return checked, validate(LinkFields, link, partial=partial)


def instrument(session: Session, instrument_id: int) -> Instrument:
    found = session.get(Instrument, instrument_id)
    if found is None:
        raise NotFound(_l("Er is geen instrument %(id)s.", id=instrument_id), "instrument")
    return found


def _fits_history(session: Session, row: Instrument) -> None:
    """A new kind must have a path that holds every stage the instrument's history went through."""
    path = procedure(row.kind)
    used = set(session.scalars(select(StageChange.to_stage).where(StageChange.instrument_id == row.id)))
    off = sorted((stage for stage in used if stage not in path.phases), key=lambda s: s.index)
    if off:
        raise InvalidFields(_l(
            "Een %(kind)s kent de fase %(stage)s niet, en de geschiedenis van dit instrument wel; kies een andere "
            "soort of vraag een beheerder de geschiedenis te herstellen.", kind=path.name, stage=off[0].value), "kind")


@handles(CreateInstrument)
def create_instrument(session: Session, cmd: CreateInstrument, actor: Actor, clock: Clock) -> Instrument:
    reg = editable(session, cmd.key, actor)
    own, link = _split(dict(cmd.values), partial=False)
    now = clock.now()
    row = add_instrument(session, reg, now, **own)
    placed = session.scalars(select(Implements).where(Implements.instrument_id == row.id)).one()
    placed.required, placed.covers, placed.covers_en = link["required"], link["covers"], link["covers_en"]
    session.flush()
    history.mirror_acts(session, row.id, now)
    shown = {k: v for k, v in snapshot(row, INSTRUMENT_COLUMNS).items() if v not in (None, "")}
    record(session, actor, now, "instrument.create", target=row, label=row.title or reg.key, regulation_id=reg.id,
           changes={k: [None, v] for k, v in shown.items()})
    publish(session, InstrumentChanged(frozenset({reg.id}), row.id, "create", tuple(shown)))
    return row


@handles(UpdateInstrument)
def update_instrument(session: Session, cmd: UpdateInstrument, actor: Actor, clock: Clock) -> Instrument:
    row = instrument(session, cmd.instrument_id)
    reg = session.get_one(Regulation, row.regulation_id)
    editable(session, reg.key, actor)
    own, link = _split(dict(cmd.values), partial=True)
    check_version(session, row, cmd.expected_version, "instrument")
    now = clock.now()
    before = snapshot(row, INSTRUMENT_COLUMNS)
    for name, value in own.items():
        setattr(row, name, value)
    if "kind" in own:
        _fits_history(session, row)
    placed = session.scalars(
        select(Implements).where(Implements.instrument_id == row.id, Implements.regulation_id == reg.id)
    ).one()
    before.update(snapshot(placed, LINK_COLUMNS))
    for name, value in link.items():
        setattr(placed, name, value)
    row.updated_at = now
    session.flush()
    history.mirror_acts(session, row.id, now)
    changes = diff(before, {**snapshot(row, INSTRUMENT_COLUMNS), **snapshot(placed, LINK_COLUMNS)})
    record(session, actor, now, "instrument.update", target=row, label=row.title or reg.key, regulation_id=reg.id,
           changes=changes)
    acts = frozenset(session.scalars(select(Implements.regulation_id).where(Implements.instrument_id == row.id)))
    publish(session, InstrumentChanged(acts, row.id, "update", tuple(changes)))
    return row


@handles(LinkInstrument)
def link_instrument(session: Session, cmd: LinkInstrument, actor: Actor, clock: Clock) -> Implements:
    reg = editable(session, cmd.key, actor)
    row = instrument(session, cmd.instrument_id)
    _own, link = _split(dict(cmd.values), partial=False)
    if any(i.id == row.id for i, _link in instruments_of(session, reg.id)):
        raise Duplicate(_l("Instrument %(id)s hoort al bij %(key)s.", id=row.id, key=reg.key), "instrument")
    if not actor.may_edit_team(session.get_one(Regulation, row.regulation_id).team_id):
        raise Forbidden(_l("U kunt alleen instrumenten van uw eigen teams koppelen."), "instrument")
    now = clock.now()
    placed = Implements(instrument_id=row.id, regulation_id=reg.id, position=len(instruments_of(session, reg.id)),
                        **link)
    session.add(placed)
    session.flush()
    history.mirror_acts(session, row.id, now)
    record(session, actor, now, "instrument.link", target=row, label=row.title or reg.key, regulation_id=reg.id,
           changes={"instrument": [None, row.title or str(row.id)], **{k: [None, v] for k, v in link.items()
                                                                         if v not in (None, "")}})
    publish(session, InstrumentChanged(frozenset({reg.id, row.regulation_id}), row.id, "link"))
    return placed
