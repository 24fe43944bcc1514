"""`tracker doctor`: one line per check, OK / WARN / FAIL, and a non-zero exit when anything fails.

Everything it reads is what the running services use: the settings, the database, the SMTP server (EHLO and
STARTTLS and, with credentials, a login; never a message), the scheduler's heartbeat and the outbox.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from tracker import migrate
from tracker.clock import clock_of
from tracker.config import Settings
from tracker.feeds.models import FeedPiece, FeedRender
from tracker.ops import heartbeat
from tracker.regulations import revision

OK, WARN, FAIL = "OK", "WARN", "FAIL"
BACKLOG_AGE_WARN = 3600  # seconds a pending message may wait before the backlog is worth a look
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Check:
    level: str
    name: str
    message: str

    def line(self) -> str:
        return f"{self.level:<4}  {self.name:<16} {self.message}"


def _settings_checks(s: Settings) -> Iterator[Check]:
    key = s.secret_key
    if len(key) < 32 or len(set(key)) < 10:
        yield Check(WARN, "secret key", "shorter than 32 characters or repetitive: use e.g. `openssl rand -base64 48`")
    else:
        yield Check(OK, "secret key", f"{len(key)} characters")
    host = urlsplit(s.base_url).hostname or ""
    if s.base_url.startswith("https://"):
        yield Check(OK, "base URL", s.base_url)
    elif host in LOOPBACK:
        yield Check(WARN, "base URL", f"{s.base_url}: plain http, fine only for development on this machine")
    else:
        yield Check(FAIL, "base URL", f"{s.base_url}: plain http to {host}; links and cookies need https://")
    if s.mail_backend == "file":
        yield Check(WARN, "mail settings", f"backend file: mail is written to {s.mail_path}, nobody receives it")
    elif bool(s.smtp_username) != bool(s.smtp_password):
        yield Check(FAIL, "mail settings", "set both TRACKER_SMTP_USERNAME and TRACKER_SMTP_PASSWORD, or neither")
    elif s.smtp_username and not s.smtp_starttls:
        yield Check(WARN, "mail settings", "a password is sent without STARTTLS (set TRACKER_SMTP_STARTTLS=true)")
    elif s.mail_from.endswith("@localhost"):
        yield Check(WARN, "mail settings", f"sender {s.mail_from}: receiving servers will refuse it")
    else:
        yield Check(OK, "mail settings", f"smtp via {s.smtp_host}:{s.smtp_port} from {s.mail_from}")


def check_smtp(s: Settings) -> Check:
    """Connect, EHLO, STARTTLS when set, log in when credentials are set, QUIT: no message is sent."""
    if s.mail_backend != "smtp":
        return Check(OK, "smtp", "not used (mail backend file)")
    where = f"{s.smtp_host}:{s.smtp_port}"
    try:
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=min(s.smtp_timeout, 10))
    except (OSError, smtplib.SMTPException) as exc:
        return Check(FAIL, "smtp", f"{where}: cannot connect ({exc})")
    try:
        code, _ = smtp.ehlo()
        if code != 250:
            return Check(FAIL, "smtp", f"{where}: EHLO answered {code}")
        steps = ["EHLO"]
        if s.smtp_starttls:
            smtp.starttls()
            smtp.ehlo()
            steps.append("STARTTLS")
        if s.smtp_username and s.smtp_password:
            smtp.login(s.smtp_username, s.smtp_password)
            steps.append("login")
        return Check(OK, "smtp", f"{where}: {', '.join(steps)} ok (no message sent)")
    except (OSError, smtplib.SMTPException) as exc:
        return Check(FAIL, "smtp", f"{where}: {exc}")
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _database_checks(app: Flask) -> Iterator[Check]:
    s: Settings = app.config["TRACKER"]
    db = app.extensions["tracker.db"]
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # whatever the driver raises, the database cannot be used
        yield Check(FAIL, "database", f"unreachable: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        return
    yield Check(OK, "database", f"reachable ({db.engine.dialect.name})")
    current, heads = migrate.current_revision(db.engine), migrate.heads(s.database_url)
    if current not in heads:
        yield Check(FAIL, "migrations", f"at {current or 'base'}, head is {', '.join(heads)}: run `tracker db upgrade`")
        return
    yield Check(OK, "migrations", f"at head {current}")
    now = clock_of(app).now()
    with db.sessionmaker() as session:
        status = heartbeat.status(session, now)
        portfolio = revision.current(session)
        feeds, pieces = session.execute(
            select(select(func.count()).select_from(FeedRender).scalar_subquery(),
                   select(func.count()).select_from(FeedPiece).scalar_subquery())).one()
    stale = [p.removeprefix("scheduler: ") for p in status.problems() if p.startswith("scheduler:")]
    last = status.last_run
    if stale:
        yield Check(FAIL, "scheduler", "; ".join(stale))
    else:
        yield Check(OK, "scheduler", f"last run {last.minutes_ago if last else '?'} minutes ago, every job on time")
    yield _backlog(status, now)
    yield Check(OK, "feeds", f"portfolio revision {portfolio}; {feeds} feeds and {pieces} event pieces stored in the "
                f"database (shared by workers), their files in {app.config['TRACKER'].instance_path / 'feeds'}")


def _backlog(status: heartbeat.Status, now: dt.datetime) -> Check:
    pending, failed = status.outbox.get("pending", 0), status.outbox.get("failed", 0)
    age = (now - status.oldest_pending).total_seconds() if status.oldest_pending else 0
    summary = f"{pending} pending, {failed} failed"
    if failed:
        return Check(WARN, "outbox", f"{summary}: see /admin/outbox")
    if age > BACKLOG_AGE_WARN:
        return Check(WARN, "outbox", f"{summary}; the oldest pending waits {int(age // 60)} minutes")
    return Check(OK, "outbox", summary)


def run_checks(app: Flask) -> list[Check]:
    s: Settings = app.config["TRACKER"]
    steps: list[Callable[[], Iterator[Check]]] = [
        lambda: _settings_checks(s),
        lambda: _database_checks(app),
        lambda: iter([check_smtp(s)]),
    ]
    return [c for step in steps for c in step()]


@click.command("doctor")
@with_appcontext
def doctor() -> None:
    """Check settings, database, migrations, SMTP, the scheduler's heartbeat, the outbox and the stored feeds."""
    checks = run_checks(current_app._get_current_object())  # type: ignore[attr-defined]  # Flask's proxy: the app object itself
    for check in checks:
        click.echo(check.line())
    failed = [c for c in checks if c.level == FAIL]
    click.echo(f"{len(failed)} failed, {sum(c.level == WARN for c in checks)} warnings, {len(checks)} checks")
    if failed:
        sys.exit(1)

