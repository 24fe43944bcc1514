"""Dates as people type them: what the app displays ("17 september 2025", "3e kwartaal 2025", "Q3 2025") and the
usual Dutch notation ("17-09-2025"), besides the canonical forms of `tracker.dates` ("2025-09-17", "2025-Q3").

`canonical()` turns any of these into the canonical text that `PrecisionDate.parse` reads, or raises DateError with
a message in the reader's language that says what is accepted and quotes no more than a short excerpt of the input.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from tracker.dates import DateError, PrecisionDate

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


class DateInputError(DateError):
    """A date that cannot be read, explained in the reader's language."""


def parse(text: str) -> PrecisionDate:
    """A date typed in any accepted notation; DateInputError, in the reader's language, otherwise."""
    written = canonical(text)
    try:
        return PrecisionDate.parse(written)
    except DateError:
        raise DateInputError(_("%(text)s is geen bestaande datum; schrijf %(accepted)s.",
                               text=repr(excerpt(" ".join(text.split()))), accepted=accepted())) from None


def accepted() -> str:
    return _("bijvoorbeeld 17-09-2025, 17 september 2025, september 2025, 3e kwartaal 2025 (of Q3 2025), "
             "2e helft 2025, 2025 of nog niet bepaald")


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
