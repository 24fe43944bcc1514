"""Dates that are not always days: "2025-09-17", "2025-09", "2025-Q3", "2025-H2", "2025", "t.b.d.".

One rule everywhere (sorting, as-of views, reminders, feeds): a period counts from its first day.
An unknown date ("t.b.d.") has no first day: it sorts after every known date and never falls due.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Precision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    UNKNOWN = "unknown"


# Finer precision first: of two dates with the same first day, the more precise one sorts first.
_RANK = {p: i for i, p in enumerate(Precision)}

_UNKNOWN_WORDS = {"t.b.d.", "tbd", "n.t.b.", "ntb", "unknown", "onbekend"}
_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), Precision.DAY),
    (re.compile(r"(\d{4})-(\d{2})"), Precision.MONTH),
    (re.compile(r"(\d{4})-[Qq]([1-4])"), Precision.QUARTER),
    (re.compile(r"(\d{4})-[Hh]([12])"), Precision.HALF),
    (re.compile(r"(\d{4})"), Precision.YEAR),
)
FORMATS_HELP = "2025-09-17, 2025-09, 2025-Q3, 2025-H2, 2025 or t.b.d."


class DateError(ValueError):
    """Raised for text that is not a date at any precision."""


@dataclass(frozen=True, slots=True)
class PrecisionDate:
    """A date known to some precision; `start` is the first day of the period (None when unknown)."""

    start: dt.date | None
    precision: Precision

    def __post_init__(self) -> None:
        if (self.start is None) != (self.precision is Precision.UNKNOWN):
            raise DateError("only an unknown date has no start")
        if self.start is not None and self.start != _align(self.start, self.precision):
            raise DateError(f"{self.start} is not the first day of a {self.precision.value}")

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def unknown(cls) -> PrecisionDate:
        return cls(None, Precision.UNKNOWN)

    @classmethod
    def day(cls, value: dt.date) -> PrecisionDate:
        return cls(value, Precision.DAY)

    @classmethod
    def parse(cls, text: str | dt.date | None) -> PrecisionDate:
        """Parse the written forms listed in FORMATS_HELP; raise DateError with a clear message otherwise."""
        if isinstance(text, dt.date):
            return cls.day(text)
        if text is None:
            raise DateError(f"a date is required ({FORMATS_HELP})")
        raw = str(text).strip()
        if raw.lower() in _UNKNOWN_WORDS:
            return cls.unknown()
        for pattern, precision in _PATTERNS:
            match = pattern.fullmatch(raw)
            if match:
                return cls._from_parts(raw, precision, [int(g) for g in match.groups()])
        raise DateError(f"{raw!r} is not a date; write {FORMATS_HELP}")

    @classmethod
    def _from_parts(cls, raw: str, precision: Precision, parts: list[int]) -> PrecisionDate:
        year = parts[0]
        if not 1900 <= year <= 2200:
            raise DateError(f"{raw!r}: year {year} is out of range (1900-2200)")
        try:
            if precision is Precision.DAY:
                start = dt.date(year, parts[1], parts[2])
            elif precision is Precision.MONTH:
                start = dt.date(year, parts[1], 1)
            elif precision is Precision.QUARTER:
                start = dt.date(year, 3 * parts[1] - 2, 1)
            elif precision is Precision.HALF:
                start = dt.date(year, 6 * parts[1] - 5, 1)
            else:
                start = dt.date(year, 1, 1)
        except ValueError as exc:
            raise DateError(f"{raw!r} is not a date: {exc}") from None
        return cls(start, precision)

    # -- reading ------------------------------------------------------------------------------
    @property
    def known(self) -> bool:
        return self.start is not None

    @property
    def first_day(self) -> dt.date | None:
        return self.start

    @property
    def last_day(self) -> dt.date | None:
        if self.start is None:
            return None
        y, m = self.start.year, self.start.month
        span = {Precision.DAY: 0, Precision.MONTH: 1, Precision.QUARTER: 3, Precision.HALF: 6, Precision.YEAR: 12}
        months = span[self.precision]
        if months == 0:
            return self.start
        end_month = m + months - 1
        return dt.date(y, end_month, calendar.monthrange(y, end_month)[1])

    def sort_key(self) -> tuple[int, dt.date, int]:
        return (0, self.start, _RANK[self.precision]) if self.start else (1, dt.date.max, _RANK[self.precision])

    def __lt__(self, other: PrecisionDate) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: PrecisionDate) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: PrecisionDate) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: PrecisionDate) -> bool:
        return self.sort_key() >= other.sort_key()

    def __composite_values__(self) -> tuple[dt.date | None, Precision]:
        return (self.start, self.precision)

    def isoformat(self) -> str:
        """The canonical written form, which `parse` reads back."""
        s, p = self.start, self.precision
        if s is None:
            return "t.b.d."
        if p is Precision.DAY:
            return s.isoformat()
        if p is Precision.MONTH:
            return f"{s.year:04d}-{s.month:02d}"
        if p is Precision.QUARTER:
            return f"{s.year:04d}-Q{(s.month + 2) // 3}"
        if p is Precision.HALF:
            return f"{s.year:04d}-H{(s.month + 5) // 6}"
        return f"{s.year:04d}"

    def display(self) -> str:
        """As people write it: '17 Sep 2025', 'Sep 2025', 'Q3 2025', 'H2 2025', '2025', 't.b.d.'."""
        s, p = self.start, self.precision
        if s is None:
            return "t.b.d."
        if p is Precision.DAY:
            return f"{s.day} {MONTHS_EN[s.month - 1]} {s.year}"
        if p is Precision.MONTH:
            return f"{MONTHS_EN[s.month - 1]} {s.year}"
        if p is Precision.QUARTER:
            return f"Q{(s.month + 2) // 3} {s.year}"
        if p is Precision.HALF:
            return f"H{(s.month + 5) // 6} {s.year}"
        return str(s.year)

    def __str__(self) -> str:
        return self.display()


def _align(value: dt.date, precision: Precision) -> dt.date:
    if precision is Precision.DAY:
        return value
    if precision is Precision.MONTH:
        return value.replace(day=1)
    if precision is Precision.QUARTER:
        return dt.date(value.year, 3 * ((value.month - 1) // 3) + 1, 1)
    if precision is Precision.HALF:
        return dt.date(value.year, 1 if value.month <= 6 else 7, 1)
    return dt.date(value.year, 1, 1)


def parse_day(text: str) -> dt.date:
    """A plain calendar day (YYYY-MM-DD), as URLs and CLI options take it."""
    value = PrecisionDate.parse(text) if isinstance(text, str) and _DAY.fullmatch(text.strip()) else None
    if value is None or value.start is None:
        raise DateError(f"{text!r} is not a day; write YYYY-MM-DD, e.g. 2023-09-30")
    return value.start


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
