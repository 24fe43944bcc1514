"""`tracker report`: the progress report as DOCX, PDF or HTML, from the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from tracker.clock import get_clock
from tracker.db import get_db
from tracker.report.build import MissingLibrary, read, render
from tracker.report.options import FORMATS, OptionError, parse_options


@click.command("report")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="the date the report stands on (default: today)")
@click.option("--since", metavar="YYYY-MM-DD", help="changes after this day (default: one year before --as-of)")
@click.option("--pillar", "pillars", multiple=True, metavar="N", help="only pillar N (1-5); repeat for more")
@click.option("--team", "teams", multiple=True, metavar="T", help="only team T; repeat for more")
@click.option("--authority", metavar="A", help="only acts with a designation of authority A")
@click.option("--kind", metavar="K", help="only acts of kind K (regulation, directive, ...)")
@click.option("--lang", default="nl", show_default=True, help="nl or en")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS, case_sensitive=False))
@click.option("-o", "--output", required=True, metavar="FILE", help="where to write it ('-' for standard output)")
@with_appcontext
def report_command(as_of: str | None, since: str | None, pillars: tuple[str, ...], teams: tuple[str, ...],
                   authority: str | None, kind: str | None, lang: str, fmt: str, output: str) -> None:
    """Draw up the progress report to parliament: roadmap figure, a paragraph per act, deadlines, changes since
    the previous report and the evaluations (Bijlage 2)."""
    clock = get_clock()
    try:
        options = parse_options(today=clock.today(), as_of=as_of, since=since, lang=lang, pillars=pillars,
                                teams=teams, authority=authority, kind=kind)
        # In the report's language, as /report does: the planning line per act is worded while reading.
        with get_db().sessionmaker() as session, force_locale(options.lang):
            body = render(read(session, options, today=clock.today(), tz=clock.tz), fmt.lower())
    except OptionError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.param.replace('_', '-')}") from None
    except MissingLibrary as exc:
        raise click.ClickException(str(exc)) from None
    if output == "-":
        sys.stdout.buffer.write(body)
        return
    target = Path(output)
    if not target.parent.is_dir():
        raise click.BadParameter(f"folder {str(target.parent)!r} does not exist", param_hint="-o/--output")
    target.write_bytes(body)
    click.echo(f"{fmt.lower()} report as of {options.as_of.isoformat()} written to {target} ({len(body):,} bytes)",
               err=True)
