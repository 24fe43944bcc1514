"""WTForms for stage moves and for editing regulations, deadlines, designations and evaluations.

Each field's validators (required or optional, length, range, pattern) and choices come from its description in
tracker.regulations.fields (through `rules`, `choice_field`, `date_field`): forms cannot drift from the services.
"""

from __future__ import annotations

from typing import Any, cast

from flask_babel import gettext, lazy_gettext
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms 3.2
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from tracker import date_input
from tracker.date_words import current_language
from tracker.dates import DateError, PrecisionDate
from tracker.forms_i18n import TrackerForm
from tracker.keys import KEY_MESSAGE, KEY_PATTERN
from tracker.labels import label
from tracker.regulations.field_specs import describe, takes_range
from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    Fields,
    MoveStageFields,
    RegulationFields,
)
from tracker.regulations.models import NationalMeasures, Notification


class PrecisionDateField(StringField):
    """Accepts every precision, as the app displays it and in the usual Dutch notation (tracker.date_input):
    17-09-2025, 17 september 2025, 3e kwartaal 2025, Q3 2025, 2025-Q3, 2e helft 2025, 2025, nog niet bepaald."""

    data: PrecisionDate | None  # type: ignore[assignment]  # a StringField read into a PrecisionDate

    def __init__(
        self, label: str | None = None, validators: Any = None, allow_unknown: bool = True, single: bool = True,
        **kw: Any,
    ):
        if not single:
            hint = lazy_gettext("Bijvoorbeeld 17-09-2025, september 2025, 3e kwartaal 2025, 2e helft 2025, 2025, "
                                "najaar 2025, oktober – december 2025 of nog niet bepaald.")
        elif allow_unknown:
            hint = lazy_gettext(
                "Bijvoorbeeld 17-09-2025, september 2025, 3e kwartaal 2025, 2e helft 2025, 2025 of nog niet bepaald.")
        else:
            hint = lazy_gettext("Bijvoorbeeld 17-09-2025, september 2025, 3e kwartaal 2025 of 2025.")
        kw.setdefault("description", hint)
        super().__init__(label, validators, **kw)
        self.allow_unknown = allow_unknown
        self.single = single  # one date: no range and no report's words (only deadlines and evaluations take those)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        if not self.raw.strip():
            self.data = None
            return
        try:
            value = date_input.parse(self.raw, single=self.single)
        except DateError as exc:
            self.data = None
            raise ValueError(str(exc)) from None
        if not value.known and not self.allow_unknown:
            self.data = None
            raise ValueError(gettext("Hier is een bekende datum nodig; \"nog niet bepaald\" kan niet."))
        self.data = value

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None:
            return self.raw  # what was typed, kept as typed when the form is shown again
        # The stored date in the reader's style, which this field reads back as the same value.
        return date_input.input_text(self.data, current_language()) if isinstance(self.data, PrecisionDate) else ""


def rules(model: type[Fields], name: str, *, pattern_message: str | None = None) -> list[Any]:
    """The validators a field's description implies: required or optional, max length, range, pattern.

    A select checks its value against its choices itself, so an optional choice gets no Optional().
    """
    spec = describe(model)[name]
    found: list[Any] = []
    if spec.required:
        found.append(DataRequired() if spec.type == "text" else InputRequired())
    elif spec.type != "choice":
        found.append(Optional())
    if spec.max_length is not None:
        found.append(Length(max=spec.max_length))
    if spec.minimum is not None or spec.maximum is not None:
        found.append(NumberRange(spec.minimum, spec.maximum))
    if spec.pattern is not None:
        found.append(Regexp(spec.pattern, message=pattern_message))
    return found


def _enum_coerce(enum_cls: Any) -> Any:
    """The enum member; a value that is not one stays as it is, for the select to refuse: 'Not a valid choice.'"""

    def coerce(value: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return enum_cls(value)
        except ValueError:
            return value

    return coerce


def choice_field(text: Any, model: type[Fields], name: str, default: Any = None) -> SelectField:
    """A select of the field's enum values, each shown in the reader's words (tracker.labels)."""
    enum_cls = describe(model)[name].enum
    assert enum_cls is not None, f"{model.__name__}.{name} is not a choice"
    return SelectField(
        text,
        choices=[SelectChoice(m.value, LazyLabel(m)) for m in enum_cls],
        coerce=_enum_coerce(enum_cls),
        validators=rules(model, name),
        default=default,
    )


class LazyLabel:
    """A choice's words, looked up when the form is shown, in the language of that request."""

    def __init__(self, member: Any) -> None:
        self.member = member

    def __str__(self) -> str:
        return label(self.member)

    def __html__(self) -> str:
        return escape(str(self))


def date_field(text: Any, model: type[Fields], name: str) -> PrecisionDateField:
    return PrecisionDateField(
        text, validators=rules(model, name), allow_unknown=describe(model)[name].type != "known_date",
        single=not takes_range(model, name),
    )


class VersionedForm(TrackerForm):
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d+$", message=_l("de versie ontbreekt"))])

    @property
    def expected_version(self) -> int:
        return int(cast(str, self.version.data))  # validated: InputRequired, digits


def _instrument_id(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class MoveStageForm(VersionedForm):
    # Shown when the act has several instruments; choices set by the view (tracker.regulations.instruments.lookup).
    instrument = SelectField(_l("Instrument"), coerce=_instrument_id, choices=[], validate_choice=False)
    to_stage = choice_field(_l("Naar fase"), MoveStageFields, "to_stage")
    effective = date_field(_l("Datum"), MoveStageFields, "effective")
    note = TextAreaField(_l("Toelichting"), validators=rules(MoveStageFields, "note"))
    reference = StringField(_l("Referentie (Kamerstuk, URL)"), validators=rules(MoveStageFields, "reference"))
    reason = TextAreaField(
        _l("Reden (nodig om een fase over te slaan of terug te gaan)"), validators=rules(MoveStageFields, "reason")
    )


class RegulationForm(VersionedForm):
    short_name = StringField(_l("Korte naam"), validators=rules(RegulationFields, "short_name"))
    short_name_en = StringField(_l("Korte naam (Engels)"), validators=rules(RegulationFields, "short_name_en"))
    title = StringField(_l("Titel"), validators=rules(RegulationFields, "title"))
    title_en = StringField(_l("Titel (Engels)"), validators=rules(RegulationFields, "title_en"))
    kind = choice_field(_l("Soort"), RegulationFields, "kind")
    eu_number = StringField(_l("EU-nummer"), validators=rules(RegulationFields, "eu_number"))
    celex = StringField(
        "CELEX",
        validators=rules(RegulationFields, "celex", pattern_message=_l("Een CELEX-nummer ziet eruit als 32022R2065.")),
    )
    pillar = IntegerField(_l("Pijler"), validators=rules(RegulationFields, "pillar"))
    team_id = SelectField(_l("Team"), coerce=int, validators=rules(RegulationFields, "team_id"))
    lead_ministry = StringField(
        _l("Eerstverantwoordelijk ministerie"), validators=rules(RegulationFields, "lead_ministry")
    )
    national_instrument = StringField(
        _l("Nationaal instrument"), validators=rules(RegulationFields, "national_instrument")
    )
    bill_number = StringField(_l("Kamerstuknummer"), validators=rules(RegulationFields, "bill_number"))
    summary = TextAreaField(_l("Samenvatting"), validators=rules(RegulationFields, "summary"))
    summary_en = TextAreaField(_l("Samenvatting (Engels)"), validators=rules(RegulationFields, "summary_en"))
    eu_published = date_field(_l("Gepubliceerd (EU)"), RegulationFields, "eu_published")
    eu_in_force = date_field(_l("In werking (EU)"), RegulationFields, "eu_in_force")
    eu_adopted = date_field(_l("Vastgesteld (EU)"), RegulationFields, "eu_adopted")
    eli = StringField("ELI", validators=rules(RegulationFields, "eli"))
    com_number = StringField(_l("COM-nummer"), validators=rules(RegulationFields, "com_number"))
    procedure_ref = StringField(_l("Procedurenummer (bijv. 2020/0361(COD))"),
                                validators=rules(RegulationFields, "procedure_ref"))
    bnc_fiche = StringField(_l("BNC-fiche (Kamerstuk)"), validators=rules(RegulationFields, "bnc_fiche"))
    co_ministries = StringField(_l("Medeverantwoordelijke ministeries"),
                                validators=rules(RegulationFields, "co_ministries"))
    national_measures = choice_field(_l("Nationale maatregelen"), RegulationFields, "national_measures",
                                     default=NationalMeasures.UNKNOWN.value)
    national_measures_note = TextAreaField(_l("Toelichting nationale maatregelen"),
                                           validators=rules(RegulationFields, "national_measures_note"))
    national_measures_note_en = TextAreaField(_l("Toelichting nationale maatregelen (Engels)"),
                                              validators=rules(RegulationFields, "national_measures_note_en"))
    notification = choice_field(_l("Notificatie aan de Commissie"), RegulationFields, "notification",
                                default=Notification.NONE.value)
    notified = date_field(_l("Genotificeerd op"), RegulationFields, "notified")
    notification_ref = StringField(_l("Referentie notificatie"), validators=rules(RegulationFields, "notification_ref"))


class NewRegulationForm(RegulationForm):
    version = HiddenField(default="0")
    key = StringField(
        _l("Sleutel (in het adres)"),
        validators=[DataRequired(), Regexp(KEY_PATTERN, message=KEY_MESSAGE)],
    )


class DeadlineForm(VersionedForm):
    kind = choice_field(_l("Soort"), DeadlineFields, "kind")
    title = StringField(_l("Verplichting"), validators=rules(DeadlineFields, "title"))
    title_en = StringField(_l("Verplichting (Engels)"), validators=rules(DeadlineFields, "title_en"))
    due = date_field(_l("Datum"), DeadlineFields, "due")
    legal_basis = StringField(_l("Grondslag"), validators=rules(DeadlineFields, "legal_basis"))
    note = TextAreaField(_l("Toelichting"), validators=rules(DeadlineFields, "note"))
    note_en = TextAreaField(_l("Toelichting (Engels)"), validators=rules(DeadlineFields, "note_en"))
    met_on = DateField(_l("Gehaald op"), validators=rules(DeadlineFields, "met_on"))


class DesignationForm(VersionedForm):
    # Its choices are the authorities' short names, set by the view.
    authority = SelectField(_l("Toezichthouder"), validators=rules(DesignationFields, "authority"))
    role = StringField(_l("Rol"), validators=rules(DesignationFields, "role"))
    role_en = StringField(_l("Rol (Engels)"), validators=rules(DesignationFields, "role_en"))
    scope = TextAreaField(_l("Reikwijdte"), validators=rules(DesignationFields, "scope"))
    scope_en = TextAreaField(_l("Reikwijdte (Engels)"), validators=rules(DesignationFields, "scope_en"))
    status = choice_field(_l("Status"), DesignationFields, "status", default="intended")
    legal_basis = StringField(_l("Grondslag"), validators=rules(DesignationFields, "legal_basis"))


class EvaluationForm(VersionedForm):
    subject = StringField(_l("Onderwerp"), validators=rules(EvaluationFields, "subject"))
    subject_en = StringField(_l("Onderwerp (Engels)"), validators=rules(EvaluationFields, "subject_en"))
    level = choice_field(_l("Niveau"), EvaluationFields, "level", default="national")
    # A new evaluation is one still to come: it gets reminders until someone marks it done.
    status = choice_field(_l("Status"), EvaluationFields, "status", default="announced")
    due = date_field(_l("Datum"), EvaluationFields, "due")
    due_note = TextAreaField(_l("Praktische informatie"), validators=rules(EvaluationFields, "due_note"))
    due_note_en = TextAreaField(
        _l("Praktische informatie (Engels)"), validators=rules(EvaluationFields, "due_note_en")
    )
    performer = StringField(_l("Uitvoerder"), validators=rules(EvaluationFields, "performer"))
    pillar = StringField(_l("Pijler"), validators=rules(EvaluationFields, "pillar"))


class DeleteForm(VersionedForm):
    pass


ITEM_FORMS = {"deadlines": DeadlineForm, "designations": DesignationForm, "evaluations": EvaluationForm}


def form_values(form: Any, exclude: tuple[str, ...] = ("version", "csrf_token", "key")) -> dict[str, Any]:
    """The submitted values, with empty text as None."""
    values = {}
    for name, field in form._fields.items():
        if name in exclude or not isinstance(field, Field):
            continue
        data = field.data
        if type(data) is str:  # not an enum member, which is a str too
            data = data.strip() or None
        values[name] = data
    for name in ("eu_published", "eu_in_force", "eu_adopted", "notified"):
        if name in values and values[name] is None:
            values[name] = PrecisionDate.unknown()
    return values


__all__ = ["ITEM_FORMS", "DeleteForm", "MoveStageForm", "NewRegulationForm", "RegulationForm", "form_values"]
