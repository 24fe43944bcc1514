"""Rows as API JSON. The shapes here and the schemas in openapi.py describe the same thing."""

from __future__ import annotations

from typing import Any

from tracker.dates import PrecisionDate
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, StageChange


def pdate(value: PrecisionDate) -> dict[str, Any]:
    return {
        "value": value.isoformat(),
        "precision": value.precision.value,
        "first_day": value.start.isoformat() if value.start else None,
        "display": value.display(),
    }


def summary(
    reg: Regulation, stage: Any, since: PrecisionDate | None, nxt: Deadline | None, base_url: str
) -> dict[str, Any]:
    return {
        "key": reg.key,
        "title": reg.title,
        "kind": reg.kind.value,
        "pillar": reg.pillar,
        "team": reg.team.key,
        "stage": stage.value if stage else None,
        "stage_since": pdate(since) if stage and since else None,
        "next_deadline": {"id": nxt.id, "title": nxt.title, "due": pdate(nxt.due)} if nxt else None,
        "version": reg.version,
        "url": f"{base_url}/regulations/{reg.key}",
    }


def deadline(d: Deadline) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind.value,
        "title": d.title,
        "due": pdate(d.due),
        "legal_basis": d.legal_basis,
        "note": d.note,
        "met_on": d.met_on.isoformat() if d.met_on else None,
        "version": d.version,
        "sequence": d.sequence,
        "source_ref": d.source_ref,
        "source_quote": d.source_quote,
    }


def designation(d: Designation) -> dict[str, Any]:
    return {
        "id": d.id,
        "authority": d.authority.key,
        "authority_name": d.authority.name,
        "role": d.role,
        "scope": d.scope,
        "status": d.status.value,
        "legal_basis": d.legal_basis,
        "version": d.version,
        "source_ref": d.source_ref,
        "source_quote": d.source_quote,
    }


def evaluation(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.id,
        "subject": e.subject,
        "level": e.level.value,
        "status": e.status.value,
        "due": pdate(e.due),
        "due_note": e.due_note,
        "performer": e.performer,
        "pillar": e.pillar,
        "version": e.version,
        "sequence": e.sequence,
        "source_ref": e.source_ref,
        "source_quote": e.source_quote,
    }


def stage_change(c: StageChange) -> dict[str, Any]:
    return {
        "id": c.id,
        "from_stage": c.from_stage.value if c.from_stage else None,
        "to_stage": c.to_stage.value,
        "move": c.move.value,
        "effective": pdate(c.effective),
        "recorded_at": c.recorded_at.isoformat(),
        "actor": c.actor,
        "reason": c.reason,
        "note": c.note,
        "reference": c.reference,
        "source_ref": c.source_ref,
    }


def detail(
    reg: Regulation,
    current: StageChange | None,
    nxt: Deadline | None,
    deadlines: list[Deadline],
    designations: list[Designation],
    evaluations: list[Evaluation],
    base_url: str,
) -> dict[str, Any]:
    out = summary(reg, current.to_stage if current else None, current.effective if current else None, nxt, base_url)
    out.update(
        {
            "title_nl": reg.title_nl,
            "eu_number": reg.eu_number,
            "celex": reg.celex,
            "lead_ministry": reg.lead_ministry,
            "national_instrument": reg.national_instrument,
            "bill_number": reg.bill_number,
            "summary": reg.summary,
            "links": [
                {"label": str(link.get("label", "")), "url": str(link.get("url", ""))} for link in reg.links or []
            ],
            "eu_published": pdate(reg.eu_published),
            "eu_in_force": pdate(reg.eu_in_force),
            "source_ref": reg.source_ref,
            "source_quote": reg.source_quote,
            "deadlines": [deadline(d) for d in deadlines],
            "designations": [designation(d) for d in designations],
            "evaluations": [evaluation(e) for e in evaluations],
        }
    )
    return out
