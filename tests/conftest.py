"""Fixtures: a real database per test (an SQLite file, or a PostgreSQL database when TESTS_POSTGRES_URL points at
a server), migrated with the real migrations.

Migrating and seeding take most of a test's time, so they run once per session into template databases, and each
test gets its own copy of the template it needs (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on
PostgreSQL): the tests stay isolated from each other. The levels, each one the one before plus more:

- empty: nothing at all (a test that asks only for `database_url` or `settings`, e.g. to run the migrations);
- migrated: the schema (`app`, `db`, `session`, `mail_app`);
- seeded: plus the seed (`seeded`);
- users: plus the four USERS (`users`, `login`, `viewer`).

A test gets a copy of the highest level that any fixture it uses needs (pytest knows them all before the first
fixture runs). Should a fixture still be reached some other way (`request.getfixturevalue`), it brings the copy up
to its level itself, the slow way, so every fixture keeps its promise.

The suite runs twice, on SQLite and on PostgreSQL. The PostgreSQL run keeps only the tests that can see a difference:
those that use the database under test, i.e. whose fixtures include `_templates` (every database fixture above
depends on it), and that are not marked `markup_only`. The others (pure functions, parsing, settings, catalogues,
source scans, markup) run in the SQLite run only; see pytest_collection_modifyitems.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.clock import Clock
from tracker.config import PROJECT_ROOT, Settings, load_settings
from tracker.db import Database

SEED = PROJECT_ROOT / "seed"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()

PASSWORD = "correct horse battery staple"
USERS = {
    "admin@example.nl": ("admin", []),
    "ezk.editor@example.nl": ("editor", ["EZK"]),
    "jenv.editor@example.nl": ("editor", ["JENV"]),
    "viewer@example.nl": ("viewer", ["EZK"]),
}

EMPTY, MIGRATED, SEEDED, WITH_USERS = range(4)
LEVEL_NAMES = ("empty", "migrated", "seeded", "users")
# The fixtures that need a level; a test's copy has the highest level among the fixtures it uses.
NEEDS = {"app": MIGRATED, "mail_app": MIGRATED, "seeded": SEEDED, "users": WITH_USERS}

# Every PostgreSQL database this session creates starts with this prefix, so the end of the session can drop
# whatever is left (a test that died half-way, a second database a test made for itself).
RUN_PREFIX = f"tracker_test_{uuid.uuid4().hex[:8]}_"


def _new_database_name(label: str = "") -> str:
    return f"{RUN_PREFIX}{label or uuid.uuid4().hex[:12]}"


def _no_commit_wait(name: str) -> str:
    """The statement that lets the PostgreSQL database `name` commit without waiting for the disk: with
    synchronous_commit off a commit returns before its WAL record is flushed (the server may lose the last commits
    if it crashes, and the suite drops everything anyway). What other sessions see, and when, is unchanged: a
    committed row is visible at once, locks and conflicts are the same. The PostgreSQL side of the SQLite files in
    memory (pytest_configure); set on every database the suite makes, never on the server or a role."""
    return f'ALTER DATABASE "{name}" SET synchronous_commit = off'


def _postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for as long as the generator runs (dropped when it resumes)."""
    admin_url = make_url(os.environ["TESTS_POSTGRES_URL"])
    name = _new_database_name()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(_no_commit_wait(name)))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _bring_up(url: str, start: int, target: int) -> dict[str, int]:
    """Take the database at `url` from level `start` to `target`; returns the users' ids when it adds them. Every
    engine is disposed on return: a PostgreSQL template must have no open connection, and an SQLite file is copied
    whole."""
    ids: dict[str, int] = {}
    if start < MIGRATED <= target:
        migrate.upgrade(url)
    if target <= max(start, MIGRATED):
        return ids
    database = Database(url)
    try:
        if start < SEEDED <= target:
            from tracker.seeding.loader import load_seed

            with database.transaction() as s:
                load_seed(s, SEED, now=NOW)
        if start < WITH_USERS <= target:
            from tracker.audit.record import Actor
            from tracker.auth.service import create_user

            with database.transaction() as s:
                for email, (role, teams) in USERS.items():
                    user = create_user(s, email=email, name=email.split("@")[0], role=role, teams=teams,
                                       password=PASSWORD, actor=Actor("test"), now=NOW)
                    ids[email] = user.id
    finally:
        database.dispose()
    return ids


class _SqliteServer:
    """Databases are files: `path` names the file (`label` is not used). A file in `folder` (the session's folder of
    databases) is deleted when dropped; any other stays in pytest's temporary folders."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def create(self, path: Path, label: str = "") -> str:
        return f"sqlite:///{path}"  # SQLite creates the file on the first connection

    def copy(self, template_url: str, path: Path, label: str = "") -> str:
        shutil.copyfile(make_url(template_url).database, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        if path.parent == self.folder:
            for file in (path, path.with_name(path.name + "-journal")):
                file.unlink(missing_ok=True)

    def close(self) -> None:
        pass


class _PostgresServer:
    """Databases on the server at TESTS_POSTGRES_URL, named RUN_PREFIX + `label` (or a random suffix); `path` is
    not used."""

    def __init__(self, admin_url: str) -> None:
        self.url = make_url(admin_url)
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def _execute(self, *statements: str) -> None:
        with self.admin.connect() as conn:
            for sql in statements:
                conn.execute(text(sql))

    def create(self, path: Path, label: str = "") -> str:
        name = _new_database_name(label)
        self._execute(f'CREATE DATABASE "{name}"', _no_commit_wait(name))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def copy(self, template_url: str, path: Path, label: str = "") -> str:
        name = _new_database_name(label)
        # Refused while anyone is connected to the template: _bring_up disposes its engines. A database's settings
        # do not come with its template: the copy gets its own.
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"', _no_commit_wait(name))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        """Drop every database of this session that is still there, templates included."""
        with self.admin.connect() as conn:
            names = conn.scalars(
                text("SELECT datname FROM pg_database WHERE left(datname, :n) = :prefix"),
                {"n": len(RUN_PREFIX), "prefix": RUN_PREFIX},
            ).all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


class _Templates:
    """One template database per level, built the first time a test needs it, and the copies the tests get.

    On PostgreSQL a copy (CREATE DATABASE ... TEMPLATE) takes the server a few tenths of a second, which the test
    would wait for at its start. So each copy handed out is replaced by a spare of the same level, made in a
    background thread while the test runs; the next test of that level takes the spare, a database nobody has used,
    made from the same template as the one it would have waited for. Unused spares go with everything else at the end
    of the session. SQLite copies a file in a millisecond: no spares."""

    def __init__(self, server: _SqliteServer | _PostgresServer, folder: Path) -> None:
        self.server, self.folder = server, folder
        self.urls: dict[int, str] = {}
        self.user_ids: dict[str, int] = {}
        self.failures: dict[int, str] = {}
        self.spares: dict[int, Future[str]] = {}
        self.maker = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="spare-database")
                      if isinstance(server, _PostgresServer) else None)

    def fresh(self, level: int, path: Path) -> str:
        """A new database at `level` for one test (`path`: where its SQLite file goes)."""
        if level == EMPTY:
            make: Callable[[Path], str] = self.server.create
        else:
            template = self.url(level)
            make = functools.partial(self.server.copy, template)
        if self.maker is None:
            return make(path)
        url = None
        spare = self.spares.pop(level, None)
        if spare is not None:
            with contextlib.suppress(Exception):  # failed in the background: made again below, which says why
                url = spare.result()
        if url is None:
            url = make(path)
        self.spares[level] = self.maker.submit(make, path)
        return url

    def close(self) -> None:
        if self.maker is not None:
            self.maker.shutdown(wait=True, cancel_futures=True)

    def url(self, level: int) -> str:
        if level in self.failures:  # built once, failed once: every later test says so at once
            raise RuntimeError(self.failures[level])
        if level not in self.urls:
            name = LEVEL_NAMES[level]
            start = EMPTY if level == MIGRATED else level - 1
            source = None if start == EMPTY else self.url(start)
            path = self.folder / f"{name}.sqlite3"
            if source is None:
                url = self.server.create(path, f"template_{name}")
            else:
                url = self.server.copy(source, path, f"template_{name}")
            try:
                self.user_ids.update(_bring_up(url, start, level))
            except Exception as exc:
                self.server.drop(url)
                self.failures[level] = f"building the {name} template database failed: {exc!r}"
                raise
            self.urls[level] = url
        return self.urls[level]


class _TestDatabase:
    """The one database of a test, and the level it has reached so far."""

    def __init__(self, url: str, level: int, user_ids: dict[str, int]) -> None:
        self.url, self.level, self.user_ids = url, level, dict(user_ids)

    def reach(self, level: int) -> None:
        if self.level < level:
            self.user_ids.update(_bring_up(self.url, self.level, level))
            self.level = level


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory, _cheap_password_hashing: None) -> Iterator[_Templates]:
    admin_url = os.environ.get("TESTS_POSTGRES_URL")
    folder = tmp_path_factory.mktemp("databases")  # in memory when pytest_configure could put it there
    server = _PostgresServer(admin_url) if admin_url else _SqliteServer(folder)
    templates = _Templates(server, folder)
    try:
        yield templates
    finally:
        templates.close()
        server.close()


@pytest.fixture
def _database(request: pytest.FixtureRequest, _templates: _Templates) -> Iterator[_TestDatabase]:
    level = max((NEEDS[name] for name in request.fixturenames if name in NEEDS), default=EMPTY)
    url = _templates.fresh(level, _templates.folder / f"{uuid.uuid4().hex}.sqlite3")
    try:
        yield _TestDatabase(url, level, _templates.user_ids if level >= WITH_USERS else {})
    finally:
        _templates.server.drop(url)


@pytest.fixture
def database_url(_database: _TestDatabase) -> str:
    return _database.url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        environ={},
        overrides={"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED)},
    )


@pytest.fixture
def app(settings: Settings, _database: _TestDatabase) -> Iterator[Flask]:
    _database.reach(MIGRATED)
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
def seeded(db: Database, _database: _TestDatabase) -> Database:
    """The database with the whole seed loaded (at NOW)."""
    _database.reach(SEEDED)
    return db


@pytest.fixture
def users(seeded: Database, _database: _TestDatabase) -> dict[str, int]:
    """The four USERS (password PASSWORD) on the seeded database: their ids by e-mail."""
    _database.reach(WITH_USERS)
    return dict(_database.user_ids)


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


def calendar_html(client: FlaskClient, path: str = "/calendar", **kwargs: object) -> str:
    """The calendar page with the user's feed link: made first (a POST, as the page's button does) when they have
    none, since GET /calendar writes nothing."""
    html = client.get(path, **kwargs).get_data(as_text=True)  # type: ignore[arg-type]
    if 'id="no-link"' in html:
        made = client.post("/calendar/link", data={"csrf_token": csrf_from(html)})
        assert made.status_code == 302, made.status_code
        html = client.get(path, **kwargs).get_data(as_text=True)  # type: ignore[arg-type]
    return html


CLOCK = "2026-11-28T12:00Z"  # NOW, as TRACKER_CLOCK spells it


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags keep Chromium from reaching out to the network, which this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Real Chromium (Debian's package) through Playwright, one process per test process: each test opens its own
    context (cookies, storage, viewport and locale of its own) and closes it, so nothing carries over from one test
    to the next but the running browser. Starting Playwright and Chromium cost a second or two per test module."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def live_url(app: Flask, users: dict[str, int]) -> Iterator[str]:
    """The test's app on a live server in a thread, on a free port of loopback."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)




@pytest.fixture
def tracker_here(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
                 capfd: pytest.CaptureFixture[str]):
    """`tracker ARGS` in this process: tracker.cli.main, which the installed command calls, with the TRACKER_*
    variables the command would get (this test's database and instance folder, the suite's clock, plus any given as
    keywords) and ARGS as its argv. Gives the exit code, standard output and standard error as subprocess.run does;
    an exception that escapes the command fails the test (a process would have printed a traceback).

    For tests of what a command does: a new process costs a second or two of start-up. The tests of the process
    itself (the installed command run for the first time, `tracker serve`, concurrent and killed processes) start
    it for real."""
    from tracker import cli

    env = {"TRACKER_INSTANCE_PATH": str(tmp_path / "instance"), "TRACKER_DATABASE_URL": database_url,
           "TRACKER_CLOCK": CLOCK}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        with monkeypatch.context() as m:
            for name in [k for k in os.environ if k.startswith("TRACKER_")]:
                m.delenv(name)
            for name, value in {**env, **extra}.items():
                m.setenv(name, value)
            m.setattr(sys, "argv", ["tracker", *args])
            capfd.readouterr()
            code: object = 0
            try:
                cli.main()
            except SystemExit as exit_:
                code = exit_.code
            out, err = capfd.readouterr()
        if code is None:
            code = 0
        elif not isinstance(code, int):  # sys.exit("message"): Python prints it and exits with 1
            code, err = 1, f"{err}{code}\n"
        return subprocess.CompletedProcess(["tracker", *args], code, out, err)

    return run


@pytest.fixture
def login(app: Flask, users: dict[str, int]):
    return lambda email, password=PASSWORD: login_client(app, email, password)


@pytest.fixture
def viewer(login) -> FlaskClient:
    return login("viewer@example.nl")


MEMORY = Path("/dev/shm")  # a tmpfs on Linux
MEMORY_NEEDED = 2 * 2**30  # bytes free in it for the suite's temporary folders


def pytest_configure(config: pytest.Config) -> None:
    """Two settings of the run, each only when not given otherwise:

    - pytest's temporary folders go to memory (/dev/shm, a tmpfs) when the machine has one, unless --basetemp or
      PYTEST_DEBUG_TEMPROOT (pytest's own setting for the root of those folders) says where. They hold the SQLite
      databases (real SQLite files all the same), the instance folders and whatever tests write: on a disk each
      commit waited for fsync (about 3 ms here, tens of thousands of commits) and pytest's removal of an old run's
      thousands of files delayed the end of the next. The xdist workers' folders are inside the controller's;
    - pytest-xdist hands the tests out one at a time (--maxschedchunk=1, a shared queue) instead of in blocks of a
      quarter of a worker's share, so the long tests, which go first (LONG_FIRST), are spread over the workers.
    """
    if getattr(config.option, "maxschedchunk", "absent") is None:
        config.option.maxschedchunk = 1
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    # Only a roomy tmpfs: a container's default /dev/shm of 64 MiB would fill with the suite's databases and PDFs.
    if MEMORY.is_dir() and os.access(MEMORY, os.W_OK) and shutil.disk_usage(MEMORY).free >= MEMORY_NEEDED:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY)


def uses_the_database(item: pytest.Item) -> bool:
    """Whether the test reaches the database under test: every fixture that gives one (database_url, settings, app,
    db, session, mail_app, seeded, users, login, viewer, empty_db, and every test's own fixture built on them)
    depends on the session's `_templates`, so the test's fixture closure names it."""
    return "_templates" in getattr(item, "fixturenames", ())


# The tests that take the longest (processes, browsers, hypothesis runs: five seconds and more here), longest first.
# They run before the rest, so that the two workers end together on short tests instead of one waiting for the
# other's last long one. Only the order changes; a name missing here just keeps its place.
LONG_FIRST = (
    "tests/test_unit_of_work_state.py",
    "tests/test_accessibility.py::test_every_page_and_state_passes_axe_has_unique_ids_and_fits_a_phone",
    "tests/test_accessibility_planning.py",
    "tests/test_fuzz.py",
    "tests/test_outbox_processes.py",
    "tests/test_cli.py::test_upgrade_seed_twice_and_board",
    "tests/test_accessibility_accounts.py",
    "tests/test_throttle.py::test_forty_parallel_guesses",
    "tests/test_accessibility.py::test_the_readme_tasks_by_keyboard_alone",
    "tests/test_table_widths.py",
    "tests/test_commands.py::test_stage_move_from_the_command_line",
    "tests/test_feeds_pieces.py::test_a_synthetic_portfolio",
    "tests/test_concurrent_editors.py",
    "tests/test_planning_browser.py",
)


def _long_first(item: pytest.Item) -> int:
    return next((i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run is there for what the database can change; it leaves to the SQLite run (deselected, not
    skipped, to keep CI short):

    - tests that use no database fixture (`uses_the_database`): pure functions, parsing, settings, catalogues,
      source scans, a `tracker` command that stops before it opens a database, `tracker serve` on its own SQLite
      file. Whatever they check comes out the same on both runs. A test that reaches the database any other way
      must ask for `database_url`, which also gives it the database of the run;
    - tests marked `markup_only`: they judge only what the browser gets (axe-core, ids, widths, focus), which the
      database cannot change.

    Then the long tests go first (LONG_FIRST), in both runs; the rest keep pytest's order.
    """
    if os.environ.get("TESTS_POSTGRES_URL"):
        once = [item for item in items if item.get_closest_marker("markup_only") or not uses_the_database(item)]
        if once:
            config.hook.pytest_deselected(items=once)
            left = set(map(id, once))
            items[:] = [item for item in items if id(item) not in left]
    items.sort(key=_long_first)  # stable: the order within each group stays


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test means a component is missing here: that is a failure, not a pass."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("FAILED: tests were skipped; install what they need instead", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def _compile_once() -> Iterator[None]:
    """URL rules and templates compiled once per test process, not once per test's app (tests/compile_once.py)."""
    from tests.compile_once import installed

    with installed():
        yield


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id with small cost parameters: the same algorithm and code path, a fraction of the time. The dummy
    hash that a log-in for an unknown address is checked against goes cheap too: argon2 verifies with the cost
    written in the hash, so the production one made every such attempt cost a full production hash."""
    from argon2 import PasswordHasher

    from tracker.auth import service

    production = service.HASHER, service._DUMMY_HASH
    service.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    service._DUMMY_HASH = service.HASHER.hash(uuid.uuid4().hex)
    yield
    service.HASHER, service._DUMMY_HASH = production


@pytest.fixture(autouse=True, scope="session")
def _metrics_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """prometheus_client's multiprocess files are process-wide: one folder for the session, removed at its end."""
    from prometheus_client import values

    folder = tmp_path_factory.mktemp("metrics")
    previous = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    yield
    values.close_all_multiprocess_files()
    shutil.rmtree(folder, ignore_errors=True)
    if previous is None:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = previous


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


@contextlib.contextmanager
def loopback_smtp(handler: object) -> Iterator[int]:
    """A real SMTP server (aiosmtpd) on loopback, on a free port, answering with `handler`; yields the port."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpCollector, int]]:
    """A real SMTP server on loopback, on a free port."""
    handler = SmtpCollector()
    with loopback_smtp(handler) as port:
        yield handler, port


@pytest.fixture
def empty_db(database_url: str, _templates: _Templates) -> Iterator[Database]:
    """A second, empty database at the same schema (a fresh file or PostgreSQL database): to import into."""
    if os.environ.get("TESTS_POSTGRES_URL"):
        gen = _postgres_database()
        url = next(gen)
    else:
        gen, url = None, _templates.server.create(_templates.folder / f"{uuid.uuid4().hex}-second.sqlite3")
    migrate.upgrade(url)
    db = Database(url)
    yield db
    db.dispose()
    if gen is not None:
        next(gen, None)
    else:
        _templates.server.drop(url)


@pytest.fixture
def mail_app(tmp_path: Path, database_url: str, _database: _TestDatabase, smtp) -> Iterator[Flask]:
    """The app with the SMTP backend pointing at the loopback server."""
    _, port = smtp
    settings = load_settings(environ={}, overrides={
        "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "SEED_PATH": str(SEED),
        "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TIMEOUT": "5",
        "MAIL_FROM": "tracker@ministerie.example"})
    _database.reach(MIGRATED)
    application = create_app(settings=settings, clock=Clock(settings.tz, NOW))
    yield application
    application.extensions["tracker.db"].dispose()
