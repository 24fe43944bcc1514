"""`tracker stage ...`: move a stage from a script or a terminal, through the same command as the browser."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from tracker.clock import get_clock
from tracker.date_words import current_language, format_pdate
from tracker.db import get_db
from tracker.labels import label
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
@click.option("--instrument", "instrument_id", type=click.IntRange(1, 2**31 - 1), metavar="ID",
              help="the national instrument that moves (its number on the act's page); not needed for an act with one")
@with_appcontext
def move(
    key: str,
    to_stage: str,
    effective: str,
    reason: str | None,
    note: str | None,
    reference: str | None,
    expected_version: int | None,
    instrument_id: int | None,
) -> None:
    """Move a national instrument of regulation KEY to another stage; refused moves print why and change nothing."""
    command = MoveStage(key, to_stage, effective, reason, note, reference, expected_version, instrument_id)
    with get_db().sessionmaker() as session:
        change = run_and_commit(session, command, cli_actor(), get_clock())
        # In words, as the refusals are (Dutch: the CLI's language): the stages' one names, the date as written.
        click.echo(_("%(key)s: %(old)s → %(new)s per %(when)s (%(move)s)", key=key,
                     old=label(change.from_stage) if change.from_stage else _("niet vastgelegd"),
                     new=label(change.to_stage), when=format_pdate(change.effective, current_language()),
                     move=label(change.move)))
