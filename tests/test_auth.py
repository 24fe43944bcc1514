import pytest
from sqlalchemy import select

from tests.conftest import NOW, PASSWORD, csrf_from
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth import service
from tracker.clock import Clock
from tracker.config import ConfigError, load_settings


def another_app(settings, **overrides):
    """A second app on the same database, as another worker would be: built from explicit settings only (never
    from the shell's TRACKER_* variables) and on the tests' clock."""
    own = load_settings(
        environ={},
        overrides={"DATABASE_URL": settings.database_url, "INSTANCE_PATH": str(settings.instance_path), **overrides},
    )
    return create_app(settings=own, clock=Clock(own.tz, NOW))


def post_login(client, email, password, **environ):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, environ_base=environ)


def test_pages_need_a_login(seeded, app):
    client = app.test_client()
    response = client.get("/regulations/DSA")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/regulations/DSA/stage").status_code == 401


def test_login_and_logout(users, app, session):
    client = app.test_client()
    response = post_login(client, "Viewer@Example.nl ", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "login.success"
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_and_audited(users, app, session):
    response = post_login(app.test_client(), "viewer@example.nl", "wrong password!")
    assert response.status_code == 401
    assert "wachtwoord klopt niet" in response.get_data(as_text=True)
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor) == ("login.failure", "viewer@example.nl")


def test_a_session_cookie_copied_before_logout_no_longer_works(users, app):
    client = app.test_client()
    post_login(client, "viewer@example.nl", PASSWORD)
    stolen = client.get_cookie("session").value
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302  # sent to the login page


def test_login_starts_a_new_session(users, app):
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("session").value
    post_login(client, "viewer@example.nl", PASSWORD)
    assert client.get_cookie("session").value != before


def test_cookie_flags(users, app, settings):
    client = app.test_client()
    response = post_login(client, "viewer@example.nl", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain local http
    https = another_app(settings, BASE_URL="https://tracker.example.nl")
    assert https.config["SESSION_COOKIE_SECURE"] is True
    https_response = post_login(https.test_client(), "viewer@example.nl", PASSWORD)
    assert https_response.status_code == 302
    assert "Secure" in https_response.headers["Set-Cookie"]
    https.extensions["tracker.db"].dispose()


def test_a_deactivated_account_cannot_log_in_and_its_sessions_end(users, app, session):
    client = app.test_client()
    post_login(client, "viewer@example.nl", PASSWORD)
    user = service.find_user(session, "viewer@example.nl")
    service.deactivate(session, user, actor=service.Actor("test"), now=NOW)
    session.commit()
    assert client.get("/").status_code == 302
    assert post_login(app.test_client(), "viewer@example.nl", PASSWORD).status_code == 401


def test_passwords_are_hashed_with_argon2id(users, session):
    user = service.find_user(session, "viewer@example.nl")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_csrf_is_required(users, app):
    client = app.test_client()
    response = client.post("/login", data={"email": "viewer@example.nl", "password": PASSWORD})
    assert response.status_code == 400


# The usual open-redirect bypass list: protocol-relative, backslashes, tabs and line breaks that browsers drop,
# schemes with and without slashes, and their percent-encoded forms.
BYPASSES = [
    "https://evil.example/",
    "http:evil.example",
    "https:/evil.example",
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%0D%0A/evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/\t/evil.example",
    "/ /evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "@evil.example",
    "/%252F%252Fevil.example",
    "/no-such-page",
]


def _login_to(app, target):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "viewer@example.nl", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, target
    return client, response.headers["Location"]


def test_no_open_redirect_after_login(users, app):
    """One database for the whole list (a copy each would cost a second per entry); each entry its own browser."""
    escaped = {}
    for target in BYPASSES:
        client, location = _login_to(app, target)
        # Logged in already, the login page sends on at once: the same rule.
        again = client.get("/login", query_string={"next": target}).headers["Location"]
        if (location, again) != ("/", "/"):
            escaped[target] = (location, again)
    assert escaped == {}


def test_a_path_of_this_app_is_followed_after_login(users, app):
    for target in ("/regulations/DSA", "/calendar", "/?team=EZK&as_of=2026-01-01"):
        assert _login_to(app, target)[1] == target


def test_malformed_login_input_is_a_form_error_not_a_500(users, app):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for data in (
        {"email": "", "password": ""},
        {"email": "x" * 5000, "password": "y"},
        {"email": "\x00", "password": "\x00"},
    ):
        response = client.post("/login", data={**data, "csrf_token": token})
        assert response.status_code == 400, data  # refused by the form (or the NUL check), never a 500
    assert client.get("/").status_code == 302  # and nobody got logged in


def test_the_tests_build_apps_from_explicit_settings_whatever_the_shell_holds(users, app, settings, monkeypatch):
    """The shell running the suite may hold TRACKER_* variables; none of them may reach an app built here."""
    monkeypatch.setenv("TRACKER_BASE_URL", "https://stray.example.nl")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:////nonexistent/stray.sqlite3")
    monkeypatch.setenv("TRACKER_TYPO_SETTING", "x")  # would stop load_settings() that reads os.environ
    with pytest.raises(ConfigError, match="TRACKER_TYPO_SETTING is not a known setting"):
        load_settings()  # proof that the variables are visible to anything that reads the environment
    other = another_app(settings)
    assert other.config["TRACKER"].base_url == "http://127.0.0.1:5000"
    assert other.config["TRACKER"].database_url == settings.database_url
    assert other.config["SESSION_COOKIE_SECURE"] is False
    assert post_login(other.test_client(), "viewer@example.nl", PASSWORD).status_code == 302
    other.extensions["tracker.db"].dispose()
