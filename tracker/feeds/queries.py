"""Which dates a feed holds, its cheap fingerprint (the ETag), and the feed items themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from tracker.auth.models import Team
from tracker.dates import Precision
from tracker.feeds.ical import FeedItem, FeedMeta
from tracker.parsing import whole_number
from tracker.planning.events import planning_events
from tracker.regulations.certainty import marker_text
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation
from tracker.regulations.queries import stages_as_of

KINDS = ("deadlines", "evaluations", "planning")  # planning: only when asked for (tracker.planning.events)
PARAMS = ("team", "regulation", "authority", "kind", "alarm")
MAX_ALARMS = 5


class FeedParamError(ValueError):
    pass


@dataclass(frozen=True)
class FeedFilter:
    team: Team | None = None
    regulation: Regulation | None = None
    authority: Authority | None = None
    kind: str | None = None
    alarm_days: tuple[int, ...] = ()

    def query_string(self) -> str:
        pairs = [
            ("team", self.team.key if self.team else None),
            ("regulation", self.regulation.key if self.regulation else None),
            ("authority", self.authority.key if self.authority else None),
            ("kind", self.kind),
            ("alarm", ",".join(map(str, self.alarm_days)) or None),
        ]
        return urlencode([(k, v) for k, v in pairs if v])

    def title(self) -> str:
        parts = [
            f"team {self.team.key}" if self.team else None,
            self.regulation.key if self.regulation else None,
            f"authority {self.authority.key}" if self.authority else None,
            {"deadlines": "deadlines", "evaluations": "evaluations", "planning": "planning"}.get(self.kind or ""),
        ]
        chosen = [p for p in parts if p]
        return "EU implementation tracker" + (f" - {', '.join(chosen)}" if chosen else " - all dates")


def parse_filter(session: Session, args: Mapping[str, str], multi: Mapping[str, list[str]]) -> FeedFilter:
    """Validate the feed parameters; raise FeedParamError naming the parameter and the values that exist."""
    unknown = sorted(set(args) - set(PARAMS))
    if unknown:
        raise FeedParamError(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(PARAMS)}")
    repeated = [k for k, v in multi.items() if len(v) > 1]
    if repeated:
        raise FeedParamError(f"parameter {repeated[0]} is given more than once")
    values: dict[str, object] = {}
    for name, model in (("team", Team), ("regulation", Regulation), ("authority", Authority)):
        raw = (args.get(name) or "").strip()
        if raw:
            row = session.scalars(select(model).where(model.key == raw)).first()
            if row is None:
                known = ", ".join(session.scalars(select(model.key).order_by(model.key)))
                raise FeedParamError(f"{name}: {raw!r} is not known; known: {known}")
            values[name] = row
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind not in KINDS:
            raise FeedParamError(f"kind: {kind!r} is not a kind; use {' or '.join(KINDS)}")
        values["kind"] = kind
    alarm = (args.get("alarm") or "").strip()
    if alarm:
        parts = [p.strip() for p in alarm.split(",")]
        try:
            if len(parts) > MAX_ALARMS:
                raise ValueError("too many")
            days = {whole_number(p, 0, 365) for p in parts}
        except ValueError:
            raise FeedParamError(
                f"alarm: give up to {MAX_ALARMS} whole numbers of days (0-365), e.g. alarm=7,1"
            ) from None
        values["alarm_days"] = tuple(sorted(days, reverse=True))
    return FeedFilter(**values)  # type: ignore[arg-type]


def _scope(query: Select, f: FeedFilter, reg_id: ColumnElement, team_id: ColumnElement) -> Select:
    if f.regulation is not None:
        query = query.where(reg_id == f.regulation.id)
    if f.team is not None:
        query = query.where(team_id == f.team.id)
    if f.authority is not None:
        query = query.where(
            reg_id.in_(select(Designation.regulation_id).where(Designation.authority_id == f.authority.id))
        )
    return query


def _deadlines(f: FeedFilter) -> Select:
    reg = aliased(Regulation)
    q = select(Deadline, reg).join(reg, Deadline.regulation_id == reg.id).where(Deadline.due_on.is_not(None))
    return _scope(q, f, reg.id, reg.team_id)


def _evaluations(f: FeedFilter) -> Select:
    reg = aliased(Regulation)
    q = select(Evaluation, reg).outerjoin(reg, Evaluation.regulation_id == reg.id).where(Evaluation.due_on.is_not(None))
    return _scope(q, f, Evaluation.regulation_id, func.coalesce(reg.team_id, Evaluation.team_id))


def _when(precision: Precision, shown: str) -> tuple[str, str]:
    if precision is Precision.DAY:
        return "", f"Date: {shown}"
    return f" ({shown})", (
        f"Date: {shown} (precision: {precision.value}; shown on the first day of the period, "
        "the tracker's rule for dates that are not days)"
    )


def feed_items(session: Session, f: FeedFilter, *, base_url: str, today: dt.date) -> list[FeedItem]:
    """Every dated deadline and evaluation in the filter; t.b.d. items are left out."""
    host = urlsplit(base_url).hostname or "tracker"
    stages = stages_as_of(session, today)
    items: list[FeedItem] = []

    def stage_line(reg: Regulation | None) -> str:
        change = stages.get(reg.id) if reg else None
        if change is None:
            return "Stage: not recorded"
        return f"Stage: {change.to_stage.label_en} ({change.to_stage.label_nl}) since {change.effective.display()}"

    def source_line(row: Deadline | Evaluation) -> str:
        quote = f' - "{row.source_quote}"' if row.source_quote else ""
        marker = f"\n{marker_text(row)}" if marker_text(row) else ""  # a reading, inference or contradiction
        return f"Source: {row.source_ref}{quote}{marker}" if row.source_ref else "Source: entered in the tracker"

    if f.kind in (None, "deadlines"):
        for d, reg in session.execute(_deadlines(f)):
            suffix, when = _when(d.due.precision, d.due.display())
            url = f"{base_url}/regulations/{reg.key}"
            lines = [when, stage_line(reg), f"Kind: {d.kind.value.replace('_', ' ')}"]
            lines += [f"Met on: {d.met_on.isoformat()}"] if d.met_on else []
            lines += [d.note] if d.note else []
            lines += [source_line(d), url]
            items.append(
                FeedItem(
                    uid=f"deadline-{d.id}@{host}",
                    day=d.due_on,
                    summary=f"{reg.key} - {d.title}{suffix}",
                    description="\n".join(lines),
                    url=url,
                    categories=(reg.key, "deadline", d.kind.value),
                    last_modified=d.updated_at,
                    sequence=d.sequence,
                )
            )
    if f.kind in (None, "evaluations"):
        for e, reg in session.execute(_evaluations(f)):
            suffix, when = _when(e.due.precision, e.due.display())
            label = reg.key if reg else e.subject
            about = "" if reg is None or e.subject in (reg.title, reg.key) else f": {e.subject}"
            url = f"{base_url}/regulations/{reg.key}#evaluations" if reg else f"{base_url}/"
            lines = [when, stage_line(reg), f"Evaluation ({e.level.value}, {e.status.value})"]
            lines += [e.due_note] if e.due_note else []
            lines += [source_line(e), url]
            items.append(
                FeedItem(
                    uid=f"evaluation-{e.id}@{host}",
                    day=e.due_on,
                    summary=f"{label} - evaluation{about}{suffix}",
                    description="\n".join(lines),
                    url=url,
                    categories=(label, "evaluation", e.level.value),
                    last_modified=e.updated_at,
                    sequence=e.sequence,
                )
            )
    if f.kind == "planning":
        regs = list(session.scalars(_scope(select(Regulation), f, Regulation.id, Regulation.team_id)))
        events = planning_events(session, regs, today, base_url)
        items += [FeedItem(**{**vars(e), "uid": f"{e.uid}@{host}"}) for e in events]
    return items


def feed_meta(f: FeedFilter, *, base_url: str) -> FeedMeta:
    return FeedMeta(
        name=f.title(),
        description="Deadlines and evaluation dates of EU digital acts in the Netherlands",
        url=f"{base_url}/calendar",
        alarm_days=f.alarm_days,
    )
