"""Which dates a feed holds, its cheap fingerprint (the ETag), and the feed items themselves."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, Subquery, func, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from tracker.auth.models import Team
from tracker.content import pick, short_name
from tracker.date_words import current_language, format_day, format_pdate
from tracker.dates import Precision
from tracker.db import make_precision
from tracker.feeds.ical import FeedItem, FeedMeta
from tracker.labels import label as word
from tracker.parsing import whole_number
from tracker.planning.events import planning_events
from tracker.regulations.certainty import source_marker
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, make_range
from tracker.regulations.queries import stage_rows_as_of
from tracker.regulations.stages import Stage

KINDS = ("deadlines", "evaluations", "planning")  # planning: only when asked for (tracker.planning.events)
PARAMS = ("team", "regulation", "authority", "kind", "alarm", "lang")
LANGUAGES = ("nl", "en")  # a feed's texts: Dutch unless its URL asks for English (a calendar app sends no language)
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
    language: str = "nl"

    def query_string(self) -> str:
        pairs = [
            ("team", self.team.key if self.team else None),
            ("regulation", self.regulation.key if self.regulation else None),
            ("authority", self.authority.key if self.authority else None),
            ("kind", self.kind),
            ("alarm", ",".join(map(str, self.alarm_days)) or None),
            ("lang", self.language if self.language != "nl" else None),
        ]
        return urlencode([(k, v) for k, v in pairs if v])

    def title(self) -> str:
        """The calendar's name, in the current language (the feed's, see `feed_meta`)."""
        kinds = {"deadlines": _("termijnen"), "evaluations": _("evaluaties"), "planning": _("planning")}
        parts = [
            _("team %(key)s", key=self.team.key) if self.team else None,
            short_name(self.regulation, current_language()) if self.regulation else None,
            _("toezichthouder %(key)s", key=self.authority.key) if self.authority else None,
            kinds.get(self.kind or ""),
        ]
        chosen = [p for p in parts if p]
        return _("EU-implementatietracker") + " - " + (", ".join(chosen) if chosen else _("alle data"))


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
    language = (args.get("lang") or "").strip()
    if language:
        if language not in LANGUAGES:
            raise FeedParamError(f"lang: {language!r} is not a language of the feeds; use {' or '.join(LANGUAGES)}")
        values["language"] = language
    return FeedFilter(**values)  # type: ignore[arg-type]  # each value checked above for its field


def _scope(query: Select, f: FeedFilter, reg_id: ColumnElement | QueryableAttribute[Any],
           team_id: ColumnElement | QueryableAttribute[Any],
           ids: Sequence[int] | None = None) -> Select:
    if ids is not None:  # only these acts' events (pieces rendered after a change)
        query = query.where(reg_id.in_(list(ids)))
    if f.regulation is not None:
        query = query.where(reg_id == f.regulation.id)
    if f.team is not None:
        query = query.where(team_id == f.team.id)
    if f.authority is not None:
        query = query.where(
            reg_id.in_(select(Designation.regulation_id).where(Designation.authority_id == f.authority.id))
        )
    return query


def deadline_rows(f: FeedFilter, then: Subquery, ids: Sequence[int] | None = None) -> Select:
    reg = aliased(Regulation)
    q = (
        select(
            Deadline.id, Deadline.due_on, Deadline.due_precision, Deadline.due_until, Deadline.due_until_precision,
            Deadline.due_label, Deadline.title, Deadline.kind, Deadline.met_on, Deadline.note,
            Deadline.source_ref, Deadline.source_quote, Deadline.certainty, Deadline.certainty_note,
            Deadline.alternative, Deadline.conflicts, Deadline.updated_at, Deadline.sequence,
            reg.key, then.c.to_stage, then.c.effective_on, then.c.effective_precision,
            # the English beside the Dutch texts, for a feed in English (tracker.content)
            Deadline.title_en, Deadline.note_en, Deadline.certainty_note_en, Deadline.alternative_en,
            reg.short_name, reg.short_name_en,
        )
        .join(reg, Deadline.regulation_id == reg.id)
        .outerjoin(then, then.c.regulation_id == reg.id)
        .where(Deadline.due_on.is_not(None))
    )
    return _scope(q, f, reg.id, reg.team_id, ids)


def evaluation_rows(f: FeedFilter, then: Subquery, ids: Sequence[int] | None = None) -> Select:
    reg = aliased(Regulation)
    q = (
        select(
            Evaluation.id, Evaluation.due_on, Evaluation.due_precision, Evaluation.due_until,
            Evaluation.due_until_precision, Evaluation.due_label, Evaluation.subject, Evaluation.level,
            Evaluation.status, Evaluation.due_note, Evaluation.source_ref, Evaluation.source_quote,
            Evaluation.certainty, Evaluation.certainty_note, Evaluation.alternative, Evaluation.conflicts,
            Evaluation.updated_at, Evaluation.sequence,
            reg.key, reg.title, then.c.to_stage, then.c.effective_on, then.c.effective_precision,
            Evaluation.subject_en, Evaluation.due_note_en, Evaluation.certainty_note_en, Evaluation.alternative_en,
            reg.short_name, reg.short_name_en, reg.title_en,
        )
        .outerjoin(reg, Evaluation.regulation_id == reg.id)
        .outerjoin(then, then.c.regulation_id == reg.id)
        .where(Evaluation.due_on.is_not(None))
    )
    return _scope(q, f, Evaluation.regulation_id, func.coalesce(reg.team_id, Evaluation.team_id), ids)


@dataclass(frozen=True)
class Words:
    """The fixed texts of a feed's events in one language, looked up once per build rather than once per event."""

    language: str
    date: str
    coarse: str
    stage: str
    no_stage: str
    kind: str
    met_on: str
    source: str
    entered: str
    evaluation: str
    evaluation_line: str


@functools.lru_cache(maxsize=len(LANGUAGES))
def words(language: str) -> Words:
    with force_locale(language):
        return Words(
            language=language,
            date=_("Datum"),
            coarse=_("getoond op de eerste dag van de periode, de regel van de tracker voor data die geen dag zijn"),
            stage=_("Huidige fase"),
            no_stage=_("Fase niet vastgelegd"),
            kind=_("Soort"),
            met_on=_("Gehaald op"),
            source=_("Bron"),
            entered=_("ingevoerd in de tracker"),
            evaluation=_("evaluatie"),
            evaluation_line=_("Evaluatie"),
        )


def _when(precision: Precision, shown_due: str, w: Words) -> tuple[str, str]:
    if precision is Precision.DAY:
        return "", f"{w.date}: {shown_due}"
    return f" ({shown_due})", f"{w.date}: {shown_due} ({w.coarse})"


@functools.lru_cache(maxsize=4096)
def _stage_line(stage: Stage | None, on: dt.date | None, precision: Precision | None, w: Words) -> str:
    if stage is None or on is None:
        return w.no_stage
    with force_locale(w.language):
        since = _("sinds %(when)s", when=format_pdate(make_precision(on, precision), w.language))
        return f"{w.stage}: {word(stage)} {since}"


@functools.lru_cache(maxsize=4096)
def _due(w: Words, *columns: object) -> tuple[str, str]:
    """(summary suffix, the description's date line) of a due date, from its five columns (a range keeps the
    report's words): few distinct values, so kept."""
    due = make_range(*columns)  # type: ignore[arg-type]  # a range date's five columns
    return _when(due.precision, format_pdate(due, w.language), w)


@functools.lru_cache(maxsize=256)
def _labels(w: Words, *values: object) -> tuple[str, ...]:
    with force_locale(w.language):
        return tuple(word(v) for v in values)  # type: ignore[arg-type]  # the rows' enum values


def _source_line(w: Words, ref: str | None, quote: str | None, certainty: object = None, note: str | None = None,
                 alternative: str | None = None, conflicts: list | None = None) -> str:
    """`note` and `alternative` are already in the feed's language (tracker.content.pick)."""
    said = f' - "{quote}"' if quote else ""
    marked = source_marker(
        {"certainty": certainty, "note": note, "alternative": alternative, "conflicts": conflicts}, w.language
    )
    marker = f"\n{marked}" if marked else ""  # a reading, inference or contradiction
    return f"{w.source}: {ref}{said}{marker}" if ref else f"{w.source}: {w.entered}"


def deadline_item(row: Sequence[Any], w: Words, host: str, base_url: str) -> FeedItem:
    """One deadline's event from a row of `_deadlines` (typed values)."""
    (d_id, due_on, due_precision, until, until_precision, due_label, title, kind, met_on, note, ref, quote,
     certainty, certainty_note, alternative, conflicts, updated_at, sequence, key, stage, stage_on,
     stage_precision, title_en, note_en, certainty_note_en, alternative_en, short, short_en) = row
    lang = w.language
    title, note, name = pick(title, title_en, lang), pick(note, note_en, lang), pick(short, short_en, lang) or key
    certainty_note, alternative = pick(certainty_note, certainty_note_en, lang), pick(alternative, alternative_en, lang)
    suffix, when = _due(w, due_on, due_precision, until, until_precision, due_label)
    url = f"{base_url}/regulations/{key}"
    lines = [when, _stage_line(stage, stage_on, stage_precision, w), f"{w.kind}: {_labels(w, kind)[0]}"]
    lines += [f"{w.met_on}: {format_day(met_on, w.language)}"] if met_on else []
    lines += [note] if note else []
    lines += [_source_line(w, ref, quote, certainty, certainty_note, alternative, conflicts), url]
    return FeedItem(
        uid=f"deadline-{d_id}@{host}",
        day=due_on,
        summary=f"{name} - {title}{suffix}",
        description="\n".join(lines),
        url=url,
        categories=(name, "deadline", kind.value),
        last_modified=updated_at,
        sequence=sequence,
    )


def evaluation_item(row: Sequence[Any], w: Words, host: str, base_url: str) -> FeedItem:
    """One evaluation's event from a row of `_evaluations` (typed values)."""
    (e_id, due_on, due_precision, until, until_precision, due_label, subject, level, status, due_note, ref,
     quote, certainty, certainty_note, alternative, conflicts, updated_at, sequence,
     key, reg_title, stage, stage_on, stage_precision, subject_en, due_note_en, certainty_note_en, alternative_en,
     short, short_en, reg_title_en) = row
    lang = w.language
    same = subject in (reg_title, reg_title_en, key, short, short_en)  # the act itself, not a part of it
    subject, due_note = pick(subject, subject_en, lang), pick(due_note, due_note_en, lang)
    certainty_note, alternative = pick(certainty_note, certainty_note_en, lang), pick(alternative, alternative_en, lang)
    suffix, when = _due(w, due_on, due_precision, until, until_precision, due_label)
    label = (pick(short, short_en, lang) or key) if key is not None else subject
    about = "" if key is None or same else f": {subject}"
    url = f"{base_url}/regulations/{key}#evaluations" if key is not None else f"{base_url}/"
    level_word, status_word = _labels(w, level, status)
    lines = [when, _stage_line(stage, stage_on, stage_precision, w),
             f"{w.evaluation_line} ({level_word}, {status_word})"]
    lines += [due_note] if due_note else []
    lines += [_source_line(w, ref, quote, certainty, certainty_note, alternative, conflicts), url]
    return FeedItem(
        uid=f"evaluation-{e_id}@{host}",
        day=due_on,
        summary=f"{label} - {w.evaluation}{about}{suffix}",
        description="\n".join(lines),
        url=url,
        categories=(label, "evaluation", level.value),
        last_modified=updated_at,
        sequence=sequence,
    )


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "tracker"


def feed_items(session: Session, f: FeedFilter, *, base_url: str, today: dt.date) -> list[FeedItem]:
    """Every dated deadline and evaluation in the filter; t.b.d. items are left out. One query per kind, rows read
    as plain tuples (no ORM objects). Feeds themselves read raw rows and build only the events whose pieces are
    missing (tracker.feeds.source); this builds them all (planning feeds, the benchmark's floor, tests)."""
    host = host_of(base_url)
    w = words(f.language)
    then = stage_rows_as_of(today)
    items: list[FeedItem] = []
    if f.kind in (None, "deadlines"):
        items += [deadline_item(row, w, host, base_url) for row in session.execute(deadline_rows(f, then))]
    if f.kind in (None, "evaluations"):
        items += [evaluation_item(row, w, host, base_url) for row in session.execute(evaluation_rows(f, then))]
    if f.kind == "planning":
        items += planning_items(session, f, base_url=base_url, today=today)
    return items


def planning_items(session: Session, f: FeedFilter, *, base_url: str, today: dt.date) -> list[FeedItem]:
    host = host_of(base_url)
    regs = list(session.scalars(_scope(select(Regulation), f, Regulation.id, Regulation.team_id)))
    with force_locale(f.language):
        events = planning_events(session, regs, today, base_url)
    return [FeedItem(**{**vars(e), "uid": f"{e.uid}@{host}"}) for e in events]


def feed_meta(f: FeedFilter, *, base_url: str) -> FeedMeta:
    with force_locale(f.language):
        return FeedMeta(
            name=f.title(),
            description=_("Termijnen en evaluatiedata van de digitale EU-regelgeving in Nederland"),
            url=f"{base_url}/calendar",
            alarm_days=f.alarm_days,
        )
