"""Login throttling: a growing per-account delay instead of a lockout, a per-address limit on the real client
address (ProxyFix with TRACKER_TRUSTED_PROXIES), and exact atomic counts: 40 parallel guesses against a real
gunicorn are checked exactly ACCOUNT_FREE times, never a 500. The same gunicorn shows the access log redacted."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, PASSWORD, csrf_from
from tests.test_auth import another_app, post_login
from tracker.audit.models import AuditEvent
from tracker.auth import service, throttle
from tracker.auth.models import LoginThrottle
from tracker.clock import clock_of
from tracker.config import PROJECT_ROOT, ConfigError, load_settings


def test_the_delay_grows_from_one_second_to_a_minute():
    free = throttle.ACCOUNT_FREE
    assert [throttle.delay(n, free).total_seconds() for n in range(1, free + 9)] == [
        0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60][: free + 8]
    assert throttle.delay(10_000, free) == throttle.MAX_DELAY


def test_an_attacker_is_slowed_and_the_owner_is_not_locked_out(users, app, settings):
    clock = clock_of(app)
    for _ in range(throttle.ACCOUNT_FREE):
        assert post_login(app.test_client(), "viewer@example.nl", "bad password 1").status_code == 401
    # Another worker (another app) sees the same counter: it lives in the database.
    other = another_app(settings)
    response = post_login(other.test_client(), "viewer@example.nl", PASSWORD)
    assert response.status_code == 429 and "wacht 1 seconden" in response.get_data(as_text=True)
    other.extensions["tracker.db"].dispose()
    # Other accounts from the same address are not touched.
    assert post_login(app.test_client(), "admin@example.nl", PASSWORD).status_code == 302
    # Each further guess waits twice as long; guesses while blocked do not count or lengthen the wait.
    for wait in (1, 2, 4, 8):
        for _ in range(3):
            assert post_login(app.test_client(), "viewer@example.nl", "bad password 2").status_code == 429
        clock.advance(dt.timedelta(seconds=wait))
        assert post_login(app.test_client(), "viewer@example.nl", "bad password 2").status_code == 401
    # The owner waits at most a minute, whatever the attacker did, and then gets in.
    clock.advance(throttle.MAX_DELAY)
    assert post_login(app.test_client(), "viewer@example.nl", PASSWORD).status_code == 302
    with app.extensions["tracker.db"].sessionmaker() as s:
        assert s.get(LoginThrottle, "account:viewer@example.nl") is None


def test_the_counter_forgets_after_a_quiet_window(users, session):
    for _ in range(throttle.ACCOUNT_FREE):
        with pytest.raises(service.LoginRefused):
            service.authenticate(session, "viewer@example.nl", "nope", address="1.2.3.4", now=NOW)
    later = NOW + throttle.WINDOW + dt.timedelta(seconds=1)
    for _ in range(throttle.ACCOUNT_FREE - 1):
        with pytest.raises(service.LoginRefused) as refused:
            service.authenticate(session, "viewer@example.nl", "nope", address="1.2.3.4", now=later)
        assert not refused.value.throttled  # counted from one again
    assert service.authenticate(session, "viewer@example.nl", PASSWORD, address="1.2.3.4", now=later)


def test_failed_logins_are_limited_per_address(users, app):
    for i in range(throttle.ADDRESS_FREE):
        post_login(app.test_client(), f"nobody{i}@example.nl", "bad password 1", REMOTE_ADDR="10.9.8.7")
    assert post_login(app.test_client(), "viewer@example.nl", PASSWORD, REMOTE_ADDR="10.9.8.7").status_code == 429
    assert post_login(app.test_client(), "viewer@example.nl", PASSWORD, REMOTE_ADDR="10.9.8.8").status_code == 302


def test_behind_trusted_proxies_the_client_address_counts_and_a_forged_header_does_not(users, settings):
    proxied = another_app(settings, TRUSTED_PROXIES="1")
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(throttle.ADDRESS_FREE):
        # The client forges a first X-Forwarded-For; the proxy appends the address it really saw.
        post_login(proxied.test_client(), f"nobody{i}@example.nl", "bad password 1",
                   HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.9", **via_proxy)
    with proxied.extensions["tracker.db"].sessionmaker() as s:
        assert s.get(LoginThrottle, "address:203.0.113.9").failures == throttle.ADDRESS_FREE
        assert s.get(LoginThrottle, "address:127.0.0.1") is None  # the proxy's own address is nobody's
    blocked = post_login(proxied.test_client(), "viewer@example.nl", PASSWORD,
                         HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    assert blocked.status_code == 429
    # Everyone else behind the same proxy logs in as usual.
    ok = post_login(proxied.test_client(), "viewer@example.nl", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4",
                    **via_proxy)
    assert ok.status_code == 302
    proxied.extensions["tracker.db"].dispose()


@pytest.mark.parametrize("value", ["-1", "6", "one", "1.5"])
def test_a_bad_trusted_proxies_setting_stops_the_start(value):
    with pytest.raises(ConfigError, match="TRACKER_TRUSTED_PROXIES"):
        load_settings(environ={"TRACKER_TRUSTED_PROXIES": value})


# -- against a real gunicorn ---------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(users, settings, tmp_path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DATABASE_URL=settings.database_url, TRACKER_INSTANCE_PATH=str(settings.instance_path),
               TRACKER_CLOCK=NOW.isoformat(), TRACKER_SECRET_KEY="x" * 32)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "-w", "3", "--threads", "8",
         "-b", f"127.0.0.1:{port}", "--access-logfile", str(log), "tracker.wsgi:app"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
    yield port, log
    process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is left to finish here
    process.wait(timeout=20)


def _request(port: int, method: str, path: str, body: str = "", cookie: str = "") -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def test_forty_parallel_guesses_are_counted_exactly_and_the_log_keeps_no_token(gunicorn, users, db):
    port, log = gunicorn
    forms = []
    for _ in range(40):  # each guess its own browser: its own session cookie and CSRF token
        _, headers, page = _request(port, "GET", "/login")
        cookie = headers["set-cookie"].split(";")[0]
        forms.append((cookie, csrf_from(page)))

    def guess(form: tuple[str, str]) -> int:
        cookie, token = form
        body = f"email=viewer%40example.nl&password=wrong+guess+{token[:6]}&csrf_token={token}"
        return _request(port, "POST", "/login", body, cookie)[0]

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(guess, forms))
    assert sorted(statuses) == [401] * throttle.ACCOUNT_FREE + [429] * (40 - throttle.ACCOUNT_FREE)
    with db.sessionmaker() as s:
        failures = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.failure"))
        assert failures == throttle.ACCOUNT_FREE
        assert s.get(LoginThrottle, "account:viewer@example.nl").failures == throttle.ACCOUNT_FREE

    secret = "s3cr3t-token-value-ABCDEF"
    for path in (f"/feeds/{secret}.ics?team=EZK", f"/unsubscribe/{secret}", f"/reset/{secret}"):
        assert _request(port, "GET", path)[0] == 404
    time.sleep(0.5)  # the access log is written after the response
    text = Path(log).read_text()
    assert secret not in text
    assert re.search(r'"GET /feeds/<redacted>\?team=EZK HTTP/1.1" 404', text)
    assert '"GET /unsubscribe/<redacted> HTTP/1.1" 404' in text and '"GET /reset/<redacted> HTTP/1.1" 404' in text
    assert '"POST /login HTTP/1.1" 429' in text
