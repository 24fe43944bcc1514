"""Reading and validating seed files into plain specs, with an error per file, entry and field.

Nothing here touches the database: `read_seed` either returns the whole validated portfolio or raises
SeedError listing every problem found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tracker.dates import PrecisionDate
from tracker.regulations.models import (
    DeadlineKind,
    DesignationStatus,
    EvaluationLevel,
    EvaluationStatus,
    RegulationKind,
)
from tracker.regulations.stages import Stage
from tracker.seeding.entry import Entry, Source

# The history in the seed is what the report knew; nothing in it may lie after the report appeared.
REPORT_DATE = dt.date(2023, 10, 31)


class SeedError(Exception):
    """The seed is invalid; `problems` lists each as 'file: entry: field: what is wrong'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the seed files:\n" + "\n".join(problems))


@dataclass
class Spec:
    """An entry: its id, the file it came from, a digest of its content, and its fields."""

    id: str
    file: str
    digest: str
    source: Source | None
    values: dict[str, Any]


@dataclass
class RegulationSpec(Spec):
    stages: list[Spec] = field(default_factory=list)
    deadlines: list[Spec] = field(default_factory=list)
    designations: list[Spec] = field(default_factory=list)


@dataclass
class Portfolio:
    teams: list[Spec]
    authorities: list[Spec]
    regulations: list[RegulationSpec]
    evaluations: list[Spec]


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _entry_id(problems: list[str], where: str, data: Any) -> str | None:
    value = data.get("id") if isinstance(data, dict) else None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        problems.append(f"{where}: id: is required (a short unique name)")
        return None
    text = str(value).strip()
    if len(text) > 120 or any(c.isspace() for c in text):
        problems.append(f"{where}: id: {text!r} must be at most 120 characters without spaces")
        return None
    return text


def _spec(cls: type[Spec], problems: list[str], file: str, where: str, data: Any, **values: Any) -> Any:
    entry_id = _entry_id(problems, where, data)
    return cls(
        id=entry_id or "",
        file=file,
        digest=_digest(data),
        source=values.pop("source"),
        values=values,
    )


REGULATION_FIELDS = {
    "id",
    "title",
    "title_nl",
    "kind",
    "eu_number",
    "celex",
    "pillar",
    "lead_ministry",
    "team",
    "national_instrument",
    "bill_number",
    "eu_published",
    "eu_in_force",
    "summary",
    "links",
    "source",
    "stages",
    "deadlines",
    "designations",
}


def _label(file: str, section: str, index: int, data: Any) -> str:
    ident = data.get("id") if isinstance(data, dict) else None
    return f"{file}: {section}[{index}]" + (f" ({ident})" if ident else "")


def _read_team(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", "name", "source"})
    return _spec(Spec, problems, file, where, data, name=e.text("name", required=True), source=e.source())


def _read_authority(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", "name", "name_en", "source"})
    return _spec(
        Spec,
        problems,
        file,
        where,
        data,
        name=e.text("name", required=True),
        name_en=e.text("name_en"),
        source=e.source(),
    )


def _read_stage(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", "stage", "date", "note", "reason", "reference", "source"})
    return _spec(
        Spec,
        problems,
        file,
        where,
        data,
        stage=e.choice("stage", Stage),
        date=e.date("date", required=True),
        note=e.text("note", max_len=4000),
        reason=e.text("reason", max_len=4000),
        reference=e.text("reference", max_len=500),
        source=e.source(),
    )


def _read_deadline(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", "kind", "title", "due", "legal_basis", "note", "met_on", "source"})
    met = e.date("met_on")
    if met is not None and met.precision.value != "day":
        e.fail("met_on", "must be a day (YYYY-MM-DD): the day the obligation was met or the event happened")
    return _spec(
        Spec,
        problems,
        file,
        where,
        data,
        kind=e.choice("kind", DeadlineKind),
        title=e.text("title", required=True),
        due=e.date("due", required=True),
        legal_basis=e.text("legal_basis"),
        note=e.text("note", max_len=4000),
        met_on=met.start if met is not None and met.start else None,
        source=e.source(),
    )


def _read_designation(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", "authority", "role", "scope", "status", "legal_basis", "source"})
    return _spec(
        Spec,
        problems,
        file,
        where,
        data,
        authority=e.text("authority", required=True),
        role=e.text("role", required=True),
        scope=e.text("scope", max_len=4000),
        status=e.choice("status", DesignationStatus),
        legal_basis=e.text("legal_basis"),
        source=e.source(),
    )


def _read_regulation(problems: list[str], file: str, where: str, data: Any) -> RegulationSpec:
    e = Entry(problems, where, data, REGULATION_FIELDS)
    lead = e.text("lead_ministry", max_len=40)
    spec: RegulationSpec = _spec(
        RegulationSpec,
        problems,
        file,
        where,
        data,
        title=e.text("title", required=True),
        title_nl=e.text("title_nl"),
        kind=e.choice("kind", RegulationKind),
        eu_number=e.text("eu_number", max_len=60),
        celex=e.text("celex", max_len=30),
        pillar=e.integer("pillar", 1, 5),
        lead_ministry=lead,
        team=e.text("team", max_len=40) or lead,
        national_instrument=e.text("national_instrument"),
        bill_number=e.text("bill_number", max_len=60),
        eu_published=e.date("eu_published") or PrecisionDate.unknown(),
        eu_in_force=e.date("eu_in_force") or PrecisionDate.unknown(),
        summary=e.text("summary", max_len=4000),
        links=e.links(),
        source=e.source(),
    )
    if not spec.values["team"]:
        e.fail("team", "is required (or lead_ministry, which it defaults to)")
    for name, reader, target in (
        ("stages", _read_stage, spec.stages),
        ("deadlines", _read_deadline, spec.deadlines),
        ("designations", _read_designation, spec.designations),
    ):
        for i, item in enumerate(e.items(name)):
            target.append(reader(problems, file, f"{where}: {name}[{i}]" + _suffix(item), item))
    return spec


def _suffix(item: Any) -> str:
    return f" ({item['id']})" if isinstance(item, dict) and item.get("id") else ""


def _read_evaluation(problems: list[str], file: str, where: str, data: Any) -> Spec:
    allowed = {
        "id",
        "subject",
        "regulation",
        "level",
        "status",
        "due",
        "due_note",
        "performer",
        "pillar",
        "team",
        "source",
    }
    e = Entry(problems, where, data, allowed)
    return _spec(
        Spec,
        problems,
        file,
        where,
        data,
        subject=e.text("subject", required=True),
        regulation=e.text("regulation", max_len=40),
        level=e.choice("level", EvaluationLevel),
        status=e.choice("status", EvaluationStatus),
        due=e.date("due", required=True),
        due_note=e.text("due_note", max_len=4000),
        performer=e.text("performer", max_len=200),
        pillar=e.text("pillar", max_len=10),
        team=e.text("team", max_len=40),
        source=e.source(),
    )


SECTIONS = {
    "teams": _read_team,
    "authorities": _read_authority,
    "regulations": _read_regulation,
    "evaluations": _read_evaluation,
}


def read_seed(folder: Path, today: dt.date) -> Portfolio:
    """Read and validate every seed file below `folder`; raise SeedError listing all problems."""
    problems: list[str] = []
    found: dict[str, list[Any]] = {name: [] for name in SECTIONS}
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("regulations/*.yaml"))
    if not folder.is_dir():
        raise SeedError([f"{folder}: seed folder not found"])
    for path in files:
        name = path.relative_to(folder).as_posix()
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: not valid YAML: {exc}".replace("\n", " "))
            continue
        if not isinstance(doc, dict):
            problems.append(f"{name}: must be a mapping with one of: {', '.join(SECTIONS)}")
            continue
        for section, entries in doc.items():
            if section not in SECTIONS:
                problems.append(f"{name}: {section}: unknown section; known: {', '.join(SECTIONS)}")
            elif not isinstance(entries, list):
                problems.append(f"{name}: {section}: must be a list of entries")
            else:
                for i, data in enumerate(entries):
                    where = _label(name, section, i, data)
                    found[section].append(SECTIONS[section](problems, name, where, data))
    portfolio = Portfolio(**found)
    from tracker.seeding.checks import check_histories, check_references

    check_references(portfolio, problems)
    check_histories(portfolio, problems, min(today, REPORT_DATE))
    if problems:
        raise SeedError(problems)
    return portfolio
