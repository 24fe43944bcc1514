"""Dates as people type them: what the app displays ("17 september 2025", "3e kwartaal 2025", "Q3 2025") and the
usual Dutch notation ("17-09-2025"), besides the canonical forms of `tracker.dates` ("2025-09-17", "2025-Q3").

`canonical()` turns any of these into the canonical text that `PrecisionDate.parse` reads, or raises DateError with
a message in the reader's language that says what is accepted and quotes no more than a short excerpt of the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from tracker.dates import LABEL_MAX, DateError, PrecisionDate

MAX_LENGTH = 40
_EXCERPT = 24

MONTHS = {
    **{name: i for i, name in enumerate(
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
         "november", "december"), start=1)},
    **{name: i for i, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"), start=1)},
    **{name: i for i, name in enumerate(
        ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"), start=1)},
    **{"mar": 3, "may": 5, "oct": 10, "sept": 9},
}
_UNKNOWN = {"nog niet bepaald", "to be determined", "n.t.b.", "ntb", "t.b.d.", "tbd", "onbekend", "unknown"}
_ORDINALS = {"1e": 1, "2e": 2, "3e": 3, "4e": 4, "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4,
             "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "first": 1, "second": 2, "third": 3, "fourth": 4}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))

_DUTCH_DAY = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")
_WORDS_DAY = re.compile(rf"([0-9]{{1,2}}) ({_MONTH})\.? ([0-9]{{4}})")
_WORDS_MONTH = re.compile(rf"({_MONTH})\.? ([0-9]{{4}})")
# "Q3 2025", "2025 Q3" or "3e kwartaal 2025"; the same shapes for halves.
_QUARTER = re.compile(
    rf"(?:q([1-4]) ([0-9]{{4}})|([0-9]{{4}}) q([1-4])|({_ORDINAL}) (?:kwartaal|quarter) ([0-9]{{4}}))")
_HALF = re.compile(rf"(?:h([12]) ([0-9]{{4}})|([0-9]{{4}}) h([12])|({_ORDINAL}) (?:helft|half) ([0-9]{{4}}))")


# The report's period words, by the rule of seed/README.md ("Conventions for Dutch period words"): a season stands for
# its months (voorjaar March-June, zomer June-September, najaar September-December) where a date may be a range
# (deadlines, evaluations), and for one period where a field takes one date (stage dates, EU dates, planned starts):
# voorjaar H1, zomer Q3, najaar H2. "begin <year>" is its first quarter, "eind <year>" its fourth;
# "begin/half/eind <month> <year>" is that month. Where ranges are taken the words are kept as the date's label.
SEASONS = {"voorjaar": (3, 6), "zomer": (6, 9), "najaar": (9, 12)}
SEASON_AS_ONE = {"voorjaar": "H1", "zomer": "Q3", "najaar": "H2"}
_EDGE_OF_YEAR = {"begin": "Q1", "eind": "Q4"}
_SEASON_WORDS = re.compile(r"(voorjaar|zomer|najaar) ([0-9]{4})")
_EDGE_WORDS = re.compile(rf"(begin|eind|half|medio) (?:({_MONTH})\.? )?([0-9]{{4}})")
_LABELLED = re.compile(r"(?P<body>[^()]*?)\s*\((?P<label>[^()]*)\)")
# Two periods: "oktober – december 2023", "4e kwartaal 2023 - 2024", "2023-Q4 .. 2024", "mei tot en met juli 2025".
_RANGE = re.compile(r"\s*(?:\.\.|–|—|\s-\s|\s(?:tot en met|t/m|tot|to|until)\s)\s*")
_YEAR_AT_END = re.compile(r"[0-9]{4}$")
_A_YEAR = re.compile(r"[0-9]{4}")


class DateInputError(DateError):
    """A date that cannot be read, explained in the reader's language."""


def parse(text: str, *, single: bool = False) -> PrecisionDate:
    """A date typed in any accepted notation; DateInputError, in the reader's language, otherwise.

    `single`: the field takes one date (no range, no report's words), so a period word gives its one period."""
    raw = " ".join(text.split())
    if len(raw) > MAX_LENGTH + LABEL_MAX:
        raise DateInputError(_("%(text)s is te lang voor een datum; schrijf %(accepted)s.",
                               text=repr(excerpt(raw)), accepted=accepted()))
    label = None
    labelled = _LABELLED.fullmatch(raw)
    if labelled and labelled["body"].strip():
        raw, label = labelled["body"].strip(), labelled["label"].strip()
    value = _words(raw, single=single) or _range(raw) or _one(raw)
    if label is not None:
        value = _checked(text, lambda: PrecisionDate(value.start, value.precision, value.end, value.end_precision,
                                                     label))
    if single and (value.is_range or value.label):
        raise DateInputError(_("Hier past één datum, zoals %(example)s; een periode van twee datums en de woorden "
                               "van het rapport alleen bij termijnen en evaluaties.", example="3e kwartaal 2025"))
    return value


def _words(raw: str, *, single: bool) -> PrecisionDate | None:
    """The report's period words: 'najaar 2025', 'voorjaar 2024', 'eind 2023', 'begin 2024', 'eind september 2025'."""
    low = raw.lower()
    if m := _SEASON_WORDS.fullmatch(low):
        word, year = m[1], m[2]
        if single:
            return _one(f"{year}-{SEASON_AS_ONE[word]}")
        first, last = SEASONS[word]
        return _checked(raw, lambda: PrecisionDate.parse(f"{year}-{first:02d} .. {year}-{last:02d} ({low})"))
    if m := _EDGE_WORDS.fullmatch(low):
        word, month, year = m[1], m[2], m[3]
        if month:
            written = f"{year}-{MONTHS[month]:02d}"
        elif word in _EDGE_OF_YEAR:
            written = f"{year}-{_EDGE_OF_YEAR[word]}"
        else:
            return None  # "half 2025": no rule says what it means
        return _one(written) if single else _checked(raw, lambda: PrecisionDate.parse(f"{written} ({low})"))
    return None


def _range(raw: str) -> PrecisionDate | None:
    parts = _RANGE.split(raw)
    if len(parts) != 2 or not all(parts):
        return None
    first_text, last_text = parts
    last = _one(last_text)
    year = _YEAR_AT_END.search(last_text)
    if not _A_YEAR.search(first_text) and year:  # "oktober – december 2023": the year is written once
        first_text = f"{first_text} {year[0]}"
    first = _one(first_text)
    if not first.known or not last.known:
        raise DateInputError(_("%(text)s: een periode loopt tussen twee bekende datums; schrijf %(accepted)s.",
                               text=repr(excerpt(raw)), accepted=accepted()))
    return _checked(raw, lambda: PrecisionDate(first.start, first.precision, last.start, last.precision), ranged=True)


def _one(raw: str) -> PrecisionDate:
    written = canonical(raw)
    if not _READABLE.fullmatch(written):
        raise DateInputError(_("%(text)s lezen wij niet als datum; schrijf %(accepted)s.",
                               text=repr(excerpt(raw)), accepted=accepted()))
    try:
        return PrecisionDate.parse(written)
    except DateError:
        raise DateInputError(_("%(text)s is geen bestaande datum; schrijf %(accepted)s.",
                               text=repr(excerpt(raw)), accepted=accepted())) from None


def _checked(raw: str, build: Callable[[], PrecisionDate], *, ranged: bool = False) -> PrecisionDate:
    """A range or labelled date whose parts were read; its own rules (order, label) in the reader's words."""
    try:
        return build()
    except DateError:
        if ranged:
            raise DateInputError(_("%(text)s: een periode moet eindigen na haar eerste deel.",
                                   text=repr(excerpt(raw)))) from None
        raise DateInputError(_("%(text)s: de woorden van het rapport zijn 1 tot %(max)s tekens zonder haakjes.",
                               text=repr(excerpt(raw)), max=LABEL_MAX)) from None


# The shapes canonical() returns: a date of one of these shapes that fails is a date that does not exist.
_READABLE = re.compile(r"t\.b\.d\.|[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?|-[QqHh][0-9])?")


def accepted() -> str:
    return _("bijvoorbeeld 17-09-2025, 17 september 2025, september 2025, 3e kwartaal 2025 (of Q3 2025), "
             "2e helft 2025, 2025, eind 2025, najaar 2025, oktober – december 2025 of nog niet bepaald")


def input_text(value: PrecisionDate | None, language: str = "nl") -> str:
    """What a form shows for a stored date: the reader's style, which `parse` reads back as the same value.
    A date with the report's words shows just those words when they mean exactly its period ('najaar 2025'),
    else the period with the words after it: 'oktober – december 2023 (najaar 2023)'."""
    if value is None:
        return ""
    if not value.label:
        return value.period(language)
    if language == "nl":
        try:
            if parse(value.label) == value:
                return value.label
        except DateError:
            pass
    return f"{value.period(language)} ({value.label})"


def excerpt(text: str) -> str:
    """At most a short piece of what someone typed, for an error message."""
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def canonical(text: str) -> str:
    """The canonical written form of a date typed in any accepted notation; DateError otherwise."""
    raw = " ".join(text.split())
    if len(raw) > MAX_LENGTH:
        raise DateInputError(_("%(text)s is te lang voor een datum; schrijf %(accepted)s.",
                          text=repr(excerpt(raw)), accepted=accepted()))
    if any(c.isdigit() and not c.isascii() for c in raw):
        raise DateInputError(_("%(text)s bevat andere cijfers dan 0-9; schrijf %(accepted)s.",
                          text=repr(excerpt(raw)), accepted=accepted()))
    low = raw.lower()
    if low in _UNKNOWN:
        return "t.b.d."
    if m := _DUTCH_DAY.fullmatch(low):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if m := _WORDS_DAY.fullmatch(low):
        return f"{m[3]}-{MONTHS[m[2]]:02d}-{int(m[1]):02d}"
    if m := _WORDS_MONTH.fullmatch(low):
        return f"{m[2]}-{MONTHS[m[1]]:02d}"
    if m := _QUARTER.fullmatch(low):
        year, number = (m[2], m[1]) if m[1] else (m[3], m[4]) if m[3] else (m[6], _ORDINALS[m[5]])
        return f"{year}-Q{number}"
    if m := _HALF.fullmatch(low):
        year, number = (m[2], m[1]) if m[1] else (m[3], m[4]) if m[3] else (m[6], _ORDINALS[m[5]])
        if int(number) > 2:
            raise DateInputError(_("%(text)s: een jaar heeft twee helften; schrijf %(accepted)s.",
                              text=repr(excerpt(raw)), accepted=accepted()))
        return f"{year}-H{number}"
    return raw
