"""The reader's words for the outbox's coded values (tracker.labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.labels import register
from tracker.notify.models import OutboxStatus

register(
    [
        (OutboxStatus.PENDING, _l("wacht")),
        (OutboxStatus.SENDING, _l("wordt verstuurd")),
        (OutboxStatus.SENT, _l("verstuurd")),
        (OutboxStatus.FAILED, _l("mislukt")),
    ]
)
