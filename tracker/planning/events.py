"""Forecast and planned stage dates as calendar events, as plain data (the feeds turn them into iCalendar).

Each act has one event per remaining step start and one for entry into force, with a stable UID per act and step,
so a calendar moves the event in place when the forecast moves. A forecast depends on the day it is made: SEQUENCE
is the number of days from 2020-01-01 to that day and LAST-MODIFIED its midnight (UTC), so the same day gives the
same bytes and a later day a newer revision of each event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.date_words import format_day
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
        return f"{window.display('en')} (shown on {format_day(window.lo, 'en')}, the first day)"
    return window.display("en")


def planning_events(session: Session, regulations: list[Regulation], today: dt.date, base_url: str) -> list[PlanEvent]:
    """Every act's forecast and planned dates as of `today`; acts in force have none. A fixed number of queries."""
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    sequence = (today - EPOCH).days
    events: list[PlanEvent] = []
    for view in load_plans(session, today, regulations).values():
        plan, reg = view.plan, view.regulation
        if plan.in_force is None:
            continue
        url = f"{base_url}/regulations/{reg.key}#planning"
        status = f"Status: {plan.status.label_en} - {plan.reason}"
        for step in plan.steps:
            if step.kind == "current":
                continue  # under way: it started already
            what = "planned" if step.kind == "planned" else "forecast"
            latest = f"Latest start for the target: {format_day(step.latest_start, 'en')}" if step.latest_start else ""
            events.append(
                PlanEvent(
                    uid=f"plan-{reg.id}-{step.key}",
                    day=step.start.lo,
                    summary=f"{reg.key} - {what}: {step.label_en} starts",
                    description="\n".join(
                        x for x in (f"Start ({what}): {_when(step.start)}", latest, status, url) if x
                    ),
                    url=url,
                    categories=(reg.key, "planning", what),
                    last_modified=stamp,
                    sequence=sequence,
                )
            )
        what = "planned" if plan.in_force_kind == "planned" else "forecast"
        day = plan.in_force.hi if what == "forecast" else plan.in_force.lo
        target = f"Target: {view.target.due.display('en')} ({view.target.title})" if view.target is not None else ""
        events.append(
            PlanEvent(
                uid=f"plan-{reg.id}-in_force",
                day=day,
                summary=f"{reg.key} - {what}: entry into force",
                description="\n".join(
                    x for x in (f"Entry into force ({what}): {plan.in_force.display('en')}", target, status, url) if x
                ),
                url=url,
                categories=(reg.key, "planning", what),
                last_modified=stamp,
                sequence=sequence,
            )
        )
    return events
