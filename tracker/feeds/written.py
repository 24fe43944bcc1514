"""Pieces rendered when their items are written: after a unit of work that changed acts (a `PortfolioChanged` event
naming them), this process renders those acts' feed events at once (for the link bases, languages and alarms of the
feeds in use), so the next feed request finds them made.

Only a process that served a feed of that database in the last day does this (a web worker of a tracker whose feeds
are in use); anything else, and whatever this leaves (evaluations of no act, more than `MAX_ACTS` acts at once, a
failure), the scheduler's warm-up renders within minutes, or the next request does. A failure here never fails the
write: it is already committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from tracker.unit_of_work import PortfolioChanged, subscribe

log = logging.getLogger("tracker.feeds")
MAX_ACTS = 20  # a bigger change (an import, a seed) is left to the warm-up
IN_USE_SECONDS = 24 * 3600.0
_served: dict[str, float] = {}  # database URL -> when this process last served one of its feeds (monotonic)


def served(url: str) -> None:
    _served[url] = time.monotonic()


def _render(events: Sequence[PortfolioChanged], bind: Any) -> None:
    if not _served or not has_app_context():
        return
    url = str(getattr(bind, "engine", bind).url)
    served_at = _served.get(url)
    if served_at is None or time.monotonic() - served_at > IN_USE_SECONDS:
        return
    ids = set().union(*(e.regulation_ids for e in events))
    if not ids or len(ids) > MAX_ACTS:
        return
    from tracker.clock import get_clock
    from tracker.feeds.warm import render_acts

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's proxy: the app itself
    clock = get_clock()
    try:
        with Session(bind=bind) as fresh:
            render_acts(fresh, sorted(ids), base_url=app.config["TRACKER"].base_url, today=clock.today(),
                        now=clock.now())
    except Exception:  # the write is committed; what is missing renders later
        log.exception("rendering the feed events of acts %s after a write failed", sorted(ids))


subscribe(PortfolioChanged, _render, phase="after_commit")
