"""The timeline picture as plain data: bars, markers and axis ticks in SVG units (pure; a template draws it).

One lane per step. Steps done come from the history (solid); the current step is solid up to today and dashed
after; planned and forecast steps are dashed. The target and every dated deadline are markers; today is a line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from tracker.dates import PrecisionDate
from tracker.planning.plan import STEPS, Plan
from tracker.planning.wording import STEP_NAMES, Shown, window
from tracker.regulations.stages import Stage

WIDTH, LEFT, RIGHT, TOP, LANE = 960, 210, 20, 46, 26
IN_FORCE = {"planned": _l("inwerkingtreding (gepland)"), "forecast": _l("inwerkingtreding (voorspeld)")}
LANES = (*STEPS, "in_force")


@dataclass(frozen=True)
class Bar:
    lane: int
    x: float
    width: float
    kind: str  # done, current, planned, forecast
    label: object  # the step's name, and the dates below: written in the reader's language when shown
    start: object
    end: object
    step: str = ""  # the step's key (a lane of LANES)


@dataclass(frozen=True)
class Marker:
    x: float
    label: object  # a deadline's title, or the marker kind's word in the reader's language
    kind: str  # target, deadline, today, in_force
    when: object


@dataclass
class Timeline:
    width: int
    height: int
    lanes: list[tuple[float, object]] = field(default_factory=list)  # (y, the step's name)
    bars: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    lane_height: int = LANE


def build(
    history: Sequence[tuple[Stage, PrecisionDate]],
    plan: Plan,
    deadlines: Sequence[tuple[str, PrecisionDate]],
    target: PrecisionDate | None,
    today: dt.date,
) -> Timeline:
    """`history`: (stage, effective) in order; `deadlines`: (title, due) of the act's deadlines."""
    days = [today]
    days += [d.first_day for _, d in history if d.first_day]
    days += [d.first_day for _, d in deadlines if d.first_day]
    if target and target.first_day:
        days.append(target.first_day)
    for s in plan.steps:
        days += [s.start.lo, s.end.hi]
    if plan.in_force:
        days.append(plan.in_force.hi)
    start = dt.date(min(days).year, 1, 1)
    end = dt.date(max(days).year + 1, 1, 1)
    span = max((end - start).days, 1)
    inner = WIDTH - LEFT - RIGHT

    def x(day: dt.date) -> float:
        return round(LEFT + inner * (day - start).days / span, 1)

    tl = Timeline(WIDTH, TOP + LANE * len(LANES) + 16)
    tl.lanes = [(TOP + i * LANE, STEP_NAMES[k]) for i, k in enumerate(LANES)]
    tl.ticks = [(x(dt.date(y, 1, 1)), str(y)) for y in range(start.year, end.year + 1)]
    lane = {k: i for i, k in enumerate(LANES)}
    # Done: each recorded stage lasts until the next change (the current one until today, shown solid).
    for i, (stage, effective) in enumerate(history):
        if stage.value not in lane or effective.first_day is None:
            continue
        until = history[i + 1][1].first_day if i + 1 < len(history) else None
        stop = until or (today if stage is not Stage.IN_FORCE else effective.first_day)
        kind = "done" if until else "current"
        width = max(x(stop) - x(effective.first_day), 2.0)
        tl.bars.append(
            Bar(
                lane[stage.value],
                x(effective.first_day),
                width,
                kind,
                STEP_NAMES[stage.value],
                Shown(effective),
                Shown(stop) if until else _l("vandaag"),
                stage.value,
            )
        )
    for s in plan.steps:
        begin = max(s.start.lo, today) if s.kind == "current" else s.start.lo
        width = max(x(s.end.hi) - x(begin), 2.0)
        kind = "forecast" if s.kind == "current" else s.kind
        shown = (STEP_NAMES[s.key], window(s.start), window(s.end))
        tl.bars.append(Bar(lane[s.key], x(begin), width, kind, *shown, s.key))
    if plan.in_force:
        tl.markers.append(
            Marker(x(plan.in_force.hi), IN_FORCE[plan.in_force_kind], "in_force", window(plan.in_force))
        )
    for title, due in deadlines:
        if due.first_day:
            tl.markers.append(Marker(x(due.first_day), title, "deadline", Shown(due)))
    if target and target.first_day:
        tl.markers.append(Marker(x(target.first_day), _l("doeldatum"), "target", Shown(target)))
    tl.markers.append(Marker(x(today), _l("vandaag"), "today", Shown(today)))
    return tl
