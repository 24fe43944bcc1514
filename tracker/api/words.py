"""The change log's words for API tokens (tracker.audit.words)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import register_actions

register_actions({"api_token.create": _l("API-token gemaakt"), "api_token.revoke": _l("API-token ingetrokken")})
