"""The planning seed (`seed/planning/*.yaml`): durations, targets, planned dates and the report's review.

Read and checked against the portfolio before anything is loaded (a target naming a deadline id that no longer
exists is a SeedError naming the file and entry), then loaded idempotently: each row remembers its entry's id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.dates import DateError, PrecisionDate
from tracker.planning.models import ActPlan, PlannedDate, Review, StageDuration
from tracker.planning.plan import PLANNABLE, STEPS
from tracker.regulations.models import Deadline, Regulation
from tracker.seeding.entry import Portfolio, SeedError
from tracker.seeding.quotes import ReportText

SECTIONS = {
    "durations": {"id", "step", "days", "assumption", "source", "source_en"},
    "targets": {"id", "regulation", "deadline", "eu_exception", "source"},
    "planned": {"id", "regulation", "step", "date", "source"},
    "reviews": {"id", "regulations", "date", "note", "note_en", "source"},
}
SEED_ACTOR = "seed"


@dataclass
class PlanningSeed:
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {s: [] for s in SECTIONS})


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def read_planning(folder: Path, portfolio: Portfolio) -> PlanningSeed:
    """Read and check every file in `folder` (which may be missing: no planning data); raise SeedError."""
    seed, problems = PlanningSeed(), []
    regs = {r.id: {d.id for d in r.deadlines} for r in portfolio.regulations}
    text = ReportText.of_seed(folder.parent)  # the quotes here must occur in the report too
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = f"planning/{path.name}"
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: not valid YAML: {exc}".replace("\n", " "))
            continue
        if not isinstance(doc, dict):
            problems.append(f"{name}: must be a mapping with one of: {', '.join(SECTIONS)}")
            continue
        for section, items in doc.items():
            if section not in SECTIONS or not isinstance(items, list):
                problems.append(f"{name}: {section}: must be one of {', '.join(SECTIONS)}, each a list of entries")
                continue
            for i, data in enumerate(items):
                where = f"{name}: {section}[{i}]"
                if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"].strip():
                    problems.append(f"{where}: id: is required (a short unique name)")
                    continue
                where += f" ({data['id']})"
                if data["id"] in seen:
                    problems.append(f"{where}: id: used twice")
                seen.add(data["id"])
                if unknown := set(data) - SECTIONS[section]:
                    problems.append(f"{where}: {', '.join(sorted(map(str, unknown)))}: unknown field(s)")
                    continue
                before = len(problems)
                _check(section, data, where, regs, problems)
                source = data.get("source")
                quote = source.get("quote") if isinstance(source, dict) else None
                if text is not None and isinstance(quote, str) and not text.contains(quote):
                    problems.append(f"{where}: source: quote not found in the report's text: {quote!r}")
                if len(problems) == before:
                    seed.entries[section].append({**data, "digest": _digest(data)})
    if problems:
        raise SeedError(problems)
    return seed


def _check(section: str, data: dict[str, Any], where: str, regs: dict[str, set[str]], problems: list[str]) -> None:
    if section in ("targets", "planned"):
        reg = data.get("regulation")
        if reg not in regs:
            problems.append(f"{where}: regulation: {reg!r} is not a regulation id in seed/regulations")
            return
        if section == "targets" and data.get("deadline") not in regs[reg]:
            problems.append(
                f"{where}: deadline: {data.get('deadline')!r} is not a deadline id of {reg} in seed/regulations "
                f"(renamed or removed?); known: {', '.join(sorted(regs[reg])) or 'none'}"
            )
        if section == "targets" and not isinstance(data.get("eu_exception", False), bool):
            problems.append(f"{where}: eu_exception: must be true or false")
    if section in ("durations", "planned"):
        allowed = STEPS if section == "durations" else PLANNABLE
        if data.get("step") not in allowed:
            problems.append(f"{where}: step: {data.get('step')!r} is not a step; known: {', '.join(allowed)}")
    if section == "durations":
        days = data.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 3650:
            problems.append(f"{where}: days: must be a whole number from 0 to 3650")
        if not isinstance(data.get("assumption"), bool):
            problems.append(f"{where}: assumption: must be true or false (is the figure sourced or assumed?)")
        if not isinstance(data.get("source"), str) or not data["source"].strip():
            problems.append(f"{where}: source: say where the figure comes from, or that it is an assumption")
        if not isinstance(data.get("source_en"), str) or not data["source_en"].strip():
            problems.append(f"{where}: source_en: is required beside source: its English, for English readers")
    if section in ("planned", "reviews"):
        key = "date"
        try:
            value = PrecisionDate.parse(str(data.get(key)) if data.get(key) is not None else None)
            if not value.known or (section == "reviews" and value.precision.value != "day"):
                raise DateError("must be a known date" + (" (a day)" if section == "reviews" else ""))
        except DateError as exc:
            problems.append(f"{where}: {key}: {exc}")
    if section == "reviews" and bool(data.get("note")) != bool(data.get("note_en")):
        problems.append(f"{where}: note_en: the note and its English go together (seed/README.md)")
    if section == "reviews":
        regs_value = data.get("regulations")
        if regs_value != "all" and not (isinstance(regs_value, list) and all(r in regs for r in regs_value)):
            problems.append(f"{where}: regulations: write 'all' or a list of regulation ids in seed/regulations")


def load_planning(session: Session, seed: PlanningSeed, now: dt.datetime) -> dict[str, int]:
    """Write the checked planning seed; returns how many rows each section created or updated."""
    counts = {s: 0 for s in SECTIONS}
    regs = {r.key: r for r in session.scalars(select(Regulation))}
    deadlines = {d.seed_key: d for d in session.scalars(select(Deadline).where(Deadline.seed_key.is_not(None)))}
    durations = {
        d.seed_key: d for d in session.scalars(select(StageDuration).where(StageDuration.seed_key.is_not(None)))
    }
    defaults = {
        d.step
        for d in session.scalars(
            select(StageDuration).where(StageDuration.team_id.is_(None), StageDuration.regulation_id.is_(None))
        )
        if d.seed_key is None
    }
    for e in seed.entries["durations"]:
        row = durations.get(e["id"])
        if (row is not None and row.seed_hash == e["digest"]) or (row is None and e["step"] in defaults):
            continue  # unchanged, or an administrator set the default since: keep theirs
        if row is None:
            row = StageDuration(step=e["step"], seed_key=e["id"])
            session.add(row)
        row.days, row.source, row.assumption = e["days"], e["source"], e["assumption"]
        row.source_en = e.get("source_en")
        row.seed_hash, row.updated_at = e["digest"], now
        counts["durations"] += 1
    plans = {p.regulation_id: p for p in session.scalars(select(ActPlan))}
    for e in seed.entries["targets"]:
        reg = regs[e["regulation"]]
        row = plans.get(reg.id)
        if row is not None and (row.seed_hash == e["digest"] or row.seed_key != e["id"]):
            continue  # unchanged, or a team chose its own target since: keep theirs
        if row is None:
            row = plans[reg.id] = ActPlan(regulation_id=reg.id, seed_key=e["id"])
            session.add(row)
        row.target_deadline_id = deadlines[e["deadline"]].id
        row.eu_exception = bool(e.get("eu_exception", False))
        row.seed_hash, row.updated_at = e["digest"], now
        counts["targets"] += 1
    planned = {(p.regulation_id, p.step) for p in session.scalars(select(PlannedDate))}
    for e in seed.entries["planned"]:
        reg = regs[e["regulation"]]
        if (reg.id, e["step"]) in planned:
            continue
        session.add(
            PlannedDate(
                regulation_id=reg.id,
                step=e["step"],
                planned=PrecisionDate.parse(str(e["date"])),
                updated_at=now,
                actor=SEED_ACTOR,
            )
        )
        counts["planned"] += 1
    reviews = set(session.scalars(select(Review.seed_key).where(Review.seed_key.is_not(None))))
    for e in seed.entries["reviews"]:
        keys = sorted(regs) if e["regulations"] == "all" else e["regulations"]
        on = PrecisionDate.parse(str(e["date"])).first_day
        for key in keys:
            seed_key = f"{e['id']}:{key}"
            if seed_key in reviews or key not in regs:
                continue
            session.add(
                Review(
                    regulation_id=regs[key].id,
                    reviewed_on=on,
                    recorded_at=now,
                    actor=SEED_ACTOR,
                    note=e.get("note"),
                    note_en=e.get("note_en"),
                    seed_key=seed_key,
                )
            )
            counts["reviews"] += 1
    session.flush()
    return counts
