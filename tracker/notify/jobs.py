"""The scheduled jobs as plain functions: each is an idempotent sweep in its own transaction.

Concurrent sweeps on SQLite can meet a "database is locked" when two transactions both try to write; a sweep
is safe to repeat, so it is retried. On PostgreSQL, ON CONFLICT DO NOTHING already makes concurrent sweeps safe.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tracker.clock import clock_of
from tracker.config import Settings
from tracker.db import Database
from tracker.notify import digest, outbox, reminders
from tracker.notify.mail import backend_for

log = logging.getLogger("tracker.jobs")
T = TypeVar("T")


def retrying(db: Database, work: Callable[[Session], T], attempts: int = 6) -> T:
    for attempt in range(attempts):
        try:
            with db.transaction() as session:
                return work(session)
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def sweep_reminders(app: Flask, now: dt.datetime | None = None) -> reminders.SweepResult:
    """The reminder sweep, with how many items it looked at (the scheduler's heartbeat shows both)."""
    settings: Settings = app.config["TRACKER"]
    with app.app_context():
        result = retrying(
            app.extensions["tracker.db"], lambda s: reminders.sweep(s, settings, now=now or clock_of(app).now())
        )
    log.info("reminder sweep: %d item(s) swept, %d queued", result.swept, result.queued)
    return result


def run_reminders(app: Flask, now: dt.datetime | None = None) -> int:
    """The reminder sweep; how many reminders it queued."""
    return sweep_reminders(app, now).queued


def run_digests(app: Flask, now: dt.datetime | None = None, week: tuple[int, int] | None = None) -> int:
    settings: Settings = app.config["TRACKER"]
    with app.app_context():
        queued = retrying(
            app.extensions["tracker.db"],
            lambda s: digest.queue_digests(
                s, settings, app.config["SECRET_KEY"], now=now or clock_of(app).now(), week=week
            ),
        )
    log.info("digest sweep: %d queued", queued)
    return queued


def run_delivery(app: Flask, now: dt.datetime | None = None) -> outbox.DeliveryReport:
    """Deliver what is due; `now` fixes the clock (tests, catching up by hand)."""
    settings: Settings = app.config["TRACKER"]
    db: Database = app.extensions["tracker.db"]
    clock = (lambda: now) if now is not None else clock_of(app).now
    with db.sessionmaker() as session:
        report = outbox.deliver(
            session, backend_for(settings), now=clock, sender=settings.mail_from, base_url=settings.base_url
        )
    log.info("outbox delivery: %s", report)
    return report
