"""The reader's words for the plan statuses (tracker.labels) and for the planning's entries in the change log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import (
    Field,
    day,
    days,
    number,
    pdate,
    register_actions,
    register_fields,
    register_resolver,
    yes_no,
)
from tracker.labels import register
from tracker.planning.status import Status
from tracker.planning.wording import STEP_NAMES

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

# -- the change log (tracker.audit.words) -------------------------------------------------------------------------
register_actions(
    {
        "plan.review": _l("Planning bevestigd"),
        "plan.target": _l("Doeldatum gekozen"),
        "plan.duration": _l("Duur van een fase gewijzigd"),
        "plan.planned": _l("Geplande datum gewijzigd"),
    }
)
register_fields(
    {
        "reviewed_on": Field(_l("Bevestigd op"), day),
        "target": Field(_l("Doeldatum (termijn nummer)"), number),
        "eu_exception": Field(_l("uitzondering EU-implementatie (Ar 4.17 lid 5 sub d)"), yes_no),
    }
)


def _step_field(action: str, name: str) -> Field | None:
    """plan.duration names the step ("parliament"), plan.planned the planned start ("planned.parliament")."""
    step = name.removeprefix("planned.")
    if step not in STEP_NAMES:
        return None
    if action == "plan.duration":
        return Field(_l("Duur: %(step)s", step=STEP_NAMES[step]), days)
    if action == "plan.planned":
        return Field(_l("Gepland begin: %(step)s", step=STEP_NAMES[step]), pdate)
    return None


register_resolver(_step_field)
