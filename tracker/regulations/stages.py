"""The stage machine of a national implementing act (pure: no database, no clock).

Forward moves go to the next stage. Skipping a stage or moving back needs a written reason. A change's effective
date must be known, may not lie in the future and may not lie before the previous change (each compared by the
first day of its period). The first change of an instrument places it at any stage of its path.

A path is the procedure of the instrument's kind (tracker.regulations.instruments.procedures): a ministerial
regulation goes from consultation straight to entry into force, so that move is forward, not a skip. Without a path:
every stage.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.dates import PrecisionDate
from tracker.errors import InvalidFields
from tracker.messages import Msg


class Stage(enum.StrEnum):
    EU_NEGOTIATION = "eu_negotiation"
    INTERNAL_PREP = "internal_prep"
    CONSULTATION = "consultation"
    COUNCIL_OF_STATE = "council_of_state"
    PARLIAMENT = "parliament"
    IN_FORCE = "in_force"

    @property
    def index(self) -> int:  # type: ignore[override]  # a stage's place in the order, not str.index
        return list(Stage).index(self)


# A stage's words (Dutch and English) are in tracker/regulations/words.py, the one vocabulary (tracker.labels).


class MoveKind(enum.StrEnum):
    INITIAL = "initial"
    FORWARD = "forward"
    SKIP = "skip"
    BACK = "back"


class StageError(InvalidFields):
    """A refused move. Each refusal has its own subclass, names its field and says what the user can do."""

    field = "to_stage"


class UnknownStageError(StageError):
    pass


class NotOnPathError(StageError):
    pass


class SameStageError(StageError):
    pass


class ReasonRequiredError(StageError):
    field = "reason"


class EffectiveDateUnknownError(StageError):
    field = "effective"


class EffectiveDateInFutureError(StageError):
    field = "effective"


class EffectiveDateBeforePreviousError(StageError):
    field = "effective"


def _place(path: Sequence[Stage], stage: Stage) -> float:
    """A stage's place on the path; one off the path stands half-way between the path's stages around it."""
    if stage in path:
        return float(path.index(stage))
    return sum(1 for s in path if s.index < stage.index) - 0.5


def parse_stage(value: str | Stage) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        known = ", ".join(s.value for s in Stage)
        raise UnknownStageError(Msg("%(value)s is geen fase; bekende fases: %(known)s.", value=repr(str(value)[:40]),
                                   known=known)) from None


@dataclass(frozen=True)
class Previous:
    """What the machine needs to know of the latest change."""

    stage: Stage
    effective: PrecisionDate


def check_move(
    previous: Previous | None,
    to_stage: Stage | str,
    effective: PrecisionDate,
    today: dt.date,
    reason: str | None = None,
    path: Sequence[Stage] = tuple(Stage),
    path_name: str = "",
) -> MoveKind:
    """Return what kind of move this is along `path`, or raise the StageError that refuses it."""
    target = parse_stage(to_stage)
    if target not in path:
        raise NotOnPathError(Msg(
            "De fase %(stage)s hoort niet bij de procedure van een %(kind)s; die kent: %(known)s.",
            stage=target, kind=path_name or "instrument", known=", ".join(s.value for s in path)))
    if effective.start is None:
        raise EffectiveDateUnknownError(Msg("Een fasewijziging heeft een datum nodig; \"nog niet bepaald\" kan niet."))
    if effective.start > today:
        raise EffectiveDateInFutureError(Msg(
            "De datum %(when)s ligt in de toekomst (vandaag is %(today)s); leg een wijziging vast als die heeft "
            "plaatsgevonden.", when=effective, today=PrecisionDate.day(today)))
    if previous is None:
        return MoveKind.INITIAL
    if previous.effective.start is not None and effective.start < previous.effective.start:
        raise EffectiveDateBeforePreviousError(Msg(
            "De datum %(when)s ligt vóór de vorige wijziging (%(stage)s, %(previous)s).",
            when=effective, stage=previous.stage, previous=previous.effective))
    # A former stage off this path (the kind was set later) counts from where it would stand on the board.
    step = _place(path, target) - _place(path, previous.stage)
    if step == 0:
        raise SameStageError(Msg("De regeling is al in de fase %(stage)s.", stage=target))
    kind = MoveKind.FORWARD if 0 < step <= 1 else MoveKind.SKIP if step > 1 else MoveKind.BACK
    if kind is not MoveKind.FORWARD and not (reason or "").strip():
        words = dict(source=previous.stage, target=target)
        raise ReasonRequiredError(
            Msg("Een fase overslaan van %(source)s naar %(target)s vraagt om een geschreven reden.", **words)
            if kind is MoveKind.SKIP
            else Msg("Teruggaan van %(source)s naar %(target)s vraagt om een geschreven reden.", **words)
        )
    return kind
