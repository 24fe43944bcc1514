"""How the `tracker` commands meet the terminal: who the operator is, and days as options."""

from __future__ import annotations

import datetime as dt
import getpass

import click

from tracker.audit.record import Actor
from tracker.dates import DateError, parse_day


def cli_actor() -> Actor:
    """The operator who ran the command, as the audit trail shows it (a process: may change everything)."""
    try:
        return Actor(f"cli:{getpass.getuser()}")
    except (KeyError, OSError):  # no user name in a bare container
        return Actor("cli")


def day_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback for an `--as-of YYYY-MM-DD` style option: a bad day is a usage error naming the option."""
    if value is None:
        return None
    try:
        return parse_day(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from None
