import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import NOW, TODAY
from tracker.audit.record import Actor
from tracker.auth.models import Team
from tracker.clock import Clock
from tracker.dates import PrecisionDate
from tracker.regulations.commands import MoveStage
from tracker.regulations.models import Regulation, RegulationKind, StageChange
from tracker.regulations.queries import board, stages_as_of
from tracker.regulations.stages import (
    EffectiveDateBeforePreviousError,
    EffectiveDateInFutureError,
    EffectiveDateUnknownError,
    MoveKind,
    Previous,
    ReasonRequiredError,
    SameStageError,
    Stage,
    StageError,
    UnknownStageError,
    check_move,
)
from tracker.unit_of_work import apply_in_transaction

D = PrecisionDate.parse
STAGES = list(Stage)


def at(stage: Stage, date: str = "2024-01-10") -> Previous:
    return Previous(stage, D(date))


@pytest.mark.parametrize(("current", "target"), list(itertools.pairwise(STAGES)))
def test_every_forward_move_to_the_next_stage_is_allowed_without_reason(current, target):
    assert check_move(at(current), target, D("2024-02-01"), TODAY) is MoveKind.FORWARD


@pytest.mark.parametrize(("current", "target"), [(a, b) for a in STAGES for b in STAGES if b.index - a.index >= 2])
def test_every_skip_needs_a_reason(current, target):
    with pytest.raises(ReasonRequiredError, match="Een fase overslaan"):
        check_move(at(current), target, D("2024-02-01"), TODAY)
    with pytest.raises(ReasonRequiredError):
        check_move(at(current), target, D("2024-02-01"), TODAY, reason="   ")
    assert check_move(at(current), target, D("2024-02-01"), TODAY, reason="urgent bill") is MoveKind.SKIP


@pytest.mark.parametrize(("current", "target"), [(a, b) for a in STAGES for b in STAGES if b.index < a.index])
def test_every_move_back_needs_a_reason(current, target):
    with pytest.raises(ReasonRequiredError, match="Teruggaan"):
        check_move(at(current), target, D("2024-02-01"), TODAY)
    reason = "negative advice of the Council of State"
    assert check_move(at(current), target, D("2024-02-01"), TODAY, reason=reason) is MoveKind.BACK


@pytest.mark.parametrize("stage", STAGES)
def test_staying_at_the_same_stage_is_refused(stage):
    with pytest.raises(SameStageError):
        check_move(at(stage), stage, D("2024-02-01"), TODAY, reason="anything")


def test_the_first_change_may_place_an_act_at_any_stage():
    for stage in STAGES:
        assert check_move(None, stage, D("2023-Q2"), TODAY) is MoveKind.INITIAL


def test_dates_in_the_future_unknown_or_before_the_previous_change_are_refused():
    today = dt.date(2024, 3, 15)
    with pytest.raises(EffectiveDateInFutureError, match="in de toekomst"):
        check_move(at(Stage.CONSULTATION), Stage.COUNCIL_OF_STATE, D("2024-03-16"), today)
    with pytest.raises(EffectiveDateUnknownError):
        check_move(at(Stage.CONSULTATION), Stage.COUNCIL_OF_STATE, D("t.b.d."), today)
    with pytest.raises(EffectiveDateBeforePreviousError, match="vóór de vorige wijziging"):
        check_move(at(Stage.CONSULTATION, "2024-01-10"), Stage.COUNCIL_OF_STATE, D("2024-01-09"), today)
    # The same day as the previous change, and a coarse date counted from its first day, are fine.
    assert check_move(at(Stage.CONSULTATION, "2024-01-10"), Stage.COUNCIL_OF_STATE, D("2024-01-10"), today)
    with pytest.raises(EffectiveDateBeforePreviousError):
        # Q1 2024 counts from 1 January, before the previous change of 10 January.
        check_move(at(Stage.CONSULTATION, "2024-01-10"), Stage.COUNCIL_OF_STATE, D("2024-Q1"), today)
    assert check_move(at(Stage.CONSULTATION, "2024-01-10"), Stage.COUNCIL_OF_STATE, D("2024-03"), today)


def test_unknown_stage_names_the_known_ones():
    with pytest.raises(UnknownStageError, match="eu_negotiation, internal_prep"):
        check_move(None, "senate", D("2024-01-01"), TODAY)


# -- through the database ------------------------------------------------------------------------
@pytest.fixture
def reg(session):
    team = Team(key="EZK", name="Ministerie van Economische Zaken en Klimaat")
    session.add(team)
    session.flush()
    r = Regulation(
        key="TEST", title="Test Act", kind=RegulationKind.REGULATION, team_id=team.id, created_at=NOW, updated_at=NOW
    )
    session.add(r)
    session.flush()
    return r


def move(session, reg, stage, date, **kw):
    command = MoveStage(key=reg.key, to_stage=stage, effective=date, **kw)
    return apply_in_transaction(session, command, Actor("tester@example.nl"), Clock(ZoneInfo("Europe/Amsterdam"), NOW))


def test_history_is_appended_and_the_current_stage_is_the_latest(session, reg):
    move(session, reg, "internal_prep", "2023-01")
    move(session, reg, "consultation", "2023-Q2", note="internetconsultatie")
    move(session, reg, "council_of_state", "2023-09-14", reference="Kamerstuk 36 000")
    move(session, reg, "internal_prep", "2023-11-02", reason="negative advice")
    session.commit()
    rows = session.scalars(select(StageChange).order_by(StageChange.id)).all()
    assert [(r.from_stage, r.to_stage, r.move) for r in rows] == [
        (None, Stage.INTERNAL_PREP, MoveKind.INITIAL),
        (Stage.INTERNAL_PREP, Stage.CONSULTATION, MoveKind.FORWARD),
        (Stage.CONSULTATION, Stage.COUNCIL_OF_STATE, MoveKind.FORWARD),
        (Stage.COUNCIL_OF_STATE, Stage.INTERNAL_PREP, MoveKind.BACK),
    ]
    assert rows[1].effective.display() == "2e kwartaal 2023"
    assert rows[2].reference == "Kamerstuk 36 000" and rows[3].reason == "negative advice"
    assert all(r.actor == "tester@example.nl" and r.recorded_at == NOW for r in rows)
    assert board(session, TODAY).stage_of("TEST") is Stage.INTERNAL_PREP


def test_stage_as_of_any_date(session, reg):
    move(session, reg, "internal_prep", "2023-01-15")
    move(session, reg, "consultation", "2023-Q2")
    move(session, reg, "council_of_state", "2023-09-14")
    session.commit()
    expected = {
        dt.date(2023, 1, 14): None,
        dt.date(2023, 1, 15): Stage.INTERNAL_PREP,
        dt.date(2023, 3, 31): Stage.INTERNAL_PREP,
        dt.date(2023, 4, 1): Stage.CONSULTATION,  # Q2 counts from its first day
        dt.date(2023, 9, 13): Stage.CONSULTATION,
        dt.date(2023, 9, 14): Stage.COUNCIL_OF_STATE,
        TODAY: Stage.COUNCIL_OF_STATE,
    }
    for day, stage in expected.items():
        change = stages_as_of(session, day).get(reg.id)
        assert (change.to_stage if change else None) is stage, day


def test_a_refused_move_writes_nothing(session, reg):
    move(session, reg, "consultation", "2023-05-01")
    session.commit()
    for bad in [
        lambda: move(session, reg, "parliament", "2023-06-01"),  # skip without reason
        lambda: move(session, reg, "council_of_state", "2023-04-30"),  # before previous
        lambda: move(session, reg, "council_of_state", "2099-01-01"),  # future
        lambda: move(session, reg, "consultation", "2023-06-01"),  # same stage
    ]:
        with pytest.raises(StageError):
            bad()
    session.commit()
    assert session.scalar(select(StageChange.id).where(StageChange.to_stage != Stage.CONSULTATION)) is None
    assert len(session.scalars(select(StageChange)).all()) == 1


@pytest.mark.parametrize(
    ("to_stage", "effective_on", "precision"),
    [("senate", "'2023-01-01'", "day"), ("consultation", "NULL", "unknown"), ("consultation", "'2023-01-01'", "week")],
)
def test_the_database_itself_refuses_bad_rows(session, reg, to_stage, effective_on, precision):
    from sqlalchemy import text

    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO stage_changes (regulation_id, to_stage, move, effective_on, effective_precision,"
                " recorded_at,"
                f" actor) VALUES (:r, :s, 'initial', {effective_on}, :p, :t, 'x')"
            ),
            {"r": reg.id, "s": to_stage, "p": precision, "t": NOW.replace(tzinfo=None)},
        )
    session.rollback()
