"""The change log's words for calendar links (tracker.audit.words)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import Field, number, register_actions, register_fields

register_actions(
    {
        "feed.create": _l("Agendalink gemaakt"),
        "feed.rotate": _l("Agendalink vernieuwd"),
        "feed.revoke": _l("Agendalink ingetrokken"),
    }
)
register_fields({"tokens revoked": Field(_l("Links ingetrokken"), number)})
