"""Dates as their reader writes them, for features that write text outside templates (mails, feeds, CSV files).

The same rules as the template filters of `tracker.i18n` (`pdate`, `day`), kept in this leaf module because
`tracker.i18n` wires up every feature's words, so a feature that imported it would close an import cycle
(`tests/test_architecture.py`). `shown` adds what a mail, feed or CSV cell needs beyond a plain date: a range, or
the report's own words.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from flask_babel import get_locale

from tracker.config import LANGUAGES
from tracker.dates import Precision, PrecisionDate

DEFAULT_LANGUAGE = "nl"
_ORDINAL_NL = {1: "1e", 2: "2e", 3: "3e", 4: "4e"}


def current_language() -> str:
    """The language of the request (or of a `force_locale` block); Dutch outside both."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def format_pdate(value: PrecisionDate | None, language: str = DEFAULT_LANGUAGE) -> str:
    """'17 september 2025', 'september 2025', '3e kwartaal 2025', '2e helft 2025', '2025', 'nog niet bepaald'
    (English: '17 September 2025', 'September 2025', 'Q3 2025', 'H2 2025', '2025', 'to be determined')."""
    if value is None:
        return ""
    s, p = value.start, value.precision
    if s is None:
        return "nog niet bepaald" if language == "nl" else "to be determined"
    if p is Precision.DAY:
        return format_date(s, "d MMMM y", locale=language)
    if p is Precision.MONTH:
        return format_date(s, "LLLL y", locale=language)
    if p is Precision.QUARTER:
        quarter = (s.month + 2) // 3
        return f"{_ORDINAL_NL[quarter]} kwartaal {s.year}" if language == "nl" else f"Q{quarter} {s.year}"
    if p is Precision.HALF:
        half = (s.month + 5) // 6
        return f"{_ORDINAL_NL[half]} helft {s.year}" if language == "nl" else f"H{half} {s.year}"
    return str(s.year)


def format_day(value: dt.date | None, language: str = DEFAULT_LANGUAGE) -> str:
    return format_date(value, "d MMMM y", locale=language) if value is not None else ""


def shown(value: PrecisionDate | None, language: str = DEFAULT_LANGUAGE) -> str:
    """'17 september 2025', '4e kwartaal 2023 – 2024', or the report's words ('najaar 2023') where the date has them
    (those are quoted as the report wrote them, in Dutch)."""
    if value is None:
        return ""
    if value.label:
        return value.label
    if value.is_range:
        return f"{format_pdate(value.single, language)} – {format_pdate(value.last, language)}"
    return format_pdate(value, language)
