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

from tracker.content import short_name, text_in
from tracker.date_words import current_language, format_day, format_pdate
from tracker.labels import label
from tracker.planning import wording
from tracker.planning.plan import Plan, Window
from tracker.planning.queries import ActPlanView, load_plans
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


def _shown(window: Window, language: str) -> str:
    if window.written is not None:
        return format_pdate(window.written, language)
    if window.lo == window.hi:
        return format_day(window.lo, language)
    return f"{format_day(window.lo, language)} – {format_day(window.hi, language)}"


def _when(window: Window, language: str) -> str:
    if window.written is not None or window.lo != window.hi:
        return _("%(when)s (getoond op %(day)s, de eerste dag)", when=_shown(window, language),
                 day=format_day(window.lo, language))
    return _shown(window, language)


def planning_events(session: Session, regulations: list[Regulation], today: dt.date, base_url: str) -> list[PlanEvent]:
    """Every act's forecast and planned dates as of `today`; acts in force have none. An act with several national
    instruments has each instrument's (its UIDs name the instrument). A fixed number of queries. Worded in the
    current language (the feed's, set by its caller with `force_locale`)."""
    language = current_language()
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    sequence = (today - EPOCH).days
    events: list[PlanEvent] = []
    for view in load_plans(session, today, regulations).values():
        act = short_name(view.regulation, language)
        if len(view.instruments) <= 1:
            events += _events(view, view.plan, act, f"plan-{view.regulation.id}", language, stamp, sequence, base_url)
            continue
        for instrument in view.instruments:
            title = instrument.title or label(instrument.kind)
            events += _events(view, instrument.plan, f"{act} - {title}",
                              f"plan-{view.regulation.id}-i{instrument.instrument_id}", language, stamp, sequence,
                              base_url)
    return events


def _events(view: ActPlanView, plan: Plan, name: str, uid: str, language: str, stamp: dt.datetime, sequence: int,
            base_url: str) -> list[PlanEvent]:
    """One plan's step starts and entry into force; none when it has no forecast."""
    reg = view.regulation
    events: list[PlanEvent] = []
    if plan.in_force is not None:
        url = f"{base_url}/regulations/{reg.key}#planning"
        status = _("Status: %(status)s - %(reason)s", status=label(plan.status), reason=str(plan.reason))
        for step in plan.steps:
            if step.kind == "current":
                continue  # under way: it started already
            kind = "planned" if step.kind == "planned" else "forecast"
            what = str(wording.STEP_KINDS[kind])  # the one name of planned and forecast (tracker.planning.wording)
            step_label = str(step.name)
            latest = (_("Laatste start voor de doeldatum: %(day)s", day=format_day(step.latest_start, language))
                      if step.latest_start else "")
            events.append(
                PlanEvent(
                    uid=f"{uid}-{step.key}",
                    day=step.start.lo,
                    summary=_("%(act)s - %(what)s: start %(step)s", act=name, what=what, step=step_label),
                    description="\n".join(
                        x for x in (_("Start (%(what)s): %(when)s", what=what, when=_when(step.start, language)),
                                    latest, status, url) if x
                    ),
                    url=url,
                    categories=(name, "planning", kind),
                    last_modified=stamp,
                    sequence=sequence,
                )
            )
        kind = "planned" if plan.in_force_kind == "planned" else "forecast"
        what = str(wording.STEP_KINDS[kind])
        day = plan.in_force.hi if kind == "forecast" else plan.in_force.lo
        target = (_("Doeldatum: %(due)s (%(title)s)", due=format_pdate(view.target.due, language),
                    title=text_in(view.target, "title", language)) if view.target is not None else "")
        events.append(
            PlanEvent(
                uid=f"{uid}-in_force",
                day=day,
                summary=_("%(act)s - %(what)s: inwerkingtreding", act=name, what=what),
                description="\n".join(
                    x for x in (_("Inwerkingtreding (%(what)s): %(when)s", what=what,
                                  when=_shown(plan.in_force, language)), target, status, url) if x
                ),
                url=url,
                categories=(name, "planning", kind),
                last_modified=stamp,
                sequence=sequence,
            )
        )
    return events
