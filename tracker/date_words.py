"""Dates and moments as their reader writes them: "17 september 2025", "3e kwartaal 2025", "2e helft 2025",
"nog niet bepaald" (English "17 September 2025", "Q3 2025", "H2 2025", "to be determined"), a range "van – tot",
the report's own words where a date carries them ("najaar 2023"), and moments in the app's time zone.

One leaf module (it knows no feature) for the template filters of `tracker.i18n` and for features that write text
outside templates: mails, feeds, CSV files, planning reasons.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app
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
    (English: '17 September 2025', 'September 2025', 'Q3 2025', 'H2 2025', '2025', 'to be determined');
    a range 'van - tot'; the report's own words where the date carries them ('najaar 2023')."""
    if value is None:
        return ""
    if value.label:
        return value.label
    return format_period(value, language)


def format_period(value: PrecisionDate, language: str = DEFAULT_LANGUAGE) -> str:
    """The computed period, also of a date shown by the report's words: '4e kwartaal 2023 – 2024'."""
    if value.is_range:
        return f"{_one(value.single, language)} – {_one(value.last, language)}"
    return _one(value, language)


def _one(value: PrecisionDate, language: str) -> str:
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


def format_moment(value: dt.datetime | None, language: str = DEFAULT_LANGUAGE, tz: str | None = None) -> str:
    """A moment in the app's time zone (Europe/Amsterdam unless set otherwise): '17 september 2025 14:05'.
    Naive datetimes are UTC, as the database stores them."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    zone = ZoneInfo(tz or _app_timezone())
    return format_datetime(value, "d MMMM y HH:mm", tzinfo=zone, locale=language)


def _app_timezone() -> str:
    try:
        return current_app.config["TRACKER"].timezone
    except RuntimeError:  # outside an application context
        return "Europe/Amsterdam"
