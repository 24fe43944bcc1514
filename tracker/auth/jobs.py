"""The scheduler's housekeeping for accounts: sessions, reset links and login counters that can do nothing more."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from tracker.auth import sessions, throttle
from tracker.clock import clock_of


def purge_sessions(app: Flask) -> int:
    """Delete expired and ended sessions, used or expired reset links and quiet login counters; returns how many."""
    now = clock_of(app).now()
    max_age = dt.timedelta(days=app.config["TRACKER"].session_max_days)
    with app.extensions["tracker.db"].transaction() as session:
        return sessions.purge(session, now=now, max_age=max_age) + throttle.purge(session, now)
