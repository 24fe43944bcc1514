"""What a report is asked for: the as-of date, the period and the selection, read strictly from the terminal or a
query string. A bad value raises OptionError naming the parameter; nothing is drawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.dates import DateError, parse_day
from tracker.parsing import text_problem
from tracker.regulations.models import RegulationKind
from tracker.report.text import LANGS

FORMATS = ("html", "pdf", "docx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class OptionError(ValueError):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class ReportOptions:
    as_of: dt.date
    since: dt.date
    lang: str = "nl"
    pillars: tuple[int, ...] = ()
    teams: tuple[str, ...] = ()
    authority: str | None = None
    kind: RegulationKind | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.pillars or self.teams or self.authority or self.kind)

    def query(self) -> dict[str, object]:
        """The options as query parameters of /report (for download links)."""
        values: dict[str, object] = {"as_of": self.as_of.isoformat(), "since": self.since.isoformat(),
                                     "lang": self.lang}
        if self.pillars:
            values["pillar"] = [str(p) for p in self.pillars]
        if self.teams:
            values["team"] = list(self.teams)
        if self.authority:
            values["authority"] = self.authority
        if self.kind:
            values["kind"] = self.kind.value
        return values


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _day(param: str, raw: str | None) -> dt.date | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse_day(raw.strip())
    except DateError as exc:
        raise OptionError(param, str(exc)) from None


def _text(param: str, raw: str) -> str:
    value = raw.strip()
    problem = text_problem(value)
    if problem or len(value) > 60:
        raise OptionError(param, problem or "must be at most 60 characters")
    return value


def parse_options(
    *,
    today: dt.date,
    as_of: str | None = None,
    since: str | None = None,
    lang: str | None = None,
    pillars: Sequence[str] = (),
    teams: Sequence[str] = (),
    authority: str | None = None,
    kind: str | None = None,
) -> ReportOptions:
    """Options from text as typed; the as-of date defaults to today, `since` to one year before it."""
    as_of_day = _day("as_of", as_of) or today
    since_day = _day("since", since) or year_before(as_of_day)
    if since_day > as_of_day:
        raise OptionError("since", f"{since_day.isoformat()} lies after the as-of date {as_of_day.isoformat()}")
    language = (lang or "nl").strip() or "nl"
    if language not in LANGS:
        raise OptionError("lang", f"{language!r} is not a language; use nl or en")
    pillar_numbers: list[int] = []
    for raw in pillars:
        value = raw.strip()
        if not value:
            continue
        if value not in {"1", "2", "3", "4", "5"}:
            raise OptionError("pillar", f"{value!r} is not a pillar; use 1 to 5")
        if int(value) not in pillar_numbers:
            pillar_numbers.append(int(value))
    team_keys = tuple(dict.fromkeys(_text("team", v) for v in teams if v.strip()))
    kind_value = None
    if kind and kind.strip():
        try:
            kind_value = RegulationKind(kind.strip())
        except ValueError:
            known = ", ".join(k.value for k in RegulationKind)
            raise OptionError("kind", f"{kind.strip()!r} is not a kind; known: {known}") from None
    return ReportOptions(
        as_of=as_of_day,
        since=since_day,
        lang=language,
        pillars=tuple(sorted(pillar_numbers)),
        teams=team_keys,
        authority=_text("authority", authority) if authority and authority.strip() else None,
        kind=kind_value,
    )


def parse_format(raw: str | None) -> str:
    value = (raw or "").strip().lower()
    if value not in FORMATS:
        raise OptionError("format", f"{raw!r} is not a format; use html, pdf or docx")
    return value
