"""The OpenAPI 3.1 document of /api/v1, generated: a route table below, and the JSON Schema of the pydantic models
in schemas.py (built on tracker.regulations.fields) as its components. Tests run schemathesis against it and hold
its routes to the app's."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from tracker.api import instruments as i
from tracker.api import schemas as s
from tracker.regulations.commands import ITEM_KINDS
from tracker.regulations.fields import Version
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import RegulationKind

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
PROBLEMS = {
    400: "Bad request: a parameter or the body is not valid",
    401: "No or invalid token",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict: someone else changed it; fetch it again",
    422: "Invalid fields, or a refused stage move",
}
WRITE_PROBLEMS = (400, 401, 403, 404, 409, 422)


@dataclass(frozen=True)
class Param:
    name: str
    where: Literal["path", "query"]
    type: Any
    description: str = ""
    required: bool = False
    example: Any = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # below PREFIX
    operation: str
    summary: str
    params: tuple[Param, ...] = ()
    body: tuple[type[BaseModel], ...] = ()  # one of these
    status: int = 200
    answer: tuple[Any, ...] = ()  # one of these models, or a type described inline; () for no content
    problems: tuple[int, ...] = ()
    public: bool = False


FILTERS = (
    Param("as_of", "query", dt.date, "the portfolio as it stood that day (default: today)"),
    Param("pillar", "query", Literal["1", "2", "3", "4", "5"]),
    Param("team", "query", str, "a team's short name"),
    Param("authority", "query", str, "an authority's short name"),
    Param("kind", "query", RegulationKind),
    Param("mine", "query", Literal["0", "1"], "1: only regulations of my teams"),
    Param("instrument", "query", InstrumentKind, "only acts with a national instrument of this kind"),
    Param("ministry", "query", str, "only acts led by this ministry or with an instrument of it"),
)
PAGING = (
    Param("page", "query", Annotated[int, Field(ge=1, le=100000)]),
    Param("per_page", "query", Annotated[int, Field(ge=1, le=200)], "default 50"),
)
KEY = Param("key", "path", Annotated[str, Field(min_length=1)], "short name, e.g. DSA", True, "DSA")
KIND = Param("kind", "path", Literal[ITEM_KINDS], required=True)
ITEM_ID = Param("item_id", "path", Annotated[int, Field(ge=0, le=2**31 - 1)], required=True, example=1)
INSTRUMENT_ID = Param("instrument_id", "path", Annotated[int, Field(ge=0, le=2**31 - 1)], required=True, example=1)
ITEMS_IN = tuple(s.ITEM_IN.values())
ITEMS_PATCH = tuple(s.ITEM_PATCH.values())
ITEMS_OUT = tuple(s.ITEM_OUT.values())

ROUTES = (
    Route("get", "/regulations", "listRegulations", "Regulations with their stage as of a date, paginated",
          (*FILTERS, *PAGING), answer=(s.RegulationList,), problems=(400, 401)),
    Route("get", "/board", "getBoard", "The board by stage as of a date; each column paginated",
          (*FILTERS, *PAGING), answer=(s.Board,), problems=(400, 401)),
    Route("get", "/regulations/{key}", "getRegulation", "One regulation with its deadlines, designations and "
          "evaluations", (KEY,), answer=(s.Detail,), problems=(400, 401, 404)),
    Route("get", "/regulations/{key}/history", "getHistory", "Its stage history", (KEY,), answer=(s.History,),
          problems=(400, 401, 404)),
    Route("get", "/regulations/{key}/plan", "getPlan", "Will it meet its EU date? Its plan as of a date: status, "
          "reason, target, forecasts and latest starts", (KEY, Param("as_of", "query", dt.date, "default: today")),
          answer=(s.Plan,), problems=(400, 401, 404)),
    Route("post", "/regulations/{key}/stage", "moveStage", "Move the stage", (KEY,), (s.MoveStage,), 201,
          (s.StageChange,), WRITE_PROBLEMS),
    Route("post", "/regulations/{key}/{kind}", "createItem", "Add a deadline, designation or evaluation",
          (KEY, KIND), ITEMS_IN, 201, ITEMS_OUT, WRITE_PROBLEMS),
    Route("patch", "/regulations/{key}/{kind}/{item_id}", "updateItem", "Change some fields of an item",
          (KEY, KIND, ITEM_ID), ITEMS_PATCH, 200, ITEMS_OUT, WRITE_PROBLEMS),
    Route("delete", "/regulations/{key}/{kind}/{item_id}", "deleteItem", "Delete an item",
          (KEY, KIND, ITEM_ID, Param("version", "query", Version, "the version you read", True)), status=204,
          problems=WRITE_PROBLEMS),
    Route("get", "/regulations/{key}/instruments", "listInstruments", "Its national instruments, each with its "
          "stage", (KEY,), answer=(i.InstrumentList,), problems=(400, 401, 404)),
    Route("post", "/regulations/{key}/instruments", "createInstrument", "Add a national instrument", (KEY,),
          (i.InstrumentIn,), 201, (i.InstrumentOut,), WRITE_PROBLEMS),
    Route("get", "/instruments/{instrument_id}", "getInstrument", "One national instrument with its history",
          (INSTRUMENT_ID,), answer=(i.InstrumentDetail,), problems=(400, 401, 404)),
    Route("patch", "/instruments/{instrument_id}", "updateInstrument", "Change some fields of an instrument",
          (INSTRUMENT_ID,), (i.InstrumentPatch,), 200, (i.InstrumentOut,), WRITE_PROBLEMS),
    Route("get", "/openapi.json", "openapi", "This document", answer=(dict[str, Any],), public=True),
)  # fmt: skip


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _components(routes: tuple[Route, ...]) -> tuple[dict[tuple[type, str], dict[str, Any]], dict[str, Any]]:
    """Every body and answer model's JSON Schema, with what they refer to; the refs of each (model, mode)."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for route in routes:
        wanted.update(dict.fromkeys((m, "validation") for m in route.body))
        wanted.update(dict.fromkeys((m, "serialization") for m in route.answer if _is_model(m)))
    wanted[(s.Problem, "serialization")] = None
    refs, schema = models_json_schema(list(wanted), ref_template=REF)
    return refs, _reachable(schema.get("$defs", {}), [r for r in refs.values()])  # type: ignore[return-value]  # read by (type, mode)


def _reachable(defs: dict[str, Any], roots: list[Any]) -> dict[str, Any]:
    """Only the definitions the roots refer to, directly or not (pydantic keeps some it no longer uses)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    todo.append(defs[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return {name: defs[name] for name in sorted(seen)}


def _inline(kind: Any) -> dict[str, Any]:
    schema = TypeAdapter(kind).json_schema(ref_template=REF)
    schema.pop("title", None)
    return schema


def _one_of(schemas: list[dict[str, Any]], word: str) -> dict[str, Any]:
    return schemas[0] if len(schemas) == 1 else {word: schemas}


def _parameter(param: Param) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": param.name,
        "in": param.where,
        "required": param.required or param.where == "path",
        "schema": _inline(param.type),
    }
    if param.description:
        out["description"] = param.description
    if param.example is not None:
        out["example"] = param.example
    return out


def _operation(route: Route, refs: dict[tuple[type, str], dict[str, Any]]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": route.operation, "summary": route.summary}
    if route.params:
        op["parameters"] = [_parameter(p) for p in route.params]
    if route.body:
        # A body is one of the models; which one the path's {kind} says (anyOf: a PATCH may fit several).
        schema = _one_of([refs[(m, "validation")] for m in route.body], "anyOf")
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    answer: dict[str, Any] = {"description": "No content" if route.status == 204 else "OK"}
    if route.answer:
        schemas = [refs[(m, "serialization")] if _is_model(m) else _inline(m) for m in route.answer]
        answer["content"] = {"application/json": {"schema": _one_of(schemas, "oneOf")}}
    op["responses"] = {str(route.status): answer}
    if route.method == "get":
        op["responses"]["304"] = {"description": "Not modified (If-None-Match)"}
    op["responses"].update({str(c): {"$ref": f"#/components/responses/P{c}"} for c in route.problems})
    if route.public:
        op["security"] = []
    return op


@functools.cache
def _document() -> dict[str, Any]:
    refs, schemas = _components(ROUTES)
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(PREFIX + route.path, {})[route.method] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "EU implementation tracker API",
            "version": "1.0.0",
            "description": "Regulations, stage history, deadlines, designations and evaluations. "
            "Authenticate with a personal API token: `Authorization: Bearer <token>`.",
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {
                f"P{code}": {
                    "description": text,
                    "content": {"application/problem+json": {"schema": refs[(s.Problem, "serialization")]}},
                }
                for code, text in PROBLEMS.items()
            },
        },
    }


def spec(base_url: str) -> dict[str, Any]:
    """The document, served from `base_url`."""
    return {**_document(), "servers": [{"url": base_url}]}
