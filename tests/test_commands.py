"""One way in: the browser, the API and `tracker stage move` run the same command and refuse alike, each refusal
named by its field; follow and unfollow are audited like every other change."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_from
from tracker.api.common import create_token
from tracker.audit.models import AuditEvent
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.errors import Conflict, Forbidden, InvalidFields, NotFound, StaleVersion, form_errors, problem
from tracker.regulations.models import Regulation, StageChange

EXE = Path(sys.executable).with_name("tracker")
# A move each channel must refuse, and the field that names why (the clock stands at 2026-11-28).
REFUSALS = [
    ({"to_stage": "council_of_state", "effective": "2027-01-15"}, "effective", "ligt in de toekomst"),
    ({"to_stage": "council_of_state", "effective": "2023-01"}, "effective", "vóór de vorige wijziging"),
    ({"to_stage": "in_force", "effective": "2024-01-15"}, "reason", "geschreven reden"),
    ({"to_stage": "consultation", "effective": "2024-01-15"}, "to_stage", "al in de fase"),
    ({"to_stage": "nowhere", "effective": "2024-01-15"}, "to_stage", "kies een van"),
]


def _stage_rows(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(StageChange))


def _dsa_version(session) -> int:
    session.expire_all()
    return session.scalar(select(Regulation.version).where(Regulation.key == "DSA"))


@pytest.fixture
def api(app, users, db):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "ezk.editor@example.nl"), "t", actor=Actor("test"), now=NOW)
    client = app.test_client()
    return lambda method, url, **kw: client.open(url, method=method, headers={"Authorization": f"Bearer {token}"}, **kw)


@pytest.mark.parametrize(("body", "field", "text"), REFUSALS)
def test_the_api_names_the_field_of_each_refusal(api, session, body, field, text):
    before = _stage_rows(session)
    response = api("POST", "/api/v1/regulations/DSA/stage", json={**body, "version": _dsa_version(session)})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert text in errors[0]["message"]
    assert _stage_rows(session) == before


@pytest.mark.parametrize(("body", "field", "text"), REFUSALS)
def test_the_browser_puts_each_refusal_on_its_field(login, session, body, field, text):
    editor = login("ezk.editor@example.nl")
    before = _stage_rows(session)
    token = csrf_from(editor.get("/regulations/DSA").get_data(as_text=True))
    data = {"csrf_token": token, "version": str(_dsa_version(session)), **body}
    response = editor.post("/regulations/DSA/stage", data=data)
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    field_box = page.find(id=field).find_parent(class_="field")
    # The form checks the choice itself before the service runs; every other refusal is the service's message.
    expected = "Ongeldige keuze" if body["to_stage"] == "nowhere" else text
    assert expected in field_box.get_text(" ")
    assert _stage_rows(session) == before


@pytest.fixture
def run_cli(tmp_path, seeded, settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        TRACKER_INSTANCE_PATH=str(settings.instance_path),
        TRACKER_DATABASE_URL=settings.database_url,
        TRACKER_CLOCK=NOW.isoformat(),
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=120)

    return run


@pytest.mark.parametrize(("body", "field", "text"), REFUSALS)
def test_stage_move_refusals_on_the_command_line(app, seeded, session, body, field, text):
    """In-process (Click's runner), so the five refusals cost no process start each; the real command is below."""
    from tracker.cli import cli

    before = _stage_rows(session)
    done = app.test_cli_runner().invoke(
        cli, ["stage", "move", "DSA", "--to", body["to_stage"], "--effective", body["effective"]])
    assert done.exit_code == 1, done.stdout
    assert re.search(rf"^  {field}: .*{re.escape(text)}", done.stderr, re.M), done.stderr
    assert _stage_rows(session) == before


def test_stage_move_from_the_command_line(run_cli, session):
    before = _stage_rows(session)
    done = run_cli("stage", "move", "NOPE", "--to", "parliament", "--effective", "2024-01")
    refusal = "  key: Er is geen regeling met de korte naam 'NOPE'."
    assert (done.returncode, done.stderr.splitlines()[-1]) == (1, refusal)
    move = ("stage", "move", "DSA", "--to", "council_of_state", "--effective", "2024-01-15",
            "--note", "advies gevraagd", "--reference", "Kamerstuk 36 000", "--expect-version")
    done = run_cli(*move, "1")
    assert done.returncode == 1 and "version: Iemand anders heeft dit gegeven (regeling) gewijzigd" in done.stderr
    assert _stage_rows(session) == before
    done = run_cli(*move, str(_dsa_version(session)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "DSA: consultation -> council_of_state from 15 January 2024 (forward)"
    session.expire_all()
    change = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.note, change.reference, change.recorded_at) == ("advies gevraagd", "Kamerstuk 36 000", NOW)
    assert change.actor.startswith("cli")
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor, event.changes["stage"]) == (
        "stage.move",
        change.actor,
        ["consultation", "council_of_state"],
    )
    assert _stage_rows(session) == before + 1


def test_follow_and_unfollow_are_audited(login, session, users):
    viewer = login("viewer@example.nl")
    token = csrf_from(viewer.get("/regulations/DMA").get_data(as_text=True))
    for path in ("follow", "follow", "unfollow", "unfollow"):
        assert viewer.post(f"/regulations/DMA/{path}", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(("follow", "unfollow"))).order_by(AuditEvent.id)
    ).all()
    # Following twice or unfollowing twice changes nothing the second time, and is not recorded twice.
    assert [(e.action, e.actor, e.changes["follows"]) for e in events] == [
        ("follow", "viewer@example.nl", [None, "DMA"]),
        ("unfollow", "viewer@example.nl", ["DMA", None]),
    ]
    assert viewer.post("/regulations/NOPE/follow", data={"csrf_token": token}).status_code == 404


class _Field:
    def __init__(self) -> None:
        self.errors: tuple[str, ...] = ()


class _Form:
    def __init__(self) -> None:
        self.form_errors: list[str] = []
        self.effective = _Field()


def test_one_mapping_to_form_errors_and_problem_documents():
    refused = InvalidFields("bad", errors=[("effective", "in the future"), ("nowhere", "unknown field")])
    form = _Form()
    form_errors(form, refused)
    assert (form.effective.errors, form.form_errors) == (["in the future"], ["unknown field"])
    assert problem(refused) == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "bad",
        "errors": [
            {"field": "effective", "message": "in the future"},
            {"field": "nowhere", "message": "unknown field"},
        ],
    }
    stale = StaleVersion("deadline")
    assert problem(stale)["detail"].endswith(
        "Er is niets opgeslagen. Haal het opnieuw op en breng uw wijziging opnieuw aan.")
    form = _Form()
    form_errors(form, stale)
    assert form.form_errors[0].endswith("kies wat u houdt.")
    assert [problem(e)["status"] for e in (NotFound("x"), Forbidden("x"), Conflict("x"))] == [404, 403, 409]


def test_items_created_at_the_same_moment_do_not_conflict(app, seeded, db):
    """Two editors add a deadline to one act at once: both are saved (the regulation's row is not touched)."""
    import threading

    from tracker.clock import clock_of
    from tracker.regulations.commands import CreateItem
    from tracker.regulations.models import Deadline
    from tracker.unit_of_work import apply_in_transaction, run_and_commit

    clock, actor = clock_of(app), Actor("test")
    clock.advance(dt.timedelta(minutes=5))  # later than the seed, as in use
    values = {"kind": "milestone", "title": "first", "due": "2027-Q1"}
    first = db.sessionmaker()
    apply_in_transaction(first, CreateItem("DSA", "deadlines", values), actor, clock)  # flushed, not yet committed
    outcome: list[object] = []

    def second() -> None:
        with db.sessionmaker() as s:
            try:
                run_and_commit(s, CreateItem("DSA", "deadlines", {**values, "title": "second"}), actor, clock)
                outcome.append("saved")
            except Exception as exc:  # the test reports what went wrong instead of hanging
                outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    # Relative sleeps only: a timed join waits on an absolute clock, which a machine with a faked date breaks.
    time.sleep(0.3)  # on SQLite it waits for the first writer's lock; on PostgreSQL it commits at once
    first.commit()
    first.close()
    thread.join()
    assert outcome == ["saved"]
    with db.sessionmaker() as s:
        titles = set(s.scalars(select(Deadline.title).where(Deadline.title.in_(("first", "second")))))
    assert titles == {"first", "second"}


def test_two_admins_creating_one_e_mail_at_once_get_a_refusal_not_a_crash(app, seeded, db):
    import threading

    from tracker.auth.commands import CreateUser
    from tracker.auth.models import User
    from tracker.clock import clock_of
    from tracker.errors import Refused
    from tracker.unit_of_work import apply_in_transaction, run_and_commit

    clock, actor = clock_of(app), Actor("test")
    command = CreateUser("same@example.nl", "Same", "viewer", (), "a long enough password")
    first = db.sessionmaker()
    apply_in_transaction(first, command, actor, clock)  # flushed, not yet committed
    outcome: list[object] = []

    def second() -> None:
        with db.sessionmaker() as s:
            try:
                run_and_commit(s, command, actor, clock)
                outcome.append("saved")
            except Exception as exc:
                outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)  # relative sleeps only, as above
    first.commit()
    first.close()
    thread.join()
    # PostgreSQL's unique index refuses the second insert (a conflict); SQLite's lock lets it see the first (taken).
    assert len(outcome) == 1 and isinstance(outcome[0], Refused) and outcome[0].status in (409, 422)
    with db.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.email == "same@example.nl")) == 1
