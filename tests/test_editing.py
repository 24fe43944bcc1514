import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tracker.audit.models import AuditEvent
from tracker.regulations.models import Deadline, Regulation, StageChange
from tracker.regulations.stages import Stage


@pytest.fixture
def editor(login):
    return login("ezk.editor@example.nl")


def reg_row(session, key="DSA") -> Regulation:
    session.expire_all()
    return session.scalars(select(Regulation).where(Regulation.key == key)).one()


def form_page(client, url):
    html = client.get(url).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    return soup, csrf_from(html)


def move(client, session, key="DSA", version=None, **data):
    _, token = form_page(client, f"/regulations/{key}")
    version = version if version is not None else reg_row(session, key).version
    return client.post(f"/regulations/{key}/stage", data={"csrf_token": token, "version": str(version), **data})


def field_errors(response) -> dict[str, str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {p["id"].removesuffix("-error"): p.get_text() for p in soup.select("p.error")}


def test_an_editor_moves_dsa_to_the_council_of_state(editor, session):
    version = reg_row(session).version
    response = move(
        editor,
        session,
        to_stage="council_of_state",
        effective="2024-01-15",
        note="Adviesaanvraag verstuurd",
        reference="Kamerstuk 36 531",
    )
    assert response.status_code == 302
    assert reg_row(session).version == version + 1
    assert reg_row(session).current_stage is Stage.COUNCIL_OF_STATE
    change = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.from_stage, change.to_stage, change.actor) == (
        Stage.CONSULTATION,
        Stage.COUNCIL_OF_STATE,
        "ezk.editor@example.nl",
    )
    page = editor.get("/regulations/DSA").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert "Advisering Raad van State" in soup.select_one("#history tbody tr").get_text()
    audit = soup.select_one("#audit tbody tr").get_text(" ", strip=True)
    # People by name (the test users are named after their address), not by e-mail address.
    assert "ezk.editor" in audit and "@example.nl" not in audit
    assert "Fase gewijzigd" in audit and "Fase : Consultatie en toetsen → Advisering Raad van State" in audit
    assert "stage.move" not in audit and "council_of_state" not in audit and "Datum : — → 15 januari 2024" in audit
    board = BeautifulSoup(editor.get("/").get_data(as_text=True), "html.parser")
    assert board.select_one('article[data-key="DSA"]').find_parent("section")["data-stage"] == "council_of_state"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"to_stage": "parliament", "effective": "2024-01-15"}, "reason", "geschreven reden"),
        ({"to_stage": "internal_prep", "effective": "2024-01-15", "reason": "  "}, "reason", "Teruggaan"),
        ({"to_stage": "council_of_state", "effective": "2099-01-01"}, "effective", "in de toekomst"),
        ({"to_stage": "council_of_state", "effective": "2023-01-01"}, "effective", "vóór de vorige wijziging"),
        ({"to_stage": "council_of_state", "effective": "t.b.d."}, "effective", "nog niet bepaald"),
        ({"to_stage": "council_of_state", "effective": "2024-13"}, "effective", "geen bestaande datum"),
        ({"to_stage": "council_of_state", "effective": ""}, "effective", "Dit veld is verplicht."),
        ({"to_stage": "senate", "effective": "2024-01-15"}, "to_stage", "Ongeldige keuze"),
        ({"to_stage": "consultation", "effective": "2024-01-15"}, "to_stage", "al in de fase"),
    ],
)
def test_a_refused_move_shows_the_error_next_to_its_field_and_saves_nothing(editor, session, data, field, message):
    before = session.scalar(select(func.count()).select_from(StageChange))
    version = reg_row(session).version
    response = move(editor, session, **data)
    assert response.status_code == 400
    errors = field_errors(response)
    assert field in errors and message in errors[field], errors
    assert session.scalar(select(func.count()).select_from(StageChange)) == before
    assert reg_row(session).version == version
    assert reg_row(session).current_stage is Stage.CONSULTATION


def test_skipping_with_a_reason_is_allowed(editor, session):
    version = reg_row(session).version
    response = move(editor, session, to_stage="parliament", effective="2024-02", reason="Spoedwet")
    assert response.status_code == 302
    assert reg_row(session).version == version + 1
    change = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.from_stage, change.to_stage, change.reason) == (Stage.CONSULTATION, Stage.PARLIAMENT, "Spoedwet")


@pytest.mark.parametrize(
    ("text", "stored", "shown"),
    [
        ("2025-09-17", "2025-09-17", "17 september 2025"),
        ("17-09-2025", "2025-09-17", "17 september 2025"),
        ("2025-09", "2025-09", "september 2025"),
        ("2025-Q3", "2025-Q3", "3e kwartaal 2025"),
        ("3e kwartaal 2025", "2025-Q3", "3e kwartaal 2025"),
        ("2025", "2025", "2025"),
        ("t.b.d.", "t.b.d.", "nog niet bepaald"),
    ],
)
def test_date_fields_accept_every_precision(app, editor, session, text, stored, shown):
    _, token = form_page(editor, "/regulations/DSA/deadlines/new")
    version = reg_row(session).version
    app.extensions["tracker.clock"].advance(dt.timedelta(minutes=1))  # as in use: not the seed's own moment
    response = editor.post(
        "/regulations/DSA/deadlines/new",
        data={"csrf_token": token, "version": "0", "kind": "designation", "title": f"Test {text}", "due": text},
    )
    assert response.status_code == 302, field_errors(response)
    deadline = session.scalars(select(Deadline).where(Deadline.title == f"Test {text}")).one()
    assert deadline.due.isoformat() == stored and deadline.version == 1
    # A new item leaves the regulation's row alone, so it conflicts with no one else's new item.
    assert reg_row(session).version == version
    assert shown in editor.get("/regulations/DSA").get_data(as_text=True)


def test_a_bad_date_in_a_deadline_form_is_shown_next_to_the_field(editor, session):
    _, token = form_page(editor, "/regulations/DSA/deadlines/new")
    before = session.scalar(select(func.count()).select_from(Deadline))
    version = reg_row(session).version
    response = editor.post(
        "/regulations/DSA/deadlines/new",
        data={"csrf_token": token, "version": "0", "kind": "designation", "title": "", "due": "Q5 2025"},
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert "lezen wij niet als datum" in errors["due"] and "title" in errors  # the reason: not a shape we read
    assert 'value="Q5 2025"' in response.get_data(as_text=True)  # the user's input is kept
    assert session.scalar(select(func.count()).select_from(Deadline)) == before
    assert reg_row(session).version == version


def test_the_second_of_two_concurrent_edits_gets_a_conflict_and_nothing_is_lost(login, session):
    alice, bob = login("ezk.editor@example.nl"), login("admin@example.nl")
    soup_a, token_a = form_page(alice, "/regulations/DSA/edit")
    _, token_b = form_page(bob, "/regulations/DSA/edit")
    version = soup_a.select_one("input[name=version]")["value"]
    team = soup_a.select_one("select[name=team_id] option[selected]")["value"]
    assert int(version) == reg_row(session).version
    common = {"kind": "regulation", "team_id": team, "version": version}
    first = alice.post("/regulations/DSA/edit", data={**common, "title": "Alice's title", "csrf_token": token_a})
    assert first.status_code == 302
    assert reg_row(session).version == int(version) + 1
    second = bob.post("/regulations/DSA/edit", data={**common, "title": "Bob's title", "csrf_token": token_b})
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "Iemand anders heeft dit gegeven (regeling) gewijzigd" in body and "Bob&#39;s title" in body  # kept
    # What Alice saved stands next to what Bob typed, and saving again now keeps Bob's (it carries her version).
    conflict = BeautifulSoup(body, "html.parser").select_one("#conflict table").get_text(" ", strip=True)
    assert "Alice's title" in conflict and "Bob's title" in conflict
    assert BeautifulSoup(body, "html.parser").select_one("input[name=version]")["value"] == str(int(version) + 1)
    assert reg_row(session).title == "Alice's title"
    assert reg_row(session).version == int(version) + 1
    updates = session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "regulation.update")).all()
    assert updates == ["ezk.editor@example.nl"]


def test_a_stage_move_from_a_stale_page_is_a_conflict(login, session):
    alice, bob = login("ezk.editor@example.nl"), login("admin@example.nl")
    version = reg_row(session).version
    assert move(alice, session, version=version, to_stage="council_of_state", effective="2024-01-15").status_code == 302
    assert reg_row(session).version == version + 1
    response = move(bob, session, version=version, to_stage="council_of_state", effective="2024-01-16")
    assert response.status_code == 409
    assert "Iemand anders heeft dit gegeven" in response.get_data(as_text=True)
    assert reg_row(session).version == version + 1
    assert (
        session.scalar(
            select(func.count()).where(
                StageChange.to_stage == Stage.COUNCIL_OF_STATE, StageChange.regulation_id == reg_row(session).id
            )
        )
        == 1
    )


def test_edit_and_delete_a_deadline_with_audit(editor, session):
    deadline = session.scalars(select(Deadline).where(Deadline.seed_key == "DSA-application")).one()
    deadline_id, version = deadline.id, deadline.version
    soup, token = form_page(editor, f"/regulations/DSA/deadlines/{deadline.id}/edit")
    assert soup.select_one("input[name=due]")["value"] == "17 februari 2024"  # the style the field accepts
    response = editor.post(
        f"/regulations/DSA/deadlines/{deadline.id}/edit",
        data={
            "csrf_token": token,
            "version": str(deadline.version),
            "kind": "application",
            "title": deadline.title,
            "title_en": deadline.title_en,
            "due": "2024-02-19",
        },
    )
    assert response.status_code == 302
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "deadline.update")).one()
    assert event.changes == {"due": ["2024-02-17", "2024-02-19"]}
    session.expire_all()
    assert session.get(Deadline, deadline_id).version == version + 1
    # Deleting asks first, on a page of its own that names what goes and carries the version shown.
    confirm = BeautifulSoup(editor.get(f"/regulations/DSA/deadlines/{deadline_id}/delete").get_data(as_text=True),
                            "html.parser")
    assert "19 februari 2024" in confirm.select_one("#to-delete").get_text(" ")
    assert confirm.select_one("#delete-form input[name=version]")["value"] == str(version + 1)
    # Deleting with the version read before the edit is a conflict and deletes nothing; the page shows the
    # deadline as it is now and asks again.
    stale = editor.post(f"/regulations/DSA/deadlines/{deadline_id}/delete",
                        data={"csrf_token": token, "version": str(version)})
    assert stale.status_code == 409
    again = BeautifulSoup(stale.get_data(as_text=True), "html.parser")
    assert "19 februari 2024" in again.select_one("#to-delete").get_text(" ")
    assert again.select_one("#delete-form input[name=version]")["value"] == str(version + 1)
    session.expire_all()
    assert session.get(Deadline, deadline_id).version == version + 1
    # ... and with the current one it deletes.
    response = editor.post(
        f"/regulations/DSA/deadlines/{deadline_id}/delete", data={"csrf_token": token, "version": str(version + 1)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Deadline, deadline_id) is None
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "deadline.delete")).one()


def test_create_and_edit_a_regulation(editor, session):
    soup, token = form_page(editor, "/regulations/new")
    team = soup.select_one("select[name=team_id] option")["value"]
    response = editor.post(
        "/regulations/new",
        data={
            "csrf_token": token,
            "key": "CRMA",
            "title": "Critical Raw Materials Act",
            "kind": "regulation",
            "team_id": team,
            "pillar": "4",
            "eu_published": "2024-05",
            "version": "0",
        },
    )
    assert response.status_code == 302
    reg = reg_row(session, "CRMA")
    assert reg.eu_published.isoformat() == "2024-05" and reg.pillar == 4 and reg.version == 1
    soup, token = form_page(editor, "/regulations/CRMA/edit")
    assert soup.select_one("input[name=version]")["value"] == "1"
    edited = editor.post(
        "/regulations/CRMA/edit",
        data={"csrf_token": token, "title": "Critical Raw Materials Act (CRMA)", "kind": "regulation",
              "team_id": team, "pillar": "4", "eu_published": "2024-05", "version": "1"},
    )
    assert edited.status_code == 302
    reg = reg_row(session, "CRMA")
    assert (reg.title, reg.version) == ("Critical Raw Materials Act (CRMA)", 2)
    again = editor.post(
        "/regulations/new",
        data={
            "csrf_token": token,
            "key": "CRMA",
            "title": "Dup",
            "kind": "regulation",
            "team_id": team,
            "version": "0",
        },
    )
    assert again.status_code == 409 and "Er bestaat al een regeling" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/regulations/DSA/bogus/new", "/regulations/DSA/deadlines/999999/edit", "/regulations/NOPE/edit"]
)
def test_unknown_records_are_404(editor, url):
    assert editor.get(url).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"version": "abc", "title": "x", "kind": "regulation"},
        {"version": "1", "title": "x" * 5000, "kind": "regulation"},
        {"version": "1", "title": "x", "kind": "planet"},
        {"version": "1", "title": "x", "kind": "regulation", "pillar": "nine"},
        {"version": "1", "title": "x", "kind": "regulation", "team_id": "abc"},
        {"version": "1", "title": "x", "kind": "regulation", "eu_published": "\x00"},
        {},
    ],
)
def test_garbage_in_an_edit_form_is_a_400_and_saves_nothing(editor, session, payload):
    _, token = form_page(editor, "/regulations/DSA/edit")
    version = reg_row(session).version
    response = editor.post("/regulations/DSA/edit", data={"csrf_token": token, **payload})
    assert response.status_code == 400
    assert reg_row(session).version == version
