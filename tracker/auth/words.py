"""The reader's words for the accounts' coded values (tracker.labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.auth.models import Role
from tracker.labels import register

ROLE_WORDS = {Role.VIEWER: _l("lezer"), Role.EDITOR: _l("bewerker"), Role.ADMIN: _l("beheerder")}
register(ROLE_WORDS.items())
