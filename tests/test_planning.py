"""The planning functions on hand-worked cases (tracker/planning/plan.py: pure, no database, no clock).

Durations used throughout (days): preparation 180, consultation 120, Council of State 120, parliament 270,
publication 30, the seeded assumptions.
"""

import datetime as dt

import pytest

from tracker.dates import PrecisionDate
from tracker.planning.plan import (
    PlanInput,
    Status,
    Target,
    add_months,
    backward,
    entry_into_force,
    forward,
    latest_change_date,
    latest_publication,
    plan_for,
)
from tracker.regulations.stages import Stage

D = dt.date
DAYS = {"internal_prep": 180, "consultation": 120, "council_of_state": 120, "parliament": 270, "publication": 30}
P = PrecisionDate.parse


TODAY = D(2024, 3, 10)


def plan(stage, since, target=None, today=TODAY, **extra):
    data = PlanInput(
        stage=Stage(stage) if stage else None,
        since=P(since) if since else None,
        target=Target(P(target), "Application") if target else None,
        durations=DAYS,
        last_review=extra.pop("last_review", today),
        **extra,
    )
    return plan_for(data, today)


# -- entry into force: Aanwijzing 4.17 ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("published", "in_force"),
    [
        (D(2024, 4, 30), D(2024, 7, 1)),  # two months later is 30 Jun: the next change date is 1 Jul
        (D(2024, 5, 1), D(2024, 7, 1)),  # exactly two months: 1 Jul itself still counts
        (D(2024, 5, 2), D(2025, 1, 1)),  # two months later is 2 Jul: too late for 1 Jul, so 1 Jan next year
        (D(2023, 12, 31), D(2024, 7, 1)),  # 31 Dec + two months = 29 Feb 2024 (leap year): 1 Jul
        (D(2024, 10, 31), D(2025, 1, 1)),  # + two months = 31 Dec: 1 Jan
        (D(2024, 11, 1), D(2025, 1, 1)),  # + two months is exactly 1 Jan 2025, a change date
        (D(2024, 11, 2), D(2025, 7, 1)),  # + two months = 2 Jan 2025: the next change date is 1 Jul
    ],
)
def test_entry_into_force_on_a_fixed_change_date_at_least_two_months_after_publication(published, in_force):
    assert entry_into_force(published) == in_force


def test_the_eu_exception_enters_into_force_the_next_day():
    assert entry_into_force(D(2024, 5, 2), eu_exception=True) == D(2024, 5, 3)
    assert latest_change_date(D(2024, 2, 17), eu_exception=True) == D(2024, 2, 17)
    assert latest_publication(D(2024, 2, 17), eu_exception=True) == D(2024, 2, 16)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(D(2023, 12, 31), 2) == D(2024, 2, 29)
    assert add_months(D(2024, 1, 1), -2) == D(2023, 11, 1)


def test_latest_change_date_and_publication_before_a_target():
    # 17 Feb 2024 lies after 1 Jan and before 1 Jul: the last change date that meets it is 1 Jan 2024,
    # which needs publication by 1 Nov 2023.
    assert latest_change_date(D(2024, 2, 17)) == D(2024, 1, 1)
    assert latest_change_date(D(2024, 7, 1)) == D(2024, 7, 1)
    assert latest_publication(D(2024, 1, 1)) == D(2023, 11, 1)


# -- backward -------------------------------------------------------------------------------------------
def test_backward_gives_the_latest_start_of_each_remaining_step():
    latest = backward(D(2024, 2, 17), DAYS, ("council_of_state", "parliament", "publication"), eu_exception=False)
    # in force 1 Jan 2024 <- publication by 1 Nov 2023; assent and publication 30 days: start 2 Oct 2023;
    # parliament 270 days: start 5 Jan 2023; Council of State 120 days: start 7 Sep 2022.
    assert latest == {
        "in_force": D(2024, 1, 1),
        "publication": D(2023, 10, 2),
        "parliament": D(2023, 1, 5),
        "council_of_state": D(2022, 9, 7),
    }


def test_backward_with_the_exception_runs_from_the_target_itself():
    latest = backward(D(2024, 2, 17), DAYS, ("publication",), eu_exception=True)
    # in force on 17 Feb, published 16 Feb, publication step starts 30 days before: 17 Jan.
    assert latest == {"in_force": D(2024, 2, 17), "publication": D(2024, 1, 17)}


# -- forward --------------------------------------------------------------------------------------------
def test_forward_from_parliament_started_on_a_day():
    steps, in_force, kind = forward(Stage.PARLIAMENT, P("2024-03-01"), DAYS, {}, D(2024, 3, 10), False)
    # parliament 1 Mar + 270 = 26 Nov 2024; publication + 30 = 26 Dec 2024; + two months = 26 Feb 2025: 1 Jul 2025.
    assert [(s.key, s.kind, s.start.lo, s.end.hi) for s in steps] == [
        ("parliament", "current", D(2024, 3, 1), D(2024, 11, 26)),
        ("publication", "forecast", D(2024, 11, 26), D(2024, 12, 26)),
    ]
    assert (in_force.lo, in_force.hi, kind) == (D(2025, 7, 1), D(2025, 7, 1), "forecast")


@pytest.mark.parametrize(
    ("stage", "first"),
    [
        (None, "internal_prep"),
        ("eu_negotiation", "internal_prep"),
        ("internal_prep", "internal_prep"),
        ("consultation", "consultation"),
        ("council_of_state", "council_of_state"),
        ("parliament", "parliament"),
    ],
)
def test_each_stage_forecasts_the_steps_from_itself(stage, first):
    steps, _, _ = forward(Stage(stage) if stage else None, P("2024-01-01"), DAYS, {}, D(2024, 1, 1), False)
    keys = [s.key for s in steps]
    assert keys[0] == first and keys[-1] == "publication"
    # Not yet begun (no stage, or the EU still negotiating): the first step starts today, as a forecast.
    assert steps[0].kind == ("forecast" if stage in (None, "eu_negotiation") else "current")


def test_a_coarse_stage_start_is_carried_as_a_window():
    steps, _, _ = forward(Stage.COUNCIL_OF_STATE, P("2024-Q1"), DAYS, {}, D(2024, 2, 1), False)
    # Q1 2024 = 1 Jan .. 31 Mar; + 120 days = 30 Apr .. 29 Jul 2024.
    assert (steps[0].end.lo, steps[0].end.hi) == (D(2024, 4, 30), D(2024, 7, 29))
    assert steps[0].start.display() == "1e kwartaal 2024"


def test_a_stage_that_overran_its_duration_ends_no_earlier_than_today():
    steps, _, _ = forward(Stage.CONSULTATION, P("2023-01-02"), DAYS, {}, D(2024, 1, 1), False)
    assert (steps[0].end.lo, steps[0].end.hi) == (D(2024, 1, 1), D(2024, 1, 1))


def test_a_planned_date_overrides_the_durations_and_keeps_its_precision():
    planned = {"parliament": P("2024-Q3")}
    steps, in_force, kind = forward(Stage.COUNCIL_OF_STATE, P("2024-01-02"), DAYS, planned, D(2024, 1, 10), False)
    by_key = {s.key: s for s in steps}
    # The Council of State step ends when parliament is planned to begin, whatever its duration says.
    assert (by_key["council_of_state"].end.lo, by_key["council_of_state"].end.hi) == (D(2024, 7, 1), D(2024, 9, 30))
    assert by_key["parliament"].kind == "planned" and by_key["parliament"].start.display() == "3e kwartaal 2024"
    # Parliament Q3 + 270 = 28 Mar .. 27 Jun 2025; publication + 30 = 27 Apr .. 27 Jul 2025;
    # + two months = 27 Jun 2025 (-> 1 Jul 2025) .. 27 Sep 2025 (-> 1 Jan 2026).
    assert (in_force.lo, in_force.hi, kind) == (D(2025, 7, 1), D(2026, 1, 1), "forecast")


def test_a_planned_entry_into_force_is_the_forecast():
    _, in_force, kind = forward(
        Stage.PARLIAMENT, P("2024-03-01"), DAYS, {"in_force": P("2025-01")}, D(2024, 3, 10), False
    )
    assert (in_force.lo, in_force.hi, kind, in_force.display()) == (
        D(2025, 1, 1),
        D(2025, 1, 31),
        "planned",
        "januari 2025",
    )


def test_a_planned_start_wholly_past_no_longer_counts():
    planned = {"council_of_state": P("2023-Q3")}
    steps, _, _ = forward(Stage.CONSULTATION, P("2023-04-01"), DAYS, planned, D(2023, 11, 15), False)
    # Q3 2023 has ended and the Council of State step has not begun: it starts when consultation ends, which
    # (1 Apr + 120 days = 30 Jul, overrun) is today; a forecast, no longer "planned".
    assert (steps[1].start.lo, steps[1].kind) == (D(2023, 11, 15), "forecast")
    # While the planned period runs, it counts from today to its last day.
    steps, _, _ = forward(Stage.CONSULTATION, P("2023-04-01"), DAYS, planned, D(2023, 8, 15), False)
    assert (steps[1].start.lo, steps[1].start.hi, steps[1].kind) == (D(2023, 8, 15), D(2023, 9, 30), "planned")


# -- status ---------------------------------------------------------------------------------------------
def test_on_track_with_its_slack():
    result = plan("parliament", "2024-03-01", target="2026-01-01")
    # forecast in force 1 Jul 2025 (see above); 1 Jan 2026 - 1 Jul 2025 = 184 days.
    assert (result.status, result.slack_days, result.forecast_in_force) == (Status.ON_TRACK, 184, D(2025, 7, 1))
    assert result.reason == "Inwerkingtreding voorspeld op 1 juli 2025, 184 dagen voor de doeldatum 1 januari 2026."


def test_at_risk_when_the_forecast_is_after_the_target():
    result = plan("parliament", "2024-03-01", target="2025-02-17")
    assert (result.status, result.slack_days) == (Status.AT_RISK, -134)  # 17 Feb 2025 - 1 Jul 2025
    assert result.reason == (
        "Inwerkingtreding voorspeld op 1 juli 2025, 134 dagen na de doeldatum 17 februari 2025 (Application)."
    )


def test_at_risk_when_the_slack_is_below_the_margin():
    result = plan("parliament", "2024-03-01", target="2025-07-31", risk_days=60)
    assert (result.status, result.slack_days) == (Status.AT_RISK, 30)
    assert result.reason == (
        "Inwerkingtreding voorspeld op 1 juli 2025: slechts 30 dagen voor de doeldatum 31 juli 2025 "
        "(de marge is 60 dagen)."
    )


def test_the_exception_can_save_an_act():
    # Published 26 Dec 2024 (see above). Fixed change date: 1 Jul 2025, 122 days after a 1 Mar 2025 target.
    # With the EU exception: in force the next day, 27 Dec 2024, 64 days before it.
    assert plan("parliament", "2024-03-01", target="2025-03-01").slack_days == -122
    result = plan("parliament", "2024-03-01", target="2025-03-01", eu_exception=True)
    assert (result.status, result.forecast_in_force, result.slack_days) == (Status.ON_TRACK, D(2024, 12, 27), 64)


def test_late_when_the_target_has_passed():
    result = plan("council_of_state", "2024-01-01", target="2024-03-01")
    assert result.status is Status.LATE
    # Forecast 1 Jul 2025 (published 26 Dec 2024, see above); 1 Mar 2024 to 1 Jul 2025 is 487 days.
    assert result.reason == (
        "De doeldatum 1 maart 2024 (Application) is verstreken en de regeling is niet in werking; "
        "inwerkingtreding voorspeld op 1 juli 2025, 487 dagen na de doeldatum."
    )


def test_a_coarse_target_counts_from_its_first_day():
    # "2025-Q1" is met only by an act in force on 1 Jan 2025: a forecast of 1 Jul 2025 is 181 days late.
    result = plan("parliament", "2024-03-01", target="2025-Q1")
    assert (result.status, result.slack_days) == (Status.AT_RISK, -181)


def test_done_and_unplanned():
    done = plan("in_force", "2023-09-30")
    assert done.status is Status.DONE and done.reason == "In werking sinds 30 september 2023."
    result = plan("consultation", "2024-01-01")
    assert result.status is Status.UNPLANNED and result.slack_days is None
    assert result.reason == "Markeer een van de termijnen van de regeling als de EU-datum die gehaald moet worden."


def test_stalled_after_the_limit_without_a_move_or_review_and_reviewed_is_not():
    today = D(2024, 6, 1)
    quiet = plan("consultation", "2024-01-01", target="2030-01-01", today=today, last_review=None)
    # 1 Jan to 1 Jun 2024 is 152 days, past the limit of 120.
    assert quiet.status is Status.STALLED
    assert quiet.reason == (
        "Geen faseovergang en geen bevestiging sinds 1 januari 2024 (152 dagen; de grens is 120 dagen): "
        "bevestig dat de planning nog actueel is."
    )
    reviewed = plan("consultation", "2024-01-01", target="2030-01-01", today=today, last_review=D(2024, 5, 1))
    assert reviewed.status is Status.ON_TRACK
    moved = plan("consultation", "2024-05-01", target="2030-01-01", today=today, last_review=None)
    assert moved.status is Status.ON_TRACK


def test_stalled_outranks_late_and_says_what_the_plan_would_be():
    result = plan("consultation", "2023-01-01", target="2023-06-01", today=D(2024, 6, 1), last_review=None)
    assert result.status is Status.STALLED
    # 1 Jan 2023 to 1 Jun 2024 is 517 days idle; 1 Jun 2023 to the forecast 1 Jan 2026 is 945 days.
    assert result.reason == (
        "Geen faseovergang en geen bevestiging sinds 1 januari 2023 (517 dagen; de grens is 120 dagen): "
        "bevestig dat de planning nog actueel is. Als dat zo is: De doeldatum 1 juni 2023 (Application) is "
        "verstreken en de regeling is niet in werking; inwerkingtreding voorspeld op 1 januari 2026, "
        "945 dagen na de doeldatum."
    )
