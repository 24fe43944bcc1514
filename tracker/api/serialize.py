"""Rows as API JSON, dumped through the answer models in schemas.py: the shapes the OpenAPI document shows."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from pydantic import BaseModel

from tracker.api import schemas as out
from tracker.dates import PrecisionDate
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, StageChange

M = TypeVar("M", bound=BaseModel)


def build(model: type[M], row: Any, **given: Any) -> M:
    """The answer `model` for `row`: each field from the row's attribute of that name, unless `given`."""
    values = {name: given[name] if name in given else _value(row, name) for name in model.model_fields}
    return model.model_validate(values)


def _value(row: Any, name: str) -> Any:
    if name == "certainty":
        return certainty_of(row)
    if name == "field_sources":
        sources = row.field_sources or {}
        return {k: {"ref": v["ref"], "quote": v.get("quote"), "certainty": _shown(v)} for k, v in sources.items()}
    return getattr(row, name)


def certainty_of(row: Any) -> dict[str, Any] | None:
    """A row's certainty as the API shows it; None for facts entered in the tracker."""
    if row.certainty is None:
        return None
    return _shown(
        {"certainty": row.certainty.value, "note": row.certainty_note, "note_en": row.certainty_note_en,
         "alternative": row.alternative, "alternative_en": row.alternative_en, "conflicts": row.conflicts}
    )


def _shown(source: dict[str, Any]) -> dict[str, Any]:
    conflicts = [{"ref": c["ref"], "quote": c["quote"], "note": c.get("note"), "note_en": c.get("note_en")}
                 for c in source.get("conflicts") or []]
    return {
        "level": source.get("certainty") or "report",
        "note": source.get("note"),
        "note_en": source.get("note_en"),
        "alternative": source.get("alternative"),
        "alternative_en": source.get("alternative_en"),
        "conflicts": conflicts,
    }


def _listed(
    reg: Regulation,
    stage: Any,
    since: PrecisionDate | None,
    nxt: Deadline | None,
    base_url: str,
    plan: out.PlanStatus | None = None,
) -> dict[str, Any]:
    """What a list adds to a regulation's own fields."""
    return {
        "plan": plan,
        "team": reg.team.key,
        "stage": stage,
        "stage_since": since if stage and since else None,
        "next_deadline": build(out.NextDeadline, nxt) if nxt else None,
        "url": f"{base_url}/regulations/{reg.key}",
    }


def summary_of(
    reg: Regulation,
    stage: Any,
    since: PrecisionDate | None,
    nxt: Deadline | None,
    base_url: str,
    plan: out.PlanStatus | None = None,
) -> out.Summary:
    return build(out.Summary, reg, **_listed(reg, stage, since, nxt, base_url, plan))


def regulation_list(as_of: dt.date, items: list[out.Summary], page: int, per_page: int, total: int) -> dict[str, Any]:
    """A page of regulations (`items` from summary_of)."""
    next_page = page + 1 if page * per_page < total else None
    envelope = out.RegulationList(
        as_of=as_of, items=items, page=page, per_page=per_page, total=total, next_page=next_page
    )
    return envelope.model_dump(mode="json")


def board(
    as_of: dt.date, columns: list[tuple[Any, list[out.Summary], int]], page: int, per_page: int
) -> dict[str, Any]:
    """A page of the board: (stage, summaries, column total) per column."""
    shown = [out.BoardColumn(stage=stage, regulations=cards, total=total) for stage, cards, total in columns]
    more = any(total > page * per_page for _, _, total in columns)
    return out.Board(
        as_of=as_of, columns=shown, page=page, per_page=per_page, next_page=page + 1 if more else None
    ).model_dump(mode="json")


def history(key: str, changes: list[StageChange]) -> dict[str, Any]:
    return out.History(key=key, history=[build(out.StageChange, c) for c in changes]).model_dump(mode="json")


def _designation(d: Designation) -> out.Designation:
    return build(out.Designation, d, authority=d.authority.key, authority_name=d.authority.name)


def deadline(d: Deadline) -> dict[str, Any]:
    return build(out.Deadline, d).model_dump(mode="json")


def designation(d: Designation) -> dict[str, Any]:
    return _designation(d).model_dump(mode="json")


def evaluation(e: Evaluation) -> dict[str, Any]:
    return build(out.Evaluation, e).model_dump(mode="json")


def stage_change(c: StageChange) -> dict[str, Any]:
    return build(out.StageChange, c).model_dump(mode="json")


def detail(
    reg: Regulation,
    current: StageChange | None,
    nxt: Deadline | None,
    deadlines: list[Deadline],
    designations: list[Designation],
    evaluations: list[Evaluation],
    base_url: str,
    plan: out.PlanStatus | None = None,
) -> dict[str, Any]:
    stage, since = (current.to_stage, current.effective) if current else (None, None)
    return build(
        out.Detail,
        reg,
        **_listed(reg, stage, since, nxt, base_url, plan),
        links=[{"label": str(link.get("label", "")), "url": str(link.get("url", ""))} for link in reg.links or []],
        deadlines=[build(out.Deadline, d) for d in deadlines],
        designations=[_designation(d) for d in designations],
        evaluations=[build(out.Evaluation, e) for e in evaluations],
    ).model_dump(mode="json")
