"""Backward and forward planning of a national implementing act (pure: no database, no clock, no request; the
reasons are lazy strings from tracker.planning.wording, written in the reader's language when read).

Everything here is a function of the act's current stage and its start, the stage durations, the planned dates a
team entered, the target (the EU date the national act must meet) and `today`.

Rules, each a choice users can read back in the reason text:
- Steps after the current stage: internal preparation, consultation and checks, Council of State advice (with the
  nader rapport), parliament (Tweede and Eerste Kamer), publication; then entry into force.
- A date known to a period ("2024-Q1") is carried as a window from its first to its last day, so a coarse date never
  pretends to be a day. The forecast of entry into force is the window's last day: the date the team can promise.
- The current stage ends after its duration, but never before today (it has not ended yet).
- A planned start a team entered overrides the durations (the previous step simply ends there) while its period
  has not ended; a planned period wholly in the past, with the step not begun, no longer counts (the durations do).
- Entry into force falls on a fixed change date, 1 January or 1 July, at least two months after publication
  (Aanwijzingen voor de regelgeving 4.17, first and fourth paragraphs), unless the act uses the exception for
  implementing binding EU acts (4.17, fifth paragraph, under d): then the day after publication.
- Slack is the number of days from the forecast entry into force to the target: negative means too late.
- Status, first match wins: done (in force) > stalled (no stage move and no review for `stalled_days`) > late
  (target passed, not in force) > unplanned (no target) > at risk (forecast after the target, or slack below
  `risk_days`) > on track.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import LazyString

from tracker.dates import Precision, PrecisionDate
from tracker.planning import wording
from tracker.planning.status import Status
from tracker.regulations.stages import Stage

# The steps a national act goes through after the EU act, in order; `publication` is the time from the last vote
# (Eerste Kamer) to publication in the Staatsblad. Entry into force follows from the rule above.
STEPS = ("internal_prep", "consultation", "council_of_state", "parliament", "publication")
PLANNABLE = (*STEPS, "in_force")  # what a team may enter a planned date for
DEFAULT_STALLED_DAYS = 120
DEFAULT_RISK_DAYS = 60
MIN_MONTHS_BEFORE_IN_FORCE = 2  # Aanwijzing 4.17, fourth paragraph
CHANGE_DATES = ((1, 1), (7, 1))  # Aanwijzing 4.17, first paragraph: 1 January and 1 July


@dataclass(frozen=True)
class Window:
    """A date known to lie between `lo` and `hi` (equal for a day); `written` keeps a planned date as entered."""

    lo: dt.date
    hi: dt.date
    written: PrecisionDate | None = None

    @classmethod
    def of(cls, value: PrecisionDate) -> Window:
        if value.first_day is None or value.last_day is None:
            raise ValueError("an unknown date has no window")
        return cls(value.first_day, value.last_day, value)

    @classmethod
    def day(cls, value: dt.date) -> Window:
        return cls(value, value)

    def shift(self, days: int) -> Window:
        return Window(self.lo + dt.timedelta(days=days), self.hi + dt.timedelta(days=days))

    def at_least(self, day: dt.date) -> Window:
        if self.lo >= day:
            return self
        return Window(max(self.lo, day), max(self.hi, day), self.written if self.hi >= day else None)

    def display(self, language: str = "nl") -> str:
        """As written, else a day or a range of days: '1 – 31 januari 2025' (English '1 – 31 January 2025')."""
        if self.written is not None:
            return self.written.display(language)
        if self.lo == self.hi:
            return PrecisionDate.day(self.lo).display(language)
        return PrecisionDate(self.lo, Precision.DAY, self.hi, Precision.DAY).period(language)

    def isoformat(self) -> str:
        if self.written is not None:
            return self.written.isoformat()
        return self.hi.isoformat() if self.lo == self.hi else f"{self.lo.isoformat()}/{self.hi.isoformat()}"


@dataclass(frozen=True)
class Target:
    due: PrecisionDate
    title: str

    @property
    def day(self) -> dt.date | None:
        """The day the national act must be in force by: the first day of the period (the documented rule)."""
        return self.due.first_day


@dataclass(frozen=True)
class PlanInput:
    stage: Stage | None
    since: PrecisionDate | None  # when the current stage began
    target: Target | None
    durations: Mapping[str, int]  # days per step in STEPS
    planned: Mapping[str, PrecisionDate] = field(default_factory=dict)  # planned start per PLANNABLE key
    eu_exception: bool = False
    last_review: dt.date | None = None
    stalled_days: int = DEFAULT_STALLED_DAYS
    risk_days: int = DEFAULT_RISK_DAYS
    # The procedure of the instrument's kind (tracker.regulations.instruments.procedures): its steps, and the days
    # on which it may enter into force (() for any day: the day after publication).
    steps: tuple[str, ...] = STEPS
    change_dates: tuple[tuple[int, int], ...] = CHANGE_DATES


@dataclass(frozen=True)
class Step:
    key: str
    start: Window
    end: Window
    kind: str  # "current" (under way), "planned" (start entered by the team) or "forecast"
    latest_start: dt.date | None = None  # backward planning: the last day it may start for the target to hold

    @property
    def name(self) -> LazyString:
        """The step's name in the reader's language (the stage's, or "Bekrachtiging en publicatie")."""
        return wording.STEP_NAMES[self.key]


@dataclass(frozen=True)
class Plan:
    status: Status
    why: LazyString | str  # the reason, rendered when read
    steps: tuple[Step, ...] = ()
    in_force: Window | None = None  # forecast (or planned) entry into force
    in_force_kind: str = "forecast"
    latest_in_force: dt.date | None = None
    slack_days: int | None = None
    last_activity: dt.date | None = None

    @property
    def forecast_in_force(self) -> dt.date | None:
        return self.in_force.hi if self.in_force else None

    @property
    def reason(self) -> str:
        """Why the plan has its status, in the current language (the request's, or a mail recipient's)."""
        return str(self.why)


# -- the rules ---------------------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # The same day of the month, or the month's last day when it has fewer days (31 Dec + 2 months = 28/29 Feb).
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def entry_into_force(
    published: dt.date, eu_exception: bool = False, change_dates: tuple[tuple[int, int], ...] = CHANGE_DATES
) -> dt.date:
    """The first fixed change date at least two months after publication; the next day under the EU exception or
    for a kind without fixed change dates."""
    if eu_exception or not change_dates:
        return published + dt.timedelta(days=1)
    earliest = add_months(published, MIN_MONTHS_BEFORE_IN_FORCE)
    for year in (earliest.year, earliest.year + 1):
        for month, day in change_dates:
            candidate = dt.date(year, month, day)
            if candidate >= earliest:
                return candidate
    raise AssertionError("unreachable")


def latest_change_date(
    target: dt.date, eu_exception: bool = False, change_dates: tuple[tuple[int, int], ...] = CHANGE_DATES
) -> dt.date:
    """The last day on or before `target` on which the act may enter into force."""
    if eu_exception or not change_dates:
        return target
    candidates = [dt.date(y, m, d) for y in (target.year - 1, target.year) for m, d in change_dates]
    return max(c for c in candidates if c <= target)


def latest_publication(
    in_force: dt.date, eu_exception: bool = False, change_dates: tuple[tuple[int, int], ...] = CHANGE_DATES
) -> dt.date:
    """The last publication day that still gives entry into force on `in_force`."""
    if eu_exception or not change_dates:
        return in_force - dt.timedelta(days=1)
    return add_months(in_force, -MIN_MONTHS_BEFORE_IN_FORCE)


# A step's place among the stages: its stage's, and publication after parliament.
_ORDER = {**{stage.value: float(stage.index) for stage in Stage}, "publication": Stage.PARLIAMENT.index + 0.5}


def remaining_steps(stage: Stage | None, steps: tuple[str, ...] = STEPS) -> tuple[str, ...]:
    """The steps of the procedure from the current stage on; no stage or EU negotiation still has all of them
    ahead. A stage off the procedure (recorded before the kind was known) continues with the next step after it."""
    if stage is None or stage is Stage.EU_NEGOTIATION:
        return steps
    if stage is Stage.IN_FORCE:
        return ()
    return tuple(step for step in steps if _ORDER[step] >= stage.index)


def backward(
    target: dt.date, durations: Mapping[str, int], steps: tuple[str, ...], eu_exception: bool,
    change_dates: tuple[tuple[int, int], ...] = CHANGE_DATES,
) -> dict[str, dt.date]:
    """The latest start of each step (and of entry into force, key `in_force`) for the act to be in force by target."""
    in_force = latest_change_date(target, eu_exception, change_dates)
    latest = {"in_force": in_force}
    end = latest_publication(in_force, eu_exception, change_dates)
    for key in reversed(steps):
        # Publication is the step's end: the day the act appears in the Staatsblad.
        start = end - dt.timedelta(days=durations[key])
        latest[key] = start
        end = start
    return latest


def forward(
    stage: Stage | None,
    since: PrecisionDate | None,
    durations: Mapping[str, int],
    planned: Mapping[str, PrecisionDate],
    today: dt.date,
    eu_exception: bool,
    procedure: tuple[str, ...] = STEPS,
    change_dates: tuple[tuple[int, int], ...] = CHANGE_DATES,
) -> tuple[list[Step], Window, str]:
    """The forecast of each remaining step and of entry into force: (steps, in force, "planned" or "forecast")."""
    steps = remaining_steps(stage, procedure)
    out: list[Step] = []
    # Under way: the current stage is a step of the procedure (a stage off it ended when the next step began).
    begun = stage is not None and stage.value in steps[:1] and since is not None and since.known
    start = Window.of(since) if begun else Window.day(today)  # type: ignore[arg-type]  # begun: since is not None
    for i, key in enumerate(steps):
        kind = "current" if i == 0 and begun else "forecast"
        plan = planned.get(key)
        if kind != "current" and _ahead(plan, today):
            start, kind = Window.of(plan).at_least(today), "planned"  # type: ignore[arg-type]  # _ahead: plan is not None
        end = start.shift(durations[key])
        nxt = steps[i + 1] if i + 1 < len(steps) else "in_force"
        if kind == "current":
            end = end.at_least(today)
        following = planned.get(nxt)
        if following is not None and _ahead(following, today):
            # The team's date for the next step overrides this step's duration: it ends when the next begins.
            nxt_start = Window.of(following).at_least(today)
            end = Window(nxt_start.lo, nxt_start.hi)
        out.append(Step(key, start, end, kind))
        start = end
    published = start
    plan = planned.get("in_force")
    if plan is not None and _ahead(plan, today):
        return out, Window.of(plan).at_least(today), "planned"
    lo = entry_into_force(published.lo, eu_exception, change_dates)
    hi = entry_into_force(published.hi, eu_exception, change_dates)
    return out, Window(lo, hi), "forecast"


def _ahead(planned: PrecisionDate | None, today: dt.date) -> bool:
    """A planned date counts while its period has not ended; one wholly past and not met is a forecast again."""
    return planned is not None and planned.last_day is not None and planned.last_day >= today


def plan_for(data: PlanInput, today: dt.date) -> Plan:
    """The whole plan and the status with its reason, as of `today`."""
    since_day = data.since.first_day if data.since else None
    activity = max((d for d in (since_day, data.last_review) if d is not None), default=None)
    if data.stage is Stage.IN_FORCE:
        return Plan(Status.DONE, wording.in_force_since(data.since), last_activity=activity)
    target_day = data.target.day if data.target else None
    if data.stage is None:  # nothing is known to forecast from: say so
        if data.target is not None and target_day is not None:
            if target_day < today:
                status, why = Status.LATE, wording.no_stage_target_passed(data.target.due, data.target.title)
            else:  # a date to meet and nothing known of the way there: a risk, not a plan
                status, why = Status.AT_RISK, wording.no_stage_target_ahead(data.target.due, data.target.title)
            return _unforecast(data, status, why, activity, today)
        return _unforecast(data, Status.UNPLANNED, wording.no_stage(), activity, today)
    if data.stage is Stage.EU_NEGOTIATION and not _ahead(data.planned.get(data.steps[0]), today):
        # No forecast as if negotiation ended today: the adoption, entered as a planned start, is needed. With a
        # date to meet and no forecast it is a risk (or late once the date has passed), as without a stage.
        status = (Status.UNPLANNED if target_day is None else Status.LATE if target_day < today else Status.AT_RISK)
        return _unforecast(data, status, wording.depends_on_adoption(), activity, today)

    steps, in_force, in_force_kind = forward(
        data.stage, data.since, data.durations, data.planned, today, data.eu_exception, data.steps, data.change_dates
    )
    if target_day is not None:
        latest = backward(target_day, data.durations, remaining_steps(data.stage, data.steps), data.eu_exception,
                          data.change_dates)
        steps = [Step(s.key, s.start, s.end, s.kind, latest.get(s.key)) for s in steps]
        slack = (target_day - in_force.hi).days
        latest_in_force: dt.date | None = latest["in_force"]
    else:
        slack, latest_in_force = None, None
    plan = Plan(Status.ON_TRACK, "", tuple(steps), in_force, in_force_kind, latest_in_force, slack, activity)
    status, reason = _judge(data, plan, today)
    return Plan(status, reason, plan.steps, in_force, in_force_kind, latest_in_force, slack, activity)


def _unforecast(data: PlanInput, status: Status, why: LazyString, activity: dt.date | None, today: dt.date) -> Plan:
    """A plan without a forecast, judged for stalling like any other."""
    plan = Plan(status, why, last_activity=activity)
    status, why = _stalled_or(data, plan, status, why, today)
    return Plan(status, why, last_activity=activity)


def _judge(data: PlanInput, plan: Plan, today: dt.date) -> tuple[Status, LazyString]:
    status, reason = _against_target(data, plan, today)
    return _stalled_or(data, plan, status, reason, today)


def _stalled_or(data: PlanInput, plan: Plan, status: Status, reason: LazyString, today: dt.date
                ) -> tuple[Status, LazyString]:
    """Stalled when no stage moved and no one confirmed the plan for too long; else `status` as it is."""
    idle = (today - plan.last_activity).days if plan.last_activity else None
    if plan.last_activity is None or (idle is not None and idle > data.stalled_days):
        # What the plan would say if the stage is still right: a team confirming learns where it stands.
        then = reason if status in (Status.LATE, Status.AT_RISK) else None
        return Status.STALLED, wording.stalled(plan.last_activity, idle, data.stalled_days, then)
    return status, reason


def _against_target(data: PlanInput, plan: Plan, today: dt.date) -> tuple[Status, LazyString]:
    target = data.target
    if target is None or target.day is None:
        return Status.UNPLANNED, wording.no_target()
    forecast = wording.window(plan.in_force)
    planned = plan.in_force_kind == "planned"
    slack = plan.slack_days or 0
    if target.day < today:
        return Status.LATE, wording.target_passed(target.due, target.title, planned, forecast, -slack)
    if slack < 0:
        return Status.AT_RISK, wording.after_target(target.due, target.title, planned, forecast, -slack)
    if slack < data.risk_days:
        return Status.AT_RISK, wording.within_margin(target.due, planned, forecast, slack, data.risk_days)
    return Status.ON_TRACK, wording.before_target(target.due, planned, forecast, slack)
