"""Pieces rendered when their items are written: after a commit that touched acts' deadlines, evaluations, stages or
designations, this process renders those acts' feed events at once (for the link bases, languages and alarms of the
feeds in use), so the next feed request finds them made.

Only a process that served a feed of that database in the last day does this (a web worker of a tracker whose feeds
are in use); anything else, and whatever this leaves (evaluations of no act, more than `MAX_ACTS` acts at once, a
failure), the scheduler's warm-up renders within minutes, or the next request does. A failure here never fails the
write: it is already committed.
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

log = logging.getLogger("tracker.feeds")
TOUCHED = "tracker.feeds.touched"
MAX_ACTS = 20  # a bigger change (an import, a seed) is left to the warm-up
IN_USE_SECONDS = 24 * 3600.0
_served: dict[str, float] = {}  # database URL -> when this process last served one of its feeds (monotonic)


def served(url: str) -> None:
    _served[url] = time.monotonic()


def _tracked() -> tuple[tuple[type[Any], ...], type[Any]]:
    from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, StageChange

    return (Deadline, Evaluation, StageChange, Designation), Regulation


@event.listens_for(Session, "after_flush")
def _note(session: Session, flush_context: Any) -> None:
    if not _served:
        return
    served_at = _served.get(str(cast(Engine, session.get_bind()).url))
    if served_at is None or time.monotonic() - served_at > IN_USE_SECONDS:
        return
    children, regulation = _tracked()
    touched = session.info.setdefault(TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, children) and obj.regulation_id is not None:
            touched.add(obj.regulation_id)
        elif isinstance(obj, regulation) and obj.id is not None:
            touched.add(obj.id)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    session.info.pop(TOUCHED, None)


@event.listens_for(Session, "after_commit")
def _render(session: Session) -> None:
    ids = session.info.pop(TOUCHED, None)
    if not ids or len(ids) > MAX_ACTS or not has_app_context():
        return
    from tracker.clock import get_clock
    from tracker.feeds.warm import render_acts

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's proxy: the app object itself
    clock = get_clock()
    try:
        with Session(bind=session.get_bind()) as fresh:
            render_acts(fresh, sorted(ids), base_url=app.config["TRACKER"].base_url, today=clock.today(),
                        now=clock.now())
    except Exception:  # the write is committed; what is missing renders later
        log.exception("rendering the feed events of acts %s after a write failed", sorted(ids))
