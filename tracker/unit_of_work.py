"""One unit of work per change: a command runs, commits, and what must follow a write follows from it.

Every writer (the browser, the API, the CLI, the seed, the import) builds a command of plain values and runs it with
`run_and_commit` (or several in one `batch`). The handler a feature registered for the command (`@handles(...)`)
checks the permission, validates, checks the version, makes the change and writes its audit row; it flushes and
never commits. The unit then commits and publishes what happened as named events (`publish`), which the features
that care subscribe to (`subscribe`), each in its own module: the portfolio revision (the ETag of feeds and pages)
before the commit, in the change's own transaction; rendering feed events and counting metrics after it, where a
failure is logged and never loses the change (the scheduler's warm-up catches up).

A model takes part by what it is: a row of a `tracker.db.PortfolioRecord` model written in a flush adds a
`RowsWritten` event naming its table and act, so a change nobody thought to announce still moves the revision.
The events of a transaction are delivered at its commit whoever commits (a writer the README names as an exception
to the commands), and dropped on rollback. `tests/test_writers.py` lists every place that writes rows outside a
handler and fails on a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.record import Actor
from tracker.clock import Clock
from tracker.db import PortfolioRecord
from tracker.errors import Conflict, Refused, StaleVersion

log = logging.getLogger("tracker.unit_of_work")

C = TypeVar("C")
E = TypeVar("E", bound="Event")
Handler = Callable[[Session, Any, Actor, Clock], Any]
Phase = Literal["before_commit", "after_commit"]

_HANDLERS: dict[type, Handler] = {}
_SUBSCRIBERS: dict[Phase, list[tuple[type[Event], Callable[..., None]]]] = {"before_commit": [], "after_commit": []}
PENDING = "tracker.unit_of_work.events"  # session.info: the events of the open transaction
DELIVERING = "tracker.unit_of_work.delivering"


# -- events ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """Something that happened, in plain values (keys and ids, never rows): safe to use after the commit."""

    @property
    def name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class PortfolioChanged(Event):
    """Data that pages, feeds or the report show changed: the portfolio gets a new revision.

    `regulation_ids` names the acts whose rows changed where known (empty: none in particular, or too many to say).
    """

    regulation_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RowsWritten(PortfolioChanged):
    """Rows of portfolio tables written in a flush: announced by what the rows are, not by who wrote them."""

    tables: frozenset[str] = field(default_factory=frozenset)


def publish(session: Session, happened: Event) -> None:
    """Announce `happened` in the session's transaction: delivered when it commits, dropped if it rolls back."""
    session.info.setdefault(PENDING, []).append(happened)


def subscribe(event_type: type[E], subscriber: Callable[..., None], *, phase: Phase) -> None:
    """Call `subscriber` for each transaction that published events of `event_type` (or its subclasses).

    before_commit: `subscriber(session, events)` in the change's own transaction, before the commit; an exception
    there undoes the whole change. after_commit: `subscriber(events, bind)` once the change is committed, outside
    any transaction (`bind` is the session's engine or connection, to open a session of its own); an exception is
    logged and the change stays.
    """
    entry = (event_type, subscriber)
    if entry not in _SUBSCRIBERS[phase]:
        _SUBSCRIBERS[phase].append(entry)


def _matching(events: Sequence[Event], event_type: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, event_type)]


@event.listens_for(Session, "after_flush")
def _note_rows(session: Session, flush_context: UOWTransaction) -> None:
    tables: set[str] = set()
    acts: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PortfolioRecord):
            tables.add(type(obj).__tablename__)  # type: ignore[attr-defined]  # every PortfolioRecord is mapped
            act = obj.portfolio_act_id()
            if act is not None:
                acts.add(act)
    if tables:
        publish(session, RowsWritten(frozenset(acts), frozenset(tables)))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(DELIVERING):
        return
    session.info[DELIVERING] = True
    try:
        session.flush()  # rows still pending announce themselves before the subscribers read the events
        events = list(session.info.get(PENDING, ()))
        for event_type, subscriber in _SUBSCRIBERS["before_commit"]:
            matching = _matching(events, event_type)
            if matching:
                subscriber(session, matching)
        session.flush()
    finally:
        session.info.pop(DELIVERING, None)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    events: list[Event] = session.info.pop(PENDING, [])
    if not events:
        return
    bind = session.get_bind()
    for event_type, subscriber in _SUBSCRIBERS["after_commit"]:
        matching = _matching(events, event_type)
        if not matching:
            continue
        try:
            subscriber(matching, bind)
        except Exception:  # the change is committed; what the subscriber missed is caught up later
            log.exception("after-commit subscriber %s failed for %s", getattr(subscriber, "__name__", subscriber),
                          sorted({e.name for e in matching}))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    session.info.pop(PENDING, None)


# -- commands -------------------------------------------------------------------------------------------------------
def handles(command_type: type[C]) -> Callable[[Callable[[Session, C, Actor, Clock], Any]], Handler]:
    """Register the handler of `command_type` (one per command): used by each feature for its own commands."""

    def register(fn: Callable[[Session, C, Actor, Clock], Any]) -> Handler:
        if command_type in _HANDLERS and _HANDLERS[command_type] is not fn:
            raise RuntimeError(f"{command_type.__name__} has a handler already")
        _HANDLERS[command_type] = fn
        return fn

    return register


def _handler(command: object) -> Handler:
    try:
        return _HANDLERS[type(command)]
    except KeyError:
        raise TypeError(f"no handler for {type(command).__name__}: is its feature's module imported?") from None


@dataclass
class Batch:
    """Commands applied in one transaction by `batch`: each flushes; the batch commits them all or none."""

    session: Session
    actor: Actor
    clock: Clock
    results: list[Any] = field(default_factory=list)

    def apply(self, command: object) -> Any:
        """Carry out `command` inside the batch's transaction (flushed, not yet committed)."""
        result = _handler(command)(self.session, command, self.actor, self.clock)
        self.results.append(result)
        return result


@contextmanager
def batch(session: Session, actor: Actor, clock: Clock) -> Iterator[Batch]:
    """Run several commands as one unit: commit when the block ends, publish their events once; on any refusal
    or error roll back everything and re-raise (a race the version check could not see becomes a Conflict)."""
    work = Batch(session, actor, clock)
    try:
        yield work
        session.commit()
    except Refused as exc:
        session.rollback()
        _keep_refusal_record(session, exc)
        raise
    except StaleDataError:
        session.rollback()
        raise StaleVersion("record") from None
    except IntegrityError:
        session.rollback()
        raise Conflict(_l("Dit botst met een gegeven dat op hetzelfde moment werd opgeslagen; er is niets "
                          "opgeslagen.")) from None
    except BaseException:
        session.rollback()
        raise


def run_and_commit(session: Session, command: object, actor: Actor, clock: Clock) -> Any:
    """Carry out `command` as `actor` at the clock's time and commit: the whole change with its audit rows and
    events, or nothing. Raises a `Refused` naming the field at fault when it cannot be done."""
    with batch(session, actor, clock) as work:
        return work.apply(command)


def apply_in_transaction(session: Session, command: object, actor: Actor, clock: Clock) -> Any:
    """Carry out `command` in a transaction the caller commits (a test arranging data, a start-up step that goes
    with others): flushed, not committed; its events are delivered when the caller commits."""
    return _handler(command)(session, command, actor, clock)


def _keep_refusal_record(session: Session, exc: Refused) -> None:
    """A refusal that must leave a trace (a wrong current password) carries its audit entry: written and committed
    on its own once the change itself is rolled back."""
    keep = getattr(exc, "keep", None)
    if keep is None:
        return
    try:
        keep(session)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("recording a refused attempt failed")
