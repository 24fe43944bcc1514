"""Dutch first, English on request: the language of a request, and dates and times written the way its reader
writes them.

Dates are written by `tracker.date_words` (the filters `pdate`, `period`, `day`, `when`). The messages in the code
and templates are Dutch (the msgids); `translations/en` holds their English. The language
of a request is the reader's own choice (stored with the account, or in the session before logging in), else the
best match of the browser's Accept-Language, else Dutch. Mail and other work outside a request use
`flask_babel.force_locale` with the recipient's language.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel

from tracker.audit import words as audit_words
from tracker.config import LANGUAGES, PROJECT_ROOT
from tracker.content import short_name, text_in
from tracker.date_words import (
    DEFAULT_LANGUAGE,
    current_language,
    format_day,
    format_moment,
    format_pdate,
    format_period,
)
from tracker.labels import label

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
TRANSLATIONS = PROJECT_ROOT / "translations"


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
    # Content in the reader's language: `{{ d|local('title') }}`, and an act's name `{{ reg|short }}`.
    app.jinja_env.filters["local"] = lambda row, field: text_in(row, field, current_language())
    app.jinja_env.filters["short"] = lambda reg: short_name(reg, current_language())
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)
    # The change log in words (templates/_audit.html): actions, fields and values, processes and people.
    app.jinja_env.filters["action_words"] = audit_words.action_words
    app.jinja_env.globals.update(changes_in_words=audit_words.changes_in_words, actor_words=audit_words.actor_words,
                                 target_words=audit_words.target_words)


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


