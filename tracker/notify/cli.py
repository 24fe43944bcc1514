"""`tracker reminders|digest|outbox|scheduler`: the mail jobs by hand, and the scheduler process."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.auth import service
from tracker.clock import get_clock
from tracker.db import get_db
from tracker.notify import digest, jobs


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date-time; write e.g. 2026-11-30T08:00 or 2026-11-30") from None
    return moment  # a naive value is read in the tracker's time zone by the command


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=current_app.config["TRACKER"].tz)
    return moment


def _week(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        return digest.parse_week(value)
    except digest.WeekError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group("reminders")
def reminders_group() -> None:
    """Reminders before deadlines and evaluation dates."""


@reminders_group.command("sweep")
@click.option("--now", callback=_instant, help="Pretend it is this moment (ISO 8601; local time if no offset).")
@with_appcontext
def sweep(now: dt.datetime | None) -> None:
    """Queue every reminder that is due and not yet queued (idempotent)."""
    click.echo(f"{jobs.run_reminders(current_app, _local(now))} reminder(s) queued")


@click.group("digest")
def digest_group() -> None:
    """The weekly status digest."""


@digest_group.command("preview")
@click.argument("email")
@click.option("--week", callback=_week, help="ISO week, e.g. 2026-W48 (default: this week).")
@click.option("--html", is_flag=True, help="Print the HTML part instead of the text.")
@with_appcontext
def preview(email: str, week: tuple[int, int] | None, html: bool) -> None:
    """Print the digest EMAIL would get, without queueing anything."""
    settings = current_app.config["TRACKER"]
    with get_db().sessionmaker() as session:
        user = service.find_user(session, email)
        if user is None:
            click.echo(f"Error: no user with e-mail {email.strip().lower()}", err=True)
            sys.exit(1)
        iso = get_clock().now().astimezone(settings.tz).isocalendar()
        built = digest.build_digest(session, user, week or (iso.year, iso.week), settings)
        message = digest.render(built, settings, current_app.config["SECRET_KEY"])
        if message is None:
            click.echo("(empty week: this user gets no digest; they chose to skip empty weeks)")
            return
        click.echo(f"Subject: {message.subject}\n")
        click.echo(message.body_html if html and message.body_html else message.body_text)


@digest_group.command("send")
@click.option("--week", callback=_week, help="ISO week, e.g. 2026-W48 (default: this week, once due).")
@with_appcontext
def send(week: tuple[int, int] | None) -> None:
    """Queue the digests of a week for everyone who has none yet (a week is never sent twice)."""
    click.echo(f"{jobs.run_digests(current_app, week=week)} digest(s) queued")


@click.group("outbox")
def outbox_group() -> None:
    """Queued e-mail."""


@outbox_group.command("deliver")
@click.option("--now", callback=_instant, help="Pretend it is this moment (ISO 8601; local time if no offset).")
@with_appcontext
def deliver(now: dt.datetime | None) -> None:
    """Send every due message once (SMTP or .eml files, per TRACKER_MAIL_BACKEND)."""
    click.echo(str(jobs.run_delivery(current_app, _local(now))))
