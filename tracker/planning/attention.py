"""What needs attention: acts at risk, late or stalled, for the weekly digest (and anything else that lists them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.planning.queries import ActPlanView, load_plans
from tracker.planning.status import Status
from tracker.regulations.models import Regulation

NEEDS_ATTENTION = (Status.LATE, Status.AT_RISK, Status.STALLED)


def needing_attention(session: Session, day: dt.date, regulation_ids: Collection[int] | None) -> list[ActPlanView]:
    """Acts (all, or those in `regulation_ids`) that are late, at risk or stalled on `day`: most urgent first,
    then least slack, then by short name. A fixed number of queries."""
    query = select(Regulation).options(joinedload(Regulation.team)).order_by(Regulation.key)
    if regulation_ids is not None:
        query = query.where(Regulation.id.in_(list(regulation_ids) or [-1]))
    regs = list(session.scalars(query))
    views = [v for v in load_plans(session, day, regs).values() if v.plan.status in NEEDS_ATTENTION]
    views.sort(key=lambda v: (v.plan.status.urgency, v.plan.slack_days or 0, v.regulation.key))
    return views
