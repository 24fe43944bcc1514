"""Everything one report shows, read in a fixed number of queries (ten, however many acts there are) and put into
words once, so the HTML, the PDF and the DOCX say the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.audit.models import AuditEvent
from tracker.auth.models import Team
from tracker.content import short_name, text_in
from tracker.dates import PrecisionDate
from tracker.db import make_precision
from tracker.labels import label_in
from tracker.regulations.instruments.lookup import InstrumentAt, instrument_stages
from tracker.regulations.instruments.procedures import InstrumentKind
from tracker.regulations.models import (
    Authority,
    Deadline,
    DeadlineKind,
    Designation,
    Evaluation,
    EvaluationLevel,
    EvaluationStatus,
    Regulation,
    RegulationKind,
    StageChange,
)
from tracker.regulations.queries import stages_as_of
from tracker.regulations.stages import Stage
from tracker.report.changes import ITEM_ACTIONS, item_changes, move_line, new_act_row, stage_change_row
from tracker.report.lines import Line, Row, marked
from tracker.report.options import OptionError, ReportOptions, year_after
from tracker.report.text import pdate, short, stage_label, t

NEXT_DEADLINES = 3  # per act
STATUS_LENGTH = 160  # characters of the one-line status sentence
# Planning (another feature) may say per act where its plan stands: regulation id -> one line. Optional.
PlanningSource = Callable[[Sequence[Regulation], dt.date], Mapping[int, str]]  # (acts, as of) -> id: line
__all__ = ["Act", "Group", "Line", "PlanningSource", "Report", "Row", "gather"]


@dataclass
class Act:
    regulation: Regulation
    stage: Stage | None
    since: PrecisionDate | None
    status: str
    eu_status: str | None
    changes: list[Line] = field(default_factory=list)
    next_deadlines: list[Line] = field(default_factory=list)
    designations: list[Line] = field(default_factory=list)
    planning: str | None = None
    lang: str = "nl"
    instruments: list[str] = field(default_factory=list)  # each national instrument and where it stands

    @property
    def key(self) -> str:
        """The act's key: in anchors and data attributes, never shown."""
        return self.regulation.key

    @property
    def name(self) -> str:
        """The act's short name in the report's language."""
        return short_name(self.regulation, self.lang)

    @property
    def heading(self) -> str:
        title = text_in(self.regulation, "title", self.lang)
        return f"{self.name}: {title}" if title and title != self.name else self.name


@dataclass
class Group:
    """A heading and the acts or rows under it."""

    title: str
    acts: list[Act] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass
class Report:
    options: ReportOptions
    drawn_up: dt.date
    selection: list[str]
    columns: dict[Stage, list[Act]]
    without_stage: list[Act]
    pillars: list[Group]
    overdue: list[Row]
    upcoming: list[Row]
    stage_changes: list[Row]
    new_acts: list[Row]
    moved_dates: list[Row]
    evaluations: list[Group]

    @property
    def lang(self) -> str:
        return self.options.lang

    @property
    def acts(self) -> list[Act]:
        return [act for group in self.pillars for act in group.acts]

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)


def status_sentence(reg: Regulation, change: StageChange | None, lang: str = "nl") -> str:
    """The one-line status of Figure 8: the note of the change in force (its first sentence), else the summary."""
    text = ((text_in(change, "note", lang) if change else None) or text_in(reg, "summary", lang) or "").strip()
    if ". " in text:
        text = text.split(". ", 1)[0] + "."
    text = " ".join(text.split())
    return text if len(text) <= STATUS_LENGTH else text[: STATUS_LENGTH - 1].rstrip() + "…"


def eu_status(reg: Regulation, deadlines: Sequence[Deadline], as_of: dt.date, lang: str) -> str | None:
    """The EU-side sentence of Figure 8: 'In werking getreden en per 17-2-2024 van toepassing' or 'Publicatie en
    inwerkingtreding n.t.b.'. A national law or a programme has none."""
    if reg.kind in (RegulationKind.NATIONAL_LAW, RegulationKind.PROGRAMME):
        return None
    applications = sorted((d.due for d in deadlines if d.kind is DeadlineKind.APPLICATION and d.due.known),
                          key=PrecisionDate.sort_key)
    known_start = [d.start for d in (reg.eu_in_force, reg.eu_published) if d is not None and d.start is not None]
    in_force = any(day <= as_of for day in known_start) or bool(applications and applications[0].start <= as_of)  # type: ignore[operator]  # known: has a start
    if in_force and applications:
        sentence = t("eu_applicable", lang, date=short(applications[-1], lang))
        earlier = [short(d, lang) for d in applications[:-1]]
        return sentence + (t("eu_partly", lang, dates=", ".join(earlier)) if earlier else "")
    if in_force:
        return t("eu_in_force", lang)
    expected = [d.due for d in deadlines if d.kind is DeadlineKind.ENTRY_INTO_FORCE and d.due.known]
    if reg.eu_in_force is not None and reg.eu_in_force.known:
        expected.append(reg.eu_in_force)
    if expected:
        return t("eu_expected", lang, date=short(min(expected, key=PrecisionDate.sort_key), lang))
    return t("eu_tbd", lang)


def instrument_line(instrument: InstrumentAt, lang: str) -> str:
    """'Uitvoeringswet DSA (wet): Consultatie en toetsen, sinds 2e kwartaal 2023': an instrument and its stage."""
    kind = label_in(instrument.kind, lang)
    name = text_in(instrument, "title", lang)
    head = f"{name} ({kind})" if name else kind[:1].upper() + kind[1:]
    if instrument.to_stage is None:
        return f"{head}: {t('stage_none', lang).lower()}"
    since = make_precision(instrument.effective_on, instrument.effective_precision)
    return f"{head}: {stage_label(instrument.to_stage, lang)}, {t('since', lang)} {pdate(since, lang)}"


def _open(deadline: Deadline, as_of: dt.date) -> bool:
    return deadline.met_on is None or deadline.met_on > as_of


def _pillar_key(value: str | None) -> tuple[int, str]:
    return (0, value) if value else (1, "")


def gather(
    session: Session,
    options: ReportOptions,
    *,
    today: dt.date,
    tz: ZoneInfo,
    planning: PlanningSource | None = None,
) -> Report:
    """Read and word the report for `options`. Unknown team or authority keys raise OptionError."""
    lang = options.lang
    teams = list(session.scalars(select(Team).order_by(Team.key)))
    authorities = list(session.scalars(select(Authority).order_by(Authority.key)))
    team_ids = []
    for key in options.teams:
        match = next((team for team in teams if team.key == key), None)
        if match is None:
            raise OptionError("team", f"{key!r} is not a team; known: {', '.join(team.key for team in teams)}")
        team_ids.append(match.id)
    authority = None
    if options.authority:
        authority = next((a for a in authorities if a.key == options.authority), None)
        if authority is None:
            known = ", ".join(a.key for a in authorities)
            raise OptionError("authority", f"{options.authority!r} is not known; known: {known}")

    ids_query = select(Regulation.id)
    if options.pillars:
        ids_query = ids_query.where(Regulation.pillar.in_(options.pillars))
    if team_ids:
        ids_query = ids_query.where(Regulation.team_id.in_(team_ids))
    if options.kind:
        ids_query = ids_query.where(Regulation.kind == options.kind)
    if authority is not None:
        ids_query = ids_query.where(
            Regulation.id.in_(select(Designation.regulation_id).where(Designation.authority_id == authority.id)))
    wanted = ids_query.scalar_subquery()

    regulations = list(session.scalars(
        select(Regulation).options(joinedload(Regulation.team)).where(Regulation.id.in_(wanted))
        .order_by(Regulation.key)))
    ids = [r.id for r in regulations] if options.filtered else None
    now_changes = stages_as_of(session, options.as_of, ids)
    then_changes = stages_as_of(session, options.since, ids)
    moves: dict[int, list[StageChange]] = {}
    for change in session.scalars(
        select(StageChange)
        .where(StageChange.regulation_id.in_(wanted), StageChange.effective_on > options.since,
               StageChange.effective_on <= options.as_of)
        .order_by(StageChange.effective_on, StageChange.id)
    ):
        moves.setdefault(change.regulation_id, []).append(change)
    deadlines: dict[int, list[Deadline]] = {}
    deadline_by_id: dict[int, Deadline] = {}
    for deadline in session.scalars(
        select(Deadline).where(Deadline.regulation_id.in_(wanted))
        .order_by(Deadline.due_on.is_(None), Deadline.due_on, Deadline.id)
    ):
        deadlines.setdefault(deadline.regulation_id, []).append(deadline)
        deadline_by_id[deadline.id] = deadline
    designations: dict[int, list[Designation]] = {}
    designation_by_id: dict[int, Designation] = {}
    for designation in session.scalars(
        select(Designation).options(joinedload(Designation.authority))
        .where(Designation.regulation_id.in_(wanted)).order_by(Designation.id)
    ):
        designations.setdefault(designation.regulation_id, []).append(designation)
        designation_by_id[designation.id] = designation
    evaluations = list(session.scalars(
        select(Evaluation).order_by(Evaluation.due_on.is_(None), Evaluation.due_on, Evaluation.id)))
    start = dt.datetime.combine(options.since + dt.timedelta(days=1), dt.time(), tz)
    end = dt.datetime.combine(options.as_of + dt.timedelta(days=1), dt.time(), tz)
    events = list(session.scalars(
        select(AuditEvent)
        .where(AuditEvent.at >= start, AuditEvent.at < end, AuditEvent.action.in_(ITEM_ACTIONS),
               AuditEvent.regulation_id.in_(wanted))
        .order_by(AuditEvent.at, AuditEvent.id)
    ))
    planned = dict(planning(regulations, options.as_of)) if planning is not None else {}
    instruments = instrument_stages(session, options.as_of, [r.id for r in regulations])

    items = item_changes(events, {r.id: short_name(r, lang) for r in regulations}, deadline_by_id, designation_by_id,
                         {e.id: e for e in evaluations}, lang)

    acts: list[Act] = []
    columns: dict[Stage, list[Act]] = {stage: [] for stage in Stage}
    without_stage: list[Act] = []
    overdue: list[tuple[tuple[object, ...], Row]] = []
    upcoming: list[tuple[tuple[object, ...], Row]] = []
    stage_changes: list[Row] = []
    new_acts: list[Row] = []
    horizon = year_after(options.as_of)
    for reg in regulations:
        change = now_changes.get(reg.id)
        before = then_changes.get(reg.id)
        own = deadlines.get(reg.id, [])
        act = Act(
            regulation=reg,
            stage=change.to_stage if change else None,
            since=change.effective if change else None,
            status=status_sentence(reg, change, lang),
            eu_status=eu_status(reg, own, options.as_of, lang),
            planning=planned.get(reg.id),
            lang=lang,
        )
        paths = instruments.get(reg.id, [])
        # An act's one unnamed instrument of a kind not known is its stage path itself: the stage line says it all.
        named = any(i.title or i.kind is not InstrumentKind.UNKNOWN for i in paths)
        act.instruments = [instrument_line(i, lang) for i in paths] if named else []
        act.changes = [move_line(move, lang) for move in moves.get(reg.id, [])] + items.lines.get(reg.id, [])
        upcoming_own = [d for d in own if _open(d, options.as_of) and d.due_on is not None
                        and d.due_on >= options.as_of]
        act.next_deadlines = [
            Line(marked(f"{pdate(d.due, lang)}: {text_in(d, 'title', lang)}", d, lang))
            for d in upcoming_own[:NEXT_DEADLINES]]
        for d in own:
            if not _open(d, options.as_of) or d.due_on is None:
                continue
            shown = pdate(d.due, lang)
            # By date; of dates with the same first day, those written alike next to each other (the compact form
            # gives each written date one row), then by act.
            row = ((d.due.sort_key(), shown, reg.key, d.id),
                   Row([short_name(reg, lang), text_in(d, "title", lang), shown]))
            if d.due_on < options.as_of:
                overdue.append(row)
            elif d.due_on < horizon:
                upcoming.append(row)
        for designation in designations.get(reg.id, []):
            status = label_in(designation.status, lang)
            scope = f" ({text_in(designation, 'scope', lang)})" if designation.scope else ""
            role = text_in(designation, "role", lang)
            act.designations.append(
                Line(marked(f"{designation.authority.key}: {role}{scope}, {status}", designation, lang)))
        moved = stage_change_row(reg, before, act.stage, act.since, lang)
        if moved is not None:
            stage_changes.append(moved)
        new = new_act_row(reg, before, change, act.stage, options, tz)
        if new is not None:
            new_acts.append(new)
        acts.append(act)
        (columns[act.stage] if act.stage is not None else without_stage).append(act)

    by_pillar: dict[int | None, list[Act]] = {}
    for act in acts:
        by_pillar.setdefault(act.regulation.pillar, []).append(act)
    pillar_groups = [
        Group(f"{t('pillar', lang)} {p}" if p is not None else t("no_pillar", lang), acts=by_pillar[p])
        for p in sorted(by_pillar, key=lambda p: (p is None, p or 0))
    ]
    selection = _selection(options, lang)
    return Report(
        options=options,
        drawn_up=today,
        selection=selection,
        columns=columns,
        without_stage=without_stage,
        pillars=pillar_groups,
        overdue=_by_date(overdue),
        upcoming=_by_date(upcoming),
        stage_changes=stage_changes,
        new_acts=new_acts,
        moved_dates=items.moved_dates,
        evaluations=_evaluation_groups(evaluations, options, {r.id: r for r in regulations}, team_ids, lang),
    )


def _by_date(rows: list[tuple[tuple[object, ...], Row]]) -> list[Row]:
    """Rows were collected act by act; the section lists them by date, then act (a stable, total order)."""
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


STATUS_ORDER = {EvaluationStatus.DONE: 0, EvaluationStatus.RUNNING: 1, EvaluationStatus.ANNOUNCED: 2}
LEVEL_ORDER = {EvaluationLevel.NATIONAL: 0, EvaluationLevel.EU: 1}


def _evaluation_groups(evaluations: Sequence[Evaluation], options: ReportOptions, regulations: Mapping[int, Regulation],
                       team_ids: Sequence[int], lang: str) -> list[Group]:
    """Bijlage 2: a table per pillar; in each, done, running, then announced (national before international)."""
    chosen = []
    for evaluation in evaluations:
        if options.filtered:
            if evaluation.regulation_id is not None:
                if evaluation.regulation_id not in regulations:
                    continue
            else:
                if options.authority or options.kind:
                    continue
                parts = {p.strip() for p in (evaluation.pillar or "").split("/")}
                if options.pillars and not parts & {str(p) for p in options.pillars}:
                    continue
                if team_ids and evaluation.team_id not in team_ids:
                    continue
        chosen.append(evaluation)
    groups: dict[str | None, list[Evaluation]] = {}
    for evaluation in chosen:
        pillar = evaluation.pillar
        if pillar is None and evaluation.regulation_id is not None and evaluation.regulation_id in regulations:
            reg_pillar = regulations[evaluation.regulation_id].pillar
            pillar = str(reg_pillar) if reg_pillar is not None else None
        groups.setdefault(pillar, []).append(evaluation)
    result = []
    for pillar in sorted(groups, key=_pillar_key):
        rows = sorted(groups[pillar], key=lambda e: (STATUS_ORDER[e.status], LEVEL_ORDER[e.level], e.due.sort_key(),
                                                     text_in(e, "subject", lang)))
        title = f"{t('pillar', lang)} {pillar}" if pillar else t("no_pillar", lang)
        result.append(Group(title, rows=[
            Row([text_in(e, "subject", lang), pdate(e.due, lang), e.performer or "",
                 f"{label_in(e.status, lang)} ({label_in(e.level, lang)})"])
            for e in rows
        ]))
    return result


def _selection(options: ReportOptions, lang: str) -> list[str]:
    parts = []
    if options.pillars:
        parts.append(f"{t('pillar', lang)} {', '.join(map(str, options.pillars))}")
    if options.teams:
        parts.append(f"{t('team', lang)} {', '.join(options.teams)}")
    if options.authority:
        parts.append(f"{t('authority', lang)} {options.authority}")
    if options.kind:
        parts.append(f"{t('kind', lang)} {label_in(options.kind, lang)}")
    return parts or [t("no_filters", lang)]
