"""Loading the seed as one command, through the unit of work like every other change.

The seed is a bulk path: its rows carry what no user's command carries (the report's place and quote, certainty,
the entry's seed key and digest), so the handler writes them itself, inside the unit of work: it checks that a
process runs it, validates every file before writing anything, audits the load and publishes `SeedLoaded`; the
rows it writes announce themselves like any other (tracker.db.PortfolioRecord), so the revision moves with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from tracker.audit.record import Actor
from tracker.clock import Clock
from tracker.errors import Forbidden
from tracker.seeding.loader import LoadReport, load_seed
from tracker.unit_of_work import PortfolioChanged, handles, publish


@dataclass(frozen=True)
class LoadSeed:
    folder: Path


@dataclass(frozen=True)
class SeedLoaded(PortfolioChanged):
    created: int = 0
    updated: int = 0


@handles(LoadSeed)
def _load(session: Session, cmd: LoadSeed, actor: Actor, clock: Clock) -> LoadReport:
    if not actor.is_process:
        raise Forbidden(_l("Alleen de beheerder van de installatie laadt de seed (tracker seed)."))
    report = load_seed(session, cmd.folder, now=clock.now())
    if report.changed:
        publish(session, SeedLoaded(created=sum(report.created.values()), updated=sum(report.updated.values())))
    return report
