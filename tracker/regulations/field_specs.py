"""A field description read back in the terms a form, the seed reader and the tests need: its type, whether it is
required or may be empty, its length, pattern, range and choices, from the JSON Schema the OpenAPI document shows.
The descriptions themselves are in tracker.regulations.fields."""

from __future__ import annotations

import builtins
import enum
import functools
from dataclasses import dataclass
from typing import Any

from tracker.regulations.fields import (
    DATE_PATTERN,
    KNOWN_DATE_PATTERN,
    MULTI_LINE,
    ONE_LINE,
    RANGE_PATTERN,
    Fields,
)


@dataclass(frozen=True)
class FieldSpec:
    """One field as its model describes it, in the terms a form, the seed reader and the tests need."""

    name: str
    type: str  # text, choice, date (any precision), known_date, day, integer
    required: bool  # no default: it must be given, and text must not be blank
    nullable: bool  # it may be left empty (None)
    default: Any = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    enum: builtins.type[enum.Enum] | None = None  # builtins: `type` here is the field above

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(m.value for m in self.enum) if self.enum else ()


def _type_of(schema: dict[str, Any], enum_cls: type | None) -> str:
    if enum_cls is not None:
        return "choice"
    pattern = schema.get("pattern")
    if pattern in (DATE_PATTERN, KNOWN_DATE_PATTERN, RANGE_PATTERN):
        return "known_date" if pattern == KNOWN_DATE_PATTERN else "date"
    if schema.get("format") == "date":
        return "day"
    return "integer" if schema.get("type") == "integer" else "text"


def _own_pattern(body: dict[str, Any]) -> str | None:
    """A field's own pattern (CELEX); the control-character ones are every text field's, checked with messages."""
    pattern = body.get("pattern")
    return None if pattern in (ONE_LINE, MULTI_LINE) else pattern


@functools.cache
def describe(model: type[Fields]) -> dict[str, FieldSpec]:
    """Each field of `model`, read from its JSON Schema (the one the OpenAPI document shows)."""
    schema = model.model_json_schema(mode="validation")
    defs, required = schema.get("$defs", {}), set(schema.get("required", ()))
    specs = {}
    for name, prop in schema["properties"].items():
        options = prop.get("anyOf", [prop])
        (body,) = [o for o in options if o.get("type") != "null"]
        if "$ref" in body:
            body = defs[body["$ref"].rsplit("/", 1)[-1]]
        info = model.model_fields[name]
        annotation = info.annotation
        enum_cls = annotation if isinstance(annotation, type) and issubclass(annotation, enum.Enum) else None
        kind = _type_of(body, enum_cls)
        specs[name] = FieldSpec(
            name=name,
            type=kind,
            required=name in required,
            nullable=len(options) > 1,
            default=None if name in required else info.get_default(call_default_factory=True),
            max_length=body.get("maxLength"),
            pattern=_own_pattern(body) if kind == "text" else None,
            minimum=body.get("minimum"),
            maximum=body.get("maximum"),
            enum=enum_cls,
        )
    return specs


def takes_range(model: type[Fields], name: str) -> bool:
    """Whether a date field takes a range and the report's words (deadlines and evaluations), not one date."""
    prop = model.model_json_schema(mode="validation")["properties"][name]
    return any(option.get("pattern") == RANGE_PATTERN for option in prop.get("anyOf", [prop]))
