"""The JSON schemas of the API's bodies, for the OpenAPI document in openapi.py."""

from __future__ import annotations

from typing import Any

from tracker.dates import Precision
from tracker.regulations.models import (
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    RegulationKind,
)
from tracker.regulations.stages import MoveKind, Stage

DATE_TEXT = r"^(\d{4}(-\d{2}(-\d{2})?|-[Qq][1-4]|-[Hh][12])?|t\.b\.d\.|tbd|n\.t\.b\.)$"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def enum_of(enum_cls: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


def obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        schema["required"] = required
    return schema


TEXT = {"type": "string"}
NTEXT = nullable(TEXT)
INT = {"type": "integer"}

SCHEMAS: dict[str, Any] = {
    "Problem": obj(
        {
            "type": TEXT,
            "title": TEXT,
            "status": INT,
            "detail": TEXT,
            "errors": {"type": "array", "items": obj({"field": TEXT, "message": TEXT}, ["field", "message"])},
        },
        ["title", "status", "detail"],
    ),
    "Date": obj(
        {
            "value": TEXT,
            "precision": enum_of(Precision),
            "first_day": nullable({"type": "string", "format": "date"}),
            "display": TEXT,
        },
        ["value", "precision", "first_day", "display"],
    ),
    "Summary": obj(
        {
            "key": TEXT,
            "title": TEXT,
            "kind": enum_of(RegulationKind),
            "pillar": nullable(INT),
            "team": TEXT,
            "stage": nullable(enum_of(Stage)),
            "stage_since": nullable(ref("Date")),
            "next_deadline": nullable(obj({"id": INT, "title": TEXT, "due": ref("Date")}, ["id", "title", "due"])),
            "version": INT,
            "url": TEXT,
        },
        ["key", "title", "kind", "pillar", "team", "stage", "stage_since", "next_deadline", "version", "url"],
    ),
    "Deadline": obj(
        {
            "id": INT,
            "kind": enum_of(DeadlineKind),
            "title": TEXT,
            "due": ref("Date"),
            "legal_basis": NTEXT,
            "note": NTEXT,
            "met_on": nullable({"type": "string", "format": "date"}),
            "version": INT,
            "sequence": INT,
            "source_ref": NTEXT,
            "source_quote": NTEXT,
        },
        ["id", "kind", "title", "due", "version"],
    ),
    "Designation": obj(
        {
            "id": INT,
            "authority": TEXT,
            "authority_name": TEXT,
            "role": TEXT,
            "scope": NTEXT,
            "status": enum_of(DesignationStatus),
            "legal_basis": NTEXT,
            "version": INT,
            "source_ref": NTEXT,
            "source_quote": NTEXT,
        },
        ["id", "authority", "role", "status", "version"],
    ),
    "Evaluation": obj(
        {
            "id": INT,
            "subject": TEXT,
            "level": enum_of(EvaluationLevel),
            "status": enum_of(EvaluationStatus),
            "due": ref("Date"),
            "due_note": NTEXT,
            "performer": NTEXT,
            "pillar": NTEXT,
            "version": INT,
            "sequence": INT,
            "source_ref": NTEXT,
            "source_quote": NTEXT,
        },
        ["id", "subject", "level", "status", "due", "version"],
    ),
    "StageChange": obj(
        {
            "id": INT,
            "from_stage": nullable(enum_of(Stage)),
            "to_stage": enum_of(Stage),
            "move": enum_of(MoveKind),
            "effective": ref("Date"),
            "recorded_at": TEXT,
            "actor": TEXT,
            "reason": NTEXT,
            "note": NTEXT,
            "reference": NTEXT,
            "source_ref": NTEXT,
        },
        ["id", "from_stage", "to_stage", "move", "effective", "recorded_at", "actor"],
    ),
    "MoveStage": obj(
        {
            "to_stage": enum_of(Stage),
            "effective": {"type": "string", "pattern": DATE_TEXT},
            "note": NTEXT,
            "reference": NTEXT,
            "reason": NTEXT,
            "version": {"type": "integer", "minimum": 0},
        },
        ["to_stage", "effective", "version"],
    ),
    "DeadlineIn": obj(
        {
            "kind": enum_of(DeadlineKind),
            "title": {"type": "string", "minLength": 1, "maxLength": 300},
            "due": {"type": "string", "pattern": DATE_TEXT},
            "legal_basis": NTEXT,
            "note": NTEXT,
            "met_on": nullable({"type": "string", "format": "date"}),
        },
        ["kind", "title", "due"],
    ),
    "DesignationIn": obj(
        {
            "authority": TEXT,
            "role": {"type": "string", "minLength": 1, "maxLength": 300},
            "scope": NTEXT,
            "status": enum_of(DesignationStatus),
            "legal_basis": NTEXT,
        },
        ["authority", "role", "status"],
    ),
    "EvaluationIn": obj(
        {
            "subject": {"type": "string", "minLength": 1, "maxLength": 300},
            "level": enum_of(EvaluationLevel),
            "status": enum_of(EvaluationStatus),
            "due": {"type": "string", "pattern": DATE_TEXT},
            "due_note": NTEXT,
            "performer": NTEXT,
            "pillar": NTEXT,
        },
        ["subject", "level", "status", "due"],
    ),
}
for _name in ("Deadline", "Designation", "Evaluation"):
    _patch = dict(SCHEMAS[f"{_name}In"])
    _patch["properties"] = {**_patch["properties"], "version": {"type": "integer", "minimum": 0}}
    _patch["required"] = ["version"]
    SCHEMAS[f"{_name}Patch"] = _patch
_DETAIL_ONLY = {
    "title_nl": NTEXT,
    "eu_number": NTEXT,
    "celex": NTEXT,
    "lead_ministry": NTEXT,
    "national_instrument": NTEXT,
    "bill_number": NTEXT,
    "summary": NTEXT,
    "links": {"type": "array", "items": obj({"label": TEXT, "url": TEXT})},
    "eu_published": ref("Date"),
    "eu_in_force": ref("Date"),
    "source_ref": NTEXT,
    "source_quote": NTEXT,
    "deadlines": {"type": "array", "items": ref("Deadline")},
    "designations": {"type": "array", "items": ref("Designation")},
    "evaluations": {"type": "array", "items": ref("Evaluation")},
}
# One flat object: the summary's fields and the details, no others.
SCHEMAS["Detail"] = obj(
    {**SCHEMAS["Summary"]["properties"], **_DETAIL_ONLY},
    [*SCHEMAS["Summary"]["required"], "deadlines", "designations", "evaluations", "eu_published", "eu_in_force"],
)
