"""Checks across seed entries: unique ids, references that exist, histories the stage machine accepts."""

from __future__ import annotations

import datetime as dt

from tracker.regulations.stages import Previous, StageError, check_move
from tracker.seeding.entry import Portfolio, Spec


def check_references(p: Portfolio, problems: list[str]) -> None:
    seen: dict[tuple[str, str], str] = {}
    groups: list[tuple[str, list[Spec]]] = [
        ("team", p.teams),
        ("authority", p.authorities),
        ("regulation", p.regulations),
        ("evaluation", p.evaluations),
        ("stage", [s for r in p.regulations for s in r.stages]),
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
        previous: Previous | None = None
        for stage in reg.stages:
            target, date = stage.values["stage"], stage.values["date"]
            if target is None or date is None:
                continue
            try:
                check_move(previous, target, date, as_of, stage.values["reason"])
            except StageError as exc:
                problems.append(f"{stage.file}: regulation {reg.id}: stage {stage.id}: {exc}")
                continue
            previous = Previous(target, date)
