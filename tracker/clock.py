"""The one clock, held by the app (`app.extensions["tracker.clock"]`).

Web requests, CLI commands and scheduled jobs all read the time here, and domain code takes `now`/`today` as
arguments, so a test (or an operator rehearsing a date with TRACKER_CLOCK) fixes the time in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import cast
from zoneinfo import ZoneInfo

from flask import Flask, current_app

EXTENSION = "tracker.clock"


class Clock:
    """The current moment in UTC and today's date in the configured time zone; `fixed` stops the clock."""

    def __init__(self, tz: ZoneInfo, fixed: dt.datetime | None = None) -> None:
        self.tz = tz
        self._fixed: dt.datetime | None = None
        if fixed is not None:
            self.set(fixed)

    @property
    def frozen(self) -> bool:
        return self._fixed is not None

    def now(self) -> dt.datetime:
        return self._fixed if self._fixed is not None else dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self.now().astimezone(self.tz).date()

    def set(self, moment: dt.datetime) -> None:
        """Stop the clock at `moment` (timezone-aware)."""
        if moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware moment")
        self._fixed = moment.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        self.set(self.now() + delta)


def install(app: Flask, clock: Clock) -> None:
    app.extensions[EXTENSION] = clock


def clock_of(app: Flask) -> Clock:
    return cast(Clock, app.extensions[EXTENSION])


def get_clock() -> Clock:
    """The clock of the current app (request, CLI command or job context)."""
    return cast(Clock, current_app.extensions[EXTENSION])
