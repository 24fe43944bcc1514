"""Role x route: every write route, for every role, on a regulation of the user's team and of another team."""

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tracker.audit.models import AuditEvent
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation


def ids(session, key):
    reg = session.scalars(select(Regulation).where(Regulation.key == key)).one()
    first = {
        "deadlines": session.scalars(select(Deadline.id).where(Deadline.regulation_id == reg.id)).first(),
        "designations": session.scalars(select(Designation.id).where(Designation.regulation_id == reg.id)).first(),
        "evaluations": session.scalars(select(Evaluation.id).where(Evaluation.regulation_id == reg.id)).first(),
    }
    return reg, first


def write_routes(session, key):
    """(method, url, form data) for every route that changes something about regulation `key`."""
    reg, first = ids(session, key)
    v = str(reg.version)
    routes = [
        ("/regulations/{k}/stage", {"to_stage": "council_of_state", "effective": "2024-01-15", "version": v}),
        (
            "/regulations/{k}/edit",
            {"title": "Changed", "kind": "regulation", "team_id": str(reg.team_id), "version": v},
        ),
        ("/regulations/{k}/deadlines/new", {"kind": "other", "title": "New", "due": "2027", "version": "0"}),
        (
            "/regulations/{k}/evaluations/new",
            {"subject": "New", "level": "eu", "status": "announced", "due": "2027", "version": "0"},
        ),
    ]
    for kind, item_id in first.items():
        if item_id:
            routes.append((f"/regulations/{{k}}/{kind}/{item_id}/delete", {"version": "1"}))
            routes.append((f"/regulations/{{k}}/{kind}/{item_id}/edit", {"version": "1"}))
    return [(url.format(k=key), data) for url, data in routes]


def audit_count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.not_like("login%")))


@pytest.mark.parametrize("email", ["viewer@example.nl", "jenv.editor@example.nl"])
def test_viewers_and_editors_of_other_teams_are_refused_on_every_write_route(login, session, email):
    client = login(email)
    token = csrf_from(client.get("/").get_data(as_text=True))
    before = audit_count(session)
    for url, data in write_routes(session, "DSA"):  # DSA belongs to team EZK
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, (email, url, response.status_code)
    assert client.get("/regulations/DSA/edit").status_code == 403
    assert client.get("/regulations/DSA/deadlines/new").status_code == 403
    assert audit_count(session) == before
    assert session.scalar(select(Regulation.title).where(Regulation.key == "DSA")) == "Digital Services Act"


def test_a_viewer_cannot_create_regulations(login):
    client = login("viewer@example.nl")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.get("/regulations/new").status_code == 403
    assert (
        client.post(
            "/regulations/new",
            data={"key": "X", "title": "X", "kind": "regulation", "team_id": "1", "csrf_token": token},
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("ezk.editor@example.nl", "DSA"),
        ("admin@example.nl", "DSA"),
        ("jenv.editor@example.nl", "NIS2"),
        ("admin@example.nl", "NIS2"),
    ],
)
def test_editors_of_the_team_and_admins_may_open_every_edit_form(login, session, email, key):
    client = login(email)
    assert client.get(f"/regulations/{key}/edit").status_code == 200
    page = client.get(f"/regulations/{key}").get_data(as_text=True)
    assert 'id="move-form"' in page and 'id="edit-regulation"' in page
    for kind in ("deadlines", "designations", "evaluations"):
        assert client.get(f"/regulations/{key}/{kind}/new").status_code == 200


def test_a_viewer_sees_no_edit_controls(viewer):
    page = viewer.get("/regulations/DSA").get_data(as_text=True)
    assert 'id="move-form"' not in page and 'id="edit-regulation"' not in page and "verwijderen" not in page


def test_an_editor_cannot_hand_a_regulation_to_another_team(login, session):
    client = login("ezk.editor@example.nl")
    reg, _ = ids(session, "DSA")
    jenv = session.scalar(select(Regulation.team_id).where(Regulation.key == "NIS2"))
    token = csrf_from(client.get("/regulations/DSA/edit").get_data(as_text=True))
    response = client.post(
        "/regulations/DSA/edit",
        data={
            "title": "DSA",
            "kind": "regulation",
            "team_id": str(jenv),
            "version": str(reg.version),
            "csrf_token": token,
        },
    )
    assert response.status_code in (400, 403)
    session.expire_all()
    assert session.scalar(select(Regulation.team_id).where(Regulation.key == "DSA")) == reg.team_id
