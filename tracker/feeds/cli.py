"""`tracker feeds ...`: a user's subscription URL, and rotating it (for scripts and admins helping a user)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from tracker.auth import service
from tracker.clock import get_clock
from tracker.db import get_db
from tracker.feeds.commands import EnsureFeedToken, RotateFeedToken
from tracker.feeds.queries import FeedParamError, parse_filter
from tracker.feeds.views import feed_url
from tracker.terminal import cli_actor
from tracker.unit_of_work import run_and_commit


@click.group()
def feeds() -> None:
    """Calendar feed links."""


def _user(session, email: str):
    user = service.find_user(session, email)
    if user is None:
        click.echo(f"Error: no user with e-mail {email.strip().lower()}", err=True)
        sys.exit(1)
    return user


@feeds.command("url")
@click.argument("email")
@click.option("--team")
@click.option("--regulation")
@click.option("--authority")
@click.option("--kind", type=click.Choice(["deadlines", "evaluations"]))
@click.option("--webcal", is_flag=True, help="Print the webcal:// form.")
@with_appcontext
def url(
    email: str, team: str | None, regulation: str | None, authority: str | None, kind: str | None, webcal: bool
) -> None:
    """Print EMAIL's feed URL with the given filters (creating the user's token if needed)."""
    args = MultiDict(
        {k: v for k, v in {"team": team, "regulation": regulation, "authority": authority, "kind": kind}.items() if v}
    )
    with get_db().sessionmaker() as session:
        user = _user(session, email)
        try:
            f = parse_filter(session, args, args.to_dict(flat=False))
        except FeedParamError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        command = EnsureFeedToken(user.email, current_app.config["SECRET_KEY"])
        token = run_and_commit(session, command, cli_actor(), get_clock())
        click.echo(feed_url(token, f, webcal=webcal))


@feeds.command("rotate")
@click.argument("email")
@with_appcontext
def rotate(email: str) -> None:
    """Give EMAIL a new feed token; every old link answers 404 at once."""
    with get_db().sessionmaker() as session:
        command = RotateFeedToken(email, current_app.config["SECRET_KEY"])
        token = run_and_commit(session, command, cli_actor(), get_clock())
        click.echo(feed_url(token))


@feeds.command("warm")
@with_appcontext
def warm() -> None:
    """Render every missing event of the feeds in use and assemble them, so no subscriber waits for a render."""
    from tracker.feeds.jobs import warm_app

    result = warm_app(current_app._get_current_object())  # type: ignore[attr-defined]  # Flask's proxy: the app object itself
    click.echo(f"{result.pieces} event(s) rendered, {result.feeds} feed(s) assembled")
