"""One way in for every change: a command of plain values, executed by `execute`.

The browser, the API, the CLI, the seed and the import build commands and call `execute`; each feature registers
the handler of its commands (`@handles(MoveStage)`). Handlers check permissions, flush and never commit: the caller
owns the transaction. They raise `tracker.errors.Refused` subclasses, each naming its field.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.record import Actor
from tracker.clock import Clock
from tracker.errors import Conflict, Refused, StaleVersion

C = TypeVar("C")
Handler = Callable[[Session, Any, Actor, Clock], Any]
_HANDLERS: dict[type, Handler] = {}
_loaded = False
# The modules that register handlers; imported on first use so any caller (CLI, seed, tests) finds them all.
HANDLER_MODULES = (
    "tracker.regulations.services",
    "tracker.notify.services",
    "tracker.auth.service",
    "tracker.feeds.tokens",
    "tracker.api.tokens",
    "tracker.planning.services",
)


def handles(command_type: type[C]) -> Callable[[Callable[[Session, C, Actor, Clock], Any]], Handler]:
    def register(fn: Callable[[Session, C, Actor, Clock], Any]) -> Handler:
        if command_type in _HANDLERS:
            raise RuntimeError(f"{command_type.__name__} has a handler already")
        _HANDLERS[command_type] = fn
        return fn

    return register


def execute(session: Session, command: object, actor: Actor, clock: Clock) -> Any:
    """Carry out `command` as `actor` at the clock's time; flush only. Raises Refused when it cannot."""
    global _loaded
    if not _loaded:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        _loaded = True
    try:
        handler = _HANDLERS[type(command)]
    except KeyError:
        raise TypeError(f"no handler for {type(command).__name__}") from None
    return handler(session, command, actor, clock)


def run(session: Session, command: object, actor: Actor, clock: Clock) -> Any:
    """Execute and commit as one transaction: the whole change with its audit rows, or nothing.

    A race the version check could not see (the version counter at flush, a unique key taken at the same moment)
    becomes the same Conflict a stale form gets; every refusal rolls back before it propagates.
    """
    try:
        result = execute(session, command, actor, clock)
        session.commit()
        return result
    except Refused:
        session.rollback()
        raise
    except StaleDataError:
        session.rollback()
        raise StaleVersion("record") from None
    except IntegrityError:
        session.rollback()
        raise Conflict(_l("Dit botst met een gegeven dat op hetzelfde moment werd opgeslagen; er is niets "
                          "opgeslagen.")) from None
