"""`tracker doctor`: one line per check, and a non-zero exit when one fails."""

from __future__ import annotations

import datetime as dt
import socket

from tests.conftest import NOW, SEED
from tracker import create_app
from tracker.clock import Clock, clock_of
from tracker.config import load_settings
from tracker.ops.doctor import doctor
from tracker.scheduler import catch_up


def run_doctor(app):
    result = app.test_cli_runner().invoke(doctor)
    # "LEVEL  name             message": the name fills a fixed column
    lines = {line[6:22].strip(): line for line in result.output.splitlines()[:-1]}
    return result, lines


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_doctor_passes_against_the_test_smtp_server(mail_app, smtp):
    handler, port = smtp
    catch_up(mail_app)
    result, lines = run_doctor(mail_app)
    assert result.exit_code == 0, result.output
    assert lines["smtp"].startswith("OK") and f"127.0.0.1:{port}: EHLO ok (no message sent)" in lines["smtp"]
    assert lines["database"].startswith("OK") and lines["migrations"].startswith("OK")
    assert lines["scheduler"].startswith("OK") and lines["outbox"].startswith("OK")
    assert lines["base URL"].startswith("WARN")  # plain http on loopback: development only
    # Nothing was fetched or warmed in this database: no feed and no piece is stored yet.
    assert "0 feeds and 0 event pieces stored in the database" in lines["feeds"]
    assert handler.messages == []
    assert result.output.splitlines()[-1].startswith("0 failed")


def test_doctor_fails_on_a_wrong_smtp_port_in_one_line(tmp_path, database_url, mail_app):
    catch_up(mail_app)
    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED),
        "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(closed_port()),
        "MAIL_FROM": "tracker@ministerie.example"})
    app = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    try:
        result, lines = run_doctor(app)
    finally:
        app.extensions["tracker.db"].dispose()
    assert result.exit_code == 1
    assert lines["smtp"].startswith("FAIL") and "cannot connect" in lines["smtp"]
    assert lines["scheduler"].startswith("OK")


def test_doctor_fails_when_the_scheduler_stopped(mail_app):
    catch_up(mail_app)
    clock_of(mail_app).advance(dt.timedelta(minutes=40))
    result, lines = run_doctor(mail_app)
    assert result.exit_code == 1
    assert lines["scheduler"].startswith("FAIL")
    assert "job delivery last ran 40 minutes ago" in lines["scheduler"]
    assert "job reminders last ran 40 minutes ago" in lines["scheduler"]
