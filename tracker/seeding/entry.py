"""Reading one seed entry: each missing, unknown or malformed field becomes a problem naming file, entry and field."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from tracker.dates import DateError, PrecisionDate


@dataclass
class Source:
    ref: str
    quote: str | None


class Entry:
    """Reads one mapping, recording a problem for each missing, unknown or malformed field."""

    def __init__(self, problems: list[str], where: str, data: Any, allowed: set[str]) -> None:
        self.problems, self.where = problems, where
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.fail(None, f"must be a mapping of fields, not {type(data).__name__}")
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), f"unknown field; known fields: {', '.join(sorted(allowed))}")

    def fail(self, name: str | None, message: str) -> None:
        self.problems.append(f"{self.where}: {name}: {message}" if name else f"{self.where}: {message}")

    def text(self, name: str, *, required: bool = False, max_len: int = 300) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(name, f"must be text, not {type(value).__name__}")
            return None
        value = str(value).strip()
        if len(value) > max_len:
            self.fail(name, f"is {len(value)} characters long; at most {max_len}")
            return None
        return value

    def date(self, name: str, *, required: bool = False) -> PrecisionDate | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        if isinstance(value, (dt.datetime, bool)):
            self.fail(name, "must be a date such as 2024-02-17, 2023-Q3 or t.b.d.")
            return None
        try:
            return PrecisionDate.parse(str(value) if isinstance(value, int) else value)
        except DateError as exc:
            self.fail(name, str(exc))
            return None

    def choice(self, name: str, enum_cls: type[enum.Enum], *, required: bool = True) -> Any:
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, f"is required; one of: {', '.join(m.value for m in enum_cls)}")
            return None
        try:
            return enum_cls(value)
        except ValueError:
            self.fail(name, f"{value!r} is not one of: {', '.join(m.value for m in enum_cls)}")
            return None

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(name, f"must be a whole number from {low} to {high}")
            return None
        return value

    def source(self, *, required: bool = True) -> Source | None:
        value = self.data.get("source")
        if value is None:
            if required:
                self.fail("source", "is required: {ref: where in the report, quote: the words}")
            return None
        sub = Entry(self.problems, f"{self.where}: source", value, {"ref", "quote"})
        ref = sub.text("ref", required=True)
        quote = sub.text("quote", max_len=2000)
        return Source(ref, quote) if ref else None

    def items(self, name: str) -> list[Any]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(name, "must be a list")
            return []
        return value

    def links(self) -> list[dict[str, str]]:
        result = []
        for i, item in enumerate(self.items("links")):
            sub = Entry(self.problems, f"{self.where}: links[{i}]", item, {"label", "url"})
            url = sub.text("url", required=True, max_len=1000)
            if url and not url.startswith(("http://", "https://")):
                sub.fail("url", "must start with http:// or https://")
            elif url:
                result.append({"label": sub.text("label") or url, "url": url})
        return result
