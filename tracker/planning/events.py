"""Forecast and planned stage dates as calendar events, as plain data (the feeds turn them into iCalendar).

Each act has one event per remaining step start and one for entry into force, with a stable UID per act and step,
so a calendar moves the event in place when the forecast moves. A forecast depends on the day it is made: SEQUENCE
is the number of days from 2020-01-01 to that day and LAST-MODIFIED its midnight (UTC), so the same day gives the
same bytes and a later day a newer revision of each event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.date_words import current_language, format_day, format_pdate
from tracker.labels import label
from tracker.planning import wording
from tracker.planning.plan import Window
from tracker.planning.queries import load_plans
from tracker.regulations.models import Regulation

EPOCH = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class PlanEvent:
    uid: str  # without the host
    day: dt.date
    summary: str
    description: str
    url: str
    categories: tuple[str, ...]
    last_modified: dt.datetime
    sequence: int


def _when(window: Window) -> str:
    if window.written is not None or window.lo != window.hi:
        return _("%(when)s (getoond op %(first)s, de eerste dag)", when=str(wording.window(window)),
                 first=format_day(window.lo, current_language()))
    return str(wording.window(window))


def planning_events(session: Session, regulations: list[Regulation], today: dt.date, base_url: str) -> list[PlanEvent]:
    """Every act's forecast and planned dates as of `today`; acts in force have none. A fixed number of queries.
    The texts are in the current language (the feed's, through `force_locale`)."""
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    sequence = (today - EPOCH).days
    events: list[PlanEvent] = []
    for view in load_plans(session, today, regulations).values():
        plan, reg = view.plan, view.regulation
        if plan.in_force is None:
            continue
        url = f"{base_url}/regulations/{reg.key}#planning"
        status = _("Status: %(status)s - %(reason)s", status=label(plan.status), reason=str(plan.reason))
        for step in plan.steps:
            if step.kind == "current":
                continue  # under way: it started already
            what = "planned" if step.kind == "planned" else "forecast"
            latest = (_("Uiterlijke start voor de doeldatum: %(day)s", day=format_day(step.latest_start,
                                                                                       current_language()))
                      if step.latest_start else "")
            events.append(
                PlanEvent(
                    uid=f"plan-{reg.id}-{step.key}",
                    day=step.start.lo,
                    summary=_("%(key)s - %(kind)s: begin %(step)s", key=reg.key, kind=str(wording.STEP_KINDS[what]),
                              step=str(step.name)),
                    description="\n".join(
                        x for x in (_("Begin (%(kind)s): %(when)s", kind=str(wording.STEP_KINDS[what]),
                                      when=_when(step.start)), latest, status, url) if x
                    ),
                    url=url,
                    categories=(reg.key, "planning", what),
                    last_modified=stamp,
                    sequence=sequence,
                )
            )
        what = "planned" if plan.in_force_kind == "planned" else "forecast"
        day = plan.in_force.hi if what == "forecast" else plan.in_force.lo
        target = (_("Doeldatum: %(due)s (%(title)s)", due=format_pdate(view.target.due, current_language()),
                    title=view.target.title) if view.target is not None else "")
        events.append(
            PlanEvent(
                uid=f"plan-{reg.id}-in_force",
                day=day,
                summary=_("%(key)s - %(kind)s: inwerkingtreding", key=reg.key, kind=str(wording.STEP_KINDS[what])),
                description="\n".join(
                    x for x in (_("Inwerkingtreding (%(kind)s): %(when)s", kind=str(wording.STEP_KINDS[what]),
                                  when=_when(plan.in_force)), target, status, url) if x
                ),
                url=url,
                categories=(reg.key, "planning", what),
                last_modified=stamp,
                sequence=sequence,
            )
        )
    return events
