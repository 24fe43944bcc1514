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


def current_language() -> str:
    """The language of the request (or of a `force_locale` block); Dutch outside both."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def format_pdate(value: PrecisionDate | None, language: str = DEFAULT_LANGUAGE) -> str:
    """'17 september 2025', 'september 2025', '3e kwartaal 2025', '2e helft 2025', '2025', 'nog niet bepaald'
    (English: '17 September 2025', 'September 2025', 'Q3 2025', 'H2 2025', '2025', 'to be determined');
    a range 'oktober – december 2023'; the report's own words where the date carries them ('najaar 2023'; in
    English the period they stand for). `PrecisionDate.display` is the one implementation."""
    return "" if value is None else value.display(language)


def format_period(value: PrecisionDate, language: str = DEFAULT_LANGUAGE) -> str:
    """The computed period, also of a date shown by the report's words: '4e kwartaal 2023 – 2024'."""
    return value.period(language)


def format_days(first: dt.date, last: dt.date, language: str = DEFAULT_LANGUAGE) -> str:
    """Two days, both included: '30 november – 6 december 2026' (a year both share is written once)."""
    if first == last:
        return format_day(first, language)
    return PrecisionDate(first, Precision.DAY, last, Precision.DAY).period(language)


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
