"""`tracker plan [--as-of DATE] [--json]`: per act its target, forecast entry into force, slack and status."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click
from flask.cli import with_appcontext

from tracker.clock import get_clock
from tracker.date_words import format_day
from tracker.db import get_db
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
@with_appcontext
def plan_command(as_of: dt.date | None, as_json: bool) -> None:
    """Will each act meet its EU date? Target, forecast entry into force, slack and status with the reason."""
    day = as_of or get_clock().today()
    with get_db().sessionmaker() as session:
        views = sorted(load_plans(session, day).values(), key=lambda v: (v.plan.status.urgency, v.regulation.key))
        rows = [plan_row(v) for v in views]
    if as_json:
        click.echo(json.dumps({"as_of": day.isoformat(), "acts": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Plan as of {format_day(day, 'en')}")
    for row in rows:
        slack = f"{row['slack_days']:+d}d" if row["slack_days"] is not None else "-"
        target, in_force = (format_day(dt.date.fromisoformat(v), "en") if v else "-"
                            for v in (row["target"], row["forecast_in_force"]))
        click.echo(
            f"  {row['key']:<16} {row['status']:<10} target {target:<17} "
            f"in force {in_force:<17} slack {slack:>6}  {row['reason']}"
        )
