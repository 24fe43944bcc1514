"""One unit of work per change (tracker.unit_of_work): what must follow a write follows from it, whoever writes.

The planning inputs moved no feed before (their models were not in the revision's list): a planned date saved on an
act's page left the `kind=planning` feed's ETag and body as they were. Each planning input now changes it at once.
Then: events carry plain values and reach their subscribers once per unit, a failing after-commit subscriber loses
no change, a refusal publishes nothing, GET /calendar writes nothing, and one refusal reads the same from every
channel (page, API, terminal).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_from
from tracker.api.common import create_token
from tracker.audit.models import AuditEvent
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.cli import cli
from tracker.clock import Clock
from tracker.errors import Refused
from tracker.feeds import tokens
from tracker.feeds.models import FeedToken
from tracker.regulations import revision
from tracker.regulations.commands import CreateRegulation, MoveStage, StageMoved
from tracker.regulations.models import Deadline, Regulation
from tracker.unit_of_work import _SUBSCRIBERS, Event, PortfolioChanged, run_and_commit, subscribe


def _feed(app, session, params):
    token = tokens.ensure_token(session, service.find_user(session, "viewer@example.nl"), app.config["SECRET_KEY"],
                                now=NOW)
    session.commit()
    response = app.test_client().get(f"/feeds/{token}.ics", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.headers["ETag"], response.data


def _post(client, path, data):
    token = csrf_from(client.get("/regulations/DSA").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


PLANNING_INPUTS = [
    ("planned date", "/regulations/DSA/plan/planned", {"step": "in_force", "date": "2030-Q1"}),
    ("duration", "/regulations/DSA/plan/duration", {"step": "parliament", "days": "400", "scope": "act"}),
    ("review", "/regulations/DSA/plan/review", {"note": "nog actueel"}),
]


@pytest.mark.parametrize(("what", "path", "data"), PLANNING_INPUTS, ids=[p[0] for p in PLANNING_INPUTS])
def test_a_planning_input_changes_the_planning_feed_at_once(app, login, session, what, path, data):
    before_etag, before = _feed(app, session, {"kind": "planning", "regulation": "DSA"})
    before_revision = revision.current(session)
    editor = login("ezk.editor@example.nl")
    assert _post(editor, path, data).status_code == 302
    session.expire_all()
    assert revision.current(session) != before_revision
    after_etag, after = _feed(app, session, {"kind": "planning", "regulation": "DSA"})
    if what == "planned date":
        assert b"2030" in after and b"2030" not in before
    assert after_etag != before_etag and after != before


def test_a_target_changes_the_planning_feed_at_once(app, login, session):
    before_etag, before = _feed(app, session, {"kind": "planning", "regulation": "DSA"})
    dsa = select(Regulation.id).where(Regulation.key == "DSA").scalar_subquery()
    later = session.scalars(select(Deadline).where(Deadline.regulation_id == dsa, Deadline.due_on.is_not(None))
                            .order_by(Deadline.due_on.desc())).first()
    editor = login("ezk.editor@example.nl")
    assert _post(editor, "/regulations/DSA/plan/target", {"deadline_id": str(later.id)}).status_code == 302
    after_etag, after = _feed(app, session, {"kind": "planning", "regulation": "DSA"})
    assert after_etag != before_etag and after != before


@pytest.fixture
def heard():
    """Every event delivered, by phase, through real subscriptions (removed afterwards)."""
    got: dict[str, list[Event]] = {"before_commit": [], "after_commit": []}

    def before(session, events):
        got["before_commit"].extend(events)

    def after(events, bind):
        got["after_commit"].extend(events)

    subscribe(Event, before, phase="before_commit")
    subscribe(Event, after, phase="after_commit")
    yield got
    _SUBSCRIBERS["before_commit"].remove((Event, before))
    _SUBSCRIBERS["after_commit"].remove((Event, after))


def test_a_stage_move_publishes_its_named_event_with_plain_values_once(app, users, db, heard):
    clock = Clock(NOW.tzinfo, NOW)
    with db.sessionmaker() as s:
        dsa = s.scalar(select(Regulation.id).where(Regulation.key == "DSA"))
        command = MoveStage("DSA", "council_of_state", "2026-11-20", note="Advies gevraagd")
        change = run_and_commit(s, command, Actor("test"), clock)
        instrument = change.instrument_id  # the DSA's one national instrument, its Uitvoeringswet
    moved = [e for e in heard["after_commit"] if isinstance(e, StageMoved)]
    assert moved == [StageMoved(frozenset({dsa}), "DSA", "consultation", "council_of_state", "2026-11-20", instrument)]
    assert [type(e) for e in heard["before_commit"]] == [type(e) for e in heard["after_commit"]]
    assert {e.name for e in heard["after_commit"]} == {"StageMoved", "RowsWritten"}


def test_a_refusal_publishes_nothing_and_keeps_the_revision(app, users, db, heard):
    clock = Clock(NOW.tzinfo, NOW)
    with db.sessionmaker() as s:
        before = revision.current(s)
        with pytest.raises(Refused, match=r"ligt in de toekomst"):
            run_and_commit(s, MoveStage("DSA", "parliament", "2030-01-01"), Actor("test"), clock)
        assert revision.current(s) == before
    assert heard == {"before_commit": [], "after_commit": []}


def test_a_failing_after_commit_subscriber_loses_no_change(app, users, db, caplog):
    def broken(events, bind):
        raise RuntimeError("renderer down")

    subscribe(PortfolioChanged, broken, phase="after_commit")
    try:
        with db.sessionmaker() as s:
            command = MoveStage("DSA", "council_of_state", "2026-11-20")
            run_and_commit(s, command, Actor("test"), Clock(NOW.tzinfo, NOW))
    finally:
        _SUBSCRIBERS["after_commit"].remove((PortfolioChanged, broken))
    with db.sessionmaker() as s:
        assert s.scalar(select(Regulation.current_stage).where(Regulation.key == "DSA")).value == "council_of_state"
    assert "after-commit subscriber broken failed" in caplog.text


def test_get_calendar_writes_nothing_and_a_link_is_made_by_a_post_that_is_audited(app, login, session):
    viewer = login("viewer@example.nl")

    def counts():
        session.expire_all()
        return (session.scalar(select(func.count()).select_from(FeedToken)),
                session.scalar(select(func.count()).select_from(AuditEvent)))

    before = counts()
    page = viewer.get("/calendar")
    assert page.status_code == 200 and 'id="no-link"' in page.get_data(as_text=True)
    assert counts() == before
    made = viewer.post("/calendar/rotate", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert made.status_code == 302
    assert counts() == (before[0] + 1, before[1] + 1)
    again = viewer.get("/calendar").get_data(as_text=True)
    assert 'id="no-link"' not in again and "/feeds/" in again
    assert counts() == (before[0] + 1, before[1] + 1)


BAD_KEY = "bad key/../" + "x" * 60


def test_the_key_rule_is_the_same_from_the_form_the_api_the_cli_and_the_service(app, users, db, login):
    form_page = login("admin@example.nl").get("/regulations/new").get_data(as_text=True)
    assert "regulations/new" in form_page or "key" in form_page
    with db.sessionmaker() as s:
        team = s.scalar(select(Regulation.team_id).where(Regulation.key == "DSA"))
        with pytest.raises(Refused) as refused:
            run_and_commit(s, CreateRegulation(BAD_KEY, {"title": "Slecht", "team_id": team}), Actor("test"),
                           Clock(NOW.tzinfo, NOW))
        assert refused.value.errors == [("key", "1 tot 40 letters, cijfers, - of _ (de korte naam komt in het adres).")]
        assert s.scalar(select(func.count()).select_from(Regulation).where(Regulation.key == BAD_KEY)) == 0


def test_one_refusal_reads_the_same_from_the_page_the_api_and_the_terminal(app, users, db, login):
    """A stage move dated in the future: 400 with the message on the page, 422 problem details in the API, exit 1
    with the field in the terminal; nothing changes anywhere."""
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "ezk.editor@example.nl"), "t", actor=Actor("t"), now=NOW)
    editor = login("ezk.editor@example.nl")
    page = editor.get("/regulations/DSA")
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "to_stage": "council_of_state",
            "effective": "2030-01-01", "version": _version(db)}
    browser = editor.post("/regulations/DSA/stage", data=form)
    body = {"to_stage": "council_of_state", "effective": "2030-01-01", "version": int(_version(db))}
    api = app.test_client().post("/api/v1/regulations/DSA/stage", headers={"Authorization": f"Bearer {token}"},
                                 json=body)
    terminal = app.test_cli_runner().invoke(cli, ["stage", "move", "DSA", "--to", "council_of_state",
                                                  "--effective", "2030-01-01"])
    assert browser.status_code == 400
    assert api.status_code == 422 and api.content_type == "application/problem+json"
    [error] = api.get_json()["errors"]
    assert error["field"] == "effective"
    assert error["message"] in browser.get_data(as_text=True).replace("&#39;", "'")
    assert terminal.exit_code == 1 and f"effective: {error['message']}" in terminal.output
    with db.sessionmaker() as s:
        assert s.scalar(select(Regulation.current_stage).where(Regulation.key == "DSA")).value == "consultation"


def _version(db) -> str:
    with db.sessionmaker() as s:
        return str(s.scalar(select(Regulation.version).where(Regulation.key == "DSA")))


def test_the_seed_and_the_import_refuse_a_bad_key_with_the_same_words(db, session, tmp_path, empty_db):
    import shutil

    import yaml

    from tests.conftest import SEED
    from tracker.seeding.loader import load_seed
    from tracker.seeding.schema import SeedError
    from tracker.transfer import TransferError, export_data, import_data, seal

    folder = tmp_path / "seed"
    shutil.copytree(SEED, folder)
    path = folder / "teams.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["teams"][0]["id"] = "EZ K"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(SeedError) as seed_error, db.transaction() as s:
        load_seed(s, folder, now=NOW)
    assert "id: 'EZ K': 1 tot 40 letters, cijfers, - of _ (de korte naam komt in het adres)." in "\n".join(
        seed_error.value.problems)
    assert session.scalar(select(func.count()).select_from(Regulation)) == 0

    with db.transaction() as s:
        load_seed(s, SEED, now=NOW)
    with db.sessionmaker() as s:
        document = json.loads(export_data(s))
    document["tables"]["regulations"][0]["key"] = "bad key/x"  # short enough: the key rule, not the length
    with pytest.raises(TransferError) as import_error, empty_db.transaction() as s:
        import_data(s, json.dumps(seal(document)))
    assert "regulations[0] (id 1): key: 'bad key/x' is no key: 1 tot 40 letters" in str(import_error.value)
    with empty_db.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(Regulation)) == 0
