"""The reader's words for the kinds of national instrument and for whether an act needs national measures
(tracker.labels), and for the change log's instrument fields (tracker.audit.words)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.audit.words import Field, code, pdate, register_actions, register_fields, register_resolver
from tracker.labels import register
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import NationalMeasures

register(
    [
        (InstrumentKind.WET, _l("wet")),
        (InstrumentKind.AMVB, _l("AMvB")),
        (InstrumentKind.MINISTERIELE_REGELING, _l("ministeriële regeling")),
        (InstrumentKind.BESLUIT, _l("ander besluit")),
        (InstrumentKind.UNKNOWN, _l("soort onbekend")),
        (NationalMeasures.UNKNOWN, _l("nog niet bekend")),
        (NationalMeasures.NEEDED, _l("nodig")),
        (NationalMeasures.NOT_NEEDED, _l("niet nodig")),
    ]
)
register_actions(
    {
        "instrument.create": _l("Instrument toegevoegd"),
        "instrument.update": _l("Instrument gewijzigd"),
        "instrument.link": _l("Instrument gekoppeld"),
    }
)
register_fields(
    {
        "instrument": Field(_l("Instrument")),
        "ministry": Field(_l("Ministerie")),
        "dossier": Field(_l("Kamerstukdossier")),
        "consultation_url": Field(_l("Internetconsultatie")),
        "council_case": Field(_l("Zaaknummer Raad van State")),
        "publication": Field(_l("Vindplaats (Staatsblad, Staatscourant)")),
        "bwb_id": Field(_l("BWB-id")),
        "planned_in_force": Field(_l("Beoogde inwerkingtreding"), pdate),
        "covers": Field(_l("Wat het uitvoert")),
        "required": Field(_l("Nodig voor de uitvoering")),
        "national_measures": Field(_l("Nationale maatregelen"), code(NationalMeasures)),
    }
)
# An instrument's kind is not a regulation's: the change log words it by the action's subject.
register_resolver(
    lambda action, name: Field(_l("Soort"), code(InstrumentKind)) if action.startswith("instrument.") and name == "kind"
    else None
)
