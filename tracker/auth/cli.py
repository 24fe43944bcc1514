"""`tracker users ...`: accounts from the command line, for operators and scripts."""

from __future__ import annotations

import secrets
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.audit.record import Actor
from tracker.auth.commands import CreateResetLink, CreateUser, SetPassword, UpdateUser
from tracker.auth.models import Role, User
from tracker.clock import Clock, get_clock
from tracker.db import get_db
from tracker.terminal import cli_actor
from tracker.unit_of_work import run_and_commit


@click.group()
def users() -> None:
    """Create and manage user accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--team", "teams", multiple=True, help="Team key (repeat for several teams).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="viewer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def create(email: str, name: str, teams: tuple[str, ...], role: str, password_stdin: bool) -> None:
    """Create a user; without --password-stdin a one-time password is generated and printed."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else secrets.token_urlsafe(12)
    with get_db().sessionmaker() as session:
        # Whoever runs this knows the password: its owner must choose their own at first login.
        command = CreateUser(email, name, role, teams, password, must_change=True)
        user = run_and_commit(session, command, cli_actor(), get_clock())
        click.echo(f"created {user.email} ({role})")
    if not password_stdin:
        click.echo(f"one-time password: {password}")


@users.command("list")
@with_appcontext
def list_users() -> None:
    """List users with role, teams and state."""
    with get_db().sessionmaker() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            teams = ",".join(t.key for t in user.teams) or "-"
            state = "active" if user.active else "deactivated"
            click.echo(f"{user.email:<40} {user.role.value:<7} {teams:<20} {state}  {user.name}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def set_role(email: str, role: str) -> None:
    """Change a user's role."""
    _update(UpdateUser(email, role=role))
    click.echo(f"{email.strip().lower()} is now {role}")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Deactivate a user and end their sessions; the audit trail keeps their name."""
    _update(UpdateUser(email, active=False))
    click.echo(f"{email.strip().lower()} deactivated")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def set_password(email: str, password_stdin: bool) -> None:
    """Set a user's password; their sessions end and they must choose their own at the next login."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with get_db().sessionmaker() as session:
        user = run_and_commit(session, SetPassword(email, password), cli_actor(), get_clock())
    click.echo(f"password of {user.email} set; they choose their own at the next login")


@users.command("reset")
@click.argument("email")
@click.option("--mail", "by_mail", is_flag=True, help="Mail the link (through the outbox) instead of printing it.")
@with_appcontext
def reset(email: str, by_mail: bool) -> None:
    """Make a one-time link with which the user chooses a new password (valid for two hours)."""
    settings = current_app.config["TRACKER"]
    with get_db().sessionmaker() as session:
        row, token = run_and_commit(session, CreateResetLink(email, mail=by_mail), cli_actor(), get_clock())
        user = row.user
        until = row.expires_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    if by_mail:
        click.echo(f"reset link for {user.email} queued for mail (valid until {until})")
    else:
        click.echo(f"reset link for {user.email} (works once, until {until}):")
        click.echo(f"{settings.base_url}/reset/{token}")


def _update(command: UpdateUser) -> None:
    with get_db().sessionmaker() as session:
        run_and_commit(session, command, cli_actor(), get_clock())


def ensure_admin(session: Session, email: str, password: str | None, clock: Clock) -> str | None:
    """On a database without users, create the first admin; return a generated password to print once."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    generated = None if password else secrets.token_urlsafe(12)
    command = CreateUser(email, "Administrator", "admin", (), password or generated, must_change=generated is not None)
    run_and_commit(session, command, Actor("serve"), clock)
    return generated
