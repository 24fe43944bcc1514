"""The plan statuses (a module of its own: tracker.labels names them, and must not import the planning rules).
Their words, Dutch and English, are in tracker/planning/words.py."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    STALLED = "stalled"
    DONE = "done"
    UNPLANNED = "unplanned"

    @property
    def urgency(self) -> int:
        """Lower is more urgent: late and at risk come first on the board."""
        return URGENCY[self]


URGENCY = {
    Status.LATE: 0,
    Status.AT_RISK: 1,
    Status.STALLED: 2,
    Status.ON_TRACK: 3,
    Status.UNPLANNED: 4,
    Status.DONE: 5,
}
