"""What a team asks of the planning, as plain values (built by the browser, the API and the CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.unit_of_work import PortfolioChanged


@dataclass(frozen=True)
class ConfirmCurrent:
    """ "Confirm still current": the stage and plan still hold today; records a review, moves nothing."""

    key: str
    note: str | None = None


@dataclass(frozen=True)
class SetPlannedDate:
    """The planned start of a step (or entry into force) at any precision; empty clears it."""

    key: str
    step: str
    date: str | None


@dataclass(frozen=True)
class SetTarget:
    """Which of the act's deadlines is its target (None: none), and whether it uses the EU exception of Ar 4.17."""

    key: str
    deadline_id: int | None
    eu_exception: bool = False


@dataclass(frozen=True)
class SetDuration:
    """Days a step takes for one act (`key`), one team (`team`), or by default (neither); None days clears it."""

    step: str
    days: int | None
    key: str | None = None
    team: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class PlanChanged(PortfolioChanged):
    """An act's (or a team's, or the default) planning input changed: a target, a duration, a planned date or a
    review. `what` names it ("target", "duration", "planned.parliament", "review"); `key` is the act's or empty."""

    key: str = ""
    what: str = ""
