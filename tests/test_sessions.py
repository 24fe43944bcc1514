"""Sessions (ASVS V7): an absolute lifetime (TRACKER_SESSION_MAX_DAYS) besides the idle limit, one's own sessions
listed with "end this" and "end all others", the scheduler's purge; and API tokens' expiry and last use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, login_client
from tests.test_auth import another_app
from tracker.api.models import ApiToken
from tracker.auth import sessions
from tracker.auth.jobs import purge_sessions
from tracker.auth.models import LoginThrottle, UserSession
from tracker.clock import clock_of
from tracker.config import ConfigError, load_settings
from tracker.i18n import format_moment


def test_a_session_ends_after_the_absolute_lifetime_however_active(users, app):
    client = login_client(app, "viewer@example.nl")
    clock = clock_of(app)
    for _ in range(7 * 2 - 1):  # active every 12 hours less a minute: never idle
        clock.advance(dt.timedelta(hours=12) - dt.timedelta(minutes=1))
        assert client.get("/").status_code == 200
    clock.advance(dt.timedelta(hours=12))
    assert client.get("/").status_code == 302 and "/login" in client.get("/").headers["Location"]


def test_an_idle_session_ends_and_last_seen_is_written_at_most_once_a_minute(users, app, db):
    client = login_client(app, "viewer@example.nl")
    clock = clock_of(app)
    with db.sessionmaker() as s:
        first = s.scalar(select(UserSession.last_seen_at))
    clock.advance(dt.timedelta(seconds=30))
    client.get("/")
    with db.sessionmaker() as s:
        assert s.scalar(select(UserSession.last_seen_at)) == first  # not a write on every request
    clock.advance(dt.timedelta(seconds=31))
    client.get("/")
    with db.sessionmaker() as s:
        assert s.scalar(select(UserSession.last_seen_at)) == clock.now()
    clock.advance(sessions.IDLE)
    assert client.get("/").status_code == 302


def test_the_lifetime_is_a_setting(users, settings):
    short = another_app(settings, SESSION_MAX_DAYS="1")
    client = login_client(short, "viewer@example.nl")
    clock_of(short).advance(dt.timedelta(hours=11))
    assert client.get("/").status_code == 200
    clock_of(short).advance(dt.timedelta(hours=11))
    assert client.get("/").status_code == 200
    clock_of(short).advance(dt.timedelta(hours=2, seconds=1))
    assert client.get("/").status_code == 302
    short.extensions["tracker.db"].dispose()


@pytest.mark.parametrize("value", ["0", "91", "seven", "-1"])
def test_a_bad_session_lifetime_stops_the_start(value):
    with pytest.raises(ConfigError, match="TRACKER_SESSION_MAX_DAYS"):
        load_settings(environ={"TRACKER_SESSION_MAX_DAYS": value})


def test_own_sessions_are_listed_and_can_be_ended(users, app):
    laptop = login_client(app, "viewer@example.nl")
    phone = app.test_client()
    token = csrf_from(phone.get("/login").get_data(as_text=True))
    phone.post("/login", data={"email": "viewer@example.nl", "password": "correct horse battery staple",
                               "csrf_token": token}, headers={"User-Agent": "Phone Browser/1.0"},
               environ_base={"REMOTE_ADDR": "192.0.2.44"})
    tablet = login_client(app, "viewer@example.nl")
    login_client(app, "admin@example.nl")  # someone else's session is never listed
    page = laptop.get("/settings/sessions").get_data(as_text=True)
    assert page.count("data-session=") == 3
    assert "Phone Browser/1.0" in page and "192.0.2.44" in page and "deze sessie" in page
    assert "Een sessie eindigt na 12 uur zonder gebruik en uiterlijk 7 dagen na het inloggen." in page
    phone_id = re.search(r'data-session="(\d+)"[^>]*>\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>192\.0\.2\.44',
                         page).group(1)
    csrf = csrf_from(page)
    assert laptop.post(f"/settings/sessions/{phone_id}/end", data={"csrf_token": csrf}).status_code == 302
    assert phone.get("/").status_code == 302 and tablet.get("/").status_code == 200
    # Another user's session id is a 404 and ends nothing.
    admin_page = login_client(app, "admin@example.nl")
    admin_csrf = csrf_from(admin_page.get("/settings/sessions").get_data(as_text=True))
    own_ids = re.findall(r'data-session="(\d+)"', laptop.get("/settings/sessions").get_data(as_text=True))
    assert admin_page.post(f"/settings/sessions/{own_ids[0]}/end", data={"csrf_token": admin_csrf}).status_code == 404
    # End all others: the link asks first on a page of its own, which ends nothing; its POST ends them.
    confirm = laptop.get("/settings/sessions/end-others")
    assert confirm.status_code == 200 and "Alle andere sessies beëindigen?" in confirm.get_data(as_text=True)
    assert tablet.get("/").status_code == 200
    assert laptop.post("/settings/sessions/end-others", data={"csrf_token": csrf}).status_code == 302
    assert tablet.get("/").status_code == 302 and laptop.get("/").status_code == 200
    page = laptop.get("/settings/sessions").get_data(as_text=True)
    assert page.count("data-session=") == 1
    # Ending this very session is logging out.
    own = re.search(r'data-session="(\d+)"', page).group(1)
    response = laptop.post(f"/settings/sessions/{own}/end", data={"csrf_token": csrf})
    assert response.headers["Location"].endswith("/login") and laptop.get("/").status_code == 302


def test_the_purge_job_removes_sessions_that_no_longer_work(users, app, db):
    login_client(app, "viewer@example.nl")
    ended = login_client(app, "admin@example.nl")
    ended.post("/logout", data={"csrf_token": csrf_from(ended.get("/").get_data(as_text=True))})
    clock = clock_of(app)
    assert purge_sessions(app) == 0  # a fresh logout stays a day
    clock.advance(dt.timedelta(days=1, seconds=1))
    # The ended session, the other one (idle for over 12 hours by now) and the quiet login counter of 127.0.0.1.
    assert purge_sessions(app) == 3
    with db.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(UserSession)) == 0
        assert s.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_api_tokens_expire_and_record_their_last_use(users, viewer, app, db):
    csrf = csrf_from(viewer.get("/settings/tokens").get_data(as_text=True))
    refused = viewer.post("/settings/tokens", data={"name": "x", "days": "9999", "csrf_token": csrf})
    assert refused.status_code == 400
    page = viewer.post("/settings/tokens", data={"name": "dashboard", "days": "30", "csrf_token": csrf})
    value = re.search(r"trk_[A-Za-z0-9_\-]+", page.get_data(as_text=True)).group(0)
    clock = clock_of(app)
    created = clock.now()
    assert "28 december 2026 13:00" in page.get_data(as_text=True)  # created 2026-11-28 12:00 UTC, for 30 days
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {value}"}
    assert "nooit" in viewer.get("/settings/tokens").get_data(as_text=True)
    assert api.get("/api/v1/regulations", headers=bearer).status_code == 200
    clock.advance(dt.timedelta(seconds=20))
    assert api.get("/api/v1/regulations", headers=bearer).status_code == 200
    with db.sessionmaker() as s:
        assert s.scalar(select(ApiToken.last_used_at)) == created  # at most one write a minute
    clock.advance(dt.timedelta(minutes=1))
    api.get("/api/v1/regulations", headers=bearer)
    with db.sessionmaker() as s:
        assert s.scalar(select(ApiToken.last_used_at)) == clock.now()
    assert format_moment(clock.now(), "nl") in viewer.get("/settings/tokens").get_data(as_text=True)
    clock.set(created + dt.timedelta(days=30))
    expired = api.get("/api/v1/regulations", headers=bearer)
    assert expired.status_code == 401 and "expired" in expired.get_json()["detail"]
    again = login_client(app, "viewer@example.nl")  # the browser session itself ended long ago
    assert ">verlopen<" in again.get("/settings/tokens").get_data(as_text=True)


def test_a_new_token_lasts_90_days_by_default(users, app):
    from tracker.cli import cli

    result = app.test_cli_runner().invoke(cli, ["api-token", "create", "viewer@example.nl"])
    assert result.exit_code == 0
    with app.extensions["tracker.db"].sessionmaker() as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.expires_at - row.created_at == dt.timedelta(days=90)


def test_revoking_an_api_token_asks_first_on_a_page_of_its_own(users, viewer, app, db):
    csrf = csrf_from(viewer.get("/settings/tokens").get_data(as_text=True))
    page = viewer.post("/settings/tokens", data={"name": "dashboard", "days": "30", "csrf_token": csrf})
    with db.sessionmaker() as s:
        token_id = s.scalars(select(ApiToken.id)).one()
    listing = viewer.get("/settings/tokens").get_data(as_text=True)
    assert f'href="/settings/tokens/{token_id}/revoke"' in listing and "<form" not in listing.split('id="tokens"')[1]
    confirm = viewer.get(f"/settings/tokens/{token_id}/revoke")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Token dashboard intrekken?" in text and 'id="confirm-form"' in text
    with db.sessionmaker() as s:
        assert s.scalar(select(ApiToken.revoked_at)) is None  # asking revokes nothing
    done = viewer.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(text)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/settings/tokens")
    with db.sessionmaker() as s:
        assert s.scalar(select(ApiToken.revoked_at)) is not None
    assert ">ingetrokken<" in viewer.get("/settings/tokens").get_data(as_text=True)
    assert page.status_code == 200
    other = login_client(app, "admin@example.nl")
    assert other.get(f"/settings/tokens/{token_id}/revoke").status_code == 404  # only one's own tokens
