"""`tracker stage ...`: move a stage from a script or a terminal, through the same command as the browser."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.clock import get_clock
from tracker.db import get_db
from tracker.regulations.commands import MoveStage
from tracker.regulations.stages import Stage
from tracker.terminal import cli_actor
from tracker.unit_of_work import run_and_commit


@click.group("stage")
def stage_group() -> None:
    """The stage of a regulation's national implementing act."""


@stage_group.command("move")
@click.argument("key")
@click.option("--to", "to_stage", required=True, metavar="STAGE", help=f"one of {', '.join(s.value for s in Stage)}")
@click.option("--effective", required=True, metavar="DATE", help="when it happened: 2023-10-02, 2023-10, 2023-Q4, 2023")
@click.option("--reason", help="required to skip a stage or move back")
@click.option("--note", help="what happened")
@click.option("--reference", help="Kamerstuk, Staatsblad or URL")
@click.option(
    "--expect-version", "expected_version", type=click.IntRange(0), help="refuse if the act changed since this version"
)
@with_appcontext
def move(
    key: str,
    to_stage: str,
    effective: str,
    reason: str | None,
    note: str | None,
    reference: str | None,
    expected_version: int | None,
) -> None:
    """Move regulation KEY to another stage; refused moves print why and change nothing."""
    command = MoveStage(key, to_stage, effective, reason, note, reference, expected_version)
    with get_db().sessionmaker() as session:
        change = run_and_commit(session, command, cli_actor(), get_clock())
        previous = change.from_stage.value if change.from_stage else "(none)"
        # The terminal speaks English, dates too.
        moved = f"{previous} -> {change.to_stage.value} from {change.effective.display('en')}"
        click.echo(f"{key}: {moved} ({change.move.value})")
