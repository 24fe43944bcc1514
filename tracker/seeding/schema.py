"""Reading and validating seed files into plain specs, with an error per file, entry and field.

Nothing here touches the database: `read_seed` either returns the whole validated portfolio or raises
SeedError listing every problem found. The fields of regulations, stages, deadlines, designations and
evaluations are read as tracker.regulations.fields describes them; only the seed's own keys (id, source,
references to teams, authorities and regulations, links) are read here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from tracker.dates import PrecisionDate
from tracker.keys import key_problem
from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    MoveStageFields,
    RegulationFields,
    names,
)
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.seeding.checks import check_histories, check_quotes, check_references, check_words
from tracker.seeding.entry import Entry, InstrumentSpec, Portfolio, RegulationSpec, SeedError, Spec
from tracker.seeding.quotes import ReportText

__all__ = ["REPORT_DATE", "Portfolio", "RegulationSpec", "SeedError", "Spec", "read_seed"]

# The history in the seed is what the report knew; nothing in it may lie after the report appeared.
REPORT_DATE = dt.date(2023, 10, 31)
# A stage in the seed names its stage and date more briefly than a move does.
STAGE_NAMES = {"to_stage": "stage", "effective": "date"}
# The texts a reader sees, Dutch, each with its English beside it in `<name>_en` (seed/README.md). A source's note,
# alternative and conflict notes are checked the same way (entry.py); a short name's English is optional (it is
# often the same name).
BILINGUAL = {
    "regulations": ("title", "summary"),
    "stages": ("note", "reason"),
    "deadlines": ("title", "note"),
    "designations": ("role", "scope"),
    "evaluations": ("subject", "due_note"),
}


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


NESTED = ("stages", "deadlines", "designations", "instruments")  # entries of their own, with their own digests
REGULATION_FIELDS = {
    "id",
    *(n for n in names(RegulationFields) if n != "team_id"),
    "team",
    "links",
    "source",
    "sources",
    "stages",
    "deadlines",
    "designations",
    "instruments",
}
INSTRUMENT_TEXTS = {  # field: longest text
    "title": 300, "title_en": 300, "ministry": 40, "consultation_url": 500, "council_case": 60, "dossier": 60,
    "publication": 120, "bwb_id": 30, "covers": 4000, "covers_en": 4000,
}


def _label(file: str, section: str, index: int, data: Any) -> str:
    ident = data.get("id") if isinstance(data, dict) else None
    return f"{file}: {section}[{index}]" + (f" ({ident})" if ident else "")


def _check_key(problems: list[str], where: str, data: Any) -> None:
    """A team's or a regulation's id is its key (in addresses and feed links): the same rule as everywhere."""
    ident = data.get("id") if isinstance(data, dict) else None
    if isinstance(ident, str) and ident.strip() and (problem := key_problem(ident)):
        problems.append(f"{where}: id: {ident[:60]!r}: {problem}")


def _read_team(problems: list[str], file: str, where: str, data: Any) -> Spec:
    _check_key(problems, where, data)
    e = Entry(problems, where, data, {"id", "name", "name_en", "source"})
    e.check_english(("name",))
    return _spec(Spec, problems, file, where, data, name=e.text("name", required=True), name_en=e.text("name_en"),
                 source=e.source())


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
    english = {f"{n}_en" for n in BILINGUAL["stages"]}
    e = Entry(
        problems, where, data, {"id", *(STAGE_NAMES.get(n, n) for n in names(MoveStageFields)), *english, "source"}
    )
    values = e.fields(MoveStageFields, rename=STAGE_NAMES)
    values.update(e.english(BILINGUAL["stages"], max_len=4000))
    return _spec(Spec, problems, file, where, data, **values, source=e.source())


def _read_deadline(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", *names(DeadlineFields), "source"})
    e.check_english(BILINGUAL["deadlines"])
    return _spec(Spec, problems, file, where, data, **e.fields(DeadlineFields), source=e.source())


def _read_designation(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", *names(DesignationFields), "source"})
    e.check_english(BILINGUAL["designations"])
    return _spec(Spec, problems, file, where, data, **e.fields(DesignationFields), source=e.source())


def _read_instrument(problems: list[str], file: str, where: str, data: Any) -> InstrumentSpec:
    e = Entry(problems, where, data, {"id", "kind", *INSTRUMENT_TEXTS, "planned_in_force", "required", "source",
                                       "stages"})
    e.check_english(("title", "covers"))
    values: dict[str, Any] = {name: e.text(name, max_len=n) for name, n in INSTRUMENT_TEXTS.items()}
    values.update(kind=e.choice("kind", InstrumentKind), required=e.flag("required", True),
                  planned_in_force=e.date("planned_in_force") or PrecisionDate.unknown())
    spec: InstrumentSpec = _spec(InstrumentSpec, problems, file, where, data, **values, source=e.source())
    if isinstance(data, dict):
        spec.digest = _digest({k: v for k, v in data.items() if k != "stages"})
    for i, item in enumerate(e.items("stages")):
        spec.stages.append(_read_stage(problems, file, f"{where}: stages[{i}]" + _suffix(item), item))
    return spec


def _read_regulation(problems: list[str], file: str, where: str, data: Any) -> RegulationSpec:
    _check_key(problems, where, data)
    e = Entry(problems, where, data, REGULATION_FIELDS)
    values = e.fields(RegulationFields, skip=("team_id",))
    e.check_english((*BILINGUAL["regulations"], "national_measures_note"))
    if not values["short_name"]:
        e.fail("short_name", "is required: the name the tracker shows for the act (\"DSA\", \"Veiling 3,5 GHz\")")
    spec: RegulationSpec = _spec(
        RegulationSpec,
        problems,
        file,
        where,
        data,
        **values,
        team=e.text("team", max_len=40) or values["lead_ministry"],
        links=e.links(),
        field_sources=None,
        source=e.source(),
    )
    spec.field_sources = e.field_sources()
    spec.values["field_sources"] = {k: v.as_dict() for k, v in spec.field_sources.items()} or None
    if not spec.values["team"]:
        e.fail("team", "is required (or lead_ministry, which it defaults to)")
    if isinstance(data, dict):
        # The regulation's own fields only: correcting one of its deadlines must not count as a change to it (and
        # overwrite an edit made in the tracker). Earlier versions digested the whole entry; an unchanged entry
        # stored that way is recognised by it.
        spec.digest = _digest({k: v for k, v in data.items() if k not in NESTED})
        spec.former_digests = (_digest(data),)
    for name, reader, target in (
        ("stages", _read_stage, spec.stages),
        ("deadlines", _read_deadline, spec.deadlines),
        ("designations", _read_designation, spec.designations),
    ):
        for i, item in enumerate(e.items(name)):
            target.append(reader(problems, file, f"{where}: {name}[{i}]" + _suffix(item), item))
    for i, item in enumerate(e.items("instruments")):
        spec.instruments.append(_read_instrument(problems, file, f"{where}: instruments[{i}]" + _suffix(item), item))
    if spec.instruments and spec.instruments[0].stages:
        e.fail("instruments", "the first instrument's history is the act's own `stages`; give it no `stages`")
    elif spec.instruments:
        spec.instruments[0].stages = spec.stages
    return spec


def _suffix(item: Any) -> str:
    return f" ({item['id']})" if isinstance(item, dict) and item.get("id") else ""


def _read_evaluation(problems: list[str], file: str, where: str, data: Any) -> Spec:
    e = Entry(problems, where, data, {"id", *names(EvaluationFields), "regulation", "team", "source"})
    e.check_english(BILINGUAL["evaluations"])
    return _spec(
        Spec,
        problems,
        file,
        where,
        data,
        **e.fields(EvaluationFields),
        regulation=e.text("regulation", max_len=40),
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
    check_references(portfolio, problems)
    check_histories(portfolio, problems, min(today, REPORT_DATE))
    check_words(portfolio, problems, REPORT_DATE)
    text = ReportText.of_seed(folder)
    if text is None:
        problems.append(f"{folder}: report-text/*.txt not found: the quote check needs the report's text")
    else:
        check_quotes(portfolio, text, problems)
    if problems:
        raise SeedError(problems)
    return portfolio
