from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import csrf_from
from tracker.audit.models import AuditEvent
from tracker.auth import service
from tracker.auth.models import Role, Team


def test_only_admins_reach_the_admin_pages(login):
    for email in ("viewer@example.nl", "ezk.editor@example.nl"):
        client = login(email)
        for url in ("/admin/users", "/admin/audit"):
            assert client.get(url).status_code == 403
        token = csrf_from(client.get("/").get_data(as_text=True))
        assert client.post("/admin/teams", data={"key": "X", "name": "X", "csrf_token": token}).status_code == 403


def test_an_admin_creates_a_user_changes_role_and_teams_and_deactivates(login, session):
    admin = login("admin@example.nl")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    response = admin.post(
        "/admin/users",
        data={"email": "new@example.nl", "name": "New", "role": "editor", "teams": ["EZK"], "csrf_token": token},
    )
    assert response.status_code == 200
    generated = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("#generated").get_text()
    password = generated.split("new@example.nl: ")[1].strip()
    user = service.find_user(session, "new@example.nl")
    assert user.role is Role.EDITOR and [t.key for t in user.teams] == ["EZK"]

    response = admin.post(
        f"/admin/users/{user.id}", data={"role": "viewer", "teams": ["JENV", "EZK"], "csrf_token": token}
    )  # active unchecked
    assert response.status_code == 302
    session.expire_all()
    user = service.find_user(session, "new@example.nl")
    assert user.role is Role.VIEWER and sorted(t.key for t in user.teams) == ["EZK", "JENV"] and not user.active
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.target_label == "new@example.nl")))
    assert {"user.create", "user.role", "user.teams", "user.deactivate"} <= actions
    assert password and "new@example.nl" in admin.get("/admin/audit").get_data(as_text=True)


def test_admin_form_errors_and_self_protection(login, users, session):
    admin = login("admin@example.nl")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    response = admin.post(
        "/admin/users", data={"email": "viewer@example.nl", "name": "Dup", "role": "viewer", "csrf_token": token}
    )
    duplicate = "Er is al een gebruiker met e-mailadres viewer@example.nl"
    assert response.status_code == 400 and duplicate in response.get_data(as_text=True)
    response = admin.post(
        "/admin/users", data={"email": "x@example.nl", "name": "X", "role": "god", "csrf_token": token}
    )
    assert response.status_code == 400
    me = users["admin@example.nl"]
    response = admin.post(f"/admin/users/{me}", data={"role": "viewer", "active": "y", "csrf_token": token})
    assert response.status_code == 400 and "uw eigen beheerdersrol" in response.get_data(as_text=True)
    assert admin.post("/admin/users/999999", data={"role": "viewer", "csrf_token": token}).status_code == 404
    assert admin.get("/admin/audit?before=abc").status_code == 400


def test_an_admin_creates_a_team(login, session):
    admin = login("admin@example.nl")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    assert (
        admin.post(
            "/admin/teams", data={"key": "DGDE", "name": "Directie Digitale Economie", "csrf_token": token}
        ).status_code
        == 302
    )
    assert admin.post("/admin/teams", data={"key": "DGDE", "name": "Again", "csrf_token": token}).status_code == 409
    assert admin.post("/admin/teams", data={"key": "bad key!", "name": "X", "csrf_token": token}).status_code == 400


def test_an_admin_sets_a_teams_reminder_lead_times(login, session):
    from tracker.auth.models import Team

    admin = login("admin@example.nl")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    assert (
        admin.post("/admin/teams/EZK/reminders", data={"reminder_days": "14, 60", "csrf_token": token}).status_code
        == 302
    )
    assert session.scalars(select(Team.reminder_days).where(Team.key == "EZK")).one() == "60,14"
    bad = admin.post("/admin/teams/EZK/reminders", data={"reminder_days": "soon", "csrf_token": token})
    assert bad.status_code == 400 and "whole numbers" in bad.get_data(as_text=True)
    assert admin.post("/admin/teams/NOPE/reminders", data={"reminder_days": "", "csrf_token": token}).status_code == 404
    editor = login("ezk.editor@example.nl")
    own = csrf_from(editor.get("/").get_data(as_text=True))
    assert editor.post("/admin/teams/EZK/reminders", data={"csrf_token": own}).status_code == 403


def test_the_users_page_lists_the_teams_with_their_reminder_forms_and_has_unique_ids(login, session):
    admin = login("admin@example.nl")
    soup = BeautifulSoup(admin.get("/admin/users").get_data(as_text=True), "html.parser")
    teams = [tr["data-team"] for tr in soup.select("#teams-table tr[data-team]")]
    assert teams == sorted(session.scalars(select(Team.key))) and "EZK" in teams
    ezk = soup.select_one('#teams-table tr[data-team="EZK"] form[action$="/reminders"]')
    assert ezk["action"] == "/admin/teams/EZK/reminders" and ezk.select_one("input[name=reminder_days]")
    ids = [el["id"] for el in soup.select("[id]")]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    # The New-user labels point at the New-user fields, not at a row of the users table.
    for label in soup.select("#new-user label[for]"):
        assert soup.select_one(f"#new-user #{label['for']}") is not None, label["for"]
    # Each row's fields have labels of their own.
    for field in soup.select("#users form.user-form select, #users form.user-form input[type=checkbox]"):
        assert soup.select_one(f"label[for='{field['id']}']") or field.find_parent("label"), field["id"]
    # Every column header says what the column is, the action columns too.
    assert all(th.get_text(strip=True) for th in soup.select("th"))


def test_the_role_choices_use_the_role_labels(app):
    from tracker.auth.admin_views import ROLE_CHOICES
    from tracker.labels import label

    with app.test_request_context():
        assert [(c.value, str(c.label)) for c in ROLE_CHOICES] == [(r.value, label(r)) for r in Role]
