"""The words people read for the app's coded values (stages, kinds, statuses, roles), in the reader's language.

Templates write `{{ value|label }}`; CSV headers and mails use `label()`. A value without a label here is a bug
that `tests/test_i18n.py` finds: it would show the code ("national_law") instead of a word.
"""

from __future__ import annotations

import enum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Role
from tracker.notify.models import OutboxStatus
from tracker.planning.status import Status as PlanStatus
from tracker.regulations.models import (
    Certainty,
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    RegulationKind,
)
from tracker.regulations.stages import MoveKind, Stage

LABELS: dict[enum.Enum, LazyString] = {
    Stage.EU_NEGOTIATION: _l("Onderhandelingen EU"),
    Stage.INTERNAL_PREP: _l("Interne voorbereiding"),
    Stage.CONSULTATION: _l("Consultatie en toetsen"),
    Stage.COUNCIL_OF_STATE: _l("Advisering Raad van State"),
    Stage.PARLIAMENT: _l("Parlementaire behandeling"),
    Stage.IN_FORCE: _l("In werking"),
    MoveKind.INITIAL: _l("eerste vastlegging"),
    MoveKind.FORWARD: _l("volgende fase"),
    MoveKind.SKIP: _l("fase overgeslagen"),
    MoveKind.BACK: _l("terug"),
    RegulationKind.REGULATION: _l("verordening"),
    RegulationKind.DIRECTIVE: _l("richtlijn"),
    RegulationKind.NATIONAL_LAW: _l("nationale wet"),
    RegulationKind.DECISION: _l("besluit"),
    RegulationKind.PROGRAMME: _l("programma"),
    DeadlineKind.APPLICATION: _l("van toepassing"),
    DeadlineKind.DESIGNATION: _l("aanwijzing toezichthouder"),
    DeadlineKind.TRANSPOSITION: _l("omzetting"),
    DeadlineKind.ENTRY_INTO_FORCE: _l("inwerkingtreding"),
    DeadlineKind.COMPLIANCE: _l("naleving"),
    DeadlineKind.REPORT: _l("rapportage"),
    DeadlineKind.MILESTONE: _l("mijlpaal"),
    DeadlineKind.OTHER: _l("overig"),
    DesignationStatus.INTENDED: _l("beoogd"),
    DesignationStatus.DESIGNATED: _l("aangewezen"),
    EvaluationLevel.EU: _l("EU"),
    EvaluationLevel.NATIONAL: _l("nationaal"),
    EvaluationStatus.DONE: _l("afgerond"),
    EvaluationStatus.RUNNING: _l("lopend"),
    EvaluationStatus.ANNOUNCED: _l("aangekondigd"),
    Certainty.REPORT: _l("rapport"),
    Certainty.READING: _l("lezing"),
    Certainty.INFERENCE: _l("afgeleid"),
    Role.VIEWER: _l("lezer"),
    Role.EDITOR: _l("bewerker"),
    Role.ADMIN: _l("beheerder"),
    OutboxStatus.PENDING: _l("wacht"),
    OutboxStatus.SENDING: _l("wordt verstuurd"),
    OutboxStatus.SENT: _l("verstuurd"),
    OutboxStatus.FAILED: _l("mislukt"),
    PlanStatus.ON_TRACK: _l("Op schema"),
    PlanStatus.AT_RISK: _l("Risico"),
    PlanStatus.LATE: _l("Te laat"),
    PlanStatus.STALLED: _l("Niet bevestigd"),
    PlanStatus.DONE: _l("Gereed"),
    PlanStatus.UNPLANNED: _l("Geen doeldatum"),
}

LABELLED = (Stage, MoveKind, RegulationKind, DeadlineKind, DesignationStatus, EvaluationLevel, EvaluationStatus, Role,
            OutboxStatus, Certainty, PlanStatus)


def label(value: enum.Enum | None) -> str:
    """The reader's word for a coded value; '' for None."""
    if value is None:
        return ""
    return str(LABELS[value])
