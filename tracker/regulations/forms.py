"""WTForms for stage moves and for editing regulations, deadlines, designations and evaluations."""

from __future__ import annotations

from typing import Any

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

from tracker.dates import FORMATS_HELP, DateError, PrecisionDate
from tracker.regulations.models import (
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    RegulationKind,
)
from tracker.regulations.stages import Stage


class PrecisionDateField(StringField):
    """Accepts every precision: 2025-09-17, 2025-09, 2025-Q3, 2025-H2, 2025, t.b.d."""

    def __init__(self, label: str | None = None, validators: Any = None, allow_unknown: bool = True, **kw: Any):
        kw.setdefault("description", FORMATS_HELP)
        super().__init__(label, validators, **kw)
        self.allow_unknown = allow_unknown

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        if not self.raw.strip():
            self.data = None
            return
        try:
            value = PrecisionDate.parse(self.raw)
        except DateError as exc:
            self.data = None
            raise ValueError(str(exc)) from None
        if not value.known and not self.allow_unknown:
            self.data = None
            raise ValueError("a known date is needed here; 't.b.d.' is not allowed")
        self.data = value

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None and self.data is None:
            return self.raw
        return self.data.isoformat() if isinstance(self.data, PrecisionDate) else ""


def _choices(enum_cls: Any) -> list[SelectChoice]:
    return [SelectChoice(m.value, m.value.replace("_", " ")) for m in enum_cls]


def _enum_coerce(enum_cls: Any) -> Any:
    def coerce(value: Any) -> Any:
        return enum_cls(value) if value not in (None, "") else None

    return coerce


class VersionedForm(FlaskForm):
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d+$", message="missing version")])

    @property
    def expected_version(self) -> int:
        return int(self.version.data)


class MoveStageForm(VersionedForm):
    to_stage = SelectField(
        "Naar fase / to stage",
        choices=[SelectChoice(s.value, f"{s.label_nl} / {s.label_en}") for s in Stage],
        validators=[InputRequired()],
    )
    effective = PrecisionDateField("Datum / effective date", validators=[InputRequired()], allow_unknown=False)
    note = TextAreaField("Toelichting / note", validators=[Optional(), Length(max=4000)])
    reference = StringField("Referentie / reference (Kamerstuk, URL)", validators=[Optional(), Length(max=500)])
    reason = TextAreaField(
        "Reden / reason (required to skip a stage or move back)", validators=[Optional(), Length(max=4000)]
    )


class RegulationForm(VersionedForm):
    title = StringField("Titel / title", validators=[DataRequired(), Length(max=300)])
    title_nl = StringField("Nederlandse titel", validators=[Optional(), Length(max=300)])
    kind = SelectField("Soort / kind", choices=_choices(RegulationKind), coerce=_enum_coerce(RegulationKind))
    eu_number = StringField("EU-nummer", validators=[Optional(), Length(max=60)])
    celex = StringField(
        "CELEX",
        validators=[Optional(), Length(max=30), Regexp(r"^[0-9A-Z()]+$", message="CELEX numbers look like 32022R2065")],
    )
    pillar = IntegerField("Pijler / pillar", validators=[Optional(), NumberRange(1, 5)])
    team_id = SelectField("Team", coerce=int, validators=[InputRequired()])
    lead_ministry = StringField("Eerstverantwoordelijk ministerie", validators=[Optional(), Length(max=40)])
    national_instrument = StringField("Nationaal instrument", validators=[Optional(), Length(max=300)])
    bill_number = StringField("Kamerstuknummer / bill number", validators=[Optional(), Length(max=60)])
    summary = TextAreaField("Samenvatting / summary", validators=[Optional(), Length(max=4000)])
    eu_published = PrecisionDateField("Gepubliceerd (EU) / published", validators=[Optional()])
    eu_in_force = PrecisionDateField("In werking (EU) / in force", validators=[Optional()])


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
    kind = SelectField("Soort / kind", choices=_choices(DeadlineKind), coerce=_enum_coerce(DeadlineKind))
    title = StringField("Verplichting / obligation", validators=[DataRequired(), Length(max=300)])
    due = PrecisionDateField("Datum / due", validators=[InputRequired()])
    legal_basis = StringField("Grondslag / legal basis", validators=[Optional(), Length(max=300)])
    note = TextAreaField("Toelichting / note", validators=[Optional(), Length(max=4000)])
    met_on = DateField("Gehaald op / met on", validators=[Optional()])


class DesignationForm(VersionedForm):
    authority = SelectField("Toezichthouder / authority", validators=[InputRequired()])
    role = StringField("Rol / role", validators=[DataRequired(), Length(max=300)])
    scope = TextAreaField("Reikwijdte / scope", validators=[Optional(), Length(max=4000)])
    status = SelectField("Status", choices=_choices(DesignationStatus), coerce=_enum_coerce(DesignationStatus))
    legal_basis = StringField("Grondslag / legal basis", validators=[Optional(), Length(max=300)])


class EvaluationForm(VersionedForm):
    subject = StringField("Onderwerp / subject", validators=[DataRequired(), Length(max=300)])
    level = SelectField("Niveau / level", choices=_choices(EvaluationLevel), coerce=_enum_coerce(EvaluationLevel))
    status = SelectField("Status", choices=_choices(EvaluationStatus), coerce=_enum_coerce(EvaluationStatus))
    due = PrecisionDateField("Datum / due", validators=[InputRequired()])
    due_note = TextAreaField("Praktische info", validators=[Optional(), Length(max=4000)])
    performer = StringField("Uitvoerder / performer", validators=[Optional(), Length(max=200)])
    pillar = StringField("Pijler / pillar", validators=[Optional(), Length(max=10)])


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
