"""The OpenAPI 3.1 description of /api/v1. Tests run schemathesis against it: it must match the implementation."""

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


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _enum(enum_cls: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


def _obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        schema["required"] = required
    return schema


TEXT = {"type": "string"}
NTEXT = _nullable(TEXT)
INT = {"type": "integer"}

SCHEMAS: dict[str, Any] = {
    "Problem": _obj(
        {
            "type": TEXT,
            "title": TEXT,
            "status": INT,
            "detail": TEXT,
            "errors": {"type": "array", "items": _obj({"field": TEXT, "message": TEXT}, ["field", "message"])},
        },
        ["title", "status", "detail"],
    ),
    "Date": _obj(
        {
            "value": TEXT,
            "precision": _enum(Precision),
            "first_day": _nullable({"type": "string", "format": "date"}),
            "display": TEXT,
        },
        ["value", "precision", "first_day", "display"],
    ),
    "Summary": _obj(
        {
            "key": TEXT,
            "title": TEXT,
            "kind": _enum(RegulationKind),
            "pillar": _nullable(INT),
            "team": TEXT,
            "stage": _nullable(_enum(Stage)),
            "stage_since": _nullable(_ref("Date")),
            "next_deadline": _nullable(_obj({"id": INT, "title": TEXT, "due": _ref("Date")}, ["id", "title", "due"])),
            "version": INT,
            "url": TEXT,
        },
        ["key", "title", "kind", "pillar", "team", "stage", "stage_since", "next_deadline", "version", "url"],
    ),
    "Deadline": _obj(
        {
            "id": INT,
            "kind": _enum(DeadlineKind),
            "title": TEXT,
            "due": _ref("Date"),
            "legal_basis": NTEXT,
            "note": NTEXT,
            "met_on": _nullable({"type": "string", "format": "date"}),
            "version": INT,
            "sequence": INT,
            "source_ref": NTEXT,
            "source_quote": NTEXT,
        },
        ["id", "kind", "title", "due", "version"],
    ),
    "Designation": _obj(
        {
            "id": INT,
            "authority": TEXT,
            "authority_name": TEXT,
            "role": TEXT,
            "scope": NTEXT,
            "status": _enum(DesignationStatus),
            "legal_basis": NTEXT,
            "version": INT,
            "source_ref": NTEXT,
            "source_quote": NTEXT,
        },
        ["id", "authority", "role", "status", "version"],
    ),
    "Evaluation": _obj(
        {
            "id": INT,
            "subject": TEXT,
            "level": _enum(EvaluationLevel),
            "status": _enum(EvaluationStatus),
            "due": _ref("Date"),
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
    "StageChange": _obj(
        {
            "id": INT,
            "from_stage": _nullable(_enum(Stage)),
            "to_stage": _enum(Stage),
            "move": _enum(MoveKind),
            "effective": _ref("Date"),
            "recorded_at": TEXT,
            "actor": TEXT,
            "reason": NTEXT,
            "note": NTEXT,
            "reference": NTEXT,
            "source_ref": NTEXT,
        },
        ["id", "from_stage", "to_stage", "move", "effective", "recorded_at", "actor"],
    ),
    "MoveStage": _obj(
        {
            "to_stage": _enum(Stage),
            "effective": {"type": "string", "pattern": DATE_TEXT},
            "note": NTEXT,
            "reference": NTEXT,
            "reason": NTEXT,
            "version": {"type": "integer", "minimum": 0},
        },
        ["to_stage", "effective", "version"],
    ),
    "DeadlineIn": _obj(
        {
            "kind": _enum(DeadlineKind),
            "title": {"type": "string", "minLength": 1, "maxLength": 300},
            "due": {"type": "string", "pattern": DATE_TEXT},
            "legal_basis": NTEXT,
            "note": NTEXT,
            "met_on": _nullable({"type": "string", "format": "date"}),
        },
        ["kind", "title", "due"],
    ),
    "DesignationIn": _obj(
        {
            "authority": TEXT,
            "role": {"type": "string", "minLength": 1, "maxLength": 300},
            "scope": NTEXT,
            "status": _enum(DesignationStatus),
            "legal_basis": NTEXT,
        },
        ["authority", "role", "status"],
    ),
    "EvaluationIn": _obj(
        {
            "subject": {"type": "string", "minLength": 1, "maxLength": 300},
            "level": _enum(EvaluationLevel),
            "status": _enum(EvaluationStatus),
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
    "links": {"type": "array", "items": _obj({"label": TEXT, "url": TEXT})},
    "eu_published": _ref("Date"),
    "eu_in_force": _ref("Date"),
    "source_ref": NTEXT,
    "source_quote": NTEXT,
    "deadlines": {"type": "array", "items": _ref("Deadline")},
    "designations": {"type": "array", "items": _ref("Designation")},
    "evaluations": {"type": "array", "items": _ref("Evaluation")},
}
# One flat object: the summary's fields and the details, no others.
SCHEMAS["Detail"] = _obj(
    {**SCHEMAS["Summary"]["properties"], **_DETAIL_ONLY},
    [*SCHEMAS["Summary"]["required"], "deadlines", "designations", "evaluations", "eu_published", "eu_in_force"],
)


def _problems(*codes: int) -> dict[str, Any]:
    return {str(code): {"$ref": f"#/components/responses/P{code}"} for code in codes}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _param(
    name: str, where: str, schema: dict[str, Any], required: bool = False, text: str = "", example: Any = None
) -> dict[str, Any]:
    param = {"name": name, "in": where, "required": required, "schema": schema, "description": text}
    if example is not None:
        param["example"] = example
    return param


FILTERS = [
    _param("as_of", "query", {"type": "string", "format": "date"}, text="the portfolio as it stood that day"),
    _param("pillar", "query", {"type": "string", "enum": ["1", "2", "3", "4", "5"]}),
    _param("team", "query", TEXT),
    _param("authority", "query", TEXT),
    _param("kind", "query", _enum(RegulationKind)),
    _param("mine", "query", {"type": "string", "enum": ["0", "1"]}),
]
KEY = _param(
    "key", "path", {"type": "string", "minLength": 1}, required=True, text="short name, e.g. DSA", example="DSA"
)
KIND = _param("kind", "path", {"type": "string", "enum": ["deadlines", "designations", "evaluations"]}, required=True)
ITEM_ID = _param("item_id", "path", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}, required=True, example=1)
ITEM_OUT = {"oneOf": [_ref("Deadline"), _ref("Designation"), _ref("Evaluation")]}
ITEM_IN = {"oneOf": [_ref("DeadlineIn"), _ref("DesignationIn"), _ref("EvaluationIn")]}
ITEM_PATCH = {"oneOf": [_ref("DeadlinePatch"), _ref("DesignationPatch"), _ref("EvaluationPatch")]}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def spec(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "EU implementation tracker API",
            "version": "1.0.0",
            "description": "Regulations, stage history, deadlines, designations and evaluations. "
            "Authenticate with a personal API token: `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": base_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/regulations": {
                "get": {
                    "operationId": "listRegulations",
                    "summary": "Regulations with their stage as of a date",
                    "parameters": [
                        *FILTERS,
                        _param("page", "query", {"type": "integer", "minimum": 1}),
                        _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 200}),
                    ],
                    "responses": {
                        "200": _json(
                            _obj(
                                {
                                    "as_of": TEXT,
                                    "items": {"type": "array", "items": _ref("Summary")},
                                    "page": INT,
                                    "per_page": INT,
                                    "total": INT,
                                    "next_page": _nullable(INT),
                                },
                                ["as_of", "items", "page", "per_page", "total", "next_page"],
                            )
                        ),
                        "304": {"description": "Not modified"},
                        **_problems(400, 401),
                    },
                }
            },
            "/api/v1/board": {
                "get": {
                    "operationId": "getBoard",
                    "summary": "The board by stage as of a date",
                    "parameters": FILTERS,
                    "responses": {
                        "200": _json(
                            _obj(
                                {
                                    "as_of": TEXT,
                                    "columns": {
                                        "type": "array",
                                        "items": _obj(
                                            {
                                                "stage": _nullable(_enum(Stage)),
                                                "regulations": {"type": "array", "items": _ref("Summary")},
                                            },
                                            ["stage", "regulations"],
                                        ),
                                    },
                                },
                                ["as_of", "columns"],
                            )
                        ),
                        "304": {"description": "Not modified"},
                        **_problems(400, 401),
                    },
                }
            },
            "/api/v1/regulations/{key}": {
                "get": {
                    "operationId": "getRegulation",
                    "parameters": [KEY],
                    "responses": {
                        "200": _json(_ref("Detail")),
                        "304": {"description": "Not modified"},
                        **_problems(400, 401, 404),
                    },
                }
            },
            "/api/v1/regulations/{key}/history": {
                "get": {
                    "operationId": "getHistory",
                    "parameters": [KEY],
                    "responses": {
                        "200": _json(
                            _obj(
                                {"key": TEXT, "history": {"type": "array", "items": _ref("StageChange")}},
                                ["key", "history"],
                            )
                        ),
                        "304": {"description": "Not modified"},
                        **_problems(400, 401, 404),
                    },
                }
            },
            "/api/v1/regulations/{key}/stage": {
                "post": {
                    "operationId": "moveStage",
                    "parameters": [KEY],
                    "requestBody": _body(_ref("MoveStage")),
                    "responses": {
                        "201": _json(_ref("StageChange"), "Moved"),
                        **_problems(400, 401, 403, 404, 409, 422),
                    },
                }
            },
            "/api/v1/regulations/{key}/{kind}": {
                "post": {
                    "operationId": "createItem",
                    "parameters": [KEY, KIND],
                    "requestBody": _body(ITEM_IN),
                    "responses": {"201": _json(ITEM_OUT, "Created"), **_problems(400, 401, 403, 404, 409, 422)},
                }
            },
            "/api/v1/regulations/{key}/{kind}/{item_id}": {
                "patch": {
                    "operationId": "updateItem",
                    "parameters": [KEY, KIND, ITEM_ID],
                    "requestBody": _body(ITEM_PATCH),
                    "responses": {"200": _json(ITEM_OUT), **_problems(400, 401, 403, 404, 409, 422)},
                },
                "delete": {
                    "operationId": "deleteItem",
                    "parameters": [
                        KEY,
                        KIND,
                        ITEM_ID,
                        _param("version", "query", {"type": "integer", "minimum": 0}, True),
                    ],
                    "responses": {"204": {"description": "Deleted"}, **_problems(400, 401, 403, 404, 409, 422)},
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "security": [],
                    "responses": {"200": _json({"type": "object"}), "304": {"description": "Not modified"}},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                f"P{code}": {"description": title, "content": {"application/problem+json": {"schema": _ref("Problem")}}}
                for code, title in (
                    (400, "Bad request"),
                    (401, "No or invalid token"),
                    (403, "Not allowed"),
                    (404, "Not found"),
                    (409, "Conflict: someone else changed it"),
                    (422, "Invalid fields"),
                )
            },
        },
    }
