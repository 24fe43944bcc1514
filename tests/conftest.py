"""Fixtures: a real database per test (an SQLite file, or a fresh PostgreSQL database when
TESTS_POSTGRES_URL points at a server), migrated with the real migrations."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.clock import Clock
from tracker.config import PROJECT_ROOT, Settings, load_settings
from tracker.db import Database

SEED = PROJECT_ROOT / "seed"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def _postgres_database() -> Iterator[str]:
    admin_url = make_url(os.environ["TESTS_POSTGRES_URL"])
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
    if os.environ.get("TESTS_POSTGRES_URL"):
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
    application = create_app(settings=settings, clock=Clock(settings.tz, NOW))
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


PASSWORD = "correct horse battery staple"
USERS = {
    "admin@example.nl": ("admin", []),
    "ezk.editor@example.nl": ("editor", ["EZK"]),
    "jenv.editor@example.nl": ("editor", ["JENV"]),
    "viewer@example.nl": ("viewer", ["EZK"]),
}


@pytest.fixture
def users(seeded: Database) -> dict[str, int]:
    from tracker.audit.record import Actor
    from tracker.auth.service import create_user

    ids = {}
    with seeded.transaction() as s:
        for email, (role, teams) in USERS.items():
            user = create_user(
                s,
                email=email,
                name=email.split("@")[0],
                role=role,
                teams=teams,
                password=PASSWORD,
                actor=Actor("test"),
                now=NOW,
            )
            ids[email] = user.id
    return ids


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def login_client(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def login(app: Flask, users: dict[str, int]):
    return lambda email, password=PASSWORD: login_client(app, email, password)


@pytest.fixture
def viewer(login) -> FlaskClient:
    return login("viewer@example.nl")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test means a component is missing here: that is a failure, not a pass."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("FAILED: tests were skipped; install what they need instead", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id with small cost parameters: the same algorithm and code path, a fraction of the time."""
    from argon2 import PasswordHasher

    from tracker.auth import service

    production = service.HASHER
    service.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    service.HASHER = production


class SmtpCollector:
    """An aiosmtpd handler that keeps what it receives, or answers with `reply` (e.g. "451 try later")."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.reply: str | None = None
        self.hang = 0.0  # seconds to stall before answering DATA (and then refuse with 451)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.hang:
            import asyncio

            await asyncio.sleep(self.hang)
            return "451 4.4.2 timed out"
        if self.reply:
            return self.reply
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpCollector, int]]:
    """A real SMTP server on loopback, on a free port."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = SmtpCollector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def mail_app(tmp_path: Path, database_url: str, smtp) -> Iterator[Flask]:
    """The app with the SMTP backend pointing at the loopback server."""
    _, port = smtp
    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED),
        "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TIMEOUT": "5",
        "MAIL_FROM": "tracker@ministerie.example"})
    migrate.upgrade(settings.database_url)
    application = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    yield application
    application.extensions["tracker.db"].dispose()
