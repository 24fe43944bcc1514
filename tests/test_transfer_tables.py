"""Export covers everything a person entered or the system must remember (issue 31): every table of the metadata
is exported or named as operational with its reason, and a restore plans, boards, sweeps and digests exactly as the
source did (the planning inputs and the marks that stop a reminder or digest going twice come along)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from tests.conftest import NOW, SEED
from tracker import create_app
from tracker.audit.record import Actor
from tracker.cli import cli
from tracker.clock import Clock
from tracker.config import load_settings
from tracker.db import Base
from tracker.notify.jobs import run_digests, run_reminders
from tracker.notify.models import OutboxMessage
from tracker.planning.commands import ConfirmCurrent, SetDuration, SetPlannedDate
from tracker.transfer import OPERATIONAL, TABLES, export_data, import_data
from tracker.unit_of_work import run_and_commit


def test_every_table_is_exported_or_named_operational_with_its_reason():
    tables = set(Base.metadata.tables)
    assert not set(TABLES) & set(OPERATIONAL), "a table is both exported and operational"
    assert tables == set(TABLES) | set(OPERATIONAL), sorted(tables ^ (set(TABLES) | set(OPERATIONAL)))
    assert all(len(reason) > 20 for reason in OPERATIONAL.values())
    assert "notify_marks" in TABLES  # a restore must not send a reminder or a digest again


def _answers(app, when: dt.datetime) -> dict:
    runner = app.test_cli_runner()
    plan = runner.invoke(cli, ["plan", "--json"])
    board = runner.invoke(cli, ["board", "--json"])
    assert plan.exit_code == 0 and board.exit_code == 0, plan.output + board.output
    return {"plan": json.loads(plan.output), "board": json.loads(board.output)}


def _outbox(app) -> int:
    with app.extensions["tracker.db"].sessionmaker() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_restore_plans_boards_sweeps_and_digests_exactly_as_the_source(app, users, db, empty_db, tmp_path):
    clock = Clock(NOW.tzinfo, NOW)
    with db.sessionmaker() as s:
        run_and_commit(s, SetPlannedDate("DSA", "in_force", "2030-Q1"), Actor("test"), clock)
        run_and_commit(s, SetDuration("parliament", 400, key="DMA"), Actor("test"), clock)
        run_and_commit(s, ConfirmCurrent("NIS2", "nog actueel"), Actor("test"), clock)
    queued = run_reminders(app, NOW) + run_digests(app, NOW)
    assert queued > 0  # the source has sent what was due: its marks say so
    with db.sessionmaker() as s:
        exported = export_data(s, with_password_hashes=True)
    with empty_db.transaction() as s:
        import_data(s, exported)
    settings = load_settings(environ={}, overrides={"INSTANCE_PATH": str(tmp_path / "restored"),
                                                    "DATABASE_URL": empty_db.url, "SEED_PATH": str(SEED)})
    restored = create_app(settings=settings, clock=clock)
    try:
        assert _answers(restored, NOW) == _answers(app, NOW)
        later = NOW + dt.timedelta(hours=1)
        # Nothing sent twice: the next sweep and digest queue the same (nothing) on both.
        before_source, before_restored = _outbox(app), _outbox(restored)
        assert (run_reminders(app, later), run_digests(app, later)) == (0, 0)
        assert (run_reminders(restored, later), run_digests(restored, later)) == (0, 0)
        # The outbox itself is operational (not restored); the marks that stop a mail going twice are.
        assert (_outbox(app), _outbox(restored)) == (before_source, before_restored) and before_restored == 0
    finally:
        restored.extensions["tracker.db"].dispose()
