"""The change log's words for loading the seed (tracker.audit.words): the action, and what each count is of."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import Field, register_actions, register_resolver

register_actions({"seed.load": _l("Seed geladen (het rapport)")})
KINDS = {
    "teams": _l("teams"),
    "authorities": _l("toezichthouders"),
    "regulations": _l("regelingen"),
    "deadlines": _l("termijnen"),
    "designations": _l("aanwijzingen"),
    "evaluations": _l("evaluaties"),
    "stage_changes": _l("faseovergangen"),
    "durations": _l("duur van fasen"),
    "targets": _l("doeldata"),
    "planned": _l("geplande data"),
    "reviews": _l("bevestigingen van de planning"),
}
register_resolver(lambda action, name: Field(KINDS[name]) if action == "seed.load" and name in KINDS else None)
