"""API tokens follow the password (issue 31): refused with a reason until a forced change is done, revoked (and
audited) when someone else sets the password, when a reset link is used, and when the owner changes it, unless the
owner chooses to keep them on the change page; that choice is not there after someone else set the password."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from tests.conftest import NOW, PASSWORD, csrf_from, login_client
from tracker.api.common import create_token
from tracker.audit.models import AuditEvent
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.cli import cli

NEW = "quiet lantern orbit seventeen"
EMAIL = "viewer@example.nl"


def _token(db, email: str = EMAIL) -> str:
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, email), "script", actor=Actor("test"), now=NOW)
    return token


def _status(app, token: str) -> int:
    return app.test_client().get("/api/v1/regulations", headers={"Authorization": f"Bearer {token}"}).status_code


def _cli(app, *args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result


def _revocations(session) -> list[dict]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.changes).where(AuditEvent.action == "api_token.revoke")))


def _change(client, keep: bool) -> int:
    token = csrf_from(client.get("/settings/password").get_data(as_text=True))
    data = {"csrf_token": token, "current": PASSWORD, "new": NEW, "repeat": NEW}
    if keep:
        data["keep_api_tokens"] = "y"
    return client.post("/settings/password", data=data).status_code


def test_set_password_by_another_revokes_and_a_forced_change_is_required_first(users, app, db, session):
    token = _token(db)
    assert _status(app, token) == 200
    _cli(app, "users", "set-password", EMAIL, "--password-stdin", stdin="operator chose this 77\n")
    assert _status(app, token) == 401
    assert _revocations(session) == [{"reason": [None, "password.set"]}]
    # A token made for the account before its owner chose a password of their own is refused, saying why.
    fresh = _cli(app, "api-token", "create", EMAIL).output.strip().splitlines()[-1]
    response = app.test_client().get("/api/v1/regulations", headers={"Authorization": f"Bearer {fresh}"})
    assert response.status_code == 403 and response.content_type == "application/problem+json"
    assert "must be changed" in response.get_json()["detail"]
    # The forced change page offers no choice to keep tokens.
    client = login_client(app, EMAIL, "operator chose this 77")
    assert "keep_api_tokens" not in client.get("/settings/password").get_data(as_text=True)


def test_a_used_reset_link_revokes(users, app, db, session):
    token = _token(db)
    link = re.search(r"(/reset/\S+)", _cli(app, "users", "reset", EMAIL).output).group(1)
    client = app.test_client()
    form = csrf_from(client.get(link).get_data(as_text=True))
    assert client.post(link, data={"csrf_token": form, "new": NEW, "repeat": NEW}).status_code == 302
    assert _status(app, token) == 401
    assert _revocations(session) == [{"reason": [None, "password.reset"]}]


def test_the_owner_changing_it_revokes_unless_they_keep_their_tokens(users, app, db, session):
    token = _token(db)
    client = login_client(app, EMAIL)
    page = client.get("/settings/password").get_data(as_text=True)
    assert "keep_api_tokens" in page
    assert _change(client, keep=True) == 302
    assert _status(app, token) == 200 and _revocations(session) == []
    assert "vervalt wanneer een beheerder uw wachtwoord instelt" in client.get("/settings/tokens").get_data(
        as_text=True)


def test_the_owner_changing_it_without_keeping_revokes(users, app, db, session):
    token = _token(db)
    client = login_client(app, EMAIL)
    assert _change(client, keep=False) == 302
    assert _status(app, token) == 401
    assert _revocations(session) == [{"reason": [None, "password.change"]}]
