"""The plan statuses (a module of its own: tracker.labels names them, and must not import the planning rules)."""

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
    def label_nl(self) -> str:
        return STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return STATUS_LABELS[self][1]

    @property
    def urgency(self) -> int:
        """Lower is more urgent: late and at risk come first on the board."""
        return URGENCY[self]


STATUS_LABELS = {
    Status.ON_TRACK: ("Op schema", "On track"),
    Status.AT_RISK: ("Risico", "At risk"),
    Status.LATE: ("Te laat", "Late"),
    Status.STALLED: ("Niet bevestigd", "Stalled"),
    Status.DONE: ("Gereed", "Done"),
    Status.UNPLANNED: ("Geen doeldatum", "Unplanned"),
}
URGENCY = {
    Status.LATE: 0,
    Status.AT_RISK: 1,
    Status.STALLED: 2,
    Status.ON_TRACK: 3,
    Status.UNPLANNED: 4,
    Status.DONE: 5,
}
