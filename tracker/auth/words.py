"""The reader's words for the accounts' coded values (tracker.labels) and their entries in the change log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import Field, code, days, listing, moment, number, register_actions, register_fields, yes_no
from tracker.auth.models import Role
from tracker.labels import register

ROLE_WORDS = {Role.VIEWER: _l("lezer"), Role.EDITOR: _l("bewerker"), Role.ADMIN: _l("beheerder")}
register(ROLE_WORDS.items())

# -- the change log (tracker.audit.words) -------------------------------------------------------------------------
register_actions(
    {
        "user.create": _l("Gebruiker aangemaakt"),
        "user.role": _l("Rol gewijzigd"),
        "user.teams": _l("Teams gewijzigd"),
        "user.activate": _l("Account geactiveerd"),
        "user.deactivate": _l("Account gedeactiveerd"),
        "user.password.change": _l("Wachtwoord gewijzigd"),
        "user.password.change_refused": _l("Wachtwoord niet gewijzigd: het huidige wachtwoord klopte niet"),
        "user.password.set": _l("Wachtwoord ingesteld door een beheerder"),
        "user.password.reset_link": _l("Herstellink gemaakt"),
        "user.password.reset": _l("Wachtwoord hersteld"),
        "session.end": _l("Sessie beëindigd"),
        "session.end_others": _l("Andere sessies beëindigd"),
        "login.success": _l("Ingelogd"),
        "login.failure": _l("Inloggen mislukt"),
        "login.throttled": _l("Inloggen tijdelijk geblokkeerd"),
        "logout": _l("Uitgelogd"),
        "team.create": _l("Team aangemaakt"),
        "team.rename": _l("Team hernoemd"),
        "team.reminders": _l("Herinneringen van het team gewijzigd"),
    }
)
register_fields(
    {
        "role": Field(_l("Rol"), code(Role)),
        "teams": Field(_l("Teams"), listing),
        "name": Field(_l("Naam")),
        "must_change_password": Field(_l("Moet het wachtwoord wijzigen"), yes_no),
        "active": Field(_l("Actief"), yes_no),
        "sessions": Field(_l("Sessies"), number),
        "sessions_ended": Field(_l("Sessies beëindigd"), number),
        "other_sessions_ended": Field(_l("Andere sessies beëindigd"), number),
        "expires_at": Field(_l("Geldig tot"), moment),
        "wait_seconds": Field(_l("Wachttijd in seconden"), number),
        "reminder_days": Field(_l("Herinneringen"), days),
    }
)
