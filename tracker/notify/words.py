"""The reader's words for the outbox's coded values (tracker.labels) and for mail settings in the change log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import Field, register_actions, register_fields, yes_no
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

# -- the change log (tracker.audit.words) -------------------------------------------------------------------------
register_actions(
    {
        "follow": _l("Volgt de regeling"),
        "unfollow": _l("Volgt de regeling niet meer"),
        "user.settings": _l("Instellingen gewijzigd"),
        "user.language": _l("Taal gewijzigd"),
        "user.unsubscribe": _l("Afgemeld voor het weekoverzicht"),
        "outbox.retry": _l("Bericht opnieuw in de wachtrij"),
    }
)
WHEN_EMPTY_WORDS = {"skip": _l("geen mail"), "notice": _l("een mail van één regel")}  # as the settings form says
register_fields(
    {
        "follows": Field(_l("Volgt")),
        "digest_enabled": Field(_l("Weekoverzicht ontvangen"), yes_no),
        "digest_when_empty": Field(_l("Als er niets te melden is"), lambda v: str(WHEN_EMPTY_WORDS.get(v, v))),
        "language": Field(_l("Taal"), lambda v: {"nl": "Nederlands", "en": "English"}.get(v, str(v))),
    }
)
