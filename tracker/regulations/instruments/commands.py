"""What a user asks to change about national instruments, as plain values (browser, API, CLI)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.unit_of_work import PortfolioChanged


@dataclass(frozen=True)
class CreateInstrument:
    """A new instrument for the act `key`; `values` by the names in InstrumentFields and LinkFields."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateInstrument:
    instrument_id: int
    values: Mapping[str, Any]  # only the fields to change
    expected_version: int | None = None


@dataclass(frozen=True)
class LinkInstrument:
    """The act `key` is implemented (in part) by an instrument made for another act too."""

    key: str
    instrument_id: int
    values: Mapping[str, Any] = field(default_factory=dict)  # LinkFields


@dataclass(frozen=True)
class InstrumentChanged(PortfolioChanged):
    instrument_id: int = 0
    action: str = ""  # create, update, link
    fields: tuple[str, ...] = ()
