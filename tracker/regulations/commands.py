"""What a user asks to change about a regulation, as plain values (built by browser, API, CLI, seed, import).

`values` hold field values by the names in `tracker.regulations.fields`; text, numbers, enum members or their
values, and dates as PrecisionDate or text ("2025-Q3") are all accepted: the service checks them.
`expected_version` is the version the user read; None skips the check (scripts that mean to overwrite).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.unit_of_work import PortfolioChanged

ITEM_KINDS = ("deadlines", "designations", "evaluations")


@dataclass(frozen=True)
class MoveStage:
    key: str
    to_stage: str
    effective: Any  # PrecisionDate or its text
    reason: str | None = None
    note: str | None = None
    reference: str | None = None
    expected_version: int | None = None
    instrument_id: int | None = None  # None: the act's only instrument


@dataclass(frozen=True)
class CreateRegulation:
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateRegulation:
    key: str
    values: Mapping[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True)
class CreateItem:
    key: str
    kind: str  # deadlines, designations or evaluations
    values: Mapping[str, Any]


@dataclass(frozen=True)
class UpdateItem:
    key: str
    kind: str
    item_id: int
    values: Mapping[str, Any]  # only the fields to change
    expected_version: int | None = None


@dataclass(frozen=True)
class DeleteItem:
    key: str
    kind: str
    item_id: int
    expected_version: int | None = None


# -- what happened (tracker.unit_of_work events, in plain values) -----------------------------------------------------
@dataclass(frozen=True)
class StageMoved(PortfolioChanged):
    key: str = ""
    from_stage: str | None = None
    to_stage: str = ""
    effective: str = ""  # as written: "2023-10-02", "2023-Q4"
    instrument_id: int = 0


@dataclass(frozen=True)
class RegulationChanged(PortfolioChanged):
    key: str = ""
    action: str = ""  # create, update
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemChanged(PortfolioChanged):
    key: str = ""
    kind: str = ""  # deadlines, designations, evaluations
    item_id: int = 0
    action: str = ""  # create, update, delete
    fields: tuple[str, ...] = ()
