"""Passwords (ASVS V6): strength, the change page, forced change, admin and CLI set, reset links, audit."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_from, login_client
from tracker.audit.models import AuditEvent
from tracker.auth import passwords
from tracker.auth.models import User, UserSession
from tracker.auth.strength import password_problem
from tracker.cli import cli
from tracker.clock import clock_of
from tracker.notify.jobs import run_delivery
from tracker.notify.models import OutboxMessage

NEW = "quiet lantern orbit seventeen"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "ten minste 12 tekens"),
        ("aaaaaaaaaaaa", "te makkelijk te raden"),
        (" " * 12, "alleen uit spaties"),
        ("password1234", "te makkelijk te raden"),
        ("qwertyuiop12", "te makkelijk te raden"),
        ("Welkom123456", "te makkelijk te raden"),
        ("annajansen2026", "naam of e-mailadres"),
        ("JANSEN-ministerie", "naam of e-mailadres"),
        ("mail anna.jansen@minez.nl", "naam of e-mailadres"),
    ],
)
def test_weak_and_personal_passwords_are_refused(password, why):
    assert why in (password_problem(password, name="Anna Jansen", email="anna.jansen@minez.nl") or "")


@pytest.mark.parametrize("password", [PASSWORD, NEW, "Tr0ub4dor&3 gazelle"])
def test_strong_passwords_pass(password):
    assert password_problem(password, name="Anna Jansen", email="anna.jansen@minez.nl") is None


def _post(client, url, data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_change_needs_the_current_password_and_ends_other_sessions(users, app, session):
    other = login_client(app, "viewer@example.nl")
    client = login_client(app, "viewer@example.nl")
    wrong = _post(client, "/settings/password", {"current": "not it at all", "new": NEW, "repeat": NEW})
    assert wrong.status_code == 400 and "huidige wachtwoord klopt niet" in wrong.get_data(as_text=True)
    weak = _post(client, "/settings/password", {"current": PASSWORD, "new": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"})
    assert weak.status_code == 400 and "te makkelijk te raden" in weak.get_data(as_text=True)
    done = _post(client, "/settings/password", {"current": PASSWORD, "new": NEW, "repeat": NEW})
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one ended
    login_client(app, "viewer@example.nl", NEW)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("user.password%"))).all()
    assert actions == ["user.password.change_refused", "user.password.change"]


def test_a_password_chosen_by_the_admin_must_be_changed_at_first_login(users, app, login, session):
    admin = login("admin@example.nl")
    response = _post(admin, "/admin/users", {"email": "nieuw@example.nl", "name": "Nieuw Lid", "role": "viewer",
                                             "password": "given by the admin 42"})
    assert response.status_code == 200
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'type="password"' in page and "given by the admin 42" not in page  # the field hides what is typed
    client = login_client(app, "nieuw@example.nl", "given by the admin 42")
    assert client.get("/").headers["Location"].startswith("/settings/password")
    assert client.post("/regulations/DSA/follow").status_code in (400, 403)  # nothing else until changed
    assert _post(client, "/settings/password", {"current": "given by the admin 42", "new": NEW,
                                                "repeat": NEW}).status_code == 302
    assert client.get("/").status_code == 200
    assert session.scalar(select(User.must_change_password).where(User.email == "nieuw@example.nl")) is False


def test_cli_set_password_from_stdin_ends_sessions_and_forces_a_change(users, app, session):
    client = login_client(app, "viewer@example.nl")
    runner = CliRunner()
    refused = runner.invoke(cli, ["users", "set-password", "viewer@example.nl", "--password-stdin"],
                            input="aaaaaaaaaaaa\n", obj=_script_info(app))
    assert refused.exit_code == 1 and "te makkelijk te raden" in refused.output
    result = runner.invoke(cli, ["users", "set-password", "viewer@example.nl", "--password-stdin"],
                           input="operator chose this 77\n", obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302  # the old session ended
    fresh = login_client(app, "viewer@example.nl", "operator chose this 77")
    assert fresh.get("/").headers["Location"].startswith("/settings/password")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.password.set"))


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_a_reset_link_printed_by_the_cli_works_once_and_expires(users, app, session):
    result = CliRunner().invoke(cli, ["users", "reset", "viewer@example.nl"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    link = re.search(r"http://127\.0\.0\.1:5000(/reset/\S+)", result.output).group(1)
    client = app.test_client()
    assert client.get(link).headers["Cache-Control"] == "no-store"
    assert client.get(link).headers["Referrer-Policy"] == "no-referrer"
    assert _post(client, link, {"new": NEW, "repeat": NEW}).status_code == 302
    assert client.get(link).status_code == 404  # used up
    login_client(app, "viewer@example.nl", NEW)
    # A second link expires with the app's clock two hours on.
    result = CliRunner().invoke(cli, ["users", "reset", "viewer@example.nl"], obj=_script_info(app))
    link = re.search(r"(/reset/\S+)", result.output).group(1)
    assert app.test_client().get(link).status_code == 200
    clock_of(app).advance(passwords.RESET_LIFETIME + dt.timedelta(seconds=1))
    assert app.test_client().get(link).status_code == 404
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("user.password.reset%"))).all()
    assert actions == ["user.password.reset_link", "user.password.reset", "user.password.reset_link"]
    # --mail queues the link in the outbox instead of printing it.
    mailed = CliRunner().invoke(cli, ["users", "reset", "viewer@example.nl", "--mail"], obj=_script_info(app))
    assert mailed.exit_code == 0 and "/reset/" not in mailed.output
    body = session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "account"))
    assert re.search(r"http://127\.0\.0\.1:5000/reset/\S+", body)


def test_an_admin_mails_a_reset_link_through_the_outbox(users, mail_app, smtp, session):
    handler, _ = smtp
    from tests.conftest import login_client as login_to

    admin = login_to(mail_app, "admin@example.nl")
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    response = admin.post("/admin/users/reset", data={"reset_email": "viewer@example.nl", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.kind == "account")) == "viewer@example.nl"
    run_delivery(mail_app)
    mail = message_from_bytes(handler.messages[-1])
    body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else mail.get_payload(0).get_payload(
        decode=True).decode()
    link = re.search(r"http://127\.0\.0\.1:5000(/reset/\S+)", body).group(1)
    # One language, the recipient's (Dutch here), and the moment in the tracker's time zone: no doubled text.
    assert mail["Subject"] == "Nieuw wachtwoord kiezen"
    assert body.startswith("Beste viewer,") and "Dear" not in body
    assert "tot 28 november 2026 15:00:" in body  # made 2026-11-28 12:00 UTC, valid for two hours
    client = mail_app.test_client()
    assert _post(client, link, {"new": NEW, "repeat": NEW}).status_code == 302
    login_to(mail_app, "viewer@example.nl", NEW)
    assert session.scalar(select(func.count()).select_from(UserSession)) >= 1


WEAK_DUTCH = ["Wachtwoord2024!", "Welkom2024!!", "Rijksoverheid1", "Zomer2025zomer", "Ministerie123!",
              "Amsterdam2026!", "Najaar2025!!", "Tracker2026!!", "EZKwachtwoord1", "Koningin 1980 oranje!",
              "Oktober2026!!", "Denhaag2025!!", "Implementatie1!"]


@pytest.mark.parametrize("password", WEAK_DUTCH)
def test_weak_dutch_and_organisation_passwords_are_refused(password):
    assert "te makkelijk te raden" in (password_problem(password, name="Anna Jansen", email="a.jansen@minez.nl") or "")


def test_the_current_password_check_is_throttled_like_a_login(users, app, session):
    from tracker.auth.throttle import ACCOUNT_FREE

    client = login_client(app, "viewer@example.nl")
    statuses = [_post(client, "/settings/password", {"current": f"guess number {n}", "new": NEW, "repeat": NEW})
                .status_code for n in range(ACCOUNT_FREE + 2)]
    assert statuses[:ACCOUNT_FREE] == [400] * ACCOUNT_FREE and statuses[ACCOUNT_FREE:] == [429, 429]
    refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password.change_refused")).all()
    assert len(refused) == ACCOUNT_FREE  # the throttled attempts checked nothing
    # Once the wait is over, the right password works and the count starts again.
    clock_of(app).advance(dt.timedelta(minutes=16))
    assert _post(client, "/settings/password", {"current": PASSWORD, "new": NEW, "repeat": NEW,
                                                "keep_api_tokens": "y"}).status_code == 302
