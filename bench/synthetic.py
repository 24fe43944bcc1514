"""Synthetic portfolios, written with bulk inserts into a fresh, migrated database."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from tracker.auth.models import Team, User, user_teams
from tracker.regulations import history as stage_history
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, StageChange
from tracker.regulations.revision import bump
from tracker.regulations.stages import Stage

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
TEAMS = ("EZK", "JENV", "BZK", "OCW", "IENW")
AUTHORITIES = ("ACM", "AP", "RDI", "NCSC", "DTC")
PRECISIONS = (("day", 0), ("month", 1), ("quarter", 2), ("year", 3))


def _chunks(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 2000):
        session.execute(insert(table), rows[start:start + 2000])


def _first_day(day: dt.date, precision: str) -> dt.date:
    if precision == "month":
        return day.replace(day=1)
    if precision == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if precision == "year":
        return dt.date(day.year, 1, 1)
    return day


def build(session: Session, regulations: int, *, deadlines_each: int = 6, evaluations_each: int = 4,
          users: int = 20, seed: int = 7, instruments_each: int = 1) -> None:
    """`regulations` acts, each with `instruments_each` national instruments (each with a history of three changes),
    deadlines, evaluations and a designation."""
    rnd = random.Random(seed)
    _chunks(session, Team.__table__, [{"id": i + 1, "key": k, "name": f"Team {k}"} for i, k in enumerate(TEAMS)])
    _chunks(session, Authority.__table__, [{"id": i + 1, "key": k, "name": f"Authority {k}"}
                                            for i, k in enumerate(AUTHORITIES)])
    _chunks(session, User.__table__, [
        {"id": i + 1, "email": f"user{i}@bench.nl", "name": f"User {i}", "role": "editor", "active": True,
         "created_at": NOW, "digest_enabled": True, "digest_when_empty": "skip"} for i in range(users)])
    _chunks(session, user_teams, [{"user_id": i + 1, "team_id": i % len(TEAMS) + 1} for i in range(users)])
    stages = list(Stage)
    regs, changes, deadlines, evaluations, designations = [], [], [], [], []
    instruments: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for r in range(1, regulations + 1):
        regs.append({"id": r, "key": f"R{r:05d}", "title": f"Synthetic act {r}", "kind": "regulation",
                     "pillar": r % 5 + 1, "team_id": r % len(TEAMS) + 1, "links": [], "created_at": NOW,
                     "updated_at": NOW, "version": 1, "eu_published_precision": "unknown",
                     "eu_in_force_precision": "unknown", "stage_since_precision": "unknown"})
        for k in range(instruments_each):
            instrument = (r - 1) * instruments_each + k + 1
            instruments.append({"id": instrument, "regulation_id": r, "kind": "wet", "title": f"Wet {r}.{k}",
                                "planned_in_force_precision": "unknown", "in_force_precision": "unknown",
                                "stage_since_precision": "unknown", "created_at": NOW, "updated_at": NOW,
                                "version": 1})
            links.append({"instrument_id": instrument, "regulation_id": r, "required": True, "position": k})
            final = rnd.randrange(1, len(stages))
            chain = [stages[final - 2] if final >= 2 else stages[0], stages[final - 1], stages[final]]
            days = [dt.date(2021, 1, 1) + dt.timedelta(days=d) for d in sorted(rnd.sample(range(1500), 3))]
            previous = None
            for stage, day in zip(chain, days, strict=True):
                changes.append({"regulation_id": r, "instrument_id": instrument, "from_stage": previous,
                                "to_stage": stage.value, "move": "initial" if previous is None else "forward",
                                "effective_on": day, "effective_precision": "day", "recorded_at": NOW,
                                "actor": "bench"})
                previous = stage.value
        for k in range(deadlines_each):
            precision, _ = PRECISIONS[k % len(PRECISIONS)]
            day = _first_day(dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 6)), precision)
            deadlines.append({"regulation_id": r, "kind": "transposition", "title": f"Obligation {k}",
                              "due_on": day, "due_precision": precision, "created_at": NOW, "updated_at": NOW,
                              "version": 1, "sequence": 0})
        for k in range(evaluations_each):
            day = dt.date(2025 + k, 1, 1)
            evaluations.append({"regulation_id": r, "subject": f"Review {k}", "level": "eu", "status": "announced",
                                "due_on": day, "due_precision": "year", "created_at": NOW, "updated_at": NOW,
                                "version": 1, "sequence": 0})
        designations.append({"regulation_id": r, "authority_id": r % len(AUTHORITIES) + 1, "role": "Supervisor",
                             "status": "intended", "created_at": NOW, "updated_at": NOW, "version": 1})
    for table, rows in ((Regulation.__table__, regs), (Instrument.__table__, instruments),
                        (Implements.__table__, links), (StageChange.__table__, changes),
                        (Deadline.__table__, deadlines), (Evaluation.__table__, evaluations),
                        (Designation.__table__, designations)):
        _chunks(session, table, rows)
    stage_history.remirror(session)  # the stage columns come from the history's one writer
    bump(session)


def build_sweep(session: Session, open_deadlines: int, due: int) -> None:
    """`open_deadlines` open deadlines of which `due` fall within the next week (a reminder is due for each)."""
    _chunks(session, Team.__table__, [{"id": 1, "key": "EZK", "name": "EZK"}])
    _chunks(session, User.__table__, [{"id": 1, "email": "member@bench.nl", "name": "Member", "role": "editor",
                                       "active": True, "created_at": NOW, "digest_enabled": True,
                                       "digest_when_empty": "skip"}])
    _chunks(session, user_teams, [{"user_id": 1, "team_id": 1}])
    regs = max(1, open_deadlines // 10)
    _chunks(session, Regulation.__table__, [
        {"id": r, "key": f"R{r:05d}", "title": f"Act {r}", "kind": "directive", "team_id": 1, "links": [],
         "created_at": NOW, "updated_at": NOW, "version": 1, "eu_published_precision": "unknown",
         "eu_in_force_precision": "unknown", "stage_since_precision": "unknown"} for r in range(1, regs + 1)])
    rows = []
    for i in range(open_deadlines):
        # Due ones fall within 7 days; the rest far beyond any lead time.
        day = TODAY + dt.timedelta(days=1 + i % 6) if i < due else TODAY + dt.timedelta(days=400 + i % 3000)
        rows.append({"regulation_id": i % regs + 1, "kind": "transposition", "title": f"Obligation {i}",
                     "due_on": day, "due_precision": "day", "created_at": NOW, "updated_at": NOW,
                     "version": 1, "sequence": 0})
    _chunks(session, Deadline.__table__, rows)
