"""The reader's words for the regulations' coded values (tracker.labels): the one name of each stage, kind and
status, Dutch here and English in translations/en (the glossary in the README lists them). Where the progress
report has a word for a code, it is the report's ("in uitvoering", "internationaal": Bijlage 2)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import Field, code, day, pdate, register_actions, register_fields, register_resolver
from tracker.labels import register
from tracker.regulations.models import (
    Certainty,
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    Notification,
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
        (RegulationKind.DELEGATED_ACT, _l("gedelegeerde handeling")),
        (RegulationKind.IMPLEMENTING_ACT, _l("uitvoeringshandeling")),
        (Notification.NONE, _l("niet genotificeerd")),
        (Notification.PARTIAL, _l("gedeeltelijk genotificeerd")),
        (Notification.COMPLETE, _l("volledig genotificeerd")),
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
        (Certainty.EXTERNAL, _l("externe bron")),
    ]
)

# -- the change log (tracker.audit.words) -------------------------------------------------------------------------
register_actions(
    {
        "stage.move": _l("Fase gewijzigd"),
        "regulation.create": _l("Regeling toegevoegd"),
        "regulation.update": _l("Regeling gewijzigd"),
        "deadline.create": _l("Termijn toegevoegd"),
        "deadline.update": _l("Termijn gewijzigd"),
        "deadline.delete": _l("Termijn verwijderd"),
        "designation.create": _l("Aanwijzing toegevoegd"),
        "designation.update": _l("Aanwijzing gewijzigd"),
        "designation.delete": _l("Aanwijzing verwijderd"),
        "evaluation.create": _l("Evaluatie toegevoegd"),
        "evaluation.update": _l("Evaluatie gewijzigd"),
        "evaluation.delete": _l("Evaluatie verwijderd"),
    }
)
register_fields(
    {
        "stage": Field(_l("Fase"), code(Stage)),
        "effective": Field(_l("Datum"), pdate),
        "reason": Field(_l("Reden")),
        "note": Field(_l("Toelichting")),
        "reference": Field(_l("Referentie")),
        "title": Field(_l("Titel")),
        "short_name": Field(_l("Korte naam")),
        "eu_number": Field(_l("EU-nummer")),
        "celex": Field(_l("CELEX-nummer")),
        "pillar": Field(_l("Pijler")),
        "team_id": Field(_l("Team (nummer)")),
        "lead_ministry": Field(_l("Eerstverantwoordelijk ministerie")),
        "national_instrument": Field(_l("Nationaal instrument")),
        "bill_number": Field(_l("Kamerstuknummer")),
        "summary": Field(_l("Samenvatting")),
        "eu_published": Field(_l("Gepubliceerd (EU)"), pdate),
        "eu_in_force": Field(_l("In werking (EU)"), pdate),
        "eu_adopted": Field(_l("Vastgesteld (EU)"), pdate),
        "eli": Field(_l("ELI")),
        "com_number": Field(_l("COM-nummer")),
        "procedure_ref": Field(_l("Procedurenummer")),
        "bnc_fiche": Field(_l("BNC-fiche")),
        "co_ministries": Field(_l("Medeverantwoordelijke ministeries")),
        "national_measures_note": Field(_l("Toelichting nationale maatregelen")),
        "notification": Field(_l("Notificatie"), code(Notification)),
        "notified": Field(_l("Genotificeerd op"), pdate),
        "notification_ref": Field(_l("Referentie notificatie")),
        "due": Field(_l("Datum"), pdate),
        "legal_basis": Field(_l("Grondslag")),
        "met_on": Field(_l("Gehaald op"), day),
        "authority_id": Field(_l("Toezichthouder (nummer)")),
        "role": Field(_l("Rol")),
        "scope": Field(_l("Reikwijdte")),
        "subject": Field(_l("Onderwerp")),
        "due_note": Field(_l("Praktische informatie")),
        "performer": Field(_l("Uitvoerder")),
    }
)
# Fields whose codes depend on what changed: a regulation's kind is not a deadline's.
CODED_FIELDS: dict[str, dict[str, Field]] = {
    "regulation": {"kind": Field(_l("Soort"), code(RegulationKind))},
    "deadline": {"kind": Field(_l("Soort"), code(DeadlineKind))},
    "designation": {"status": Field(_l("Status"), code(DesignationStatus))},
    "evaluation": {"status": Field(_l("Status"), code(EvaluationStatus)), "level": Field(_l("Niveau"),
                                                                                         code(EvaluationLevel))},
}
register_resolver(lambda action, name: CODED_FIELDS.get(action.partition(".")[0], {}).get(name))
