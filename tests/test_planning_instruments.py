"""Planning per national instrument (issue 27): each kind on its own steps and change dates, worked by hand; the
seeded portfolio as of the report's date with every act's status and forecast and the reasoning behind it."""

import datetime as dt

import pytest

from tracker.dates import PrecisionDate
from tracker.planning.plan import PlanInput, Target, plan_for
from tracker.planning.queries import load_plans
from tracker.planning.status import Status
from tracker.regulations.instruments.procedures import InstrumentKind, procedure
from tracker.regulations.stages import Stage

D = PrecisionDate.parse
# The seeded assumptions (seed/planning/durations.yaml), in days.
DAYS = {"internal_prep": 180, "consultation": 120, "council_of_state": 120, "parliament": 270, "publication": 30}
TODAY = dt.date(2024, 2, 1)


def forecast(kind: InstrumentKind, stage: Stage, since: str, target: str = "2030") -> tuple[dt.date | None, Status]:
    path = procedure(kind)
    data = PlanInput(stage=stage, since=D(since), target=Target(D(target), "EU-datum"),
                     durations=DAYS, steps=path.steps, change_dates=path.change_dates, last_review=TODAY)
    plan = plan_for(data, TODAY)
    return plan.forecast_in_force, plan.status


@pytest.mark.parametrize(("kind", "stage", "expected"), [
    # Consultation since 10 Jan 2024 ends 9 May (+120); publication 8 June (+30); two months later is 8 August; the
    # next of 1 January, April, July and October (Aanwijzing 4.17, second paragraph) is 1 October 2024.
    (InstrumentKind.MINISTERIELE_REGELING, Stage.CONSULTATION, dt.date(2024, 10, 1)),
    # A wet: consultation to 9 May, Raad van State to 6 September (+120), parliament to 3 June 2025 (+270),
    # publication 3 July 2025 (+30); two months later 3 September; next 1 January or 1 July: 1 January 2026.
    (InstrumentKind.WET, Stage.CONSULTATION, dt.date(2026, 1, 1)),
    # An AMvB: no parliament. Consultation to 9 May, Raad van State to 6 September, publication 6 October 2024;
    # two months later 6 December; next 1 January or 1 July: 1 January 2025.
    (InstrumentKind.AMVB, Stage.CONSULTATION, dt.date(2025, 1, 1)),
    # A besluit: consultation to 9 May, publication 8 June; no fixed change date: the day after, 9 June 2024.
    (InstrumentKind.BESLUIT, Stage.CONSULTATION, dt.date(2024, 6, 9)),
    # Internal preparation since 10 January: +180 is 8 July, consultation to 5 November, publication 5 December;
    # two months later 5 February 2025; next quarter day 1 April 2025.
    (InstrumentKind.MINISTERIELE_REGELING, Stage.INTERNAL_PREP, dt.date(2025, 4, 1)),
])
def test_each_kind_is_forecast_along_its_own_steps(kind, stage, expected):
    assert forecast(kind, stage, "2024-01-10") == (expected, Status.ON_TRACK)


def test_against_a_target_each_kind_keeps_its_own_margin():
    # Target 1 November 2024: the regulation (1 October) makes it with 31 days, under the 60-day margin: at risk;
    # a wet from the same point (1 January 2026) is 426 days late.
    assert forecast(InstrumentKind.MINISTERIELE_REGELING, Stage.CONSULTATION, "2024-01-10", "2024-11-01") == (
        dt.date(2024, 10, 1), Status.AT_RISK)
    assert forecast(InstrumentKind.WET, Stage.CONSULTATION, "2024-01-10", "2024-11-01") == (
        dt.date(2026, 1, 1), Status.AT_RISK)
    assert forecast(InstrumentKind.MINISTERIELE_REGELING, Stage.CONSULTATION, "2024-01-10", "2025-06-01") == (
        dt.date(2024, 10, 1), Status.ON_TRACK)


def test_no_stage_gives_no_forecast_and_eu_negotiation_waits_for_adoption():
    nothing = PlanInput(stage=None, since=None, target=None, durations=DAYS, last_review=TODAY)
    plan = plan_for(nothing, TODAY)
    assert (plan.status, plan.forecast_in_force) == (Status.UNPLANNED, None) and "Geen fase" in str(plan.why)
    ahead = PlanInput(stage=None, since=None, target=Target(D("2024-10-17"), "Omzetting"), durations=DAYS,
                      last_review=TODAY)
    assert plan_for(ahead, TODAY).status is Status.AT_RISK and plan_for(ahead, TODAY).forecast_in_force is None
    reviewed = PlanInput(stage=None, since=None, target=Target(D("2024-10-17"), "Omzetting"), durations=DAYS,
                         last_review=dt.date(2024, 10, 1))
    assert plan_for(reviewed, dt.date(2024, 10, 18)).status is Status.LATE
    # Without a move or a review for 120 days it is stalled first, saying what it would be.
    stalled = plan_for(ahead, dt.date(2024, 10, 18))
    assert stalled.status is Status.STALLED and "is verstreken" in str(stalled.why)
    negotiating = PlanInput(stage=Stage.EU_NEGOTIATION, since=D("2023-02"), target=None, durations=DAYS,
                            last_review=TODAY)
    plan = plan_for(negotiating, TODAY)
    assert (plan.status, plan.forecast_in_force, "vaststelling in de EU" in str(plan.why)) == (
        Status.UNPLANNED, None, True)
    with_target = PlanInput(stage=Stage.EU_NEGOTIATION, since=D("2023-02"), target=Target(D("2026"), "Van toepassing"),
                            durations=DAYS, last_review=TODAY)
    assert (plan_for(with_target, TODAY).status, plan_for(with_target, TODAY).forecast_in_force) == (
        Status.AT_RISK, None)
    # With the expected start of the national work entered as a planned date, it is forecast from there.
    planned = PlanInput(stage=Stage.EU_NEGOTIATION, since=D("2023-02"), target=None, durations=DAYS,
                        planned={"internal_prep": D("2024-07")}, last_review=TODAY)
    # July 2024 + 180 = 28 December 2024 - 27 January 2025; +120 to 27 April - 27 May, +120 to 25 August -
    # 24 September 2025, +270 to 22 May - 21 June 2026, +30 to 21 June - 21 July; two months on, 21 August -
    # 21 September 2026: 1 January 2027.
    assert plan_for(planned, TODAY).forecast_in_force == dt.date(2027, 1, 1)


# The seeded portfolio on 30 September 2023 (the report's "eind september 2023"), with the seeded durations.
SEEDED_AS_OF = dt.date(2023, 9, 30)
EXPECTED = {
    # A wet in consultation since Q2 2023: consultation ends 30 Jul - 28 Oct (not before today: 30 Sep - 28 Oct),
    # Raad van State to 28 Jan - 25 Feb 2024, parliament to 24 Oct - 21 Nov 2024, publication 23 Nov - 21 Dec 2024;
    # two months on, 23 Jan - 21 Feb 2025: 1 July 2025, 500 days after its target of 17 February 2024: at risk.
    "DSA": (Status.AT_RISK, dt.date(2025, 7, 1)),
    # A wet at the Raad van State since Q3 2023 (ends 30 Sep - 28 Dec): parliament to 26 Jun - 23 Sep 2024,
    # publication to 23 Oct 2024, in force 1 January 2025; its target (2 May 2023) has passed: late.
    "DMA": (Status.LATE, dt.date(2025, 1, 1)),
    "DGA": (Status.LATE, dt.date(2025, 1, 1)),  # likewise from Q2 2023; target 24 September 2023 passed
    # A wet in parliament since December 2022: parliament would have ended by 27 Sep 2023, so it ends today; publication
    # 30 Oct, two months on 30 Dec 2023: 1 January 2024; its target (June 2020) has long passed.
    "P2B": (Status.LATE, dt.date(2024, 1, 1)),
    # NIS2's Cyberbeveiligingswet: internal preparation since 30 Sep 2023, then +180 +120 +120 +270 +30 = 19 Sep 2025,
    # two months on 19 Nov 2025: 1 January 2026, 441 days after the transposition deadline of 17 October 2024 (the
    # directive's target by default): at risk.
    "NIS2": (Status.AT_RISK, dt.date(2026, 1, 1)),
    # CER's wet has no stage in the report: no forecast, and the deadline of 17 October 2024 is ahead: at risk.
    "CER": (Status.AT_RISK, None),
    # The 3.5 GHz auction regulation is a ministeriele regeling: no Raad van State, no parliament. Consultation since
    # H1 2023 ends 1 May - 28 Oct (30 Sep - 28 Oct), publication 30 Oct - 27 Nov, two months on 30 Dec 2023 - 27 Jan
    # 2024: a quarter day, 1 January - 1 April 2024. The licences (a besluit) come into force the day after
    # publication, 28 November 2023 at the latest; the act's forecast is the later one. No EU date: no target.
    "VEILING_35GHZ": (Status.UNPLANNED, dt.date(2024, 4, 1)),
    # Acts still in EU negotiation: no forecast as if negotiation ended today; it depends on adoption.
    "AIA": (Status.UNPLANNED, None), "DA": (Status.UNPLANNED, None), "GIA": (Status.UNPLANNED, None),
    "CRA": (Status.UNPLANNED, None), "CSA": (Status.UNPLANNED, None),
    # Acts the report records nothing national for: no stage, no target, no forecast.
    "EECC": (Status.UNPLANNED, None), "EIDAS2": (Status.UNPLANNED, None), "EPRIVACY": (Status.UNPLANNED, None),
    "RED": (Status.UNPLANNED, None), "NLF": (Status.UNPLANNED, None), "ONLINE_OPZEGGEN": (Status.UNPLANNED, None),
    # In force: done.
    "BARC": (Status.DONE, None), "NFP_35GHZ": (Status.DONE, None), "WOZT": (Status.DONE, None),
    "OIR": (Status.DONE, None), "DIGITAL_EUROPE": (Status.DONE, None),
    # The Wbdwb (a wet in parliament since 9 Dec 2022, as P2B): 1 January 2024; no EU date, so no target.
    "WBDWB": (Status.UNPLANNED, dt.date(2024, 1, 1)),
    # The Wibon is in force; its amendment (a second wet, not required for the act) has no stage yet.
    "WIBON": (Status.DONE, None),
}


def test_the_seeded_portfolio_as_of_the_report(app, seeded, session):
    with app.test_request_context():
        plans = load_plans(session, SEEDED_AS_OF)
        found = {v.regulation.key: (v.plan.status, v.plan.forecast_in_force) for v in plans.values()}
        assert found == EXPECTED
        veiling = next(v for v in plans.values() if v.regulation.key == "VEILING_35GHZ")
        regeling, licences = veiling.instruments
        assert (regeling.kind, [s.key for s in regeling.plan.steps]) == (
            InstrumentKind.MINISTERIELE_REGELING, ["consultation", "publication"])
        assert (licences.kind, licences.plan.forecast_in_force) == (InstrumentKind.BESLUIT, dt.date(2023, 11, 28))
        assert str(veiling.plan.why).startswith("Veilingregeling 3,5 GHz-band: ")  # names its instrument
        # After the transposition deadline, with no move or review since the report: stalled, and late if the
        # stage still holds.
        later = {v.regulation.key: v.plan for v in load_plans(session, dt.date(2024, 10, 18)).values()}
        for key in ("CER", "NIS2"):
            assert later[key].status is Status.STALLED and "is verstreken" in str(later[key].why), key


def test_an_act_with_several_instruments_has_each_ones_events_in_the_planning_feed(app, seeded, session):
    from sqlalchemy import select

    from tracker.planning.events import planning_events
    from tracker.regulations.models import Regulation

    with app.test_request_context():
        acts = list(session.scalars(select(Regulation).where(Regulation.key.in_(["VEILING_35GHZ", "DSA"]))))
        events = planning_events(session, acts, SEEDED_AS_OF, "https://tracker.example")
        in_force = {e.summary: e.day for e in events if e.uid.endswith("-in_force")}
    # The DSA has one instrument: its events keep the act's UIDs; the 3.5 GHz act has one set per instrument.
    assert in_force == {
        "DSA - voorspeld: inwerkingtreding": dt.date(2025, 7, 1),
        "Veiling 3,5 GHz - Veilingregeling 3,5 GHz-band - voorspeld: inwerkingtreding": dt.date(2024, 4, 1),
        "Veiling 3,5 GHz - Vergunningen voor de 3,5 GHz-band - voorspeld: inwerkingtreding": dt.date(2023, 11, 28),
    }
    dsa = next(a for a in acts if a.key == "DSA")
    assert f"plan-{dsa.id}-in_force" in {e.uid for e in events}


def test_a_directive_in_force_is_transposed_only_once_notified(app, seeded, session):
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from tracker.audit.record import Actor
    from tracker.clock import Clock
    from tracker.regulations.commands import MoveStage, UpdateRegulation
    from tracker.regulations.models import Regulation
    from tracker.unit_of_work import apply_in_transaction

    def run(command):
        clock = Clock(ZoneInfo("Europe/Amsterdam"), dt.datetime(2024, 9, 1, 12, tzinfo=dt.UTC))
        return apply_in_transaction(session, command, Actor("tester@example.nl"), clock)

    with app.test_request_context():
        run(MoveStage("NIS2", "in_force", "2024-08-01", reason="de Cyberbeveiligingswet is aangenomen"))
        session.commit()
        nis2 = session.scalars(select(Regulation).where(Regulation.key == "NIS2")).one()

        def status(day):
            session.expire_all()
            plan = load_plans(session, day, [nis2])[nis2.id].plan
            return plan.status, "genotificeerd" in str(plan.why)

        # In force but not notified: at risk before the transposition deadline, late after it.
        assert status(dt.date(2024, 9, 1)) == (Status.AT_RISK, True)
        assert status(dt.date(2024, 10, 18)) == (Status.LATE, True)
        run(UpdateRegulation("NIS2", {"notification": "complete", "notified": "2024-10-30",
                                      "notification_ref": "MNE(2024)12345"}))
        session.commit()
        assert status(dt.date(2024, 10, 29)) == (Status.LATE, True)  # notified only the next day
        assert status(dt.date(2024, 10, 30))[0] is Status.DONE
        # A national law in force needs no notification: it is done.
        assert load_plans(session, dt.date(2024, 10, 30))[
            session.scalars(select(Regulation.id).where(Regulation.key == "WOZT")).one()].plan.status is Status.DONE
