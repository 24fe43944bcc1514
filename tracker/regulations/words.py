"""The reader's words for the regulations' coded values (tracker.labels): the one name of each stage, kind and
status, Dutch here and English in translations/en (the glossary in the README lists them). Where the progress
report has a word for a code, it is the report's ("in uitvoering", "internationaal": Bijlage 2)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.labels import register
from tracker.regulations.models import (
    Certainty,
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    RegulationKind,
)
from tracker.regulations.stages import MoveKind, Stage

register(
    [
        (Stage.EU_NEGOTIATION, _l("Onderhandelingen EU")),
        (Stage.INTERNAL_PREP, _l("Interne voorbereiding")),
        (Stage.CONSULTATION, _l("Consultatie en toetsen")),
        (Stage.COUNCIL_OF_STATE, _l("Advisering Raad van State")),
        (Stage.PARLIAMENT, _l("Parlementaire behandeling")),
        (Stage.IN_FORCE, _l("In werking")),
        (MoveKind.INITIAL, _l("eerste vastlegging")),
        (MoveKind.FORWARD, _l("volgende fase")),
        (MoveKind.SKIP, _l("fase overgeslagen")),
        (MoveKind.BACK, _l("terug")),
        (RegulationKind.REGULATION, _l("verordening")),
        (RegulationKind.DIRECTIVE, _l("richtlijn")),
        (RegulationKind.NATIONAL_LAW, _l("nationale wet")),
        (RegulationKind.DECISION, _l("besluit")),
        (RegulationKind.PROGRAMME, _l("programma")),
        (DeadlineKind.APPLICATION, _l("van toepassing")),
        (DeadlineKind.DESIGNATION, _l("aanwijzing toezichthouder")),
        (DeadlineKind.TRANSPOSITION, _l("omzetting")),
        (DeadlineKind.ENTRY_INTO_FORCE, _l("inwerkingtreding")),
        (DeadlineKind.COMPLIANCE, _l("naleving")),
        (DeadlineKind.REPORT, _l("rapportage")),
        (DeadlineKind.MILESTONE, _l("mijlpaal")),
        (DeadlineKind.OTHER, _l("overig")),
        (DesignationStatus.INTENDED, _l("beoogd")),
        (DesignationStatus.DESIGNATED, _l("aangewezen")),
        (EvaluationLevel.EU, _l("internationaal")),
        (EvaluationLevel.NATIONAL, _l("nationaal")),
        (EvaluationStatus.DONE, _l("afgerond")),
        (EvaluationStatus.RUNNING, _l("in uitvoering")),
        (EvaluationStatus.ANNOUNCED, _l("aangekondigd")),
        (Certainty.REPORT, _l("rapport")),
        (Certainty.READING, _l("interpretatie")),
        (Certainty.INFERENCE, _l("afgeleid")),
    ]
)

