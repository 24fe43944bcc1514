"""The reader's words for the plan statuses (tracker.labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.labels import register
from tracker.planning.status import Status

register(
    [
        (Status.ON_TRACK, _l("Op schema")),
        (Status.AT_RISK, _l("Risico")),
        (Status.LATE, _l("Te laat")),
        (Status.STALLED, _l("Stilgevallen")),
        (Status.DONE, _l("Gereed")),
        (Status.UNPLANNED, _l("Geen doeldatum")),
    ]
)

