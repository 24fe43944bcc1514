"""Several national instruments per EU act, each on the procedure of its kind (issue 27): the stage machine per
kind, the act's place from its least advanced required instrument (today and on a past day), a shared
instrument, and the refusals of the commands."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, TODAY
from tracker.audit.models import AuditEvent
from tracker.audit.record import Actor
from tracker.auth.models import Team
from tracker.clock import Clock
from tracker.errors import Duplicate, Forbidden, InvalidFields
from tracker.regulations.commands import MoveStage
from tracker.regulations.instruments.commands import CreateInstrument, LinkInstrument, UpdateInstrument
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.instruments.procedures import InstrumentKind, procedure
from tracker.regulations.models import Regulation, RegulationKind, StageChange
from tracker.regulations.queries import board, regulation_page, stages_as_of
from tracker.regulations.stages import MoveKind, NotOnPathError, ReasonRequiredError, Stage
from tracker.unit_of_work import apply_in_transaction

CLOCK = Clock(ZoneInfo("Europe/Amsterdam"), NOW)
TESTER = Actor("tester@example.nl")


def run(session, command, actor=TESTER):
    return apply_in_transaction(session, command, actor, CLOCK)


@pytest.fixture
def acts(session):
    team = Team(key="EZK", name="Ministerie van Economische Zaken en Klimaat")
    other = Team(key="JENV", name="Ministerie van Justitie en Veiligheid")
    session.add_all([team, other])
    session.flush()
    made = {}
    for key, owner in (("NIS2", team), ("CER", other)):
        made[key] = Regulation(key=key, title=f"Richtlijn {key}", kind=RegulationKind.DIRECTIVE, team_id=owner.id,
                               created_at=NOW, updated_at=NOW)
        session.add(made[key])
    session.flush()
    return made


def add(session, key, kind, title, **values):
    return run(session, CreateInstrument(key, {"kind": kind, "title": title, **values}))


def move(session, key, instrument, stage, date, **kw):
    return run(session, MoveStage(key, stage, date, instrument_id=instrument.id if instrument else None, **kw))


def test_each_kind_has_its_own_path_from_the_procedures_file():
    assert procedure(InstrumentKind.WET).phases == tuple(Stage)
    assert Stage.COUNCIL_OF_STATE in procedure(InstrumentKind.AMVB).phases
    assert Stage.PARLIAMENT not in procedure(InstrumentKind.AMVB).phases
    regeling = procedure(InstrumentKind.MINISTERIELE_REGELING)
    assert regeling.phases == (Stage.EU_NEGOTIATION, Stage.INTERNAL_PREP, Stage.CONSULTATION, Stage.IN_FORCE)
    assert regeling.steps == ("internal_prep", "consultation", "publication")
    assert regeling.change_dates == ((1, 1), (4, 1), (7, 1), (10, 1))  # Aanwijzing 4.17, second paragraph
    assert "4.17" in regeling.source


def test_a_ministerial_regulation_goes_from_consultation_into_force_without_a_reason(session, acts):
    regeling = add(session, "NIS2", "ministeriele_regeling", "Regeling beveiliging netwerk- en informatiesystemen")
    move(session, "NIS2", None, "consultation", "2024-03")  # the act's only instrument: no --instrument needed
    change = move(session, "NIS2", None, "in_force", "2024-10-01")
    assert change.move is MoveKind.FORWARD and change.instrument_id == regeling.id
    with pytest.raises(NotOnPathError, match="ministeriële regeling"):
        move(session, "NIS2", None, "council_of_state", "2024-10-02")


def test_a_wet_skipping_the_council_of_state_needs_a_reason(session, acts):
    wet = add(session, "NIS2", "wet", "Cyberbeveiligingswet", dossier="36764")
    move(session, "NIS2", wet, "consultation", "2024-03")
    with pytest.raises(ReasonRequiredError):
        move(session, "NIS2", wet, "parliament", "2024-05")


def test_an_act_stands_where_its_least_advanced_required_instrument_stands(session, acts):
    wet = add(session, "NIS2", "wet", "Cyberbeveiligingswet", dossier="36764")
    amvb = add(session, "NIS2", "amvb", "Cyberbeveiligingsbesluit")
    regeling = add(session, "NIS2", "ministeriele_regeling", "Regeling EZK", required=False)
    move(session, "NIS2", wet, "consultation", "2023-06")
    move(session, "NIS2", amvb, "internal_prep", "2023-09")
    move(session, "NIS2", regeling, "internal_prep", "2023-01")  # not required: it does not hold the act back
    move(session, "NIS2", wet, "council_of_state", "2024-01")
    move(session, "NIS2", wet, "parliament", "2024-05-21")
    move(session, "NIS2", amvb, "consultation", "2024-06")
    session.commit()
    reg = session.scalars(select(Regulation).where(Regulation.key == "NIS2")).one()
    # The AMvB lags: the act is in consultation since the AMvB got there.
    assert (reg.current_stage, reg.stage_since.isoformat()) == (Stage.CONSULTATION, "2024-06")
    assert board(session, TODAY, today=TODAY).stage_of("NIS2") is Stage.CONSULTATION
    # On past days, from the instruments' histories: the least advanced required instrument then.
    expected = {"2023-07-01": Stage.CONSULTATION, "2023-10-01": Stage.INTERNAL_PREP, "2024-05-31": Stage.INTERNAL_PREP,
                "2024-07-01": Stage.CONSULTATION}
    for day, stage in expected.items():
        as_of = dt.date.fromisoformat(day)
        assert board(session, as_of, today=TODAY).stage_of("NIS2") is stage, day
        assert stages_as_of(session, as_of)[reg.id].to_stage is stage, day
    # Before any instrument moved the act had no stage.
    assert board(session, dt.date(2022, 12, 31), today=TODAY).stage_of("NIS2") is None
    page = regulation_page(session, "NIS2")
    assert [i.title for i, _link in page.instruments] == [
        "Cyberbeveiligingswet", "Cyberbeveiligingsbesluit", "Regeling EZK"]
    assert page.current.instrument_id == amvb.id and page.several
    assert len(page.history) == 6


def test_with_several_instruments_a_move_must_name_one_that_belongs_to_the_act(session, acts):
    add(session, "NIS2", "wet", "Cyberbeveiligingswet")
    add(session, "NIS2", "amvb", "Cyberbeveiligingsbesluit")
    cer = add(session, "CER", "wet", "Wet weerbaarheid kritieke entiteiten")
    with pytest.raises(InvalidFields, match="kies welk instrument") as refused:
        move(session, "NIS2", None, "internal_prep", "2024-01")
    assert refused.value.errors[0][0] == "instrument"
    with pytest.raises(InvalidFields, match="hoort niet bij NIS2"):
        move(session, "NIS2", cer, "internal_prep", "2024-01")
    assert session.scalar(select(func.count()).select_from(StageChange)) == 0


def test_an_instrument_shared_by_two_acts_moves_both(session, acts):
    regeling = add(session, "NIS2", "ministeriele_regeling", "Regeling weerbaarheid")
    cer_wet = add(session, "CER", "wet", "Wet weerbaarheid kritieke entiteiten")
    run(session, LinkInstrument("CER", regeling.id, {"covers": "de aanwijzing van kritieke entiteiten"}))
    move(session, "CER", cer_wet, "parliament", "2024-09")
    move(session, "NIS2", regeling, "internal_prep", "2024-02")
    session.commit()
    acts_now = {r.key: r.current_stage for r in session.scalars(select(Regulation))}
    assert acts_now == {"NIS2": Stage.INTERNAL_PREP, "CER": Stage.INTERNAL_PREP}  # the regulation holds CER back
    assert board(session, dt.date(2024, 10, 1), today=TODAY).stage_of("CER") is Stage.INTERNAL_PREP
    # Before CER's own act moved, the shared regulation alone placed it; before either moved, nothing did.
    assert board(session, dt.date(2024, 8, 1), today=TODAY).stage_of("CER") is Stage.INTERNAL_PREP
    assert board(session, dt.date(2024, 1, 1), today=TODAY).stage_of("CER") is None
    with pytest.raises(Duplicate):
        run(session, LinkInstrument("CER", regeling.id))


def test_a_kind_that_does_not_fit_the_history_is_refused_and_changes_nothing(session, acts):
    unknown = add(session, "NIS2", "unknown", None)
    move(session, "NIS2", None, "council_of_state", "2024-02")
    session.commit()
    with pytest.raises(InvalidFields, match="kent de fase council_of_state niet") as refused:
        run(session, UpdateInstrument(unknown.id, {"kind": "ministeriele_regeling"}))
    assert refused.value.errors[0][0] == "kind"
    session.rollback()
    assert session.get(Instrument, unknown.id).kind is InstrumentKind.UNKNOWN
    run(session, UpdateInstrument(unknown.id, {"kind": "wet", "title": "Cyberbeveiligingswet"}))
    session.commit()
    row = session.get(Instrument, unknown.id)
    assert (row.kind, row.title) == (InstrumentKind.WET, "Cyberbeveiligingswet")
    logged = session.scalars(select(AuditEvent).where(AuditEvent.action == "instrument.update")).one()
    assert logged.changes["kind"] == ["unknown", "wet"]


def test_instrument_fields_are_checked_like_any_field(session, acts):
    with pytest.raises(InvalidFields) as refused:
        add(session, "NIS2", "statute", "x" * 301)
    assert {field for field, _message in refused.value.errors} == {"kind", "title"}
    with pytest.raises(InvalidFields, match="https://"):
        add(session, "NIS2", "wet", "Cyberbeveiligingswet", consultation_url="javascript:alert(1)")
    assert session.scalar(select(func.count()).select_from(Instrument)) == 0


def test_only_the_acts_team_adds_instruments_and_links_its_own(session, acts):
    nis2_team, cer_team = acts["NIS2"].team_id, acts["CER"].team_id
    editor = Actor("ezk@example.nl", user_id=1, role="editor", team_ids=frozenset({nis2_team}))
    with pytest.raises(Forbidden):
        run(session, CreateInstrument("CER", {"kind": "wet", "title": "Wet weerbaarheid"}), editor)
    cer_wet = add(session, "CER", "wet", "Wet weerbaarheid kritieke entiteiten")
    with pytest.raises(Forbidden, match="eigen teams"):
        run(session, LinkInstrument("NIS2", cer_wet.id), editor)
    both = Actor("both@example.nl", user_id=2, role="editor", team_ids=frozenset({nis2_team, cer_team}))
    link = run(session, LinkInstrument("NIS2", cer_wet.id), both)
    assert isinstance(link, Implements) and link.regulation_id == acts["NIS2"].id
