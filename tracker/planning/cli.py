"""`tracker plan [--as-of DATE] [--json] [--lang nl|en]`: per act its target, forecast entry into force, slack and
status, in one language (Dutch unless `--lang en`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.clock import get_clock
from tracker.config import LANGUAGES
from tracker.date_words import format_day
from tracker.db import get_db
from tracker.labels import label
from tracker.planning.queries import ActPlanView, load_plans
from tracker.terminal import day_option


def plan_row(view: ActPlanView) -> dict[str, Any]:
    """The planning fields of one act, as the CLI's JSON and the API's list give them."""
    plan = view.plan
    target = view.target.due.first_day if view.target is not None and view.target.due.known else None
    return {
        "key": view.regulation.key,
        "stage": view.stage.value if view.stage else None,
        "target": target.isoformat() if target else None,
        "forecast_in_force": plan.forecast_in_force.isoformat() if plan.forecast_in_force else None,
        "slack_days": plan.slack_days,
        "status": plan.status.value,
        "reason": plan.reason,
    }



@click.command("plan")
@click.option("--as-of", "as_of", callback=day_option, metavar="YYYY-MM-DD", help="Plan as of this day (today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per act.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="nl", show_default=True,
              help="The language of the words and reasons (as `tracker report --lang`).")
@with_appcontext
def plan_command(as_of: dt.date | None, as_json: bool, lang: str) -> None:
    """Will each act meet its EU date? Target, forecast entry into force, slack and status with the reason."""
    day = as_of or get_clock().today()
    with force_locale(lang), get_db().sessionmaker() as session:
        views = sorted(load_plans(session, day).values(), key=lambda v: (v.plan.status.urgency, v.regulation.key))
        rows = [plan_row(v) for v in views]
        if as_json:
            for row in rows:
                row["reason"] = str(row["reason"])
            click.echo(json.dumps({"as_of": day.isoformat(), "acts": rows}, indent=2, ensure_ascii=False))
            return
        click.echo(_("Planning per %(day)s", day=format_day(day, lang)))
        act, status, target, in_force = _("regeling"), _("status"), _("doeldatum"), _("in werking")
        slack_days, reason = _("speling (dagen)"), _("reden")
        click.echo(f"  {act:<16} {status:<15} {target:<10} {in_force:<10} {slack_days:>15}  {reason}")
        for view, row in zip(views, rows, strict=True):
            slack = f"{row['slack_days']:+d}" if row["slack_days"] is not None else "-"
            click.echo(
                f"  {row['key']:<16} {label(view.plan.status):<15} {row['target'] or '-':<10} "
                f"{row['forecast_in_force'] or '-':<10} {slack:>15}  {row['reason']}"
            )
