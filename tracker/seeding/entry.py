"""Reading one seed entry: each missing, unknown or malformed field becomes a problem naming file, entry and field.

Also the plain specs a reading yields (Spec, RegulationSpec, Portfolio) and SeedError, which schema.py, checks.py
and loader.py share. A field that tracker.regulations.fields describes is read as described there (`Entry.fields`):
the seed takes the same lengths, choices, ranges and patterns as the forms and the API.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Any

from tracker.dates import DateError, PrecisionDate
from tracker.regulations.field_specs import FieldSpec, describe
from tracker.regulations.fields import Fields


class SeedError(Exception):
    """The seed is invalid; `problems` lists each as 'file: entry: field: what is wrong'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the seed files:\n" + "\n".join(problems))


CERTAINTIES = ("report", "reading", "inference", "external")
# The regulation-level facts that carry a source of their own (`sources:` in a regulation entry).
FIELD_SOURCES = ("lead_ministry", "national_instrument", "bill_number", "eu_number", "celex", "eu_published",
                 "eu_in_force", "pillar", "kind", "title", "summary")


@dataclass
class Source:
    ref: str
    quote: str | None
    # report: the report's words; reading: a reading of them; inference: the seed's inference (note says why).
    certainty: str = "report"
    note: str | None = None
    alternative: str | None = None
    conflicts: list[dict[str, str | None]] = field(default_factory=list)
    # The English beside the note and the alternative (the quote stays the report's Dutch).
    note_en: str | None = None
    alternative_en: str | None = None

    def quotes(self) -> list[str]:
        return [q for q in (self.quote, *(c.get("quote") for c in self.conflicts)) if q]

    def as_dict(self) -> dict[str, Any]:
        """As stored in a regulation's field_sources."""
        out: dict[str, Any] = {"ref": self.ref, "quote": self.quote, "certainty": self.certainty}
        for name in ("note", "note_en", "alternative", "alternative_en"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.conflicts:
            out["conflicts"] = self.conflicts
        return out


@dataclass
class Spec:
    """An entry: its id, the file it came from, a digest of its content, and its fields."""

    id: str
    file: str
    digest: str
    source: Source | None
    values: dict[str, Any]
    # Digests an unchanged entry may still be stored under: how earlier versions computed them.
    former_digests: tuple[str, ...] = ()


@dataclass
class InstrumentSpec(Spec):
    """A national instrument of an act; the act's own `stages` are its first instrument's history."""

    stages: list[Spec] = field(default_factory=list)


@dataclass
class RegulationSpec(Spec):
    field_sources: dict[str, Source] = field(default_factory=dict)
    stages: list[Spec] = field(default_factory=list)
    instruments: list[InstrumentSpec] = field(default_factory=list)
    deadlines: list[Spec] = field(default_factory=list)
    designations: list[Spec] = field(default_factory=list)


@dataclass
class Portfolio:
    teams: list[Spec]
    authorities: list[Spec]
    regulations: list[RegulationSpec]
    evaluations: list[Spec]


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

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
            return default
        return value

    def integer(self, name: str, low: int | None = None, high: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        in_range = (low is None or value >= low) and (high is None or value <= high)
        if isinstance(value, bool) or not isinstance(value, int) or not in_range:
            self.fail(name, f"must be a whole number from {low} to {high}" if low is not None else "a whole number")
            return None
        return value

    def field(self, spec: FieldSpec, name: str | None = None) -> Any:
        """Read a field as fields.py describes it (under `name` in the seed when it differs); absent: its default."""
        name = name or spec.name
        if spec.type == "text":
            value: Any = self.text(name, required=spec.required, max_len=spec.max_length or 100_000)
            if value is not None and spec.pattern and not re.fullmatch(spec.pattern, value):
                self.fail(name, f"{value!r} does not match {spec.pattern}")
                return None
        elif spec.type == "choice":
            assert spec.enum is not None
            value = self.choice(name, spec.enum, required=spec.required)
        elif spec.type == "integer":
            value = self.integer(name, spec.minimum, spec.maximum)
        else:
            value = self._date(spec, name)
        return spec.default if value is None and not spec.required else value

    def _date(self, spec: FieldSpec, name: str) -> Any:
        value = self.date(name, required=spec.required)
        if value is None:
            return None
        if spec.type == "known_date" and not value.known:
            self.fail(name, "a known date is needed here; 't.b.d.' is not allowed")
            return None
        if spec.type == "day":
            if value.precision.value != "day":
                self.fail(name, "must be a day (YYYY-MM-DD): the day it was met or happened")
                return None
            return value.start
        return value

    def fields(self, model: type[Fields], *, rename: dict[str, str] | None = None, skip: tuple[str, ...] = ()) -> dict:
        """Every field of `model` but `skip`, each read as described, keyed by its name in the seed (`rename`)."""
        rename = rename or {}
        return {
            rename.get(n, n): self.field(spec, rename.get(n)) for n, spec in describe(model).items() if n not in skip
        }

    def source(self, *, required: bool = True) -> Source | None:
        value = self.data.get("source")
        if value is None:
            if required:
                self.fail("source", "is required: {ref: where in the report, quote: the words}")
            return None
        return self._source("source", value)

    def _source(self, where: str, value: Any) -> Source | None:
        keys = {"ref", "quote", "certainty", "note", "note_en", "alternative", "alternative_en", "conflicts"}
        sub = Entry(self.problems, f"{self.where}: {where}", value, keys)
        ref = sub.text("ref", required=True)
        quote = sub.text("quote", max_len=2000)
        certainty = sub.text("certainty") or "report"
        if certainty not in CERTAINTIES:
            sub.fail("certainty", f"{certainty!r} is not one of: {', '.join(CERTAINTIES)}")
        note = sub.text("note", max_len=2000)
        if certainty not in ("report", "external") and not note:
            sub.fail("note", f"is required for a {certainty}: say in a line why the report does not state it")
        conflicts = []
        for i, item in enumerate(sub.items("conflicts")):
            c = Entry(
                self.problems, f"{self.where}: {where}: conflicts[{i}]", item, {"ref", "quote", "note", "note_en"}
            )
            conflict = {"ref": c.text("ref", required=True), "quote": c.text("quote", required=True, max_len=2000),
                        "note": c.text("note", max_len=2000)}
            conflict.update(c.english(("note",), max_len=2000))
            conflicts.append(conflict)
        english = sub.english(("note", "alternative"), max_len=2000)
        if not ref:
            return None
        return Source(ref, quote, certainty, note, sub.text("alternative", max_len=2000), conflicts, **english)

    def english(self, names: tuple[str, ...], *, max_len: int = 300) -> dict[str, str | None]:
        """Read the English beside each Dutch text in `names` (`<name>_en`), checked by `check_english`."""
        self.check_english(names)
        return {f"{name}_en": self.text(f"{name}_en", max_len=max_len) for name in names}

    def check_english(self, names: tuple[str, ...]) -> None:
        """Each Dutch text in `names` has its English beside it (`<name>_en`), and no English stands alone
        (seed/README.md, "Dutch, English beside it")."""
        for name in names:
            dutch, english = (self.data.get(name), self.data.get(f"{name}_en"))
            if dutch not in (None, "") and english in (None, ""):
                self.fail(f"{name}_en", f"is required beside {name}: its English, for English readers")
            elif english not in (None, "") and dutch in (None, ""):
                self.fail(f"{name}_en", f"is English beside {name}, which is not given")

    def field_sources(self) -> dict[str, Source]:
        """`sources: {field: source}`: a source for each regulation-level fact."""
        value = self.data.get("sources")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail("sources", "must map a field name to its source")
            return {}
        result = {}
        for name, item in value.items():
            if name not in FIELD_SOURCES:
                self.fail("sources", f"{name!r}: no source is kept for it; fields: {', '.join(FIELD_SOURCES)}")
                continue
            if self.data.get(name) is None:
                self.fail("sources", f"{name!r}: a source for a field the entry does not set")
            found = self._source(f"sources: {name}", item)
            if found:
                result[name] = found
        return result

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
