"""The planning in the API: an act's plan as answer models (the shapes in schemas.py and the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tracker.api import schemas as out
from tracker.planning.queries import ActPlanView, load_plans
from tracker.regulations.models import Regulation


def status_of(view: ActPlanView) -> dict[str, Any]:
    plan = view.plan
    target = view.target.due.first_day if view.target is not None else None
    return {
        "status": plan.status.value,
        "reason": plan.reason,
        "target": target,
        "forecast_in_force": plan.forecast_in_force,
        "slack_days": plan.slack_days,
    }


def statuses(
    session: Session, as_of: dt.date, regs: list[Regulation], stages: dict[int, Any]
) -> dict[int, out.PlanStatus]:
    """Each act's plan status in a fixed number of queries (`stages`: id -> (stage, since) the caller has)."""
    views = load_plans(session, as_of, regs, stages)
    return {i: out.PlanStatus.model_validate(status_of(v)) for i, v in views.items()}


def plan_document(view: ActPlanView, as_of: dt.date) -> dict[str, Any]:
    plan = view.plan
    return out.Plan.model_validate(
        {
            **status_of(view),
            "key": view.regulation.key,
            "as_of": as_of,
            "stage": view.stage,
            "target_title": view.target.title if view.target is not None else None,
            "target_title_en": view.target.title_en if view.target is not None else None,
            "eu_exception": view.eu_exception,
            "in_force": plan.in_force.isoformat() if plan.in_force else None,
            "in_force_kind": plan.in_force_kind,
            "latest_in_force": plan.latest_in_force,
            "last_activity": plan.last_activity,
            "steps": [
                {
                    "step": s.key,
                    "kind": s.kind,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "latest_start": s.latest_start,
                }
                for s in plan.steps
            ],
            "durations": {k: {"days": d, "scope": scope} for k, (d, scope) in view.durations.items()},
            "planned": {k: v.isoformat() for k, v in view.planned.items()},
        }
    ).model_dump(mode="json")
