"""One vocabulary (issue 26): one Dutch and one English name per code, used by pages, mails, the report and the
CLI; and the change log in words: actions, field labels, values and actors in the reader's language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import csrf_from
from tracker.audit import words as audit_words
from tracker.audit.record import Actor
from tracker.auth.models import Role, User
from tracker.clock import clock_of
from tracker.labels import LABELLED, LABELS, label_in
from tracker.notify import digest
from tracker.planning.commands import ConfirmCurrent, SetDuration, SetPlannedDate
from tracker.planning.status import Status
from tracker.regulations.commands import CreateItem, DeleteItem, UpdateItem
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import (
    Certainty,
    Deadline,
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    NationalMeasures,
    Notification,
    Regulation,
    RegulationKind,
)
from tracker.regulations.stages import Stage
from tracker.unit_of_work import run_and_commit

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = (Stage, Status, DeadlineKind, DesignationStatus, EvaluationStatus, EvaluationLevel, Certainty, Role,
              RegulationKind, InstrumentKind, NationalMeasures, Notification)
# Names the app used to give a stage, status or certainty besides its one name; none may come back.
RETIRED = ("\"Raad van State\"", "\"Parlement\"", "\"Consultatie\"", "en nader rapport", "Niet bevestigd",
           "\"lezing\"", "Andere lezing", "\"lopend\"", "Tweede en Eerste Kamer)")


def test_every_code_has_exactly_one_dutch_and_one_english_name(app):
    for enum_cls in VOCABULARY:
        assert enum_cls in LABELLED, enum_cls
        dutch = {m: label_in(m, "nl") for m in enum_cls}
        with app.app_context():
            english = {m: label_in(m, "en") for m in enum_cls}
        for member in enum_cls:
            assert (enum_cls, member.value) in LABELS
            assert dutch[member] and english[member], member
            assert dutch[member] != member.value or member.value in ("rapport", "wet"), member  # words, not the code
        # Two codes of one kind never share a name, in either language.
        assert len(set(dutch.values())) == len(dutch) and len(set(english.values())) == len(english), enum_cls
    with app.app_context():
        assert label_in(Certainty.READING, "nl") == "interpretatie"
        assert (label_in(Status.STALLED, "nl"), label_in(Status.STALLED, "en")) == ("Stilgevallen", "Stalled")


def test_no_second_table_of_names_is_left():
    """The names live in the features' words.py only: no label_nl/label_en, no retired name in code or templates."""
    for path in [*ROOT.joinpath("tracker").rglob("*.py"), *ROOT.joinpath("templates").rglob("*.*")]:
        text = path.read_text(encoding="utf-8")
        assert "label_nl" not in text and "label_en" not in text, path
        for name in RETIRED:
            assert name not in text, (path, name)


def _recorded_actions() -> set[str]:
    """Every action the code records: the literal ones and the items' f"{SINGULAR[kind]}.create" family."""
    actions = set()
    for path in ROOT.joinpath("tracker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record" and len(node.args) >= 4:
                arg = node.args[3]
                if isinstance(arg, ast.Constant):
                    actions.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    suffix = arg.values[-1].value  # type: ignore[attr-defined]
                    actions |= {f"{kind}{suffix}" for kind in ("deadline", "designation", "evaluation")}
    return actions | {"session.end_others", "regulation.update"}


def test_every_recorded_action_has_words(app):
    actions = _recorded_actions()
    assert {"stage.move", "deadline.create", "plan.review", "user.language", "seed.load"} <= actions
    missing = sorted(a for a in actions if a not in audit_words.ACTIONS)
    assert missing == []


def _make_changes(app, login):
    """Changes made through the app: a stage move in the browser, an item, planning inputs as the editor."""
    editor = login("ezk.editor@example.nl")
    page = editor.get("/regulations/DSA").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = editor.post("/regulations/DSA/stage", data={
        "csrf_token": csrf_from(page), "version": version, "to_stage": "council_of_state", "effective": "2026-11-27"})
    assert response.status_code == 302
    db = app.extensions["tracker.db"]
    with app.app_context(), db.sessionmaker() as s:
        user = s.scalars(select(User).where(User.email == "ezk.editor@example.nl")).one()
        actor = Actor(user.email, user.id, role=user.role.value, team_ids=frozenset(user.team_ids))
        clock = clock_of(app)
        row = run_and_commit(s, CreateItem("DSA", "deadlines", {
            "kind": "application", "title": "Vocabulaire-termijn", "due": "t.b.d."}), actor, clock)
        run_and_commit(s, UpdateItem("DSA", "deadlines", row.id, {"due": "2025-Q3"}), actor, clock)
        run_and_commit(s, DeleteItem("DSA", "deadlines", row.id), actor, clock)
        run_and_commit(s, ConfirmCurrent("DSA"), actor, clock)
        run_and_commit(s, SetPlannedDate("DSA", "parliament", "2027-Q2"), actor, clock)
        run_and_commit(s, SetDuration("parliament", 300, key="DSA"), actor, clock)
        assert s.scalars(select(Deadline).where(Deadline.title == "Vocabulaire-termijn")).first() is None
        dsa = s.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
        assert dsa.current_stage is Stage.COUNCIL_OF_STATE
    return editor


RAW = ("council_of_state", "consultation", "deadline.create", "deadline.update", "stage.move", "reviewed_on",
       "planned.parliament", "plan.review", "t.b.d.", "2025-Q3", "2026-11-27")
DUTCH_ONLY = ("Consultatie en toetsen", "Advisering Raad van State", "Termijn toegevoegd", "nog niet bepaald",
              "3e kwartaal 2025")


def _switch_to_english(client):
    page = client.get("/").get_data(as_text=True)
    assert client.post("/taal", data={"language": "en", "next": "/", "csrf_token": csrf_from(page)}).status_code == 303


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_change_log_reads_as_words_on_the_act_page_and_in_the_admin_trail(app, login, language):
    editor = _make_changes(app, login)
    admin = login("admin@example.nl")
    if language == "en":
        _switch_to_english(editor)
        _switch_to_english(admin)
    act = BeautifulSoup(editor.get("/regulations/DSA").get_data(as_text=True), "html.parser")
    trail = BeautifulSoup(admin.get("/admin/audit").get_data(as_text=True), "html.parser")
    act_log, trail_log = act.select_one("#audit"), trail.select_one("table")
    for log in (act_log, trail_log):  # who: the user's name, never the e-mail address (a login's target is one)
        assert all("@" not in td.get_text() for td in log.select('td[data-label="Wie"], td[data-label="Who"]'))
    for shown in (act_log.get_text(" ", strip=True), trail_log.get_text(" ", strip=True)):
        for raw in RAW + (("application",) if language == "nl" else ()):
            assert raw not in shown, raw
        if language == "nl":
            assert "Fase gewijzigd" in shown and "Fase : Consultatie en toetsen → Advisering Raad van State" in shown
            assert "Termijn toegevoegd" in shown and "Datum : — → nog niet bepaald" in shown
            assert "Datum : nog niet bepaald → 3e kwartaal 2025" in shown and "Soort : — → van toepassing" in shown
            assert "Planning bevestigd" in shown and "Bevestigd op : — → 28 november 2026" in shown
            assert "Gepland begin: Parlementaire behandeling : — → 2e kwartaal 2027" in shown
            assert "Duur: Parlementaire behandeling : — → 300 dagen" in shown
            assert "ezk.editor" in shown  # the user's name (the test users are named after their address)
        else:
            assert "Stage changed" in shown and "Stage : Consultation and checks → Council of State advice" in shown
            assert "Deadline added" in shown and "Date : — → to be determined" in shown
            assert "Date : to be determined → Q3 2025" in shown
            assert "Plan confirmed" in shown and "Confirmed on : — → 28 November 2026" in shown
            assert "Planned start: Parliament : — → Q2 2027" in shown
            for dutch in DUTCH_ONLY:
                assert dutch not in shown, dutch
    # Act page's history: the stage names of the one vocabulary, and no code.
    history = act.select_one("#history").get_text(" ", strip=True)
    assert "council_of_state" not in history
    assert ("Advisering Raad van State" if language == "nl" else "Council of State advice") in history


def test_processes_read_as_words(app):
    with app.test_request_context():
        assert audit_words.actor_words("seed") == "seed (het rapport)"
        assert audit_words.actor_words("cli:root") == "opdrachtregel (root)"
        assert audit_words.actor_words("anna@example.nl", {"anna@example.nl": "Anna de Vries"}) == "Anna de Vries"
        assert audit_words.actor_words("someone@example.nl") == "someone@example.nl"  # no user: as recorded
        assert audit_words.target_words("stage.move", "dsa: Council of State advice") == "dsa"  # an old row
        lines = audit_words.changes_in_words("seed.load", {"regulations": [None, {"created": 3, "updated": 1}]})
        assert [(c.field, c.old, c.new) for c in lines] == [("regelingen", "—", "nieuw 3, bijgewerkt 1")]
        yes = audit_words.changes_in_words("user.deactivate", {"active": [True, False]})
        assert [(c.field, c.old, c.new) for c in yes] == [("Actief", "ja", "nee")]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_digest_words_its_changes_in_the_recipients_language(app, login, language):
    _make_changes(app, login)
    db = app.extensions["tracker.db"]
    settings = app.config["TRACKER"]
    with app.app_context(), db.sessionmaker() as s:
        viewer = s.scalars(select(User).where(User.email == "viewer@example.nl")).one()
        viewer.language = language
        built = digest.build_digest(s, viewer, (2026, 49), settings)
        message = digest.render(built, settings, app.config["SECRET_KEY"])
        s.rollback()
    assert message is not None
    for body in (message.body_text, BeautifulSoup(message.body_html, "html.parser").get_text(" ")):
        changes = body.split("\n\n")[1] if body is message.body_text else body
        for raw in ("council_of_state", "deadline.create", "stage.move", "reviewed_on", "planned.parliament",
                    "t.b.d.", "2026-11-27", "ezk.editor@example.nl"):
            assert raw not in changes, raw
        if language == "nl":
            assert "Fase gewijzigd" in body and "Fase: Consultatie en toetsen" in body
            assert "Advisering Raad van State" in body and "Termijn toegevoegd" in body
        else:
            assert "Stage changed" in body and "Stage: Consultation and checks" in body
            assert "Council of State advice" in body and "Deadline added" in body
            for dutch in DUTCH_ONLY:
                assert dutch not in body, dutch


def test_the_report_and_the_cli_board_use_the_same_names(app, seeded):
    from tracker.cli import cli

    board = app.test_cli_runner().invoke(cli, ["board", "--as-of", "2023-09-30"])
    with app.app_context():
        for stage in Stage:
            assert f"{label_in(stage, 'nl')} / {label_in(stage, 'en')}" in board.output
    plan = app.test_cli_runner().invoke(cli, ["plan", "--as-of", "2023-09-30"])
    assert plan.exit_code == 0
    assert not any(code in plan.output for code in ("at_risk", "on_track", "stalled", "unplanned"))


def test_the_english_beside_a_dutch_text_reads_as_its_field_in_english_in_the_change_log(app):
    from tracker.audit.words import changes_in_words

    with app.test_request_context():
        [change] = changes_in_words("deadline.update", {"title_en": [None, "Application"]})
        [short] = changes_in_words("regulation.update", {"short_name": [None, "Veiling 3,5 GHz"]})
    assert (change.field, change.new) == ("Titel (Engels)", "Application")
    assert short.field == "Korte naam"
