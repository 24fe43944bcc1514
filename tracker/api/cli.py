"""`tracker api-token create EMAIL`: a personal API token for scripts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.api.common import create_token
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.clock import get_clock
from tracker.db import get_db


@click.group("api-token")
def api_token() -> None:
    """Personal API tokens."""


@api_token.command("create")
@click.argument("email")
@click.option("--name", default="script", show_default=True, help="A name to tell tokens apart.")
@with_appcontext
def create(email: str, name: str) -> None:
    """Create a token for EMAIL and print it once (only its hash is stored)."""
    with get_db().transaction() as session:
        user = service.find_user(session, email)
        if user is None or not user.active:
            click.echo(f"Error: no active user with e-mail {email.strip().lower()}", err=True)
            sys.exit(1)
        _, token = create_token(session, user, name, actor=Actor("cli"), now=get_clock().now())
    click.echo(token)
