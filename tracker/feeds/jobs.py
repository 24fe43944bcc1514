"""The feeds' scheduled jobs and the warm-up that `tracker seed` and `tracker feeds warm` run."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from tracker.clock import clock_of
from tracker.config import Settings
from tracker.feeds import warm as warming
from tracker.regulations import revision

log = logging.getLogger("tracker.feeds")
JOB_BUDGET = 240.0  # seconds per scheduled warm-up; what is left waits for the next run
_warmed: dict[str, int] = {}  # per database: the portfolio revision the last complete warm-up saw


def folder(app: Flask) -> Path:
    settings: Settings = app.config["TRACKER"]
    return settings.instance_path / "feeds"


def warm_app(app: Flask, *, budget: float | None = None) -> warming.Warmed:
    """Render every missing piece of the feeds in use and assemble them (the full feed always)."""
    settings: Settings = app.config["TRACKER"]
    clock = clock_of(app)
    with app.app_context(), app.extensions["tracker.db"].sessionmaker() as session:
        result = warming.warm(session, folder(app), base_url=settings.base_url, today=clock.today(),
                              now=clock.now(), budget=budget)
    log.info("feeds warmed: %d piece(s) rendered, %d feed(s) assembled%s", result.pieces, result.feeds,
             "" if result.complete else " (continues next run)")
    return result


def run_warm(app: Flask) -> int:
    """The scheduler's warm-up: only when the portfolio changed since the last complete one; pieces rendered."""
    db = app.extensions["tracker.db"]
    with db.sessionmaker() as session:
        current = revision.current(session)
    if _warmed.get(str(db.engine.url)) == current:
        return 0
    result = warm_app(app, budget=JOB_BUDGET)
    if result.complete:
        _warmed[str(db.engine.url)] = current
    return result.pieces


def run_prune(app: Flask) -> int:
    """Drop pieces, feed files and feeds nobody uses any more; pieces dropped."""
    with app.extensions["tracker.db"].sessionmaker() as session:
        return warming.prune(session, folder(app), now=clock_of(app).now())
