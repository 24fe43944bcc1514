"""Dutch first, English on request: the language of a request, and dates and times written the way its reader
writes them.

The messages in the code and templates are Dutch (the msgids); `translations/en` holds their English. The language
of a request is the reader's own choice (stored with the account, or in the session before logging in), else the
best match of the browser's Accept-Language, else Dutch. Mail and other work outside a request use
`flask_babel.force_locale` with the recipient's language.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale

from tracker.config import LANGUAGES, PROJECT_ROOT
from tracker.dates import Precision, PrecisionDate
from tracker.labels import label

DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
TRANSLATIONS = PROJECT_ROOT / "translations"

_ORDINAL_NL = {1: "1e", 2: "2e", 3: "3e", 4: "4e"}
_ORDINAL_EN = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}


def init_i18n(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_language,
        timezone_selector=lambda: current_app.config["TRACKER"].timezone,
        default_locale=DEFAULT_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["pdate"] = lambda value: format_pdate(value, current_language())
    app.jinja_env.filters["period"] = lambda value: format_period(value, current_language())
    app.jinja_env.filters["when"] = lambda value: format_moment(value, current_language())
    app.jinja_env.filters["day"] = lambda value: format_day(value, current_language())
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)


def select_language() -> str:
    """The reader's choice, else the browser's preference among ours, else Dutch."""
    forced = g.get("language") if has_request_context() else None
    if forced in LANGUAGES:
        return forced
    if not has_request_context():
        return DEFAULT_LANGUAGE
    from flask_login import current_user

    chosen = getattr(current_user, "language", None) if current_user else None
    if chosen in LANGUAGES:
        return chosen
    if session.get("language") in LANGUAGES:
        return session["language"]
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


# -- dates and times ----------------------------------------------------------------------------
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
