"""Exactly once with real processes: concurrent sweeps and deliveries, and a delivery process killed mid-send.

The child processes get TRACKER_CLOCK (the suite's moment) besides their explicit --now, so nothing they do
depends on the day the machine says it is.
"""

import datetime as dt
import email
import os
import re
import signal
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW
from tracker.auth.models import Team, User
from tracker.dates import PrecisionDate
from tracker.notify.models import OutboxMessage, OutboxStatus
from tracker.regulations.models import Deadline, DeadlineKind, Regulation

EXE = str(Path(sys.executable).with_name("tracker"))
DUE = dt.date(2027, 6, 1)
SWEEP_AT = "2027-05-29T09:00:00+00:00"  # three days before: the 7-day reminder is due
DELIVER_AT = "2027-05-29T09:05:00+00:00"
ITEMS, MEMBERS = 3, 60  # one mail per member lists their reminders: 60 mails, more than one claim of 50


@pytest.fixture
def portfolio(mail_app):
    db = mail_app.extensions["tracker.db"]
    with db.transaction() as s:
        team = Team(key="EZK", name="EZK")
        s.add(team)
        s.flush()
        for i in range(MEMBERS):
            s.add(User(email=f"m{i}@ezk.nl", name=f"m{i}", role="editor", active=True, created_at=NOW, teams=[team]))
        reg = Regulation(key="DSA", title="DSA", kind="regulation", team_id=team.id, created_at=NOW, updated_at=NOW)
        s.add(reg)
        s.flush()
        for i in range(ITEMS):
            s.add(Deadline(regulation_id=reg.id, kind=DeadlineKind.OTHER, title=f"Obligation {i}",
                           due=PrecisionDate.day(DUE), created_at=NOW, updated_at=NOW))
    return db


@pytest.fixture
def env(mail_app, smtp):
    settings = mail_app.config["TRACKER"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    base.update(TRACKER_DATABASE_URL=settings.database_url, TRACKER_INSTANCE_PATH=str(settings.instance_path),
                TRACKER_MAIL_BACKEND="smtp", TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=str(smtp[1]),
                TRACKER_SMTP_TIMEOUT="5", TRACKER_CLOCK="2026-11-28T12:00Z")
    return base


def start(env, *args):
    return subprocess.Popen([EXE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs):
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err


def message_ids(handler):
    return [email.message_from_bytes(m, policy=policy.default)["Message-ID"] for m in handler.messages]


def rows_queued(db) -> int:
    with db.sessionmaker() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage))


def assert_each_message_once(handler, db):
    """Every member got every item's reminder exactly once (in one mail or, after concurrent sweeps, in several),
    and every outbox row is sent, once."""
    parsed = [email.message_from_bytes(m, policy=policy.default) for m in handler.messages]
    pairs = sorted((m["To"], title) for m in parsed
                   for title in re.findall(r"DSA - (Obligation \d+)", m.get_body(("plain",)).get_content()))
    assert len(pairs) == ITEMS * MEMBERS and len(set(pairs)) == len(pairs)
    assert {to for to, _ in pairs} == {f"m{i}@ezk.nl" for i in range(MEMBERS)}
    ids = message_ids(handler)
    assert len(set(ids)) == len(ids) == rows_queued(db) >= MEMBERS
    with db.sessionmaker() as s:
        rows = s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        assert dict(rows) == {OutboxStatus.SENT: len(ids)}


def test_two_sweeps_and_two_deliveries_at_once_send_each_message_once(portfolio, env, smtp):
    handler, _ = smtp
    finish([start(env, "reminders", "sweep", "--now", SWEEP_AT) for _ in range(2)])
    assert MEMBERS <= rows_queued(portfolio) <= 2 * MEMBERS  # a member's reminders are in one mail, or two
    finish([start(env, "outbox", "deliver", "--now", DELIVER_AT) for _ in range(2)])
    assert_each_message_once(handler, portfolio)


def test_sweeps_and_deliveries_all_running_together(portfolio, env, smtp):
    handler, _ = smtp
    procs = []
    for _ in range(2):
        procs.append(start(env, "reminders", "sweep", "--now", SWEEP_AT))
        procs.append(start(env, "outbox", "deliver", "--now", DELIVER_AT))
    finish(procs)
    finish([start(env, "outbox", "deliver", "--now", DELIVER_AT)])  # whatever was queued after both deliveries
    assert_each_message_once(handler, portfolio)


def test_a_delivery_process_killed_mid_send_is_recovered_once(portfolio, env, smtp):
    handler, _ = smtp
    finish([start(env, "reminders", "sweep", "--now", SWEEP_AT)])  # queued, then that process is gone
    handler.hang = 30  # the server stalls on the first message
    victim = start(env, "outbox", "deliver", "--now", DELIVER_AT)
    deadline = time.monotonic() + 30
    with portfolio.sessionmaker() as s:
        while s.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)) == 0:
            assert time.monotonic() < deadline, "delivery never claimed anything"
            time.sleep(0.1)
            s.rollback()
        claimed = s.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING))
    assert claimed == 50  # one claim takes up to 50 rows
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    handler.hang = 0
    # Nothing is lost with the process: its rows are still there, claimed, and nothing was sent.
    with portfolio.sessionmaker() as s:
        rows = dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert rows == {OutboxStatus.SENDING: claimed, OutboxStatus.PENDING: MEMBERS - claimed}
    assert handler.messages == []
    # Right after the kill its claim is fresh: a new delivery sends only what the dead one had not claimed ...
    finish([start(env, "outbox", "deliver", "--now", DELIVER_AT)])
    assert len(handler.messages) == MEMBERS - claimed
    # ... and takes it over once the claim has expired.
    finish([start(env, "outbox", "deliver", "--now", "2027-05-29T09:30:00+00:00")])
    assert_each_message_once(handler, portfolio)
