"""`tracker api-token create EMAIL`: a personal API token for scripts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.api.common import TOKEN_DAY_CHOICES, TOKEN_DAYS
from tracker.api.tokens import CreateApiToken
from tracker.clock import get_clock
from tracker.db import get_db
from tracker.terminal import cli_actor
from tracker.unit_of_work import run_and_commit


@click.group("api-token")
def api_token() -> None:
    """Personal API tokens."""


@api_token.command("create")
@click.argument("email")
@click.option("--name", default="script", show_default=True, help="A name to tell tokens apart.")
@click.option("--days", type=click.Choice([str(d) for d in TOKEN_DAY_CHOICES]), default=str(TOKEN_DAYS),
              show_default=True, help="How long the token works.")
@with_appcontext
def create(email: str, name: str, days: str) -> None:
    """Create a token for EMAIL and print it once (only its hash is stored)."""
    with get_db().sessionmaker() as session:
        _, token = run_and_commit(session, CreateApiToken(email, name, int(days)), cli_actor(), get_clock())
    click.echo(token)
