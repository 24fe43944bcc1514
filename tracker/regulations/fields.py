# mypy: disable-error-code=valid-type
# (every Text(...) and OptionalText(...) below is a pydantic type built by a call, which mypy cannot read)
"""The one description of each record's fields: type, length, required, choices.

Services validate the values of every command against these models, the API's bodies are checked with them and its
OpenAPI schemas are generated from them, and tests hold the WTForms forms, the seed schema and the database columns
to them. Change a field here, not in a second list.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError, WithJsonSchema
from pydantic.config import JsonDict

from tracker import date_input
from tracker.date_words import current_language
from tracker.dates import FORMATS_HELP, LABEL_MAX, RANGE_HELP, DateError, Precision, PrecisionDate
from tracker.errors import InvalidFields
from tracker.parsing import text_problem
from tracker.regulations.models import (
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    NationalMeasures,
    Notification,
    RegulationKind,
)
from tracker.regulations.stages import Stage

# What PrecisionDate.parse reads, for the OpenAPI document: years 1900-2200 at any precision, or not yet known.
_YEAR = r"(19[0-9]{2}|2[01][0-9]{2}|2200)"
_KNOWN = rf"{_YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?|-[Qq][1-4]|-[Hh][12])?"
KNOWN_DATE_PATTERN = rf"^{_KNOWN}$"
DATE_PATTERN = rf"^({_KNOWN}|t\.b\.d\.|tbd|n\.t\.b\.)$"
# Deadlines and evaluations take a range ("2023-Q4 .. 2024") and the report's words ("... (eind 2023 of in 2024)").
RANGE_PATTERN = (
    rf"^({_KNOWN}( ?\.\. ?{_KNOWN})?|t\.b\.d\.|tbd|n\.t\.b\.)( \([^()\x00-\x1f\x7f-\x9f]{{1,{LABEL_MAX}}}\))?$"
)


def _cleaned(value: Any, *, multiline: bool) -> Any:
    if isinstance(value, str):
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ValueError(problem)
        value = value.strip()
        return value or None
    return value


def _blank_to_none(value: Any) -> Any:
    """One-line text: control characters (NUL, line breaks, ...) refused; blank becomes None."""
    return _cleaned(value, multiline=False)


def _blank_to_none_multiline(value: Any) -> Any:
    """Multi-line text: line breaks and tabs allowed, other control characters refused; blank becomes None."""
    return _cleaned(value, multiline=True)


def _precision_date(value: Any, *, single: bool = False) -> PrecisionDate | None:
    """The canonical written form (2025-Q3, 2023-Q4 .. 2024 (eind 2023)), else what the forms accept
    (tracker.date_input: "3e kwartaal 2025", "najaar 2025", "eind 2023"), so the API and the CLI read the same."""
    if value is None or isinstance(value, PrecisionDate):
        return value
    if not isinstance(value, str):
        raise ValueError(_("een datum als tekst: %(formats)s", formats=FORMATS_HELP))
    try:
        return PrecisionDate.parse(value)
    except DateError as exc:
        try:
            return date_input.parse(value, single=single)
        except DateError:
            raise ValueError(str(exc)) from None


def _one_precision_date(value: Any) -> PrecisionDate | None:
    """As _precision_date, for a field that takes one date: a period word gives its one period."""
    return _precision_date(value, single=True)


def _single(value: PrecisionDate | None) -> PrecisionDate | None:
    if value is not None and (value.is_range or value.label):
        raise ValueError(f"one date here ({FORMATS_HELP}); ranges and the report's words only for deadlines")
    return value


def _known(value: PrecisionDate | None) -> PrecisionDate | None:
    if value is not None and not value.known:
        raise ValueError(_("hier is een bekende datum nodig; \"t.b.d.\" kan niet"))
    return value


# What parsing.text_problem allows, as a pattern the OpenAPI document shows (and generators of test data follow):
# no control characters, and in multi-line text only tabs and line breaks.
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


def Text(max_length: int) -> Any:
    """Required one-line text: stripped, at least one character."""
    shown: JsonDict = {"pattern": ONE_LINE}  # documented only: the before-validator checks it with a readable message
    return Annotated[
        str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=max_length, json_schema_extra=shown)
    ]


def OptionalText(max_length: int, *, multiline: bool = False) -> Any:
    """Optional text (one line unless `multiline`): blank becomes None."""
    clean = _blank_to_none_multiline if multiline else _blank_to_none
    shown: JsonDict = {"pattern": MULTI_LINE if multiline else ONE_LINE}
    text = Annotated[str, Field(max_length=max_length, json_schema_extra=shown)]
    return Annotated[text | None, BeforeValidator(clean), Field(default=None)]


date_or_none = dt.date | None


class Date(BaseModel):
    """A date as the API shows it: as written, its precision, the first day of its period, as people write it."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(examples=["2025-Q3"])
    precision: Precision
    first_day: dt.date | None
    display: str = Field(examples=["3e kwartaal 2025"])

    last_day: date_or_none = Field(description="a range's last day (null for one date): it has passed after this day")
    label: str | None = Field(description="the report's own words for this date, shown as `display`")

    @classmethod
    def of(cls, date: PrecisionDate) -> Date:
        return cls(
            value=date.isoformat(),
            precision=date.precision,
            first_day=date.start,
            display=date.display(current_language()),  # the reader's style (Accept-Language), Dutch by default
            last_day=date.last_day if date.is_range else None,
            label=date.label,
        )


# Dates are read as text ("2025-Q3") and shown as a Date object; the schema of each direction says so.
_DATE_OUT = PlainSerializer(Date.of, return_type=Date, when_used="json-unless-none")
_DATE_IN = {"type": "string", "pattern": DATE_PATTERN, "description": FORMATS_HELP}
_KNOWN_IN = {"type": "string", "pattern": KNOWN_DATE_PATTERN, "description": "2025-09-17, 2025-09, 2025-Q3 or 2025"}
# A date at any precision (2025-09-17, 2025-Q3, 2025, t.b.d.).
AnyDate = Annotated[
    PrecisionDate,
    BeforeValidator(_single),
    BeforeValidator(_one_precision_date),
    _DATE_OUT,
    WithJsonSchema(_DATE_IN, mode="validation"),
]
# A date at any precision, or a range of two, with the report's words if given (deadlines, evaluations).
_RANGE_IN = {"type": "string", "pattern": RANGE_PATTERN, "description": RANGE_HELP}
RangeDate = Annotated[
    PrecisionDate, BeforeValidator(_precision_date), _DATE_OUT, WithJsonSchema(_RANGE_IN, mode="validation")
]
# A date that must be known (a stage change happened on a day, month, quarter or year; never t.b.d.).
KnownDate = Annotated[
    PrecisionDate,
    BeforeValidator(_single),
    BeforeValidator(_known),
    BeforeValidator(_one_precision_date),
    _DATE_OUT,
    WithJsonSchema(_KNOWN_IN, mode="validation"),
]
OptionalDate = Annotated[
    PrecisionDate | None,
    BeforeValidator(_single),
    BeforeValidator(_one_precision_date),
    BeforeValidator(_blank_to_none),
    _DATE_OUT,
    WithJsonSchema({"anyOf": [_DATE_IN, {"type": "null"}]}, mode="validation"),
]
def _day(value: Any) -> Any:
    """A day as text ("2026-11-28") or a date, within the years every other date allows; never a number (0 would be
    read as 1 January 1970)."""
    value = _blank_to_none(value)
    if value is None or isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("een dag als JJJJ-MM-DD")) from None
    else:
        raise ValueError(_("een dag als JJJJ-MM-DD"))
    if day is not None and not 1900 <= day.year <= 2200:
        raise ValueError(_("een jaar van 1900 tot en met 2200"))
    return day


Day = Annotated[dt.date | None, BeforeValidator(_day), Field(default=None)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1, description="the version you read")]


class Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, str_strip_whitespace=True)


class MoveStageFields(Fields):
    to_stage: Stage
    effective: KnownDate
    note: OptionalText(4000, multiline=True)
    reference: OptionalText(500)
    reason: OptionalText(4000, multiline=True)


# Texts a reader sees are Dutch; `<field>_en` beside one holds its English, shown to English readers
# (tracker.content.text_in). A short name is what the tracker shows for the act ("Veiling 3,5 GHz"); the key is not.
class RegulationFields(Fields):
    short_name: OptionalText(60)
    short_name_en: OptionalText(60)
    title: Text(300)
    title_en: OptionalText(300)
    kind: RegulationKind = RegulationKind.REGULATION
    eu_number: OptionalText(60)
    celex: Annotated[
        Annotated[str, Field(max_length=30, pattern=r"^[0-9A-Z()]+$")] | None,
        BeforeValidator(_blank_to_none),
        Field(default=None),
    ]
    pillar: Annotated[int | None, Field(default=None, ge=1, le=5)]
    team_id: int
    lead_ministry: OptionalText(40)
    national_instrument: OptionalText(300)
    bill_number: OptionalText(60)
    summary: OptionalText(4000, multiline=True)
    summary_en: OptionalText(4000, multiline=True)
    eu_published: AnyDate = PrecisionDate.unknown()
    eu_in_force: AnyDate = PrecisionDate.unknown()
    eu_adopted: AnyDate = PrecisionDate.unknown()
    eli: OptionalText(200)
    com_number: OptionalText(60)
    procedure_ref: OptionalText(40)
    bnc_fiche: OptionalText(60)
    co_ministries: OptionalText(200)
    national_measures: NationalMeasures = NationalMeasures.UNKNOWN
    national_measures_note: OptionalText(4000, multiline=True)
    national_measures_note_en: OptionalText(4000, multiline=True)
    notification: Notification = Notification.NONE
    notified: AnyDate = PrecisionDate.unknown()
    notification_ref: OptionalText(200)


class DeadlineFields(Fields):
    kind: DeadlineKind
    title: Text(300)
    title_en: OptionalText(300)
    due: RangeDate
    legal_basis: OptionalText(300)
    note: OptionalText(4000, multiline=True)
    note_en: OptionalText(4000, multiline=True)
    met_on: Day


class DesignationFields(Fields):
    authority: Annotated[Text(40), Field(description="the authority's short name, e.g. ACM")]
    role: Text(300)
    role_en: OptionalText(300)
    scope: OptionalText(4000, multiline=True)
    scope_en: OptionalText(4000, multiline=True)
    status: DesignationStatus
    legal_basis: OptionalText(300)


class EvaluationFields(Fields):
    subject: Text(300)
    subject_en: OptionalText(300)
    level: EvaluationLevel
    status: EvaluationStatus
    due: RangeDate
    due_note: OptionalText(4000, multiline=True)
    due_note_en: OptionalText(4000, multiline=True)
    performer: OptionalText(200)
    pillar: OptionalText(10)


ITEM_FIELDS: dict[str, type[Fields]] = {
    "deadlines": DeadlineFields,
    "designations": DesignationFields,
    "evaluations": EvaluationFields,
}


def names(model: type[Fields]) -> tuple[str, ...]:
    return tuple(model.model_fields)


def validate(model: type[Fields], values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check `values` against `model`; return the typed values given (all fields unless `partial`).

    Raises InvalidFields naming every field at fault, so a caller can show them all at once.
    """
    try:
        if partial:
            # An update names only the fields it changes: check those, each as the model describes it.
            unknown = sorted(set(values) - set(model.model_fields))
            if unknown:
                raise InvalidFields(
                    _l("Onbekende velden: %(names)s.", names=", ".join(unknown)),
                    errors=[(n, _l("onbekend veld")) for n in unknown],
                )
            checked = model.__pydantic_validator__.validate_assignment
            instance = model.model_construct()
            for name, value in values.items():
                checked(instance, name, value)
            return {name: getattr(instance, name) for name in values}
        return dict(model.model_validate(values))
    except ValidationError as exc:
        errors = [(".".join(str(p) for p in err["loc"]) or None, _message(err)) for err in exc.errors()]
        raise InvalidFields(_l("Niet alle velden zijn goed ingevuld."), errors=errors) from None


def _message(err: Any) -> str:
    """Pydantic's reasons in the reader's language, for the kinds of error these fields can give."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing" or (kind == "string_type" and err.get("input") in (None, "")):
        return _("verplicht")
    if kind == "extra_forbidden":
        return _("onbekend veld")
    if kind == "string_too_long":
        return _("te lang: ten hoogste %(n)s tekens", n=ctx.get("max_length"))
    if kind in ("greater_than_equal", "less_than_equal"):
        return _("moet tussen %(low)s en %(high)s liggen", low=ctx.get("ge", "…"), high=ctx.get("le", "…"))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("moet een heel getal zijn")
    if kind == "enum":
        return _("kies een van %(known)s", known=ctx.get("expected", ""))
    if kind == "string_pattern_mismatch":
        return _("heeft niet de vorm die hier nodig is")
    if kind in ("string_type", "bool_type", "bool_parsing"):
        return _("heeft niet het juiste type")
    return str(err["msg"]).removeprefix("Value error, ")
