"""How each column's value in an export file is checked before import: type, range, shape and text.

Every check raises TransferError naming the table, row and column, so a refused file says where it is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Integer, String, Text
from sqlalchemy.types import BigInteger, SmallInteger

from tracker.dates import DateError, Precision, PrecisionDate, period_start
from tracker.db import UTCDateTime
from tracker.keys import key_problem

INTEGER_BITS = ((SmallInteger, 16), (BigInteger, 64), (Integer, 32))  # subclasses before Integer
URL_MAX = 1000


class TransferError(ValueError):
    pass


def _text(value: Any, what: str = "text") -> str:
    if not isinstance(value, str):
        raise ValueError(f"not {what}")
    if "\x00" in value:
        raise ValueError("text with a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text that is not valid Unicode (a lone surrogate)") from None
    return value


def _any_json(value: Any, where: str) -> None:
    """Any JSON value (the audit trail shows values as they were: text, numbers, lists, objects); no NUL text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                _text(item)
            except ValueError as exc:
                raise ValueError(f"{where} holds {exc}") from None


def _changes(value: Any) -> Any:
    """audit_events.changes: {"field": [old, new]} (tracker/audit/record.py)."""
    if not isinstance(value, dict):
        raise ValueError("not an object mapping each field to [old, new]")
    for field, pair in value.items():
        _text(field, "text as a field name")
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(f"not [old, new] (a list of two) for {field!r}")
        for side, item in zip(("old", "new"), pair, strict=True):
            _any_json(item, f"the {side} value of {field!r}")
    return value


def _links(value: Any) -> Any:
    """regulations.links: [{"label": ..., "url": "http(s)://..."}] (tracker/seeding/entry.py)."""
    if not isinstance(value, list):
        raise ValueError('not a list of {"label", "url"} objects')
    for i, link in enumerate(value):
        if not isinstance(link, dict) or set(link) != {"label", "url"}:
            raise ValueError(f'not a list of {{"label", "url"}} objects (item {i})')
        if not _text(link["label"], f"text as the label of item {i}").strip():
            raise ValueError(f"a link without a label (item {i})")
        url = _text(link["url"], f"text as the url of item {i}")
        if not url.startswith(("http://", "https://")) or len(url) > URL_MAX:
            raise ValueError(f"a url that is not http(s):// of at most {URL_MAX} characters (item {i})")
    return value


CERTAINTIES = ("report", "reading", "inference", "external")


def _conflicts(value: Any) -> Any:
    """<sourced>.conflicts: [{"ref", "quote", "note", "note_en"}]: where the report says otherwise
    (tracker/seeding/entry.py); files written before the note's English was kept have no "note_en"."""
    if not isinstance(value, list):
        raise ValueError('not a list of {"ref", "quote", "note", "note_en"} objects')
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not set(item) <= {"ref", "quote", "note", "note_en"}:
            raise ValueError(f'not a list of {{"ref", "quote", "note", "note_en"}} objects (item {i})')
        for key in ("ref", "quote"):
            _text(item.get(key), f"text as the {key} of item {i}")
        for key in ("note", "note_en"):
            if item.get(key) is not None:
                _text(item[key], f"text as the {key} of item {i}")
    return value


def _field_sources(value: Any) -> Any:
    """regulations.field_sources: {field: {"ref", "quote", "certainty", "note", "alternative", "conflicts"}}, with
    "note_en" and "alternative_en" beside the note and the alternative (absent in files written before)."""
    if not isinstance(value, dict):
        raise ValueError("not an object mapping each field to its source")
    for name, src in value.items():
        _text(name, "text as a field name")
        if not isinstance(src, dict) or not {"ref", "certainty"} <= set(src) <= {
            "ref", "quote", "certainty", "note", "note_en", "alternative", "alternative_en", "conflicts"
        }:
            raise ValueError(f"not a source (ref, quote, certainty, ...) for {name!r}")
        if src["certainty"] not in CERTAINTIES:
            raise ValueError(f"not one of {', '.join(CERTAINTIES)} as the certainty of {name!r}")
        for key in ("ref", "quote", "note", "note_en", "alternative", "alternative_en"):
            if src.get(key) is not None:
                _text(src[key], f"text as the {key} of {name!r}")
        if src.get("conflicts") is not None:
            _conflicts(src["conflicts"])
    return value


JSON_SHAPES: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("audit_events", "changes"): _changes,
    ("regulations", "links"): _links,
    ("regulations", "field_sources"): _field_sources,
    **{
        (table, "conflicts"): _conflicts
        for table in ("authorities", "regulations", "stage_changes", "deadlines", "designations", "evaluations")
    },
}


def _integer(kind: Any, value: Any) -> int:
    if type(value) is not int:
        raise ValueError("not a whole number")
    bits = next(b for cls, b in INTEGER_BITS if isinstance(kind, cls))
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise ValueError(f"out of range for a {bits}-bit integer")
    return value


def _moment(value: Any) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(_text(value, "a date and time"))
    except ValueError as exc:
        raise ValueError(f"not a real date and time ({exc})") from None
    if moment.tzinfo is None:
        raise ValueError("a time without a time zone")
    return moment


def _day(value: Any) -> dt.date:
    try:
        day = dt.date.fromisoformat(_text(value, "a date"))
    except ValueError as exc:
        raise ValueError(f"not a real date ({exc})") from None
    if day.isoformat() != value:
        raise ValueError("not a date written YYYY-MM-DD")
    return day


KEYS = {("regulations", "key"), ("teams", "key")}  # in addresses and feed links: tracker/keys.py


def load_value(table: str, column: Any, value: Any, where: str) -> Any:
    if value is None:
        if not column.nullable:
            raise TransferError(f"{where}: {column.name} may not be empty")
        return None
    kind = column.type
    try:
        if isinstance(kind, UTCDateTime | DateTime):
            return _moment(value)
        if isinstance(kind, Date):
            return _day(value)
        if isinstance(kind, Enum):
            if value not in kind.enums:
                raise ValueError(f"not one of {', '.join(kind.enums)}")
            return value
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError("not true or false")
            return value
        if isinstance(kind, Integer):
            return _integer(kind, value)
        if isinstance(kind, String | Text):
            _text(value)
            if kind.length and len(value) > kind.length:
                raise ValueError(f"longer than {kind.length} characters")
            if (table, column.name) in KEYS and (problem := key_problem(value)):
                raise ValueError(f"no key: {problem}")
            return value
        if isinstance(kind, JSON) and (table, column.name) in JSON_SHAPES:
            return JSON_SHAPES[table, column.name](value)
    except (TypeError, ValueError) as exc:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise TransferError(f"{where}: {column.name}: {shown} is {exc}") from None
    raise TransferError(f"{where}: {column.name}: unsupported column type {kind}")


def check_periods(row: dict[str, Any], where: str) -> None:
    """A date known to a month, quarter, half or year is stored as the first day of that period."""
    for name, precision in row.items():
        prefix = name.removesuffix("_precision")
        if prefix != name and f"{prefix}_on" in row:
            try:
                PrecisionDate(row[f"{prefix}_on"], Precision(precision))
            except DateError as exc:
                raise TransferError(f"{where}: {prefix}_on: {exc}") from None
            until, until_precision = row.get(f"{prefix}_until"), row.get(f"{prefix}_until_precision")
            if (until is None) != (until_precision is None):
                raise TransferError(f"{where}: {prefix}_until: a range's end needs its day and its precision")
            if until is not None and until_precision is not None:  # both or neither (above)
                # A range is stored by its last day; rebuilt, it must be a range that ends after its first period.
                try:
                    end = period_start(until, Precision(until_precision))
                    date = PrecisionDate(row[f"{prefix}_on"], Precision(precision), end, Precision(until_precision))
                except (DateError, ValueError) as exc:
                    raise TransferError(f"{where}: {prefix}_until: {exc}") from None
                if date.last_day != until:
                    raise TransferError(f"{where}: {prefix}_until: {until} is not the last day of a {until_precision}")


# -- import ---------------------------------------------------------------------------------------
