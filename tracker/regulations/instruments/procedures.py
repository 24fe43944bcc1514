"""The procedure of each kind of national instrument, read from procedures.yaml (pure: no database, no clock).

A phase is one of the board's stages, so every kind's path is a subsequence of `Stage`: the stage machine moves an
instrument along its own kind's path, and an act stands where its least advanced required instrument stands.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from tracker.regulations.stages import Stage

PROCEDURES_FILE = Path(__file__).with_name("procedures.yaml")


class InstrumentKind(enum.StrEnum):
    WET = "wet"
    AMVB = "amvb"
    MINISTERIELE_REGELING = "ministeriele_regeling"
    BESLUIT = "besluit"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Procedure:
    kind: InstrumentKind
    name: str
    name_en: str
    phases: tuple[Stage, ...]
    steps: tuple[str, ...]  # the planning steps from the first national phase to publication
    covers: dict[str, str]  # what a phase or step takes in, in words (Dutch)
    change_dates: tuple[tuple[int, int], ...]  # (month, day) on which it may enter into force; () for any day
    source: str

    def has(self, stage: Stage) -> bool:
        return stage in self.phases

    def index(self, stage: Stage) -> int:
        return self.phases.index(stage)


@cache
def procedures() -> dict[InstrumentKind, Procedure]:
    data = yaml.safe_load(PROCEDURES_FILE.read_text(encoding="utf-8"))["kinds"]
    found = {}
    for key, spec in data.items():
        kind = InstrumentKind(key)
        found[kind] = Procedure(
            kind=kind,
            name=spec["name"],
            name_en=spec["name_en"],
            phases=tuple(Stage(s) for s in spec["phases"]),
            steps=tuple(spec["steps"]),
            covers=dict(spec.get("covers") or {}),
            change_dates=tuple((int(m), int(d)) for m, d in spec["change_dates"]),
            source=" ".join(spec["source"].split()),
        )
    missing = set(InstrumentKind) - set(found)
    if missing:
        raise RuntimeError(f"procedures.yaml lacks {sorted(missing)}")
    return found


def procedure(kind: InstrumentKind | str) -> Procedure:
    return procedures()[InstrumentKind(kind)]
