from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.conftest import NOW
from tracker.audit.models import AuditEvent
from tracker.auth import service
from tracker.auth.cli import ensure_admin
from tracker.auth.models import Role
from tracker.cli import cli
from tracker.clock import Clock

CLOCK = Clock(ZoneInfo("Europe/Amsterdam"), NOW)


def invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(cli, list(args), input=input)


def test_create_list_set_role_deactivate(seeded, app, session):
    result = invoke(
        app,
        "users",
        "create",
        "Anna@Example.nl",
        "--name",
        "Anna de Vries",
        "--team",
        "EZK",
        "--team",
        "JENV",
        "--role",
        "editor",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created anna@example.nl (editor)" in result.output and "one-time" not in result.output
    user = service.find_user(session, "anna@example.nl")
    assert [t.key for t in user.teams] == ["EZK", "JENV"] and user.role is Role.EDITOR
    assert service.authenticate(session, "anna@example.nl", "a long enough password", address=None, now=NOW)
    session.commit()

    listing = invoke(app, "users", "list").output
    assert "anna@example.nl" in listing and "EZK,JENV" in listing and "active" in listing

    assert invoke(app, "users", "set-role", "anna@example.nl", "admin").exit_code == 0
    assert invoke(app, "users", "deactivate", "anna@example.nl").exit_code == 0
    session.expire_all()
    user = service.find_user(session, "anna@example.nl")
    assert user.role is Role.ADMIN and not user.active
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_label == "anna@example.nl")).all()
    assert {"user.create", "user.role", "user.deactivate"} <= set(actions)


def test_create_without_password_prints_a_one_time_password(seeded, app, session):
    result = invoke(app, "users", "create", "bob@example.nl", "--name", "Bob")
    assert result.exit_code == 0
    password = result.output.split("one-time password: ")[1].strip()
    assert service.authenticate(session, "bob@example.nl", password, address=None, now=NOW)


def test_bad_input_is_a_clear_error_and_changes_nothing(seeded, app, session):
    cases = [
        (["users", "create", "not-an-email", "--name", "X"], "is geen e-mailadres"),
        (["users", "create", "x@example.nl", "--name", "X", "--team", "NOPE"], "Onbekend team: NOPE"),
        (["users", "create", "x@example.nl", "--name", "X", "--password-stdin"], "ten minste 12 tekens"),
        (["users", "set-role", "nobody@example.nl", "admin"], "Er is geen gebruiker met e-mailadres nobody@example.nl"),
    ]
    for args, message in cases:
        result = invoke(app, *args, input="short\n")
        assert result.exit_code == 1, args
        assert message in result.output, result.output
    assert invoke(app, "users", "create", "x@example.nl", "--name", "X", "--role", "boss").exit_code == 2
    assert service.find_user(session, "x@example.nl") is None


def test_the_first_run_creates_one_admin(seeded, session):
    password = ensure_admin(session, "admin@ministerie.nl", None, CLOCK)
    assert password and len(password) >= 12
    assert ensure_admin(session, "admin@ministerie.nl", None, CLOCK) is None  # only once
    user = service.find_user(session, "admin@ministerie.nl")
    assert user.role is Role.ADMIN
    assert service.authenticate(session, "admin@ministerie.nl", password, address=None, now=NOW)


def test_a_chosen_admin_password_is_used_and_not_printed(seeded, session):
    assert ensure_admin(session, "admin@ministerie.nl", "chosen password 123", CLOCK) is None
    assert service.authenticate(session, "admin@ministerie.nl", "chosen password 123", address=None, now=NOW)
