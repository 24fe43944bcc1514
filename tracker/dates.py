"""Dates that are not always days: "2025-09-17", "2025-09", "2025-Q3", "2025-H2", "2025", "t.b.d.".

One rule everywhere (sorting, as-of views, reminders, feeds): a period counts from its first day.
An unknown date ("t.b.d.") has no first day: it sorts after every known date and never falls due.

A date can also be a range of two periods, "2023-Q4 .. 2024" (the report's "eind 2023 of in 2024"): it counts from
the first day of its first period (sorting, reminders) and has passed only after the last day of its last period
(`end_day`: "overdue"). Any date may carry the report's own words as its label, "2023-10 .. 2023-11 (najaar 2023)";
it is then shown as the report writes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass

from babel.dates import format_date


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
RANGE_HELP = f"{FORMATS_HELP}; a range such as 2023-Q4 .. 2024; the report's words after it: 2023-Q4 (eind 2023)"
LABEL_MAX = 80
_RANGE = re.compile(r"(?P<start>[^()]+?)\s*\.\.\s*(?P<end>[^()]+?)")
_LABELLED = re.compile(r"(?P<body>[^()]*?)\s*\((?P<label>[^()]*)\)")


class DateError(ValueError):
    """Raised for text that is not a date at any precision."""


@dataclass(frozen=True, slots=True)
class PrecisionDate:
    """A date known to some precision; `start` is the first day of the period (None when unknown).

    A range adds the first day of its last period (`end`) and that period's precision; `label` holds the report's
    own words for the date, shown instead of the computed form.
    """

    start: dt.date | None
    precision: Precision
    end: dt.date | None = None
    end_precision: Precision | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if (self.start is None) != (self.precision is Precision.UNKNOWN):
            raise DateError("only an unknown date has no start")
        if self.start is not None and self.start != _align(self.start, self.precision):
            raise DateError(f"{self.start} is not the first day of a {self.precision.value}")
        if (self.end is None) != (self.end_precision is None):
            raise DateError("a range needs both the first day and the precision of its last period")
        if self.end is not None and self.end_precision is not None:
            if self.start is None or self.end_precision is Precision.UNKNOWN:
                raise DateError("a range runs between two known dates; 't.b.d.' cannot be one end")
            if self.end != _align(self.end, self.end_precision):
                raise DateError(f"{self.end} is not the first day of a {self.end_precision.value}")
            last = PrecisionDate(self.end, self.end_precision)
            first = PrecisionDate(self.start, self.precision)
            if last.start < self.start or last.last_day <= first.last_day:  # type: ignore[operator]  # both known here
                raise DateError("a range must end after its first period ends")
        if self.label is not None:
            odd = any(c in "()" or ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in self.label)
            if not self.label.strip() or len(self.label) > LABEL_MAX or odd:
                raise DateError(f"the report's words must be 1 to {LABEL_MAX} characters without parentheses")

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def unknown(cls) -> PrecisionDate:
        return cls(None, Precision.UNKNOWN)

    @classmethod
    def day(cls, value: dt.date) -> PrecisionDate:
        return cls(value, Precision.DAY)

    @classmethod
    def parse(cls, text: str | dt.date | None) -> PrecisionDate:
        """Parse the written forms listed in RANGE_HELP; raise DateError with a clear message otherwise."""
        if isinstance(text, dt.date):
            return cls.day(text)
        if text is None:
            raise DateError(f"a date is required ({FORMATS_HELP})")
        raw = str(text).strip()
        label = None
        labelled = _LABELLED.fullmatch(raw)
        if labelled:
            raw, label = labelled["body"].strip(), labelled["label"].strip()
            if not raw:
                raise DateError(f"{text!r}: write the date before the report's words ({RANGE_HELP})")
        ranged = _RANGE.fullmatch(raw)
        if ranged:
            first, last = cls._single(ranged["start"]), cls._single(ranged["end"])
            return cls(first.start, first.precision, last.start, last.precision, label)
        value = cls._single(raw)
        return value if label is None else cls(value.start, value.precision, label=label)

    @classmethod
    def _single(cls, raw: str) -> PrecisionDate:
        raw = raw.strip()
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
    def is_range(self) -> bool:
        return self.end is not None

    @property
    def single(self) -> PrecisionDate:
        """The date without range or label: its first period, as the two-column date fields store it."""
        return PrecisionDate(self.start, self.precision) if self.is_range or self.label else self

    @property
    def last(self) -> PrecisionDate:
        """The last period: a range's end, a single date's own period."""
        return PrecisionDate(self.end, self.end_precision) if self.end_precision is not None else self.single

    @property
    def end_day(self) -> dt.date | None:
        """The day after which the date has passed ("overdue"): a range's last day; a single date's first day."""
        return self.last_day if self.is_range else self.start

    @property
    def last_day(self) -> dt.date | None:
        if self.start is None:
            return None
        if self.end_precision is not None:
            return self.last.last_day
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
        body = f"{self.single._iso()} .. {self.last._iso()}" if self.is_range else self.single._iso()
        return f"{body} ({self.label})" if self.label else body

    def _iso(self) -> str:
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

    def display(self, language: str = "nl") -> str:
        """As people write it, in one style per language (Babel's month names): '17 september 2025',
        'september 2025', '3e kwartaal 2025', '2e helft 2025', '2025', 'nog niet bepaald', a range 'oktober –
        december 2023'; the report's words where the date carries them ('najaar 2023'). English: '17 September 2025',
        'September 2025', 'Q3 2025', 'H2 2025', '2025', 'to be determined', 'October – December 2023'; the report's
        words are Dutch, so English shows the period they stand for."""
        if self.label and language == "nl":
            return self.label
        return self.period(language)

    def period(self, language: str = "nl") -> str:
        """The period in the computed form, also for a date shown by the report's words. A range names a year
        shared by both ends once, and a month too: 'oktober – december 2023', '23 – 29 november 2026'."""
        if not self.is_range:
            return self.single._shown(language)
        first, last = self.single._shown(language), self.last._shown(language)
        year = f" {self.start.year}" if self.start else ""
        s, e = self.start, self.end
        if s is not None and e is not None and e.year == s.year and first.endswith(year):
            first = first.removesuffix(year)
            if self.precision is self.end_precision is Precision.DAY and e.month == s.month:
                first = str(s.day)  # '23 – 29 november 2026'
        return f"{first} – {last}"

    def _shown(self, language: str) -> str:
        s, p = self.start, self.precision
        if s is None:
            return "nog niet bepaald" if language == "nl" else "to be determined"
        if p is Precision.DAY:
            return format_date(s, "d MMMM y", locale=language)
        if p is Precision.MONTH:
            return format_date(s, "LLLL y", locale=language)
        if p is Precision.QUARTER:
            quarter = (s.month + 2) // 3
            return f"{quarter}e kwartaal {s.year}" if language == "nl" else f"Q{quarter} {s.year}"
        if p is Precision.HALF:
            half = (s.month + 5) // 6
            return f"{half}e helft {s.year}" if language == "nl" else f"H{half} {s.year}"
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


def period_start(value: dt.date, precision: Precision) -> dt.date:
    """The first day of the period of `precision` that holds `value`."""
    return _align(value, precision)


def parse_day(text: str) -> dt.date:
    """A plain calendar day (YYYY-MM-DD), as URLs and CLI options take it."""
    value = PrecisionDate.parse(text) if isinstance(text, str) and _DAY.fullmatch(text.strip()) else None
    if value is None or value.start is None:
        raise DateError(f"{text!r} is not a day; write YYYY-MM-DD, e.g. 2023-09-30")
    return value.start


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
