"""The field descriptions in tracker.regulations.fields are the one list: the WTForms forms, the seed reader and the
database columns must agree with them, field by field (names, required or not, lengths, choices, ranges, dates)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Date, Enum, Integer, String, Text
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from tracker.regulations import forms
from tracker.regulations.field_specs import FieldSpec, describe
from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    MoveStageFields,
    RegulationFields,
)
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, StageChange
from tracker.seeding.schema import SECTIONS, STAGE_NAMES

RECORDS = {
    "stage move": (MoveStageFields, forms.MoveStageForm, StageChange),
    "regulation": (RegulationFields, forms.RegulationForm, Regulation),
    "deadline": (DeadlineFields, forms.DeadlineForm, Deadline),
    "designation": (DesignationFields, forms.DesignationForm, Designation),
    "evaluation": (EvaluationFields, forms.EvaluationForm, Evaluation),
}
FORM_ONLY = {"csrf_token", "version"}
# Which history a move goes to: not a field of the change but its address, like the act's key in the URL.
ADDRESS = {"stage move": {"instrument"}}


def field_cases() -> list[Any]:
    return [
        pytest.param(model, form, orm, spec, id=f"{record}.{name}")
        for record, (model, form, orm) in RECORDS.items()
        for name, spec in describe(model).items()
    ]


@pytest.fixture(scope="module")
def bound_forms():
    """Each form, bound in a bare request context (no database, no CSRF)."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        yield {form: form() for _, form, _ in RECORDS.values()}


def test_every_record_has_fields_and_each_field_a_known_type():
    for model, _, _ in RECORDS.values():
        specs = describe(model)
        assert specs and {s.type for s in specs.values()} <= {"text", "choice", "date", "known_date", "day", "integer"}


@pytest.mark.parametrize("record", RECORDS)
def test_the_form_has_exactly_the_fields(bound_forms, record):
    model, form, _ = RECORDS[record]
    assert set(bound_forms[form]._fields) - FORM_ONLY - ADDRESS.get(record, set()) == set(describe(model))


@pytest.mark.parametrize(("model", "form", "orm", "spec"), field_cases())
def test_the_form_field_agrees(bound_forms, model, form, orm, spec: FieldSpec):
    field = bound_forms[form][spec.name]
    kinds = {type(v) for v in field.validators}
    if spec.required:
        assert kinds & {DataRequired, InputRequired}, "required in fields.py, optional in the form"
        assert Optional not in kinds
    else:
        assert not kinds & {DataRequired, InputRequired}, "optional in fields.py, required in the form"
        assert Optional in kinds or isinstance(field, SelectField)
    lengths = [v.max for v in field.validators if isinstance(v, Length)]
    assert lengths == ([spec.max_length] if spec.max_length else [])
    ranges = [(v.min, v.max) for v in field.validators if isinstance(v, NumberRange)]
    assert ranges == ([(spec.minimum, spec.maximum)] if spec.minimum is not None or spec.maximum is not None else [])
    patterns = [v.regex.pattern for v in field.validators if isinstance(v, Regexp)]
    assert patterns == ([spec.pattern] if spec.pattern else [])
    if spec.type == "choice":
        assert [c[0] for c in field.iter_choices()] == list(spec.choices)
    elif spec.type in ("date", "known_date"):
        assert isinstance(field, forms.PrecisionDateField)
        assert field.allow_unknown is (spec.type == "date")
    elif spec.type == "day":
        assert isinstance(field, DateField)
    elif spec.type == "integer":
        assert isinstance(field, IntegerField | SelectField)


# -- the database ------------------------------------------------------------------------------------
def columns(orm: type, spec: FieldSpec) -> list[Any]:
    """The column(s) behind a field: a date is two (first day, precision); a designation's authority a key."""
    table = orm.__table__
    if spec.type in ("date", "known_date"):
        return [table.c[f"{spec.name}_on"], table.c[f"{spec.name}_precision"]]
    if orm is Designation and spec.name == "authority":
        return [Authority.__table__.c.key]
    return [table.c[spec.name]]


@pytest.mark.parametrize(("model", "form", "orm", "spec"), field_cases())
def test_the_column_agrees(model, form, orm, spec: FieldSpec):
    column, *rest = columns(orm, spec)
    if orm is Designation and spec.name == "authority":
        assert not orm.__table__.c.authority_id.nullable and isinstance(column.type, String)
        assert column.type.length == spec.max_length and column.unique
        return
    if spec.type == "text":
        assert isinstance(column.type, String)
        # A String holds exactly what the field allows; a long text is unbounded (Text).
        assert column.type.length == spec.max_length or (isinstance(column.type, Text) and column.type.length is None)
        assert column.nullable is spec.nullable
    elif spec.type == "choice":
        assert isinstance(column.type, Enum) and tuple(column.type.enums) == spec.choices
        assert column.nullable is spec.nullable
    elif spec.type in ("date", "known_date"):
        (precision,) = rest
        assert isinstance(column.type, Date) and not precision.nullable
        assert column.nullable is (spec.type == "date"), "only a date that may be t.b.d. has no first day"
    elif spec.type == "day":
        assert isinstance(column.type, Date) and column.nullable is spec.nullable
    else:
        assert isinstance(column.type, Integer) and column.nullable is spec.nullable
        if spec.minimum is not None:
            checks = {str(c.sqltext) for c in orm.__table__.constraints if hasattr(c, "sqltext")}
            assert f"{spec.name} BETWEEN {spec.minimum} AND {spec.maximum}" in checks


# -- the seed ----------------------------------------------------------------------------------------
SOURCE = {"ref": "test"}
VALID = {
    "stage move": {"id": "s", "stage": "consultation", "date": "2023-Q2", "source": SOURCE},
    "deadline": {"id": "d", "kind": "other", "title": "T", "title_en": "T", "due": "2025", "source": SOURCE},
    "designation": {"id": "g", "authority": "ACM", "role": "R", "role_en": "R", "status": "intended",
                    "source": SOURCE},
    "regulation": {"id": "R", "short_name": "R", "title": "T", "title_en": "T", "team": "EZK", "source": SOURCE},
    "evaluation": {"id": "e", "subject": "S", "subject_en": "S", "level": "eu", "status": "done", "due": "2028",
                   "source": SOURCE},
}
# The seed asks more than fields.py here: every act has a short name, and a Dutch text its English beside it
# (`<name>_en`, seed/README.md; tested in test_seed_language.py).
SEED_REQUIRES = {("regulation", "short_name"), *((r, f"{n}_en") for r, n in (
    ("regulation", "title"), ("deadline", "title"), ("designation", "role"), ("evaluation", "subject")))}
INSIDE = {"regulation": None, "evaluation": None, "stage move": "stages", "deadline": "deadlines",
          "designation": "designations"}  # fmt: skip
SEED_NAMES = {"stage move": STAGE_NAMES}


def read(record: str, entry: dict[str, Any]) -> tuple[list[str], Any]:
    """Read one entry as the seed reader does; the problems found, and the values read."""
    problems: list[str] = []
    if INSIDE[record] is None:
        spec = SECTIONS[f"{record}s"](problems, "f.yaml", "here", entry)
        return problems, spec.values
    regulation = dict(VALID["regulation"], **{INSIDE[record]: [entry]})
    spec = SECTIONS["regulations"](problems, "f.yaml", "here", regulation)
    return problems, getattr(spec, INSIDE[record])[0].values


def seed_cases() -> list[Any]:
    return [
        pytest.param(record, spec, id=f"{record}.{name}")
        for record, (model, _, _) in RECORDS.items()
        for name, spec in describe(model).items()
        if name != "team_id"  # the seed names a regulation's team by its key
    ]


def test_the_valid_entries_are_valid():
    for record, entry in VALID.items():
        assert read(record, entry)[0] == []


@pytest.mark.parametrize(("record", "spec"), seed_cases())
def test_the_seed_reads_the_field_as_described(record, spec: FieldSpec):
    key = SEED_NAMES.get(record, {}).get(spec.name, spec.name)

    def problems_with(value: Any) -> list[str]:
        entry = copy.deepcopy(VALID[record])
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
            if key.endswith("_en"):
                entry.setdefault(key.removesuffix("_en"), "x")  # the English goes with its Dutch
        found, _ = read(record, entry)
        return [p for p in found if f": {key}:" in p]

    required = spec.required or (record, spec.name) in SEED_REQUIRES
    assert bool(problems_with(None)) is required, "required in fields.py and the seed alike"
    if spec.max_length:
        assert problems_with("x" * spec.max_length) == [] or spec.pattern
        assert problems_with("x" * (spec.max_length + 1))
    if spec.type == "choice":
        for value in spec.choices:
            assert problems_with(value) == []
        assert problems_with("no-such-choice")
    if spec.minimum is not None:
        assert problems_with(spec.minimum) == [] and problems_with(spec.maximum) == []
        assert problems_with(spec.minimum - 1) and problems_with(spec.maximum + 1)
    if spec.pattern:
        assert problems_with("not matching ^$ at all!")
    if spec.type in ("date", "known_date"):
        assert problems_with("2025-Q3") == [] and problems_with("2025-13")
        assert bool(problems_with("t.b.d.")) is (spec.type == "known_date")
    if spec.type == "day":
        assert problems_with("2025-09-17") == [] and problems_with("2025-09")
    if not spec.required:
        entry = {k: v for k, v in VALID[record].items() if k != key}
        _, values = read(record, entry)
        assert values[key] == spec.default, "an absent field takes the default fields.py gives it"
