"""Checks across seed entries: unique ids, references that exist, histories the stage machine accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tracker.dates import PrecisionDate
from tracker.regulations.instruments.procedures import InstrumentKind, procedure
from tracker.regulations.stages import Previous, StageError, check_move
from tracker.seeding.entry import Portfolio, Source, Spec
from tracker.seeding.quotes import ReportText


def check_references(p: Portfolio, problems: list[str]) -> None:
    seen: dict[tuple[str, str], str] = {}
    groups: list[tuple[str, Sequence[Spec]]] = [
        ("team", p.teams),
        ("authority", p.authorities),
        ("regulation", p.regulations),
        ("evaluation", p.evaluations),
        ("stage", [s for r in p.regulations for s in r.stages]
                  + [s for r in p.regulations for i in r.instruments[1:] for s in i.stages]),
        ("instrument", [i for r in p.regulations for i in r.instruments]),
        ("deadline", [d for r in p.regulations for d in r.deadlines]),
        ("designation", [d for r in p.regulations for d in r.designations]),
    ]
    for kind, specs in groups:
        for spec in specs:
            if spec.id and (kind, spec.id) in seen:
                problems.append(f"{spec.file}: {kind} id {spec.id!r} is used twice (also in {seen[kind, spec.id]})")
            seen.setdefault((kind, spec.id), spec.file)
    teams = {t.id for t in p.teams}
    authorities = {a.id for a in p.authorities}
    regulations = {r.id for r in p.regulations}
    for reg in p.regulations:
        for name in ("team", "lead_ministry"):
            value = reg.values[name]
            if value and value not in teams:
                problems.append(f"{reg.file}: regulation {reg.id}: {name}: {value!r} is not a team in teams.yaml")
        for des in reg.designations:
            if des.values["authority"] and des.values["authority"] not in authorities:
                problems.append(
                    f"{des.file}: designation {des.id}: authority: {des.values['authority']!r} "
                    "is not in authorities.yaml"
                )
    for ev in p.evaluations:
        if ev.values["regulation"] and ev.values["regulation"] not in regulations:
            problems.append(
                f"{ev.file}: evaluation {ev.id}: regulation: {ev.values['regulation']!r} is not a regulation"
            )
        if ev.values["team"] and ev.values["team"] not in teams:
            problems.append(f"{ev.file}: evaluation {ev.id}: team: {ev.values['team']!r} is not a team in teams.yaml")


def check_histories(p: Portfolio, problems: list[str], as_of: dt.date) -> None:
    """Run each seeded history through the stage machine, as of `as_of` (the report's date)."""
    for reg in p.regulations:
        paths = [(i.values["kind"] or InstrumentKind.UNKNOWN, i.stages) for i in reg.instruments]
        for kind, stages in paths or [(InstrumentKind.UNKNOWN, reg.stages)]:
            path = procedure(kind)
            previous: Previous | None = None
            for stage in stages:
                target, date = stage.values["stage"], stage.values["date"]
                if target is None or date is None:
                    continue
                try:
                    check_move(previous, target, date, as_of, stage.values["reason"], path.phases, path.name)
                except StageError as exc:
                    problems.append(f"{stage.file}: regulation {reg.id}: stage {stage.id}: {exc}")
                    continue
                previous = Previous(target, date)


def _sources(p: Portfolio) -> list[tuple[str, str, Source]]:
    """Every source in the portfolio: (file, what it sources, the source)."""
    found: list[tuple[str, str, Source]] = []
    for kind, specs in (("team", p.teams), ("authority", p.authorities), ("evaluation", p.evaluations)):
        found += [(s.file, f"{kind} {s.id}", s.source) for s in specs if s.source]
    for reg in p.regulations:
        if reg.source:
            found.append((reg.file, f"regulation {reg.id}", reg.source))
        found += [(reg.file, f"regulation {reg.id}: sources: {k}", v) for k, v in reg.field_sources.items()]
        extra = [s for i in reg.instruments[1:] for s in i.stages]
        for kind, items in (("stage", [*reg.stages, *extra]), ("deadline", reg.deadlines),
                            ("designation", reg.designations), ("instrument", reg.instruments)):
            found += [(s.file, f"{kind} {s.id}", s.source) for s in items if s.source]
    return found


def check_quotes(p: Portfolio, text: ReportText, problems: list[str]) -> None:
    """Every quote (and every quote of a contradiction) must occur in the report's text."""
    for file, what, source in _sources(p):
        if source.certainty == "external":  # its words are its own source's (EUR-Lex, the Staatsblad)
            continue
        for quote in source.quotes():
            if not text.contains(quote):
                problems.append(f"{file}: {what}: quote not found in the report's text: {quote!r}")


# The report's season words and the months they stand for (astronomical seasons, at month precision).
SEASONS = {"voorjaar": (3, 6), "zomer": (6, 9), "najaar": (9, 12)}


def season_period(word: str, year: int, report_date: dt.date) -> PrecisionDate:
    """The period a season word stands for in the seed: its months, starting no earlier than the report's month
    (a report does not announce as still to come what it already counts as past)."""
    first, last = SEASONS[word]
    if (year, first) < (report_date.year, report_date.month) <= (year, last):
        first = report_date.month
    return PrecisionDate.parse(f"{year}-{first:02d} .. {year}-{last:02d}")


def check_words(p: Portfolio, problems: list[str], report_date: dt.date) -> None:
    """A date labelled with a season word ("najaar 2023") must be the period the seed README's rule gives it."""
    dated = [(d, "due") for r in p.regulations for d in r.deadlines] + [(e, "due") for e in p.evaluations]
    for spec, name in dated:
        value = spec.values.get(name)
        if not isinstance(value, PrecisionDate) or not value.label:
            continue
        words = value.label.split()
        if len(words) == 2 and words[0] in SEASONS and words[1].isdigit():
            wanted = season_period(words[0], int(words[1]), report_date)
            if value.single != wanted.single or value.last != wanted.last:
                problems.append(
                    f"{spec.file}: {spec.id}: {name}: {value.label!r} is {wanted.isoformat()} by the rule in "
                    f"seed/README.md, not {value.period()}"
                )
