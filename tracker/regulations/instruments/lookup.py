"""Which instrument a stage move is for, and an act's instruments in order."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tracker.dates import Precision
from tracker.errors import InvalidFields
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import Regulation, StageChange
from tracker.regulations.stages import Stage


def instruments_of(session: Session, regulation_id: int) -> list[tuple[Instrument, Implements]]:
    """An act's instruments with what each covers, in the act's order."""
    rows = session.execute(
        select(Instrument, Implements)
        .join(Implements, Implements.instrument_id == Instrument.id)
        .where(Implements.regulation_id == regulation_id)
        .order_by(Implements.position, Instrument.id)
    )
    return [(instrument, link) for instrument, link in rows]


class InstrumentAt(NamedTuple):
    """An instrument of an act with its stage on a day (None before its first change)."""

    id: int
    title: str | None
    title_en: str | None
    kind: InstrumentKind
    required: bool
    to_stage: Stage | None
    effective_on: dt.date | None
    effective_precision: Precision | None


def change_in_force(instrument_id: Any, as_of: dt.date, outer: Any) -> Any:
    """The id of the change in force on `as_of` of the instrument `instrument_id` (a column of the enclosing query
    on `outer`): its latest on or before the day by (effective_on, id), one seek in the history's index."""
    latest = aliased(StageChange)
    return (
        select(latest.id)
        .where(latest.instrument_id == instrument_id, latest.effective_on <= as_of)
        .order_by(latest.effective_on.desc(), latest.id.desc())
        .limit(1)
        .correlate(outer)
        .scalar_subquery()
    )


def instrument_stages(session: Session, as_of: dt.date, ids: list[int] | None) -> dict[int, list[InstrumentAt]]:
    """Per act: its instruments in order, each with its change in force on `as_of`: one query."""
    in_force = change_in_force(Instrument.id, as_of, Instrument)
    query = (
        select(Implements.regulation_id, Instrument.id, Instrument.title, Instrument.title_en, Instrument.kind,
               Implements.required, StageChange.to_stage, StageChange.effective_on, StageChange.effective_precision)
        .join(Instrument, Instrument.id == Implements.instrument_id)
        .outerjoin(StageChange, StageChange.id == in_force)
        .order_by(Implements.regulation_id, Implements.position, Instrument.id)
    )
    if ids is not None:
        query = query.where(Implements.regulation_id.in_(ids))
    found: dict[int, list[InstrumentAt]] = {}
    for row in session.execute(query):
        found.setdefault(row[0], []).append(InstrumentAt(*row[1:]))
    return found


def add_instrument(
    session: Session, reg: Regulation, now: dt.datetime, *, kind: InstrumentKind = InstrumentKind.UNKNOWN,
    title: str | None = None, required: bool = True, **values: object,
) -> Instrument:
    """A new instrument made for `reg`, placed after its others."""
    position = len(instruments_of(session, reg.id))
    instrument = Instrument(regulation_id=reg.id, kind=kind, title=title, created_at=now, updated_at=now, **values)
    session.add(instrument)
    session.flush()
    session.add(Implements(instrument_id=instrument.id, regulation_id=reg.id, required=required, position=position))
    session.flush()
    return instrument


def name_of(instrument: Instrument, kind_name: str) -> str:
    """How a page names an instrument: its title, else its kind and number."""
    return instrument.title or f"{kind_name} ({instrument.id})"


def instrument_for_move(session: Session, reg: Regulation, instrument_id: int | None, now: dt.datetime) -> Instrument:
    """The instrument a move of `reg` is for: the one named (it must implement the act); else the act's only
    one; an act with none gets its first (kind not known yet), so a new act moves as before."""
    found = instruments_of(session, reg.id)
    if instrument_id is not None:
        for instrument, _link in found:
            if instrument.id == instrument_id:
                return instrument
        raise InvalidFields(_l("Instrument %(id)s hoort niet bij %(key)s.", id=instrument_id, key=reg.key),
                            "instrument")
    if len(found) == 1:
        return found[0][0]
    if not found:
        return add_instrument(session, reg, now, title=reg.national_instrument, dossier=reg.bill_number)
    names = "; ".join(f"{i.id} ({i.title or i.kind.value})" for i, _link in found)
    raise InvalidFields(
        _l("%(key)s heeft %(n)s instrumenten: kies welk instrument verschuift (%(names)s).", key=reg.key,
           n=len(found), names=names), "instrument")
