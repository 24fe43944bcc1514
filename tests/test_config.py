import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.config import ConfigError, load_settings


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s.instance_path == tmp_path / "instance"
    assert s.database_url == f"sqlite:///{tmp_path / 'instance' / 'tracker.sqlite3'}"
    assert s.timezone == "Europe/Amsterdam" and s.base_url == "http://127.0.0.1:5000"
    assert s.clock is None  # the system's time


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-11-28T12:00Z", dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)),
        ("2026-11-28T13:00+01:00", dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)),
        ("2026-11-28T12:00", dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)),  # no offset: UTC
        ("", None),
    ],
)
def test_the_clock_setting_fixes_the_apps_time(tmp_path, value, moment):
    from tracker import create_app

    s = load_settings(environ={"TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_CLOCK": value})
    assert s.clock == moment
    if moment is not None:
        app = create_app(settings=s)
        clock = app.extensions["tracker.clock"]
        assert clock.frozen and clock.now() == moment and clock.now().utcoffset() == dt.timedelta(0)
        assert clock.today() == dt.date(2026, 11, 28)
        app.extensions["tracker.db"].dispose()


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"TRACKER_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(environ=env).secret_key
    assert len(first) == 64  # 48 random bytes, base64url
    assert load_settings(environ=env).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert load_settings(environ={**env, "TRACKER_SECRET_KEY": "x" * 20}).secret_key == "x" * 20


def test_the_operations_settings(tmp_path):
    env = {"TRACKER_INSTANCE_PATH": str(tmp_path)}
    default = load_settings(environ=env)
    assert (default.metrics_token, default.log_format) == (None, "text")
    assert [str(n) for n in default.metrics_allow] == ["127.0.0.1/32", "::1/128"]
    s = load_settings(environ={**env, "TRACKER_METRICS_ALLOW": "10.1.0.0/16, 192.0.2.7", "TRACKER_LOG_FORMAT": "JSON"})
    assert [str(n) for n in s.metrics_allow] == ["10.1.0.0/16", "192.0.2.7/32"]
    assert s.log_format == "json"
    assert "t" * 20 not in repr(load_settings(environ={**env, "TRACKER_METRICS_TOKEN": "t" * 20}))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRACKER_DATABSE_URL", "sqlite://", "TRACKER_DATABSE_URL is not a known setting"),
        ("TRACKER_DATABASE_URL", "not a url", "TRACKER_DATABASE_URL is not a database URL"),
        ("TRACKER_DATABASE_URL", "mysql://x/y", "backend 'mysql' is not supported"),
        ("TRACKER_TIMEZONE", "Europe/Amsterdm", "not an IANA time zone"),
        ("TRACKER_BASE_URL", "tracker.example.nl", "must be an http(s) URL"),
        ("TRACKER_SECRET_KEY", "short", "at least 16 characters"),
        ("TRACKER_CLOCK", "next tuesday", "TRACKER_CLOCK: 'next tuesday' is not a moment"),
        ("TRACKER_METRICS_TOKEN", "short", "TRACKER_METRICS_TOKEN must be at least 16 characters"),
        ("TRACKER_METRICS_ALLOW", "10.0.0.0/8,intranet", "TRACKER_METRICS_ALLOW: 'intranet' is not an address or CIDR"),
        ("TRACKER_LOG_FORMAT", "xml", "TRACKER_LOG_FORMAT='xml' must be text or json"),
    ],
)
def test_unknown_or_malformed_settings_stop_with_a_clear_message(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ={"TRACKER_INSTANCE_PATH": str(tmp_path), name: value})


def test_the_command_refuses_to_start_on_a_bad_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_INSTANCE_PATH=str(tmp_path), TRACKER_TIMEZONE="Mars/Olympus", TRACKER_CLOCK="2026-11-28T12:00Z")
    exe = Path(sys.executable).with_name("tracker")
    result = subprocess.run([str(exe), "board"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "TRACKER_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr
