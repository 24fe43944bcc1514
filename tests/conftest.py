"""Fixtures: a real database per test (an SQLite file, or a fresh PostgreSQL database when
TRACKER_TEST_POSTGRES_URL points at a server), migrated with the real migrations."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.config import PROJECT_ROOT, Settings, load_settings
from tracker.db import Database

SEED = PROJECT_ROOT / "seed"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def _postgres_database() -> Iterator[str]:
    admin_url = make_url(os.environ["TRACKER_TEST_POSTGRES_URL"])
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if os.environ.get("TRACKER_TEST_POSTGRES_URL"):
        yield from _postgres_database()
    else:
        yield f"sqlite:///{tmp_path / 'tracker.sqlite3'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        environ={},
        overrides={"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED)},
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    migrate.upgrade(settings.database_url)
    application = create_app(settings=settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["tracker.db"].dispose()


@pytest.fixture
def db(app: Flask) -> Database:
    return app.extensions["tracker.db"]


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.sessionmaker() as s:
        yield s


@pytest.fixture
def seeded(db: Database) -> Database:
    from tracker.seeding.loader import load_seed

    with db.transaction() as s:
        load_seed(s, SEED, now=NOW)
    return db


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test means a component is missing here: that is a failure, not a pass."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("FAILED: tests were skipped; install what they need instead", red=True)
        session.exitstatus = 1
