"""The OpenAPI 3.1 description of /api/v1. Tests run schemathesis against it: it must match the implementation."""

from __future__ import annotations

from typing import Any

from tracker.api.schemas import INT, SCHEMAS, TEXT, enum_of, nullable, obj, ref
from tracker.regulations.models import RegulationKind
from tracker.regulations.stages import Stage


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
    _param("kind", "query", enum_of(RegulationKind)),
    _param("mine", "query", {"type": "string", "enum": ["0", "1"]}),
]
KEY = _param(
    "key", "path", {"type": "string", "minLength": 1}, required=True, text="short name, e.g. DSA", example="DSA"
)
KIND = _param("kind", "path", {"type": "string", "enum": ["deadlines", "designations", "evaluations"]}, required=True)
ITEM_ID = _param("item_id", "path", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}, required=True, example=1)
ITEM_OUT = {"oneOf": [ref("Deadline"), ref("Designation"), ref("Evaluation")]}
ITEM_IN = {"oneOf": [ref("DeadlineIn"), ref("DesignationIn"), ref("EvaluationIn")]}
ITEM_PATCH = {"oneOf": [ref("DeadlinePatch"), ref("DesignationPatch"), ref("EvaluationPatch")]}


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
                            obj(
                                {
                                    "as_of": TEXT,
                                    "items": {"type": "array", "items": ref("Summary")},
                                    "page": INT,
                                    "per_page": INT,
                                    "total": INT,
                                    "next_page": nullable(INT),
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
                            obj(
                                {
                                    "as_of": TEXT,
                                    "columns": {
                                        "type": "array",
                                        "items": obj(
                                            {
                                                "stage": nullable(enum_of(Stage)),
                                                "regulations": {"type": "array", "items": ref("Summary")},
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
                        "200": _json(ref("Detail")),
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
                            obj(
                                {"key": TEXT, "history": {"type": "array", "items": ref("StageChange")}},
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
                    "requestBody": _body(ref("MoveStage")),
                    "responses": {
                        "201": _json(ref("StageChange"), "Moved"),
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
                f"P{code}": {"description": title, "content": {"application/problem+json": {"schema": ref("Problem")}}}
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
