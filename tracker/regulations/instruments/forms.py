"""The browser's form for a national instrument, built from its one field description (fields.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField

from tracker.regulations.forms import VersionedForm, choice_field, date_field, rules
from tracker.regulations.instruments.fields import InstrumentFields, LinkFields


class InstrumentForm(VersionedForm):
    kind = choice_field(_l("Soort"), InstrumentFields, "kind")
    title = StringField(_l("Titel"), validators=rules(InstrumentFields, "title"))
    title_en = StringField(_l("Titel (Engels)"), validators=rules(InstrumentFields, "title_en"))
    ministry = StringField(_l("Ministerie"), validators=rules(InstrumentFields, "ministry"))
    dossier = StringField(_l("Kamerstukdossier"), validators=rules(InstrumentFields, "dossier"))
    consultation_url = StringField(_l("Internetconsultatie (link)"),
                                   validators=rules(InstrumentFields, "consultation_url"))
    council_case = StringField(_l("Zaaknummer Raad van State"), validators=rules(InstrumentFields, "council_case"))
    publication = StringField(_l("Vindplaats (Staatsblad, Staatscourant)"),
                              validators=rules(InstrumentFields, "publication"))
    bwb_id = StringField(_l("BWB-id"), validators=rules(InstrumentFields, "bwb_id"))
    planned_in_force = date_field(_l("Beoogde inwerkingtreding"), InstrumentFields, "planned_in_force")
    required = BooleanField(_l("Nodig voor de uitvoering van deze regeling"), default=True)
    covers = TextAreaField(_l("Wat het uitvoert"), validators=rules(LinkFields, "covers"))
    covers_en = TextAreaField(_l("Wat het uitvoert (Engels)"), validators=rules(LinkFields, "covers_en"))
