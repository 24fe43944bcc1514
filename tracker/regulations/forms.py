"""WTForms for stage moves and for editing regulations, deadlines, designations and evaluations.

Each field's validators (required or optional, length, range, pattern) and choices come from its description in
tracker.regulations.fields (through `rules`, `choice_field`, `date_field`): forms cannot drift from the services.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from tracker import date_input
from tracker.dates import DateError, PrecisionDate
from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    Fields,
    MoveStageFields,
    RegulationFields,
    describe,
)


class PrecisionDateField(StringField):
    """Accepts every precision, as the app displays it and in the usual Dutch notation (tracker.date_input):
    17-09-2025, 17 september 2025, 3e kwartaal 2025, Q3 2025, 2025-Q3, 2e helft 2025, 2025, nog niet bepaald."""

    def __init__(self, label: str | None = None, validators: Any = None, allow_unknown: bool = True, **kw: Any):
        kw.setdefault("description", lazy_gettext(
            "Bijvoorbeeld 17-09-2025, september 2025, 3e kwartaal 2025, 2e helft 2025, 2025 of nog niet bepaald."
        ) if allow_unknown else lazy_gettext("Bijvoorbeeld 17-09-2025, september 2025, 3e kwartaal 2025 of 2025."))
        super().__init__(label, validators, **kw)
        self.allow_unknown = allow_unknown

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        if not self.raw.strip():
            self.data = None
            return
        try:
            value = date_input.parse(self.raw)
        except DateError as exc:
            self.data = None
            raise ValueError(str(exc)) from None
        if not value.known and not self.allow_unknown:
            self.data = None
            raise ValueError(gettext("Hier is een bekende datum nodig; \"nog niet bepaald\" kan niet."))
        self.data = value

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None and self.data is None:
            return self.raw
        return self.data.isoformat() if isinstance(self.data, PrecisionDate) else ""


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


def choice_field(label: str, model: type[Fields], name: str, labels: Any = None) -> SelectField:
    """A select of the field's enum values (shown by `labels(member)`, default the value in words)."""
    enum_cls = describe(model)[name].enum
    assert enum_cls is not None, f"{model.__name__}.{name} is not a choice"
    shown = labels or (lambda m: m.value.replace("_", " "))
    return SelectField(
        label,
        choices=[SelectChoice(m.value, shown(m)) for m in enum_cls],
        coerce=_enum_coerce(enum_cls),
        validators=rules(model, name),
    )


def date_field(label: str, model: type[Fields], name: str) -> PrecisionDateField:
    return PrecisionDateField(
        label, validators=rules(model, name), allow_unknown=describe(model)[name].type != "known_date"
    )


class VersionedForm(FlaskForm):
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d+$", message="missing version")])

    @property
    def expected_version(self) -> int:
        return int(self.version.data)


class MoveStageForm(VersionedForm):
    to_stage = choice_field(
        "Naar fase / to stage", MoveStageFields, "to_stage", lambda s: f"{s.label_nl} / {s.label_en}"
    )
    effective = date_field("Datum / effective date", MoveStageFields, "effective")
    note = TextAreaField("Toelichting / note", validators=rules(MoveStageFields, "note"))
    reference = StringField("Referentie / reference (Kamerstuk, URL)", validators=rules(MoveStageFields, "reference"))
    reason = TextAreaField(
        "Reden / reason (required to skip a stage or move back)", validators=rules(MoveStageFields, "reason")
    )


class RegulationForm(VersionedForm):
    title = StringField("Titel / title", validators=rules(RegulationFields, "title"))
    title_nl = StringField("Nederlandse titel", validators=rules(RegulationFields, "title_nl"))
    kind = choice_field("Soort / kind", RegulationFields, "kind")
    eu_number = StringField("EU-nummer", validators=rules(RegulationFields, "eu_number"))
    celex = StringField(
        "CELEX", validators=rules(RegulationFields, "celex", pattern_message="CELEX numbers look like 32022R2065")
    )
    pillar = IntegerField("Pijler / pillar", validators=rules(RegulationFields, "pillar"))
    team_id = SelectField("Team", coerce=int, validators=rules(RegulationFields, "team_id"))
    lead_ministry = StringField("Eerstverantwoordelijk ministerie", validators=rules(RegulationFields, "lead_ministry"))
    national_instrument = StringField("Nationaal instrument", validators=rules(RegulationFields, "national_instrument"))
    bill_number = StringField("Kamerstuknummer / bill number", validators=rules(RegulationFields, "bill_number"))
    summary = TextAreaField("Samenvatting / summary", validators=rules(RegulationFields, "summary"))
    eu_published = date_field("Gepubliceerd (EU) / published", RegulationFields, "eu_published")
    eu_in_force = date_field("In werking (EU) / in force", RegulationFields, "eu_in_force")


class NewRegulationForm(RegulationForm):
    version = HiddenField(default="0")
    key = StringField(
        "Korte naam / short name",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9_\-]+$", message="letters, digits, - and _ only (it is part of the page address)"),
        ],
    )


class DeadlineForm(VersionedForm):
    kind = choice_field("Soort / kind", DeadlineFields, "kind")
    title = StringField("Verplichting / obligation", validators=rules(DeadlineFields, "title"))
    due = date_field("Datum / due", DeadlineFields, "due")
    legal_basis = StringField("Grondslag / legal basis", validators=rules(DeadlineFields, "legal_basis"))
    note = TextAreaField("Toelichting / note", validators=rules(DeadlineFields, "note"))
    met_on = DateField("Gehaald op / met on", validators=rules(DeadlineFields, "met_on"))


class DesignationForm(VersionedForm):
    # Its choices are the authorities' short names, set by the view.
    authority = SelectField("Toezichthouder / authority", validators=rules(DesignationFields, "authority"))
    role = StringField("Rol / role", validators=rules(DesignationFields, "role"))
    scope = TextAreaField("Reikwijdte / scope", validators=rules(DesignationFields, "scope"))
    status = choice_field("Status", DesignationFields, "status")
    legal_basis = StringField("Grondslag / legal basis", validators=rules(DesignationFields, "legal_basis"))


class EvaluationForm(VersionedForm):
    subject = StringField("Onderwerp / subject", validators=rules(EvaluationFields, "subject"))
    level = choice_field("Niveau / level", EvaluationFields, "level")
    status = choice_field("Status", EvaluationFields, "status")
    due = date_field("Datum / due", EvaluationFields, "due")
    due_note = TextAreaField("Praktische info", validators=rules(EvaluationFields, "due_note"))
    performer = StringField("Uitvoerder / performer", validators=rules(EvaluationFields, "performer"))
    pillar = StringField("Pijler / pillar", validators=rules(EvaluationFields, "pillar"))


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
    for name in ("eu_published", "eu_in_force"):
        if name in values and values[name] is None:
            values[name] = PrecisionDate.unknown()
    return values


__all__ = ["ITEM_FORMS", "DeleteForm", "MoveStageForm", "NewRegulationForm", "RegulationForm", "form_values"]
