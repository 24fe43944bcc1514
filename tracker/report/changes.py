"""What changed between `--since` and `--as-of`: each act's stage moves and the items added, changed or removed
(read from the audit trail), and section 4 of the report, "changes since the previous report": acts that changed
stage, new acts, and dates that moved (and by how much). Pure: `data.gather` reads the rows, this words them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from tracker.audit.models import AuditEvent
from tracker.dates import DateError, PrecisionDate
from tracker.regulations.models import Deadline, Designation, Evaluation, Regulation, StageChange
from tracker.regulations.stages import Stage
from tracker.report.lines import Line, Row, marked
from tracker.report.options import ReportOptions
from tracker.report.text import pdate, shift, stage_label, t

# The audited actions that make an act's "what changed" lines (stage moves come from the stage history).
ITEM_ACTIONS = ("deadline.create", "deadline.update", "deadline.delete", "designation.create",
                "evaluation.update")


def in_window(change_day: dt.date | None, options: ReportOptions) -> bool:
    return change_day is not None and options.since < change_day <= options.as_of


def parse_date(value: object) -> PrecisionDate | None:
    try:
        return PrecisionDate.parse(value) if isinstance(value, str) else None
    except DateError:
        return None


def move_line(move: StageChange, lang: str) -> Line:
    """A stage move in the period, with its note and reference."""
    text = t("moved_to", lang, stage=stage_label(move.to_stage, lang), date=pdate(move.effective, lang))
    return Line(marked(text, move, lang), note=move.note, reference=move.reference)


@dataclass
class ItemChanges:
    """The audit trail of the period in words: lines per regulation id, and the dates that moved."""

    lines: dict[int, list[Line]] = field(default_factory=dict)
    moved_dates: list[Row] = field(default_factory=list)


def item_changes(events: Sequence[AuditEvent], keys: Mapping[int, str], deadlines: Mapping[int, Deadline],
                 designations: Mapping[int, Designation], evaluations: Mapping[int, Evaluation],
                 lang: str) -> ItemChanges:
    """`events` in the order they happened; `keys` maps the reported acts' ids to their keys."""
    result = ItemChanges()
    for event in events:
        line = event_line(event, deadlines, designations, lang)
        if line is not None and event.regulation_id is not None:
            result.lines.setdefault(event.regulation_id, []).append(line)
        due = event.changes.get("due") if event.action.endswith(".update") else None
        old, new = (parse_date(due[0]), parse_date(due[1])) if isinstance(due, list) and len(due) == 2 else (None, None)
        if old is not None and new is not None and event.regulation_id is not None and event.regulation_id in keys:
            subject = (deadlines.get(event.target_id) if event.action.startswith("deadline")  # type: ignore[arg-type]  # None: no row
                       else evaluations.get(event.target_id))  # type: ignore[arg-type]  # None: no row
            title = getattr(subject, "title", None) or getattr(subject, "subject", None) or event.target_label or ""
            moved = shift(old.start, new.start, lang) if old.start and new.start else ""
            result.moved_dates.append(Row([keys[event.regulation_id], title, pdate(old, lang), pdate(new, lang),
                                           moved]))
    return result


def event_line(event: AuditEvent, deadlines: Mapping[int, Deadline], designations: Mapping[int, Designation],
               lang: str) -> Line | None:
    changes = event.changes or {}
    if event.action == "deadline.create":
        deadline = deadlines.get(event.target_id or -1)
        title = deadline.title if deadline else (event.target_label or "")
        due = deadline.due if deadline else parse_date((changes.get("due") or [None, None])[1])
        return Line(t("deadline_new", lang, title=title, date=pdate(due, lang)))
    if event.action == "deadline.update":
        deadline = deadlines.get(event.target_id or -1)
        title = deadline.title if deadline else (event.target_label or "")
        due = changes.get("due")
        if isinstance(due, list) and len(due) == 2:
            return Line(t("deadline_moved", lang, title=title, old=pdate(parse_date(due[0]), lang),
                          new=pdate(parse_date(due[1]), lang)))
        return Line(t("deadline_changed", lang, title=title))
    if event.action == "deadline.delete":
        return Line(t("deadline_removed", lang, title=event.target_label or ""))
    if event.action == "designation.create":
        designation = designations.get(event.target_id or -1)
        if designation is None:
            return None
        return Line(t("designation_new", lang, authority=designation.authority.key, role=designation.role))
    return None


def stage_change_row(reg: Regulation, before: StageChange | None, stage: Stage | None,
                     since: PrecisionDate | None, lang: str) -> Row | None:
    """The act's row under "acts that changed stage", if its stage as of `--since` differs from now."""
    then = before.to_stage if before else None
    if then == stage:
        return None
    return Row([reg.key, stage_label(then, lang), stage_label(stage, lang), pdate(since, lang)])


def new_act_row(reg: Regulation, before: StageChange | None, change: StageChange | None, stage: Stage | None,
                options: ReportOptions, tz: ZoneInfo) -> Row | None:
    """The act's row under "new acts": it had no stage at `--since` and has one now, or was created in the period."""
    created = reg.created_at.astimezone(tz).date() if reg.created_at else None
    if (before is None and change is not None) or in_window(created, options):
        return Row([reg.key, reg.title, stage_label(stage, options.lang)])
    return None
