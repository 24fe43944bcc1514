"""Board filters from request parameters, shared by the pages, the API and the CSV export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.models import Team
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import Authority, Regulation, RegulationKind
from tracker.regulations.queries import BoardFilter

FILTER_PARAMS = ("pillar", "team", "authority", "kind", "mine", "instrument", "ministry")


class FilterError(ValueError):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


def parse_filters(
    args: Mapping[str, str], teams: Sequence[Team], authorities: Sequence[Authority], my_team_ids: set[int]
) -> BoardFilter:
    """Read the filter parameters; an unknown value raises FilterError saying which values exist."""
    values: dict[str, Any] = {}
    if pillar := (args.get("pillar") or "").strip():
        if pillar not in {"1", "2", "3", "4", "5"}:
            raise FilterError("pillar", f"{pillar!r} is not a pillar; use 1 to 5.")
        values["pillar"] = int(pillar)
    if team := (args.get("team") or "").strip():
        match = next((t for t in teams if t.key == team), None)
        if match is None:
            raise FilterError("team", f"{team!r} is not a team; known: {', '.join(t.key for t in teams)}.")
        values["team_id"] = match.id
    if authority := (args.get("authority") or "").strip():
        found = next((a for a in authorities if a.key == authority), None)
        if found is None:
            raise FilterError(
                "authority", f"{authority!r} is not known; known: {', '.join(a.key for a in authorities)}."
            )
        values["authority_id"] = found.id
    if kind := (args.get("kind") or "").strip():
        try:
            values["kind"] = RegulationKind(kind)
        except ValueError:
            raise FilterError(
                "kind", f"{kind!r} is not a kind; known: {', '.join(k.value for k in RegulationKind)}."
            ) from None
    if instrument := (args.get("instrument") or "").strip():
        try:
            values["instrument_kind"] = InstrumentKind(instrument)
        except ValueError:
            raise FilterError("instrument", f"{instrument!r} is not a kind of instrument; known: "
                              f"{', '.join(k.value for k in InstrumentKind)}.") from None
    if ministry := (args.get("ministry") or "").strip():
        if ministry not in {t.key for t in teams}:
            raise FilterError("ministry", f"{ministry!r} is not a ministry; known: {', '.join(t.key for t in teams)}.")
        values["ministry"] = ministry
    if mine := (args.get("mine") or "").strip():
        if mine not in ("1", "0"):
            raise FilterError("mine", "use 1 (only my teams) or leave it out.")
        if mine == "1":
            values["team_ids"] = frozenset(my_team_ids)
    return BoardFilter(**values)


def filter_choices(db: Session, regulations: bool = True) -> dict[str, list[Any]]:
    """What the filter forms offer: teams, authorities, kinds and (for feeds) regulations."""
    return {
        "teams": list(db.scalars(select(Team).order_by(Team.key))),
        "authorities": list(db.scalars(select(Authority).order_by(Authority.key))),
        "kinds": list(RegulationKind),
        "instrument_kinds": [k for k in InstrumentKind if k is not InstrumentKind.UNKNOWN],
        # (key, short name, English short name): the key goes in the link, the name is shown
        "regulations": list(
            db.execute(select(Regulation.key, Regulation.short_name, Regulation.short_name_en).order_by(Regulation.key))
        ) if regulations else [],
    }
