"""The `tracker` command: everything an operator does."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import WSGIRequestHandler

from tracker import create_app
from tracker.api.cli import api_token
from tracker.audit.record import Actor
from tracker.auth.cli import ensure_admin, users
from tracker.clock import get_clock
from tracker.config import ConfigError, Settings, load_settings
from tracker.date_words import format_day
from tracker.db import get_db
from tracker.errors import Refused
from tracker.feeds.cli import feeds
from tracker.labels import label_in
from tracker.notify.cli import digest_group, outbox_group, reminders_group
from tracker.ops.doctor import doctor
from tracker.planning.cli import plan_command
from tracker.redaction import redact
from tracker.refusals import exit_cli
from tracker.regulations.cli import stage_group
from tracker.regulations.queries import board as build_board
from tracker.regulations.stages import Stage
from tracker.report.cli import report_command
from tracker.scheduler import catch_up, make_scheduler
from tracker.seeding.commands import LoadSeed
from tracker.seeding.loader import SEED_ACTOR
from tracker.seeding.schema import SeedError
from tracker.terminal import day_option
from tracker.unit_of_work import run_and_commit


def _settings() -> Settings:
    return current_app.config["TRACKER"]



class _Tracker(FlaskGroup):
    """The tracker's commands: a refusal from any of them is printed with its fields and exits 1 (tracker.refusals)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Refused as exc:
            exit_cli(exc)


@click.group(
    cls=_Tracker,
    create_app=lambda: create_app(settings=_LOADED),
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def cli() -> None:
    """The EU implementation tracker. Settings come from TRACKER_* environment variables (see README)."""


cli.add_command(users)
cli.add_command(feeds)
cli.add_command(report_command)
for _group in (reminders_group, digest_group, outbox_group, api_token, stage_group, doctor):
    cli.add_command(_group)
cli.add_command(plan_command)


# -- database -----------------------------------------------------------------------------------
@cli.group()
def db() -> None:
    """Create and migrate the database schema (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from tracker import migrate

    migrate.upgrade(_settings().database_url, revision)
    click.echo(f"database at {migrate.current_revision(get_db().engine)}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    from tracker import migrate

    migrate.downgrade(_settings().database_url, revision)
    click.echo(f"database at {migrate.current_revision(get_db().engine) or 'base'}")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the applied revision and whether it is the latest."""
    from tracker import migrate

    url = _settings().database_url
    rev = migrate.current_revision(get_db().engine)
    state = "up to date" if rev in migrate.heads(url) else "needs `tracker db upgrade`"
    click.echo(f"{rev or 'base'} ({state})")


# -- seed ---------------------------------------------------------------------------------------
@cli.command("seed")
@with_appcontext
def seed() -> None:
    """Load the report's portfolio from the seed folder; validates everything first, loads idempotently."""
    _require_schema()
    _load_seed_or_exit()


def _load_seed_or_exit() -> None:
    try:
        with get_db().sessionmaker() as session:
            report = run_and_commit(session, LoadSeed(_settings().seed_path), Actor(SEED_ACTOR), get_clock())
    except SeedError as exc:
        click.echo(f"Nothing was loaded: {len(exc.problems)} problem(s) in {_settings().seed_path}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(report.summary())
    click.echo("seed loaded" if report.changed else "seed already loaded: nothing changed")
    from tracker.feeds.jobs import warm_app  # the feeds' events rendered now, not by the first subscriber

    warm_app(current_app._get_current_object())  # type: ignore[attr-defined]  # Flask's proxy: the app object itself


# -- board --------------------------------------------------------------------------------------
@cli.command("board")
@click.option("--as-of", "as_of", callback=day_option, metavar="YYYY-MM-DD", help="Show the board as of this day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: each regulation's short name and stage key.")
@with_appcontext
def board_command(as_of: dt.date | None, as_json: bool) -> None:
    """The board by stage, as in Figure 8 of the report."""
    _require_schema()
    day = as_of or get_clock().today()
    with get_db().sessionmaker() as session:
        result = build_board(session, day, today=get_clock().today(), limit=None)
        if as_json:
            payload = {
                "as_of": day.isoformat(),
                "regulations": [
                    {
                        "key": c.regulation.key,
                        "short_name": c.regulation.short_name or c.regulation.key,
                        "stage": c.stage.value if c.stage else None,
                        "since": c.since.isoformat() if c.since else None,
                        "next_deadline": (
                            {"due": c.next_deadline.due.isoformat(), "title": c.next_deadline.title}
                            if c.next_deadline
                            else None
                        ),
                    }
                    for c in result.cards
                ],
            }
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        click.echo(f"Board as of {format_day(day, 'en')}")
        for stage, cards in result.columns.items():
            if stage is None and not cards:
                continue
            title = (f"{label_in(stage, 'nl')} / {label_in(stage, 'en')}" if isinstance(stage, Stage)
                     else "Stage not recorded")
            click.echo(f"\n{title} ({len(cards)})")
            for c in cards:
                nxt = f"  next: {c.next_deadline.due.display('en')} {c.next_deadline.title}" if c.next_deadline else ""
                click.echo(f"  {c.regulation.key:<16} {c.regulation.title[:50]:<50}{nxt}")


# -- export / import -----------------------------------------------------------------------------
@cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--with-password-hashes", is_flag=True, help="Include password hashes (keep the file safe).")
@with_appcontext
def export_command(file: str, with_password_hashes: bool) -> None:
    """Write the whole database as JSON to FILE ('-' for standard output)."""
    from tracker.transfer import export_data

    _require_schema()
    with get_db().sessionmaker() as session:
        data = export_data(session, with_password_hashes=with_password_hashes)
    if file == "-":
        click.echo(data, nl=False)
    else:
        tmp = f"{file}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, file)
        click.echo(f"exported to {file}")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option(
    "--no-verify-checksum",
    is_flag=True,
    help="Import a file edited by hand on purpose (or a version 1 export): skip the SHA-256 checksums; counts, when "
    "present, and every field are still checked.",
)
@with_appcontext
def import_command(file: str, no_verify_checksum: bool) -> None:
    """Restore an export into an empty database; a bad file changes nothing and says what is wrong."""
    from tracker.transfer import TransferError, import_data

    _require_schema()
    try:
        raw = open(file, encoding="utf-8").read()  # noqa: SIM115
        with get_db().transaction() as session:
            counts = import_data(session, raw, verify_checksum=not no_verify_checksum)
    except (TransferError, UnicodeDecodeError) as exc:
        click.echo(f"Nothing was imported: {exc}", err=True)
        sys.exit(1)
    click.echo("imported " + ", ".join(f"{n} {t}" for t, n in counts.items()))


# -- serve --------------------------------------------------------------------------------------
@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve(host: str, port: int) -> None:
    """Development: migrate, load the seed and serve the tracker in one step."""
    from werkzeug.serving import run_simple

    from tracker import migrate

    settings = _settings()
    if not os.environ.get("TRACKER_BASE_URL"):
        # Links in feeds, CSV files and mails point where this server listens, unless a public URL is set.
        link_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        link_host = f"[{link_host}]" if ":" in link_host else link_host
        settings = dataclasses.replace(settings, base_url=f"http://{link_host}:{port}")
        current_app.config["TRACKER"] = settings
    migrate.upgrade(settings.database_url)
    _load_seed_or_exit()
    with get_db().sessionmaker() as session:
        generated = ensure_admin(session, settings.admin_email, settings.admin_password, get_clock())
    if generated:
        click.echo(
            f"\nCreated the first admin: {settings.admin_email}\nOne-time password: {generated}\n"
            "(set TRACKER_ADMIN_PASSWORD to choose it; create more users with `tracker users create`)\n"
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's proxy: the app object itself
    catch_up(app)
    background = make_scheduler(app, background=True)
    background.start()  # the embedded default runs its one scheduler beside the development server
    click.echo(
        f"Tracker on http://{host}:{port}/  (database {_settings().database_url}; scheduler running; "
        f"mail: {_settings().mail_backend})"
    )
    run_simple(
        host,
        port,
        current_app._get_current_object(),  # type: ignore[attr-defined]  # Flask's proxy: the app object itself
        threaded=True,
        request_handler=RedactingRequestHandler,
    )


@cli.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the one scheduler process (reminders, digests, delivery) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's proxy: the app object itself
    catch_up(app)
    click.echo("scheduler running (Europe/Amsterdam); Ctrl+C stops it")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        make_scheduler(app, background=False).start()


class RedactingRequestHandler(WSGIRequestHandler):
    """The development server's access log, with feed tokens replaced by <redacted>."""

    def log(self, type: str, message: str, *args: object) -> None:
        super().log(type, redact(message % args if args else message))


def _require_schema() -> None:
    from tracker import migrate

    if not migrate.is_current(get_db().engine, _settings().database_url):
        click.echo("The database schema is not up to date: run `tracker db upgrade` first.", err=True)
        sys.exit(2)


_LOADED: Settings | None = None


def main() -> None:
    global _LOADED
    try:
        _LOADED = load_settings()
    except ConfigError as exc:
        click.echo(f"tracker: configuration error: {exc}", err=True)
        sys.exit(2)
    try:
        cli.main(prog_name="tracker")
    except DBAPIError as exc:
        sys.exit(_explain_database_error(exc))


def _explain_database_error(exc: DBAPIError) -> int:
    """A command that meets a missing table or an unreachable server says what to do, not a traceback.

    Checked after the fact rather than before every command, so a working command costs no extra query."""
    from sqlalchemy import create_engine

    from tracker import migrate

    assert _LOADED is not None
    engine = create_engine(_LOADED.database_url)
    try:
        current = migrate.is_current(engine, _LOADED.database_url)
    except DBAPIError as reach:
        click.echo(f"tracker: cannot reach the database: {str(reach.orig).strip().splitlines()[0]}", err=True)
        return 1
    finally:
        engine.dispose()
    if not current:
        click.echo("The database schema is not up to date: run `tracker db upgrade` first.", err=True)
        return 2
    click.echo(f"tracker: database error: {str(exc.orig).strip().splitlines()[0]}", err=True)
    return 1
